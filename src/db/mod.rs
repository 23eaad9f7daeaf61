//! Persistence: connection pool, embedded migrations, table definitions and row types.

pub mod models;
pub mod repo;
pub mod schema;

use anyhow::{Context, Result};
use diesel::prelude::*;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::AsyncDieselConnectionManager;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// Migrations compiled into the binary.
pub const MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations");

/// The connection pool.
pub type DbPool = Pool<AsyncPgConnection>;
/// A pooled connection.
pub type DbConn = Object<AsyncPgConnection>;

/// Builds a pool of at most `size` connections to `url`.
pub fn pool(url: &str, size: usize) -> Result<DbPool> {
    let manager = AsyncDieselConnectionManager::<AsyncPgConnection>::new(url);
    Pool::builder(manager)
        .max_size(size)
        .wait_timeout(Some(std::time::Duration::from_secs(10)))
        .create_timeout(Some(std::time::Duration::from_secs(10)))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .context("building the connection pool")
}

/// Checks that `url` (from `DATABASE_URL`) answers, naming the setting and the server (its
/// password hidden) when it does not.
pub async fn check_reachable(url: &str) -> Result<()> {
    let attempt = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        AsyncPgConnection::establish(url),
    )
    .await;
    let mut problem = match attempt {
        Ok(Ok(_)) => return Ok(()),
        Ok(Err(e)) => e.to_string(),
        Err(_) => "no answer within 10 s".to_owned(),
    };
    // The driver says only "error connecting to server"; the socket says why.
    if let Some((host, port)) = url::Url::parse(url)
        .ok()
        .and_then(|u| Some((u.host_str()?.to_owned(), u.port().unwrap_or(5432))))
    {
        let connect = tokio::net::TcpStream::connect((host.as_str(), port));
        match tokio::time::timeout(std::time::Duration::from_secs(5), connect).await {
            Ok(Err(e)) => problem = format!("{host}:{port}: {e}"),
            Err(_) => problem = format!("{host}:{port}: no answer within 5 s"),
            Ok(Ok(_)) => {}
        }
    }
    anyhow::bail!(
        "DATABASE_URL: cannot connect to {}: {}",
        crate::config::redacted(url),
        problem.trim()
    )
}

/// Tables the service only ever appends to: the runtime role may read and add rows, never
/// change or remove one.
pub const APPEND_ONLY: &[&str] = &["audit_events", "audit_checkpoints"];

/// Gives the runtime role `role` (the user of `DATABASE_URL`) what the service needs and no
/// more, through the owner's connection `owner_url`: rows of every table (append only for
/// [`APPEND_ONLY`]), the sequences, no DDL. Run after every migration, so new tables are covered.
pub async fn grant_runtime(owner_url: &str, role: &str) -> Result<()> {
    let mut conn = AsyncPgConnection::establish(owner_url)
        .await
        .context("CADRE_DB_OWNER_URL: connecting to grant the runtime role")?;
    let role = format!("\"{}\"", role.replace('"', "\"\""));
    let mut sql = format!(
        "SET client_min_messages TO warning;
         GRANT USAGE ON SCHEMA public TO {role};
         REVOKE CREATE ON SCHEMA public FROM {role};
         GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role};
         GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role};"
    );
    for table in APPEND_ONLY {
        sql.push_str(&format!(
            "REVOKE UPDATE, DELETE, TRUNCATE ON {table} FROM {role};"
        ));
    }
    conn.batch_execute(&sql)
        .await
        .with_context(|| format!("granting the runtime role {role}"))?;
    Ok(())
}

/// Applies pending migrations (on a blocking thread).
pub async fn migrate(url: &str) -> Result<()> {
    let owned = url.to_owned();
    tokio::task::spawn_blocking(move || -> Result<()> {
        let url = owned;
        let mut conn =
            <AsyncConnectionWrapper<AsyncPgConnection> as diesel::Connection>::establish(&url)
                .context("connecting to PostgreSQL to migrate")?;
        // The migration table's `CREATE TABLE IF NOT EXISTS` would log a NOTICE at every start.
        diesel::connection::SimpleConnection::batch_execute(
            &mut conn,
            "SET client_min_messages TO warning",
        )?;
        let applied = conn
            .run_pending_migrations(MIGRATIONS)
            .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
        for m in applied {
            tracing::info!(migration = %m, "migration applied");
        }
        seed_rule_sets(&mut conn)
    })
    .await??;
    chain_old_audit_records(url).await
}

/// Links the audit records written before the audit chain existed (migration
/// `2026-12-07-000001_audit_chain`) into it, oldest first, in one transaction under the event
/// feed's lock; nothing to do once they are.
async fn chain_old_audit_records(url: &str) -> Result<()> {
    use scoped_futures::ScopedFutureExt;
    let mut conn = AsyncPgConnection::establish(url)
        .await
        .context("connecting to PostgreSQL to chain the audit trail")?;
    if repo::audit::first_unchained(&mut conn).await?.is_none() {
        return Ok(());
    }
    let chained = conn
        .transaction::<_, diesel::result::Error, _>(|c| {
            async move {
                repo::events::lock_feed(c).await?;
                repo::audit::chain_unchained(c, 500).await
            }
            .scope_boxed()
        })
        .await
        .context("chaining the audit records written before the chain")?;
    tracing::info!(records = chained, "audit records linked into the chain");
    Ok(())
}

/// Stores the shipped grading rule sets (once; a stored version is never changed).
fn seed_rule_sets(conn: &mut impl diesel::Connection<Backend = diesel::pg::Pg>) -> Result<()> {
    use diesel::sql_types::{Date, Integer, Jsonb, Nullable, Text};
    for set in [
        crate::domain::grading::party_2025(),
        crate::domain::grading::province_products(),
    ] {
        let insert = diesel::sql_query(
            "INSERT INTO rule_sets (code, version, valid_from, valid_to, definition, created_at)
             VALUES ($1, $2, $3, $4, $5, now()) ON CONFLICT DO NOTHING",
        )
        .bind::<Text, _>(&set.code)
        .bind::<Integer, _>(set.version)
        .bind::<Date, _>(set.valid_from)
        .bind::<Nullable<Date>, _>(set.valid_to)
        .bind::<Jsonb, _>(serde_json::to_value(&set)?);
        diesel::RunQueryDsl::execute(insert, conn)
            .context("storing the shipped grading rule sets")?;
    }
    Ok(())
}

/// Versions of the embedded migrations, to compare with what the database has applied.
pub fn expected_migration_versions() -> Vec<String> {
    use diesel::migration::MigrationSource;
    let source: &dyn MigrationSource<diesel::pg::Pg> = &MIGRATIONS;
    let mut v: Vec<String> = source
        .migrations()
        .unwrap_or_default()
        .iter()
        .map(|m| m.name().version().to_string())
        .collect();
    v.sort();
    v
}

/// Whether the database answers and has every embedded migration applied.
pub async fn migrations_current(conn: &mut AsyncPgConnection) -> Result<bool> {
    #[derive(QueryableByName)]
    struct Row {
        #[diesel(sql_type = diesel::sql_types::Text)]
        version: String,
    }
    let rows: Vec<Row> = diesel::sql_query("SELECT version FROM __diesel_schema_migrations")
        .load(conn)
        .await?;
    let applied: std::collections::HashSet<String> = rows.into_iter().map(|r| r.version).collect();
    Ok(expected_migration_versions()
        .iter()
        .all(|v| applied.contains(v)))
}

/// Creates database `name` on the server at `admin_url` unless it exists.
pub async fn ensure_database(admin_url: &str, name: &str) -> Result<()> {
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::Int4)]
        #[allow(dead_code)]
        one: i32,
    }
    let mut conn = AsyncPgConnection::establish(admin_url)
        .await
        .context("connecting to PostgreSQL")?;
    let exists: Vec<Found> =
        diesel::sql_query("SELECT 1 AS one FROM pg_database WHERE datname = $1")
            .bind::<diesel::sql_types::Text, _>(name)
            .load(&mut conn)
            .await?;
    if exists.is_empty() {
        conn.batch_execute(&format!(
            "CREATE DATABASE \"{}\" ENCODING 'UTF8'",
            name.replace('"', "")
        ))
        .await?;
    }
    Ok(())
}

/// The HS256 signing secret kept in the database, created on first use so that every replica
/// shares it.
pub async fn signing_secret(conn: &mut AsyncPgConnection) -> Result<Vec<u8>> {
    use schema::server_secrets::dsl::*;
    let mut fresh = vec![0u8; 48];
    rand::RngCore::fill_bytes(&mut rand::thread_rng(), &mut fresh);
    diesel::insert_into(server_secrets)
        .values((name.eq("jwt_hs256"), value.eq(fresh)))
        .on_conflict_do_nothing()
        .execute(conn)
        .await?;
    Ok(server_secrets
        .filter(name.eq("jwt_hs256"))
        .select(value)
        .first(conn)
        .await?)
}
