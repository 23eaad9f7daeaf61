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
    /// Directory for the embedded database and other local state.
    #[arg(long, env = "CADRE_DATA_DIR", default_value = ".data", global = true)]
    pub data_dir: PathBuf,
    /// Address to listen on.
    #[arg(
        long,
        env = "CADRE_BIND",
        default_value = "127.0.0.1:8080",
        global = true
    )]
    pub bind: String,
    /// HTTP worker threads (default: number of cores).
    #[arg(long, env = "CADRE_WORKERS", global = true)]
    pub workers: Option<usize>,
    /// Maximum database connections in the pool.
    #[arg(long, env = "CADRE_DB_POOL_SIZE", default_value_t = 16, global = true)]
    pub db_pool_size: usize,
    /// Load the demonstration data set at start-up (idempotent).
    #[arg(long, env = "CADRE_DEMO", global = true)]
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

impl Config {
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
