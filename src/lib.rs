//! Cadre API: assigning tasks to heads of units and evaluating cadres by their products.
//!
//! Layout: [`domain`] holds the pure rules, [`db`] the persistence, [`auth`] tokens, roles and
//! scopes, [`http`] the REST layer and its OpenAPI contract.

pub mod app;
pub mod auth;
pub mod config;
pub mod db;
pub mod demo;
pub mod domain;
pub mod embedded_pg;
pub mod error;
pub mod http;
pub mod render;
pub mod storage;
pub mod telemetry;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;

use config::{Cli, Command, Config};

/// The database the service runs on: the configured server, or a private embedded one.
pub struct Database {
    /// Connection URL.
    pub url: String,
    /// The embedded server, stopped when this is dropped.
    pub embedded: Option<embedded_pg::EmbeddedPostgres>,
}

impl Database {
    /// Connects to `DATABASE_URL`, or starts the embedded server under `data_dir`.
    pub async fn open(config: &Config) -> anyhow::Result<Self> {
        if let Some(url) = &config.database_url {
            db::check_reachable(url).await?;
            return Ok(Self {
                url: url.clone(),
                embedded: None,
            });
        }
        let dir = config.data_dir.clone();
        let bin_dir = config.pg_bin_dir.clone();
        let pg = tokio::task::spawn_blocking(move || {
            embedded_pg::EmbeddedPostgres::start(&dir, bin_dir.as_deref())
        })
        .await??;
        db::ensure_database(&pg.url("postgres"), "cadre").await?;
        Ok(Self {
            url: pg.url("cadre"),
            embedded: Some(pg),
        })
    }
}

/// Builds the shared state: pool, token keys and the evidence store.
pub async fn state(config: Config, url: &str) -> anyhow::Result<http::AppState> {
    let pool = db::pool(url, config.db_pool_size)?;
    let secret = match &config.jwt_secret {
        Some(s) => s.as_bytes().to_vec(),
        None => {
            db::signing_secret(&mut *pool.get().await.context("connecting to the database")?)
                .await?
        }
    };
    let keys = Arc::new(auth::TokenKeys::new(
        &secret,
        &config.jwt_issuer,
        &config.jwt_audience,
        Duration::from_secs(config.token_ttl_secs),
        config.jwks_issuer.as_deref(),
    ));
    auth::jwt::load_external_keys(
        &keys,
        config.jwks_file.as_deref(),
        config.jwks_url.as_deref(),
    )
    .await?;
    let evidence = match &config.evidence_store {
        Some(url) => storage::EvidenceStore::open(url)?,
        None => storage::EvidenceStore::open(&config.data_dir.join("evidence").to_string_lossy())?,
    };
    let audit_signer = Arc::new(auth::audit_key::AuditSigner::new(
        config.audit_signing_key.as_deref(),
        &secret,
    )?);
    Ok(http::AppState {
        pool,
        keys,
        evidence,
        config: Arc::new(config),
        audit_signer,
    })
}

/// Starts this replica's webhook workers on the shared state's pool and settings.
pub fn start_webhook_workers(state: &http::AppState) -> Vec<tokio::task::JoinHandle<()>> {
    let c = &state.config;
    app::webhooks::worker::spawn(
        state.pool.clone(),
        app::webhooks::worker::Settings {
            workers: c.webhook_workers,
            poll: Duration::from_millis(c.webhook_poll_ms.max(10)),
            timeout: Duration::from_secs(c.webhook_timeout_secs.max(1)),
            allowed_hosts: c.webhook_allowed_hosts.clone(),
            retry_scale: c.webhook_retry_scale,
        },
    )
}

/// Starts this replica's periodic audit checkpoints (none when the interval is 0).
pub fn start_audit_checkpoints(state: &http::AppState) -> Option<tokio::task::JoinHandle<()>> {
    let every = state.config.audit_checkpoint_secs;
    (every > 0).then(|| {
        app::audit::spawn_checkpoints(
            state.pool.clone(),
            state.audit_signer.clone(),
            Duration::from_secs(every),
        )
    })
}

/// Runs the command line. Every setting is checked, and the service's address taken, before
/// anything starts; a stop signal (Ctrl-C, SIGTERM) while starting stops what was started,
/// the embedded database included.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let mut config = cli.config;
    config.check()?;
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        print!("{}", http::openapi::pretty_json()?);
        return Ok(());
    }
    let started = std::time::Instant::now();
    let listeners = match command {
        Command::Serve => Some(Listeners::bind(&config)?),
        _ => None,
    };
    let mut opening = tokio::spawn({
        let config = config.clone();
        async move { Database::open(&config).await }
    });
    let database = tokio::select! {
        opened = &mut opening => opened??,
        () = stop_signal() => {
            tracing::info!("stop requested while starting; stopping what was started");
            drop(opening.await); // the embedded database, once started, stops when dropped
            return Ok(());
        }
    };
    let ready = tokio::select! {
        ready = prepare(command, config, &database.url, listeners) => ready?,
        () = stop_signal() => {
            tracing::info!("stop requested while starting; stopping what was started");
            None
        }
    };
    if let Some((state, listeners)) = ready {
        let address = listeners.api.local_addr()?;
        let metrics = listeners
            .metrics
            .as_ref()
            .map(|l| l.local_addr())
            .transpose()?;
        tracing::info!(%address, metrics = ?metrics, startup_ms = started.elapsed().as_millis() as u64, "serving");
        let workers = start_webhook_workers(&state);
        let checkpoints = start_audit_checkpoints(&state);
        http::serve(state, listeners.api, listeners.metrics)?.await?;
        workers.iter().for_each(tokio::task::JoinHandle::abort);
        checkpoints.iter().for_each(tokio::task::JoinHandle::abort);
        tracing::info!("stopped");
    }
    drop(database);
    Ok(())
}

/// What `run` does once the database is open: migrations, then the command; for `serve`, the
/// state and listener to serve with.
async fn prepare(
    command: Command,
    config: Config,
    url: &str,
    listeners: Option<Listeners>,
) -> anyhow::Result<Option<(http::AppState, Listeners)>> {
    match &config.db_owner_url {
        Some(owner) => {
            db::migrate(owner).await?;
            if let Some(role) = config.runtime_role() {
                db::grant_runtime(owner, &role).await?;
            }
        }
        None => db::migrate(url).await?,
    }
    match command {
        Command::Migrate => tracing::info!("migrations are current"),
        Command::SeedDemo => {
            let pool = db::pool(url, 2)?;
            demo::load(&mut *pool.get().await?).await?;
        }
        Command::CreateAdmin {
            username,
            display_name,
        } => {
            let mut first = app::bootstrap::FirstAdmin {
                username: username
                    .or(config.bootstrap_admin_username.clone())
                    .unwrap_or_else(|| "admin".to_owned()),
                display_name: display_name.unwrap_or(config.bootstrap_admin_name.clone()),
                password: String::new(),
                root_code: config.bootstrap_root_code.clone(),
                root_name: config.bootstrap_root_name.clone(),
            };
            first.password = match config.bootstrap_admin_password.clone() {
                Some(p) => p,
                None => read_password()?,
            };
            let pool = db::pool(url, 1)?;
            bootstrap(&mut *pool.get().await?, first).await?;
        }
        Command::Serve => {
            let listeners = listeners.context("no listener")?;
            let demo = config.demo;
            let first = config.first_admin();
            let state = state(config, url).await?;
            if demo {
                demo::load(&mut *state.pool.get().await?).await?;
            }
            if let Some(first) = first {
                bootstrap(&mut *state.pool.get().await?, first).await?;
            }
            return Ok(Some((state, listeners)));
        }
        Command::AuditVerify => {
            let pool = db::pool(url, 2)?;
            let report = app::audit::verify_chain(&mut *pool.get().await?)
                .await
                .map_err(|e| anyhow::anyhow!("verifying the audit chain: {e}"))?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            if !report.ok {
                anyhow::bail!("the audit chain is broken");
            }
        }
        Command::Openapi => unreachable!(),
    }
    Ok(None)
}

/// Creates the first administrator, saying what was done.
async fn bootstrap(
    conn: &mut diesel_async::AsyncPgConnection,
    first: app::bootstrap::FirstAdmin,
) -> anyhow::Result<()> {
    let username = first.username.clone();
    match app::bootstrap::create_admin(conn, first).await {
        Ok(app::bootstrap::Outcome::Created {
            account_id,
            root,
            root_created,
        }) => tracing::info!(
            %username, %account_id, %root, root_created,
            "first administrator created; sign in and create the tree, accounts and bindings"
        ),
        Ok(app::bootstrap::Outcome::AdministratorExists) => tracing::info!(
            "an administrator exists: the bootstrap administrator settings are ignored (remove \
             CADRE_BOOTSTRAP_ADMIN_PASSWORD from the environment)"
        ),
        Err(e) => anyhow::bail!("creating the first administrator: {e}"),
    }
    Ok(())
}

/// The first line of standard input, without its line end.
fn read_password() -> anyhow::Result<String> {
    use std::io::BufRead;
    eprintln!("Password of the first administrator (12 to 200 characters):");
    let mut line = String::new();
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .context("reading the password from standard input")?;
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

/// The addresses the service answers on, taken before anything starts so that a port in use
/// is reported at once.
struct Listeners {
    api: std::net::TcpListener,
    metrics: Option<std::net::TcpListener>,
}

impl Listeners {
    fn bind(config: &Config) -> anyhow::Result<Self> {
        let bind = |name: &str, address: &str| {
            std::net::TcpListener::bind(address)
                .with_context(|| format!("{name}: cannot listen on {address}"))
        };
        Ok(Self {
            api: bind("CADRE_BIND", &config.bind)?,
            metrics: config
                .metrics_bind
                .as_deref()
                .map(|a| bind("CADRE_METRICS_BIND", a))
                .transpose()?,
        })
    }
}

/// Resolves at the first Ctrl-C or SIGTERM.
async fn stop_signal() {
    let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => return std::future::pending().await,
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}
