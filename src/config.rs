//! Configuration from flags and environment variables, with defaults that run out of the box.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};

/// Command line of the `cadre-api` binary.
#[derive(Debug, Parser)]
#[command(
    name = "cadre-api",
    version,
    about = "Assign tasks to heads of units and evaluate cadres by their products"
)]
pub struct Cli {
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Settings shared by every command.
    #[command(flatten)]
    pub config: Config,
}

/// Sub-commands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Run the HTTP service (the default).
    Serve,
    /// Apply pending database migrations and exit.
    Migrate,
    /// Load the demonstration data set and exit.
    SeedDemo,
    /// Print the OpenAPI document and exit.
    Openapi,
    /// Create the first administrator (and, on an empty database, the top unit) and exit; does
    /// nothing once an administrator exists. The password is read from
    /// `CADRE_BOOTSTRAP_ADMIN_PASSWORD`, else from the first line of standard input.
    CreateAdmin {
        /// Sign-in name (default: `CADRE_BOOTSTRAP_ADMIN_USERNAME`, else `admin`).
        #[arg(long)]
        username: Option<String>,
        /// Name shown to people (default: `CADRE_BOOTSTRAP_ADMIN_NAME`).
        #[arg(long)]
        display_name: Option<String>,
    },
    /// Re-walk the audit chain and its checkpoints, print the report; exit status 1 when
    /// broken.
    AuditVerify,
}

/// Log line format.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub enum LogFormat {
    /// One JSON object per line.
    Json,
    /// Human-readable text.
    Text,
}

/// Settings; every flag can also be given as the environment variable shown.
#[derive(Debug, Clone, clap::Args)]
pub struct Config {
    /// PostgreSQL URL; when unset, a private PostgreSQL is started under `--data-dir`.
    #[arg(long, env = "DATABASE_URL", global = true, hide_env_values = true)]
    pub database_url: Option<String>,
    /// PostgreSQL URL of the role that owns the schema: when set, migrations run through it and
    /// the user of `DATABASE_URL` is given only what the service needs at run time (rows, never
    /// DDL, and the audit trail append-only).
    #[arg(
        long,
        env = "CADRE_DB_OWNER_URL",
        global = true,
        hide_env_values = true
    )]
    pub db_owner_url: Option<String>,
    /// Directory for the embedded database and other local state.
    #[arg(long, env = "CADRE_DATA_DIR", default_value = ".data", global = true)]
    pub data_dir: PathBuf,
    /// Directory of the PostgreSQL server programs (`initdb`, `pg_ctl`, `postgres`) for the
    /// embedded database; found on `PATH` or under `/usr/lib/postgresql` when unset.
    #[arg(long, env = "CADRE_PG_BIN_DIR", global = true)]
    pub pg_bin_dir: Option<PathBuf>,
    /// Address to listen on.
    #[arg(
        long,
        env = "CADRE_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: String,
    /// Internal address serving `GET /metrics` (Prometheus); none when unset. Keep it off the
    /// public network: it is not authenticated.
    #[arg(long, env = "CADRE_METRICS_BIND", global = true)]
    pub metrics_bind: Option<String>,
    /// HTTP worker threads (default: number of cores).
    #[arg(long, env = "CADRE_WORKERS", global = true)]
    pub workers: Option<usize>,
    /// Maximum database connections in the pool.
    #[arg(long, env = "CADRE_DB_POOL_SIZE", default_value_t = 16, global = true)]
    pub db_pool_size: usize,
    /// Load the demonstration data set at start-up (idempotent); the variable takes `true`,
    /// `1`, `yes`, `on` (any case) or their opposites.
    #[arg(
        long,
        env = "CADRE_DEMO",
        global = true,
        num_args = 0..=1,
        default_value = "false",
        default_missing_value = "true",
        action = clap::ArgAction::Set,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub demo: bool,
    /// HS256 secret for tokens this service issues (at least 32 bytes); generated and kept in
    /// the database when unset.
    #[arg(long, env = "JWT_SECRET", global = true, hide_env_values = true)]
    pub jwt_secret: Option<String>,
    /// `iss` of tokens this service issues and accepts.
    #[arg(long, env = "JWT_ISSUER", default_value = "cadre-api", global = true)]
    pub jwt_issuer: String,
    /// `aud` required in every token.
    #[arg(long, env = "JWT_AUDIENCE", default_value = "cadre-api", global = true)]
    pub jwt_audience: String,
    /// Lifetime of issued access tokens, in seconds.
    #[arg(
        long,
        env = "CADRE_TOKEN_TTL_SECS",
        default_value_t = 900,
        global = true
    )]
    pub token_ttl_secs: u64,
    /// A refresh token unused for this many seconds expires; each refresh starts the window
    /// again (30 days).
    #[arg(
        long,
        env = "CADRE_REFRESH_TOKEN_TTL_SECS",
        default_value_t = 30 * 86_400,
        value_parser = clap::value_parser!(u64).range(60..=10 * 365 * 86_400),
        global = true
    )]
    pub refresh_token_ttl_secs: u64,
    /// However often it is refreshed, a sign-in ends this many seconds after the password was
    /// given (90 days); then the person signs in again.
    #[arg(
        long,
        env = "CADRE_REFRESH_TOKEN_MAX_AGE_SECS",
        default_value_t = 90 * 86_400,
        value_parser = clap::value_parser!(u64).range(60..=10 * 365 * 86_400),
        global = true
    )]
    pub refresh_token_max_age_secs: u64,
    /// JWKS file of an external identity provider (RS256/ES256 tokens).
    #[arg(long, env = "JWKS_FILE", global = true)]
    pub jwks_file: Option<PathBuf>,
    /// JWKS URL of an external identity provider, refreshed periodically.
    #[arg(long, env = "JWKS_URL", global = true)]
    pub jwks_url: Option<String>,
    /// `iss` of the external identity provider's tokens.
    #[arg(long, env = "JWKS_ISSUER", global = true)]
    pub jwks_issuer: Option<String>,
    /// Origins allowed by CORS, comma separated (`*` for any); none when empty.
    #[arg(
        long,
        env = "CORS_ALLOWED_ORIGINS",
        value_delimiter = ',',
        global = true
    )]
    pub cors_allowed_origins: Vec<String>,
    /// Largest accepted request body, in bytes.
    #[arg(
        long,
        env = "CADRE_MAX_BODY_BYTES",
        default_value_t = 1_048_576,
        global = true
    )]
    pub max_body_bytes: usize,
    /// Largest accepted body of a department feed's batch of observations, in bytes.
    #[arg(
        long,
        env = "CADRE_FEED_MAX_BODY_BYTES",
        default_value_t = 16 * 1_048_576,
        global = true
    )]
    pub feed_max_body_bytes: usize,
    /// Relative difference between a fed value and the head's self-reported one above which
    /// the assignment is flagged for its supervisor.
    #[arg(
        long,
        env = "CADRE_FEED_TOLERANCE",
        default_value_t = 0.05,
        global = true
    )]
    pub feed_tolerance: f64,
    /// Where evidence files are kept: a local directory (path or `file://` URL) or an
    /// S3-compatible bucket (`s3://bucket/prefix`, credentials and endpoint from the usual
    /// `AWS_*` variables); `<data-dir>/evidence` when unset.
    #[arg(long, env = "CADRE_EVIDENCE_STORE", global = true)]
    pub evidence_store: Option<String>,
    /// Largest accepted evidence file, in bytes.
    #[arg(
        long,
        env = "CADRE_EVIDENCE_MAX_BYTES",
        default_value_t = 50 * 1_048_576,
        global = true
    )]
    pub evidence_max_bytes: u64,
    /// Media types accepted for evidence files, judged by content, comma separated; a
    /// documented default list when unset.
    #[arg(
        long,
        env = "CADRE_EVIDENCE_MEDIA_TYPES",
        value_delimiter = ',',
        global = true
    )]
    pub evidence_media_types: Vec<String>,
    /// Time limit for handling one request, in seconds.
    #[arg(
        long,
        env = "CADRE_REQUEST_TIMEOUT_SECS",
        default_value_t = 30,
        global = true
    )]
    pub request_timeout_secs: u64,
    /// Failed sign-ins per account within 15 minutes before it is locked.
    #[arg(
        long,
        env = "CADRE_LOGIN_MAX_FAILURES",
        default_value_t = 5,
        global = true
    )]
    pub login_max_failures_per_account: i64,
    /// Failed sign-ins per client address within 15 minutes before it is locked.
    #[arg(
        long,
        env = "CADRE_LOGIN_MAX_FAILURES_PER_ADDR",
        default_value_t = 30,
        global = true
    )]
    pub login_max_failures_per_addr: i64,
    /// Webhook delivery workers in this process (0: this replica delivers nothing; the others
    /// still do).
    #[arg(
        long,
        env = "CADRE_WEBHOOK_WORKERS",
        default_value_t = 2,
        global = true
    )]
    pub webhook_workers: usize,
    /// How often an idle webhook worker looks for new events and due deliveries, in
    /// milliseconds.
    #[arg(
        long,
        env = "CADRE_WEBHOOK_POLL_MS",
        default_value_t = 250,
        global = true
    )]
    pub webhook_poll_ms: u64,
    /// Time limit of one webhook delivery attempt (connect, send, answer), in seconds.
    #[arg(
        long,
        env = "CADRE_WEBHOOK_TIMEOUT_SECS",
        default_value_t = 10,
        global = true
    )]
    pub webhook_timeout_secs: u64,
    /// Hosts (names or IP addresses, comma separated) that webhooks may target even though
    /// they are, or resolve to, private, loopback or link-local addresses; also the only hosts
    /// reachable over plain `http`.
    #[arg(
        long,
        env = "CADRE_WEBHOOK_ALLOWED_HOSTS",
        value_delimiter = ',',
        global = true
    )]
    pub webhook_allowed_hosts: Vec<String>,
    /// Factor applied to the webhook retry schedule (1: retries over 31 hours; staging and
    /// tests use less).
    #[arg(
        long,
        env = "CADRE_WEBHOOK_RETRY_SCALE",
        default_value_t = 1.0,
        global = true
    )]
    pub webhook_retry_scale: f64,
    /// How long a rotated webhook secret keeps signing beside the new one, in seconds.
    #[arg(
        long,
        env = "CADRE_WEBHOOK_SECRET_OVERLAP_SECS",
        default_value_t = 86_400,
        global = true
    )]
    pub webhook_secret_overlap_secs: u64,
    /// Base64 of the 32-byte Ed25519 seed that signs audit checkpoints; derived from the token
    /// secret (HKDF-SHA256) when unset.
    #[arg(
        long,
        env = "CADRE_AUDIT_SIGNING_KEY",
        global = true,
        hide_env_values = true
    )]
    pub audit_signing_key: Option<String>,
    /// How often this replica makes a signed checkpoint of the audit chain, in seconds (none
    /// when the head has not moved; 0: never).
    #[arg(
        long,
        env = "CADRE_AUDIT_CHECKPOINT_SECS",
        default_value_t = 3600,
        global = true
    )]
    pub audit_checkpoint_secs: u64,

    /// Anonymous reads of published results allowed per client address per window.
    #[arg(
        long,
        env = "CADRE_PUBLIC_RATE_LIMIT",
        default_value_t = 120,
        global = true
    )]
    pub public_rate_limit: u32,
    /// Length of the window anonymous reads are counted in, in seconds.
    #[arg(
        long,
        env = "CADRE_PUBLIC_RATE_WINDOW_SECS",
        default_value_t = 60,
        value_parser = clap::value_parser!(u32).range(1..=86_400),
        global = true
    )]
    pub public_rate_window_secs: u32,
    /// Addresses of reverse proxies whose `X-Forwarded-For` is trusted, comma separated: when
    /// the peer is one of them, the client is the last forwarded address that is not; none
    /// when empty (the peer address is the client).
    #[arg(
        long,
        env = "CADRE_TRUSTED_PROXIES",
        value_delimiter = ',',
        global = true
    )]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// Sign-in name of the first administrator, created at start-up while no administrator
    /// exists (with `CADRE_BOOTSTRAP_ADMIN_PASSWORD`); ignored afterwards.
    #[arg(long, env = "CADRE_BOOTSTRAP_ADMIN_USERNAME", global = true)]
    pub bootstrap_admin_username: Option<String>,
    /// Password of the first administrator (12 to 200 characters); remove it from the
    /// environment once the administrator exists.
    #[arg(
        long,
        env = "CADRE_BOOTSTRAP_ADMIN_PASSWORD",
        global = true,
        hide_env_values = true
    )]
    pub bootstrap_admin_password: Option<String>,
    /// Name shown for the first administrator.
    #[arg(
        long,
        env = "CADRE_BOOTSTRAP_ADMIN_NAME",
        default_value = "Quản trị hệ thống",
        global = true
    )]
    pub bootstrap_admin_name: String,
    /// Code of the top unit the bootstrap creates on an empty database (or picks among several).
    #[arg(
        long,
        env = "CADRE_BOOTSTRAP_ROOT_CODE",
        default_value = "TU",
        global = true
    )]
    pub bootstrap_root_code: String,
    /// Name of the top unit the bootstrap creates on an empty database.
    #[arg(
        long,
        env = "CADRE_BOOTSTRAP_ROOT_NAME",
        default_value = "Tỉnh ủy",
        global = true
    )]
    pub bootstrap_root_name: String,
    /// Log line format.
    #[arg(
        long,
        env = "CADRE_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,
}

/// A setting that cannot work, named as the operator wrote it.
#[derive(Debug, thiserror::Error)]
#[error("invalid setting {name}: {problem}")]
pub struct SettingError {
    /// The environment variable (the flag is its lower-case, dashed twin).
    pub name: &'static str,
    /// What is wrong, and what would do.
    pub problem: String,
}

fn refuse(name: &'static str, problem: impl Into<String>) -> SettingError {
    SettingError {
        name,
        problem: problem.into(),
    }
}

/// `value` within `range`, or an error naming setting `name`.
fn within<T: PartialOrd + std::fmt::Display>(
    name: &'static str,
    value: T,
    range: std::ops::RangeInclusive<T>,
) -> Result<(), SettingError> {
    if range.contains(&value) {
        Ok(())
    } else {
        Err(refuse(
            name,
            format!(
                "{value} is out of range; give a value from {} to {}",
                range.start(),
                range.end()
            ),
        ))
    }
}

/// A CORS origin as browsers send it (`https://portal.gov.vn`, `http://localhost:3000`), or
/// `*`; `None` when `raw` is not one.
pub fn origin(raw: &str) -> Option<String> {
    if raw == "*" {
        return Some(raw.to_owned());
    }
    let url = url::Url::parse(raw).ok()?;
    let bare = matches!(url.scheme(), "http" | "https")
        && url.host_str().is_some()
        && url.username().is_empty()
        && url.password().is_none()
        && url.path() == "/"
        && url.query().is_none()
        && url.fragment().is_none()
        && !raw.trim_end_matches('/').ends_with(':');
    bare.then(|| url.origin().ascii_serialization())
}

/// `url` with its password hidden, for messages.
pub fn redacted(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            u.to_string()
        }
        Err(_) => "(not a URL)".to_owned(),
    }
}

impl Config {
    /// Checks every setting before anything starts, and tidies the lists (spaces around commas,
    /// empty entries); the first setting that cannot work is named in the error.
    pub fn check(&mut self) -> Result<(), SettingError> {
        if let Some(url) = self.database_url.take().filter(|u| !u.trim().is_empty()) {
            let parsed = url::Url::parse(url.trim()).map_err(|e| {
                refuse(
                    "DATABASE_URL",
                    format!("not a URL ({e}); e.g. postgres://user@host:5432/cadre"),
                )
            })?;
            if !matches!(parsed.scheme(), "postgres" | "postgresql") {
                return Err(refuse(
                    "DATABASE_URL",
                    format!("the scheme must be postgres://, not {}://", parsed.scheme()),
                ));
            }
            self.database_url = Some(url.trim().to_owned());
        }
        if let Some(url) = self.db_owner_url.take().filter(|u| !u.trim().is_empty()) {
            let parsed = url::Url::parse(url.trim())
                .map_err(|e| refuse("CADRE_DB_OWNER_URL", format!("not a URL ({e})")))?;
            if !matches!(parsed.scheme(), "postgres" | "postgresql") {
                return Err(refuse(
                    "CADRE_DB_OWNER_URL",
                    "the scheme must be postgres://",
                ));
            }
            if self.database_url.is_none() {
                return Err(refuse(
                    "CADRE_DB_OWNER_URL",
                    "needs DATABASE_URL (the runtime role); the embedded database has one role",
                ));
            }
            self.db_owner_url = Some(url.trim().to_owned());
        }
        if self.database_url.is_none() {
            if let Some(dir) = &self.pg_bin_dir {
                if !dir.join("pg_ctl").is_file() || !dir.join("initdb").is_file() {
                    return Err(refuse(
                        "CADRE_PG_BIN_DIR",
                        format!(
                            "{} does not hold the PostgreSQL server programs (initdb, pg_ctl)",
                            dir.display()
                        ),
                    ));
                }
            }
        }
        if self.bind.to_socket_addrs_checked().is_none() {
            return Err(refuse(
                "CADRE_BIND",
                format!(
                    "{:?} is not an address to listen on; e.g. 0.0.0.0:8080",
                    self.bind
                ),
            ));
        }
        self.metrics_bind = self.metrics_bind.take().filter(|b| !b.trim().is_empty());
        if let Some(bind) = &self.metrics_bind {
            if bind.to_socket_addrs_checked().is_none() {
                return Err(refuse(
                    "CADRE_METRICS_BIND",
                    format!("{bind:?} is not an address to listen on; e.g. 127.0.0.1:9464"),
                ));
            }
        }
        if let Some(n) = self.workers {
            within("CADRE_WORKERS", n, 1..=1024)?;
        }
        within("CADRE_DB_POOL_SIZE", self.db_pool_size, 1..=1000)?;
        self.jwt_secret = self.jwt_secret.take().filter(|s| !s.is_empty());
        if let Some(secret) = &self.jwt_secret {
            if secret.len() < 32 {
                return Err(refuse(
                    "JWT_SECRET",
                    format!(
                        "{} bytes is too short; give at least 32 random bytes (e.g. `openssl rand -hex 32`), or leave it unset to have one generated and kept in the database",
                        secret.len()
                    ),
                ));
            }
        }
        within("CADRE_TOKEN_TTL_SECS", self.token_ttl_secs, 60..=86_400)?;
        if let Some(url) = &self.jwks_url {
            url::Url::parse(url).map_err(|e| refuse("JWKS_URL", format!("not a URL ({e})")))?;
        }
        let mut origins = Vec::new();
        for raw in self.cors_allowed_origins.iter().map(|o| o.trim()) {
            if raw.is_empty() {
                continue;
            }
            origins.push(origin(raw).ok_or_else(|| {
                refuse(
                    "CORS_ALLOWED_ORIGINS",
                    format!(
                        "{raw:?} is not an origin; give scheme://host[:port] without a path \
                         (e.g. https://portal.gov.vn), comma separated, or *"
                    ),
                )
            })?);
        }
        self.cors_allowed_origins = origins;
        within("CADRE_MAX_BODY_BYTES", self.max_body_bytes, 1024..=1 << 30)?;
        within(
            "CADRE_FEED_MAX_BODY_BYTES",
            self.feed_max_body_bytes,
            1024..=1 << 30,
        )?;
        if !(self.feed_tolerance.is_finite() && self.feed_tolerance >= 0.0) {
            return Err(refuse(
                "CADRE_FEED_TOLERANCE",
                format!(
                    "{} is not a relative difference of 0 or more, e.g. 0.05",
                    self.feed_tolerance
                ),
            ));
        }
        if let Some(store) = &self.evidence_store {
            if store.contains("://")
                && !(store.starts_with("file://") || store.starts_with("s3://"))
            {
                return Err(refuse(
                    "CADRE_EVIDENCE_STORE",
                    format!("{store:?}: give a directory, a file:// URL or s3://bucket/prefix"),
                ));
            }
        }
        within(
            "CADRE_EVIDENCE_MAX_BYTES",
            self.evidence_max_bytes,
            1..=1 << 40,
        )?;
        self.evidence_media_types = tidy(&self.evidence_media_types);
        within(
            "CADRE_REQUEST_TIMEOUT_SECS",
            self.request_timeout_secs,
            1..=3600,
        )?;
        within(
            "CADRE_LOGIN_MAX_FAILURES",
            self.login_max_failures_per_account,
            1..=1000,
        )?;
        within(
            "CADRE_LOGIN_MAX_FAILURES_PER_ADDR",
            self.login_max_failures_per_addr,
            1..=100_000,
        )?;
        within("CADRE_WEBHOOK_WORKERS", self.webhook_workers, 0..=64)?;
        within("CADRE_WEBHOOK_POLL_MS", self.webhook_poll_ms, 10..=60_000)?;
        within(
            "CADRE_WEBHOOK_TIMEOUT_SECS",
            self.webhook_timeout_secs,
            1..=300,
        )?;
        self.webhook_allowed_hosts = tidy(&self.webhook_allowed_hosts);
        if !(self.webhook_retry_scale.is_finite() && self.webhook_retry_scale > 0.0) {
            return Err(refuse(
                "CADRE_WEBHOOK_RETRY_SCALE",
                format!(
                    "{} is not a factor above 0, e.g. 1",
                    self.webhook_retry_scale
                ),
            ));
        }
        within(
            "CADRE_PUBLIC_RATE_LIMIT",
            self.public_rate_limit,
            1..=1_000_000,
        )?;
        self.bootstrap_admin_username = self
            .bootstrap_admin_username
            .take()
            .map(|u| u.trim().to_owned())
            .filter(|u| !u.is_empty());
        self.bootstrap_admin_password = self
            .bootstrap_admin_password
            .take()
            .filter(|p| !p.is_empty());
        if let Some(password) = &self.bootstrap_admin_password {
            if !(12..=200).contains(&password.chars().count()) {
                return Err(refuse(
                    "CADRE_BOOTSTRAP_ADMIN_PASSWORD",
                    "give 12 to 200 characters",
                ));
            }
        }
        Ok(())
    }

    /// How long refresh tokens last (each setting at most ten years).
    pub fn refresh_lifetimes(&self) -> crate::domain::refresh_token::Lifetimes {
        const TEN_YEARS: u64 = 10 * 365 * 86_400;
        let secs = |s: u64| chrono::Duration::seconds(s.min(TEN_YEARS) as i64);
        crate::domain::refresh_token::Lifetimes {
            idle: secs(self.refresh_token_ttl_secs),
            absolute: secs(self.refresh_token_max_age_secs),
        }
    }

    /// The media types accepted for evidence files.
    pub fn accepted_media_types(&self) -> Vec<String> {
        if self.evidence_media_types.is_empty() {
            crate::domain::evidence::DEFAULT_MEDIA_TYPES
                .iter()
                .map(|t| (*t).to_owned())
                .collect()
        } else {
            self.evidence_media_types.clone()
        }
    }

    /// The runtime role (the user of `DATABASE_URL`) to grant, when an owner URL is set and
    /// names another user.
    pub fn runtime_role(&self) -> Option<String> {
        let user = |u: &str| url::Url::parse(u).ok().map(|u| u.username().to_owned());
        let owner = user(self.db_owner_url.as_deref()?)?;
        let runtime = user(self.database_url.as_deref()?)?;
        (!runtime.is_empty() && runtime != owner).then_some(runtime)
    }

    /// The first administrator the settings name, if they name one (username and password).
    pub fn first_admin(&self) -> Option<crate::app::bootstrap::FirstAdmin> {
        Some(crate::app::bootstrap::FirstAdmin {
            username: self.bootstrap_admin_username.clone()?,
            password: self.bootstrap_admin_password.clone()?,
            display_name: self.bootstrap_admin_name.clone(),
            root_code: self.bootstrap_root_code.clone(),
            root_name: self.bootstrap_root_name.clone(),
        })
    }

    /// Defaults, as if no flag or variable were given (used by tests).
    pub fn for_tests(database_url: String) -> Self {
        let mut cfg = Cli::parse_from(["cadre-api"]).config;
        cfg.database_url = Some(database_url);
        cfg.jwt_secret = Some("test-secret-test-secret-test-secret-0123".into());
        cfg.db_pool_size = 4;
        cfg.max_body_bytes = 64 * 1024;
        // Webhook tests start their workers; the others need none polling their database.
        cfg.webhook_workers = 0;
        cfg.audit_checkpoint_secs = 0;
        cfg
    }
}

/// The entries of a comma-separated list, trimmed, without empty ones.
fn tidy(list: &[String]) -> Vec<String> {
    list.iter()
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty())
        .collect()
}

/// Whether a `host:port` resolves to at least one address to listen on.
trait ListenAddress {
    fn to_socket_addrs_checked(&self) -> Option<std::net::SocketAddr>;
}

impl ListenAddress for String {
    fn to_socket_addrs_checked(&self) -> Option<std::net::SocketAddr> {
        use std::net::ToSocketAddrs;
        self.to_socket_addrs().ok()?.next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(env: &[(&str, &str)]) -> Result<Config, String> {
        let mut args = vec!["cadre-api".to_owned()];
        for (k, v) in env {
            args.push(format!("--{}={v}", k.to_lowercase().replace('_', "-")));
        }
        let mut c = Cli::try_parse_from(args).map_err(|e| e.to_string())?.config;
        if !env.iter().any(|(k, _)| *k == "database_url") {
            c.database_url = None; // whatever the machine's environment says
        }
        c.check().map_err(|e| e.to_string())?;
        Ok(c)
    }

    #[test]
    fn origins_are_tidied_and_checked() {
        let c = parse(&[(
            "cors_allowed_origins",
            "https://a.gov.vn, https://b.gov.vn:8443/,",
        )])
        .unwrap();
        assert_eq!(
            c.cors_allowed_origins,
            ["https://a.gov.vn", "https://b.gov.vn:8443"]
        );
        for bad in [
            "a.gov.vn",
            "https://a.gov.vn/path",
            "ftp://a.gov.vn",
            "https://",
        ] {
            let e = parse(&[("cors_allowed_origins", bad)]).unwrap_err();
            assert!(e.contains("CORS_ALLOWED_ORIGINS"), "{bad}: {e}");
        }
        assert_eq!(
            parse(&[("cors_allowed_origins", "*")])
                .unwrap()
                .cors_allowed_origins,
            ["*"]
        );
    }

    #[test]
    fn each_refusal_names_its_setting() {
        for (name, flag, value) in [
            ("CADRE_DB_POOL_SIZE", "db_pool_size", "0"),
            ("JWT_SECRET", "jwt_secret", "short"),
            ("CADRE_BIND", "bind", "not an address"),
            ("CADRE_BIND", "bind", "127.0.0.1:99999"),
            ("CADRE_METRICS_BIND", "metrics_bind", "nowhere"),
            ("DATABASE_URL", "database_url", "mysql://x/y"),
            ("DATABASE_URL", "database_url", "nonsense"),
            ("CADRE_PG_BIN_DIR", "pg_bin_dir", "/nonexistent"),
            (
                "CADRE_DB_OWNER_URL",
                "db_owner_url",
                "postgres://owner@db/cadre",
            ),
            ("CADRE_TOKEN_TTL_SECS", "token_ttl_secs", "0"),
            ("CADRE_FEED_TOLERANCE", "feed_tolerance", "NaN"),
            ("CADRE_WEBHOOK_RETRY_SCALE", "webhook_retry_scale", "0"),
            ("CADRE_EVIDENCE_STORE", "evidence_store", "gs://bucket"),
            (
                "CADRE_BOOTSTRAP_ADMIN_PASSWORD",
                "bootstrap_admin_password",
                "short",
            ),
        ] {
            let e = parse(&[(flag, value)]).unwrap_err();
            assert!(e.contains(name), "{flag}={value}: {e}");
        }
    }

    #[test]
    fn demo_takes_the_usual_spellings() {
        for yes in ["1", "TRUE", "true", "yes", "On"] {
            assert!(parse(&[("demo", yes)]).unwrap().demo, "{yes}");
        }
        for no in ["0", "FALSE", "no", "off"] {
            assert!(!parse(&[("demo", no)]).unwrap().demo, "{no}");
        }
    }

    #[test]
    fn passwords_are_hidden_in_messages() {
        assert_eq!(
            redacted("postgres://cadre:s3cret@db:5432/cadre"),
            "postgres://cadre:***@db:5432/cadre"
        );
    }
}
