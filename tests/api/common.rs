//! Test harness: each test gets its own database, cloned from a template that holds the
//! migrated schema and the demo tree (or, for the demo's own test, the schema alone), and its
//! own server on a free port, spoken to over HTTP.
//!
//! The PostgreSQL server is `TEST_DATABASE_URL` or `DATABASE_URL` when set, else a private
//! embedded server under the system temp dir, shared by test runs and reused between them.

use std::sync::OnceLock;

use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use cadre_api::config::Config;
use cadre_api::http::AppState;

/// The demo password.
pub const PASSWORD: &str = cadre_api::demo::DEMO_PASSWORD;

/// Base URL (ending in a slash) of the server holding the test databases.
fn server_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let configured = std::env::var("TEST_DATABASE_URL")
            .or_else(|_| std::env::var("DATABASE_URL"))
            .ok();
        match configured {
            Some(url) => {
                let cut = url.rfind('/').expect("database URL has a path");
                url[..=cut].to_string()
            }
            None => {
                let dir = std::env::temp_dir().join("cadre-api-test-pg");
                let pg = cadre_api::embedded_pg::EmbeddedPostgres::start(&dir, None)
                    .expect("embedded PostgreSQL");
                let url = pg.url("");
                // Left running on purpose: the next test run joins it (scripts/test.sh stops it).
                std::mem::forget(pg);
                url
            }
        }
    })
}

/// What a test database starts as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Template {
    /// The migrated schema and the demo tree (no rounds).
    Tree,
    /// The migrated schema alone.
    Empty,
}

fn template_name(kind: Template) -> String {
    let root = env!("CARGO_MANIFEST_DIR");
    let mut hasher = Sha256::new();
    let mut files: Vec<_> = walk(&format!("{root}/migrations"));
    if kind == Template::Tree {
        files.push(format!("{root}/src/demo/demo.json"));
        files.push(format!("{root}/src/demo/mod.rs"));
    }
    files.sort();
    for f in files {
        hasher.update(std::fs::read(&f).expect("read fixture"));
    }
    let prefix = match kind {
        Template::Tree => "cadre_tpl_",
        Template::Empty => "cadre_tpl_empty_",
    };
    format!("{prefix}{}", &hex::encode(hasher.finalize())[..16])
}

fn walk(dir: &str) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).expect("read dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(p.to_str().unwrap()));
        } else {
            out.push(p.to_string_lossy().into_owned());
        }
    }
    out
}

#[derive(QueryableByName)]
struct Name {
    #[diesel(sql_type = diesel::sql_types::Text)]
    datname: String,
}

/// Creates the template once per server (guarded by an advisory lock), then a fresh database.
async fn fresh_database(kind: Template) -> String {
    let admin_url = format!("{}postgres", server_url());
    let mut admin = AsyncPgConnection::establish(&admin_url)
        .await
        .expect("connect to the test server");
    let template = template_name(kind);
    let other = template_name(match kind {
        Template::Tree => Template::Empty,
        Template::Empty => Template::Tree,
    });
    admin
        .batch_execute("SELECT pg_advisory_lock(727274)")
        .await
        .unwrap();
    let found: Vec<Name> = diesel::sql_query("SELECT datname FROM pg_database WHERE datname = $1")
        .bind::<diesel::sql_types::Text, _>(&template)
        .load(&mut admin)
        .await
        .unwrap();
    if found.is_empty() {
        let building = format!("{template}_build");
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {building}"))
            .await
            .unwrap();
        admin
            .batch_execute(&format!("CREATE DATABASE {building} ENCODING 'UTF8'"))
            .await
            .unwrap();
        let url = format!("{}{building}", server_url());
        cadre_api::db::migrate(&url)
            .await
            .expect("migrate template");
        if kind == Template::Tree {
            let mut conn = AsyncPgConnection::establish(&url).await.unwrap();
            cadre_api::demo::load_tree(&mut conn)
                .await
                .expect("load the demo tree");
        }
        admin
            .batch_execute(&format!("ALTER DATABASE {building} RENAME TO {template}"))
            .await
            .unwrap();
        // Old templates and test databases of earlier runs nobody is connected to.
        let stale: Vec<Name> = diesel::sql_query(
            "SELECT datname FROM pg_database d WHERE (datname LIKE 'cadre\\_tpl\\_%' AND datname <> $1 AND datname <> $2)
             AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)",
        )
        .bind::<diesel::sql_types::Text, _>(&template)
        .bind::<diesel::sql_types::Text, _>(&other)
        .load(&mut admin)
        .await
        .unwrap();
        for s in stale {
            let _ = admin
                .batch_execute(&format!("DROP DATABASE IF EXISTS {}", s.datname))
                .await;
        }
    }
    admin
        .batch_execute("SELECT pg_advisory_unlock(727274)")
        .await
        .unwrap();
    let name = format!("test_{}", Uuid::now_v7().simple());
    let mut last_err = None;
    for _ in 0..20 {
        match admin
            .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .await
        {
            Ok(()) => return name,
            Err(e) => {
                last_err = Some(e);
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
    }
    panic!("could not clone the template: {last_err:?}");
}

/// Drops test databases left by earlier runs, once per process.
async fn sweep_old_databases() {
    static DONE: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    DONE.get_or_init(|| async {
        let admin_url = format!("{}postgres", server_url());
        let mut admin = AsyncPgConnection::establish(&admin_url).await.unwrap();
        let stale: Vec<Name> = diesel::sql_query(
            "SELECT datname FROM pg_database d WHERE datname LIKE 'test\\_%'
             AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)
             AND (SELECT (pg_stat_file('base/' || d.oid || '/PG_VERSION')).modification) < now() - interval '1 hour'",
        )
        .load(&mut admin)
        .await
        .unwrap_or_default();
        for s in stale {
            let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {}", s.datname)).await;
        }
    })
    .await;
}

/// A running server on its own database.
pub struct TestApp {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    /// The internal metrics listener, `http://127.0.0.1:PORT`.
    pub metrics_base: String,
    /// HTTP client.
    pub client: reqwest::Client,
    /// Database URL.
    pub db_url: String,
    /// Database name.
    pub db_name: String,
    /// Shared state (for minting tokens).
    pub keys: std::sync::Arc<cadre_api::auth::TokenKeys>,
    /// This server's evidence store directory.
    pub evidence_dir: std::path::PathBuf,
}

/// A response, read.
pub struct Res {
    /// Status.
    pub status: StatusCode,
    /// Headers.
    pub headers: HeaderMap,
    /// JSON body (or `Null`).
    pub body: Value,
    /// Raw body.
    pub text: String,
}

impl Res {
    /// The ETag header.
    pub fn etag(&self) -> String {
        self.headers
            .get("etag")
            .expect("ETag")
            .to_str()
            .unwrap()
            .to_string()
    }

    /// Content type.
    pub fn content_type(&self) -> String {
        self.headers
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    }

    /// `body[key]` as a UUID.
    pub fn id(&self) -> Uuid {
        self.body["id"].as_str().expect("id").parse().unwrap()
    }
}

impl std::fmt::Debug for Res {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}", self.status, self.text)
    }
}

impl TestApp {
    /// A server with the demo data set.
    pub async fn spawn() -> Self {
        Self::spawn_with(|_| {}).await
    }

    /// A server with the demo data set and adjusted settings.
    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> Self {
        Self::spawn_on(Template::Tree, adjust).await
    }

    /// A server on a database with the schema and nothing else (for loading the whole demo).
    pub async fn spawn_empty() -> Self {
        Self::spawn_on(Template::Empty, |_| {}).await
    }

    async fn spawn_on(kind: Template, adjust: impl FnOnce(&mut Config)) -> Self {
        sweep_old_databases().await;
        let db = fresh_database(kind).await;
        let db_url = format!("{}{db}", server_url());
        let mut config = Config::for_tests(db_url.clone());
        config.workers = Some(1);
        let evidence_dir = std::env::temp_dir().join(format!("cadre-evidence-{db}"));
        config.evidence_store = Some(evidence_dir.to_string_lossy().into_owned());
        adjust(&mut config);
        let state: AppState = cadre_api::state(config, &db_url).await.expect("state");
        let keys = state.keys.clone();
        // Detached: they stop with the test's runtime.
        drop(cadre_api::start_webhook_workers(&state));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let metrics = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let metrics_base = format!("http://{}", metrics.local_addr().unwrap());
        let server = cadre_api::http::serve(state, listener, Some(metrics)).expect("server");
        actix_web::rt::spawn(server);
        let client = reqwest::Client::builder().build().unwrap();
        Self {
            base,
            metrics_base,
            client,
            db_url,
            db_name: db,
            keys,
            evidence_dir,
        }
    }

    /// A direct database connection (for assertions on what was written).
    pub async fn db(&self) -> AsyncPgConnection {
        AsyncPgConnection::establish(&self.db_url).await.unwrap()
    }

    /// A token for the account `username`, minted directly (no password hashing).
    pub async fn token(&self, username: &str) -> String {
        use cadre_api::db::schema::accounts;
        let mut conn = self.db().await;
        let (id, epoch): (Uuid, i64) = accounts::table
            .filter(accounts::username.eq(username))
            .select((accounts::id, accounts::token_epoch))
            .first(&mut conn)
            .await
            .unwrap_or_else(|_| panic!("no account {username}"));
        self.keys.issue(id, epoch).unwrap()
    }

    /// Sends a request; `token` may be empty for none.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        token: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Res {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if !token.is_empty() {
            req = req.bearer_auth(token);
        }
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        read(req.send().await.expect("request")).await
    }

    /// POST a `multipart/form-data` upload: one file part and text fields.
    pub async fn upload(
        &self,
        path: &str,
        token: &str,
        file: (&str, Vec<u8>),
        fields: &[(&str, &str)],
        headers: &[(&str, &str)],
    ) -> Res {
        let mut form = reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(file.1).file_name(file.0.to_string()),
        );
        for (k, v) in fields {
            form = form.text(k.to_string(), v.to_string());
        }
        let mut req = self
            .client
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .multipart(form);
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        read(req.send().await.expect("request")).await
    }

    /// GET the raw bytes of a response.
    pub async fn get_bytes(&self, path: &str, token: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
        let res = self
            .client
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .expect("request");
        let (status, headers) = (res.status(), res.headers().clone());
        (status, headers, res.bytes().await.expect("body").to_vec())
    }

    /// Every file in this server's evidence store.
    pub fn stored_files(&self) -> Vec<std::path::PathBuf> {
        fn walk(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
                if e.path().is_dir() {
                    walk(&e.path(), out);
                } else {
                    out.push(e.path());
                }
            }
        }
        let mut out = Vec::new();
        walk(&self.evidence_dir, &mut out);
        out
    }

    /// GET.
    pub async fn get(&self, path: &str, token: &str) -> Res {
        self.send(Method::GET, path, token, None, &[]).await
    }

    /// GET `path` on another of this server's listeners (`base`), without a token.
    pub async fn get_at(&self, base: &str, path: &str) -> Res {
        read(
            self.client
                .get(format!("{base}{path}"))
                .send()
                .await
                .expect("request"),
        )
        .await
    }

    /// POST JSON.
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Res {
        self.send(Method::POST, path, token, Some(body), &[]).await
    }

    /// POST JSON with If-Match.
    pub async fn post_if(&self, path: &str, token: &str, etag: &str, body: Value) -> Res {
        self.send(Method::POST, path, token, Some(body), &[("If-Match", etag)])
            .await
    }

    /// PATCH JSON with If-Match.
    pub async fn patch(&self, path: &str, token: &str, etag: &str, body: Value) -> Res {
        self.send(
            Method::PATCH,
            path,
            token,
            Some(body),
            &[("If-Match", etag)],
        )
        .await
    }

    /// DELETE with If-Match.
    pub async fn delete(&self, path: &str, token: &str, etag: &str) -> Res {
        self.send(Method::DELETE, path, token, None, &[("If-Match", etag)])
            .await
    }

    /// Id of the unit with master-data `code` (valid today).
    pub async fn unit(&self, code: &str) -> Uuid {
        use cadre_api::db::schema::org_units;
        let mut conn = self.db().await;
        org_units::table
            .filter(org_units::code.eq(code).and(org_units::valid_to.is_null()))
            .select(org_units::id)
            .first(&mut conn)
            .await
            .unwrap_or_else(|_| panic!("no unit {code}"))
    }

    /// Id of the level with `code`.
    pub async fn level(&self, code: &str) -> Uuid {
        use cadre_api::db::schema::org_levels;
        let mut conn = self.db().await;
        org_levels::table
            .filter(org_levels::code.eq(code))
            .select(org_levels::id)
            .first(&mut conn)
            .await
            .unwrap()
    }

    /// Number of audit records.
    pub async fn audit_count(&self) -> i64 {
        use cadre_api::db::schema::audit_events;
        let mut conn = self.db().await;
        audit_events::table
            .count()
            .get_result(&mut conn)
            .await
            .unwrap()
    }
}

impl Drop for TestApp {
    /// Drops the test's database (closing the server's connections to it) and evidence store.
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.evidence_dir);
        let name = self.db_name.clone();
        let admin_url = format!("{}postgres", server_url());
        let _ = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                if let Ok(mut admin) = AsyncPgConnection::establish(&admin_url).await {
                    let _ = admin
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                }
            });
        })
        .join();
    }
}

/// Reads a response.
pub async fn read(res: reqwest::Response) -> Res {
    let status = res.status();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap_or_default();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Res {
        status,
        headers,
        body,
        text,
    }
}

/// Asserts a problem+json error of `status`.
#[track_caller]
pub fn assert_problem(res: &Res, status: u16) {
    assert_eq!(res.status.as_u16(), status, "{res:?}");
    assert!(
        res.content_type().starts_with("application/problem+json"),
        "{res:?}"
    );
    assert_eq!(res.body["status"], status, "{res:?}");
    assert!(
        res.body["type"].is_string() && res.body["title"].is_string(),
        "{res:?}"
    );
}
