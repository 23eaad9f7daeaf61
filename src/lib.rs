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
            return Ok(Self {
                url: url.clone(),
                embedded: None,
            });
        }
        let dir = config.data_dir.clone();
        let pg = tokio::task::spawn_blocking(move || embedded_pg::EmbeddedPostgres::start(&dir))
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
        Some(s) if s.len() >= 32 => s.as_bytes().to_vec(),
        Some(_) => anyhow::bail!("JWT_SECRET must be at least 32 bytes"),
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

/// Runs the command line.
pub async fn run(cli: Cli) -> anyhow::Result<()> {
    let config = cli.config;
    let command = cli.command.unwrap_or(Command::Serve);
    if let Command::Openapi = command {
        print!("{}", http::openapi::pretty_json()?);
        return Ok(());
    }
    let started = std::time::Instant::now();
    let database = Database::open(&config).await?;
    db::migrate(&database.url).await?;
    match command {
        Command::Migrate => tracing::info!("migrations are current"),
        Command::SeedDemo => {
            let pool = db::pool(&database.url, 2)?;
            demo::load(&mut *pool.get().await?).await?;
        }
        Command::Serve => {
            let demo = config.demo;
            let bind = config.bind.clone();
            let state = state(config, &database.url).await?;
            if demo {
                demo::load(&mut *state.pool.get().await?).await?;
            }
            let listener =
                std::net::TcpListener::bind(&bind).with_context(|| format!("binding {bind}"))?;
            tracing::info!(address = %listener.local_addr()?, startup_ms = started.elapsed().as_millis() as u64, "serving");
            let workers = start_webhook_workers(&state);
            let checkpoints = start_audit_checkpoints(&state);
            http::serve(state, listener)?.await?;
            workers.iter().for_each(tokio::task::JoinHandle::abort);
            checkpoints.iter().for_each(tokio::task::JoinHandle::abort);
            tracing::info!("stopped");
        }
        Command::AuditVerify => {
            let pool = db::pool(&database.url, 2)?;
            let report = app::audit::verify_chain(&mut *pool.get().await?)
                .await
                .map_err(|e| anyhow::anyhow!("verifying the audit chain: {e:?}"))?;
            println!("{}", serde_json::to_string_pretty(&report)?);
            if !report.ok {
                anyhow::bail!("the audit chain is broken");
            }
        }
        Command::Openapi => unreachable!(),
    }
    drop(database);
    Ok(())
}
