//! Queries of accounts, and of the sign-in attempts that guard their passwords.

use chrono::{DateTime, Utc};
use diesel::dsl::{self, count_star};
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::sql_types::Bool;
use diesel_async::{AsyncPgConnection, RunQueryDsl};
use uuid::Uuid;

use super::KeysetDsl;
use crate::db::models::AccountRow;
use crate::db::schema::{accounts, login_attempts};
use crate::domain::vocab::AccountKind;

/// One account (`NotFound` when unknown).
pub async fn get(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<AccountRow> {
    accounts::table
        .find(id)
        .select(AccountRow::as_select())
        .first(conn)
        .await
}

/// One account, locked until the transaction ends (`NotFound` when unknown).
pub async fn lock(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<AccountRow> {
    accounts::table
        .find(id)
        .for_update()
        .select(AccountRow::as_select())
        .first(conn)
        .await
}

/// The account a token subject names: its id, or else its external subject.
pub async fn by_subject(
    conn: &mut AsyncPgConnection,
    subject: &str,
) -> QueryResult<Option<AccountRow>> {
    let query = accounts::table.into_boxed();
    let query = match subject.parse::<Uuid>() {
        Ok(id) => query.filter(accounts::id.eq(id)),
        Err(_) => query.filter(accounts::external_subject.eq(subject.to_owned())),
    };
    query
        .select(AccountRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The account of kind `kind` signing in as `username`.
pub async fn by_username(
    conn: &mut AsyncPgConnection,
    username: &str,
    kind: AccountKind,
) -> QueryResult<Option<AccountRow>> {
    accounts::table
        .filter(accounts::username.eq(username).and(accounts::kind.eq(kind)))
        .select(AccountRow::as_select())
        .first(conn)
        .await
        .optional()
}

/// The home unit of account `id`, if it exists.
pub async fn home_unit(conn: &mut AsyncPgConnection, id: Uuid) -> QueryResult<Option<Uuid>> {
    accounts::table
        .find(id)
        .select(accounts::home_unit_id)
        .first(conn)
        .await
        .optional()
}

/// The cadre behind account `account`, if any.
pub async fn cadre_of(conn: &mut AsyncPgConnection, account: Uuid) -> QueryResult<Option<Uuid>> {
    accounts::table
        .find(account)
        .select(accounts::cadre_id)
        .first(conn)
        .await
}

/// What a list of accounts may be narrowed to.
#[derive(Debug, Clone, Default)]
pub struct Criteria {
    /// Only accounts of this home unit.
    pub home_unit_id: Option<Uuid>,
    /// Only this kind.
    pub kind: Option<AccountKind>,
    /// Username or display name contains this text (case-insensitive).
    pub q: Option<String>,
    /// Only disabled or only enabled accounts.
    pub disabled: Option<bool>,
}

/// Up to `limit` accounts after `after` (by id) among those `readable` admits.
pub async fn list(
    conn: &mut AsyncPgConnection,
    readable: Box<dyn BoxableExpression<accounts::table, Pg, SqlType = Bool>>,
    criteria: &Criteria,
    after: Option<Uuid>,
    limit: i64,
) -> QueryResult<Vec<AccountRow>> {
    let mut q = accounts::table
        .filter(readable)
        .select(AccountRow::as_select())
        .into_boxed()
        .keyset(accounts::id, after, limit);
    if let Some(unit) = criteria.home_unit_id {
        q = q.filter(accounts::home_unit_id.eq(unit));
    }
    if let Some(kind) = criteria.kind {
        q = q.filter(accounts::kind.eq(kind));
    }
    if let Some(disabled) = criteria.disabled {
        q = q.filter(accounts::disabled.eq(disabled));
    }
    if let Some(text) = criteria.q.as_deref().filter(|t| !t.is_empty()) {
        let pattern = crate::domain::text::contains_pattern(text);
        q = q.filter(
            accounts::username
                .ilike(pattern.clone())
                .or(accounts::display_name.ilike(pattern)),
        );
    }
    q.load(conn).await
}

/// Stores a new account.
pub async fn insert(conn: &mut AsyncPgConnection, row: &AccountRow) -> QueryResult<AccountRow> {
    diesel::insert_into(accounts::table)
        .values(row)
        .returning(AccountRow::as_returning())
        .get_result(conn)
        .await
}

/// Changes to an account; `None` leaves a column as it is.
#[derive(Debug, AsChangeset)]
#[diesel(table_name = accounts)]
pub struct Changes {
    /// Name shown to people.
    pub display_name: Option<String>,
    /// Sign-in refused.
    pub disabled: Option<bool>,
    /// The linked cadre (`Some(None)` unlinks).
    pub cadre_id: Option<Option<Uuid>>,
    /// The home unit.
    pub home_unit_id: Option<Uuid>,
    /// Subject at the identity provider (`Some(None)` removes it).
    pub external_subject: Option<Option<String>>,
    /// The new version.
    pub version: i32,
    /// When it changed.
    pub updated_at: DateTime<Utc>,
}

/// Applies `changes` to account `id`.
pub async fn update(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    changes: &Changes,
) -> QueryResult<AccountRow> {
    diesel::update(accounts::table.find(id))
        .set(changes)
        .returning(AccountRow::as_returning())
        .get_result(conn)
        .await
}

/// Replaces the secret hash of an account and bumps its version.
pub async fn set_secret(
    conn: &mut AsyncPgConnection,
    current: &AccountRow,
    secret_hash: String,
    now: DateTime<Utc>,
) -> QueryResult<AccountRow> {
    diesel::update(accounts::table.find(current.id))
        .set((
            accounts::secret_hash.eq(Some(secret_hash)),
            accounts::version.eq(current.version + 1),
            accounts::updated_at.eq(now),
        ))
        .returning(AccountRow::as_returning())
        .get_result(conn)
        .await
}

/// Ends every session of account `id` at `now`: its token epoch goes up (access tokens issued
/// under the previous one stop working) and `sessions_ended_at` becomes `now`. Neither the
/// version nor `updated_at` change: the account as the API shows it is the same.
pub async fn end_sessions(
    conn: &mut AsyncPgConnection,
    id: Uuid,
    now: DateTime<Utc>,
) -> QueryResult<AccountRow> {
    diesel::update(accounts::table.find(id))
        .set((
            accounts::token_epoch.eq(accounts::token_epoch + 1),
            accounts::sessions_ended_at.eq(Some(now)),
        ))
        .returning(AccountRow::as_returning())
        .get_result(conn)
        .await
}

/// When `username` last signed in successfully, if ever.
pub async fn last_success(
    conn: &mut AsyncPgConnection,
    username: &str,
) -> QueryResult<Option<DateTime<Utc>>> {
    login_attempts::table
        .filter(
            login_attempts::username
                .eq(username)
                .and(login_attempts::success),
        )
        .select(dsl::max(login_attempts::at))
        .first(conn)
        .await
}

/// How many sign-ins as `username` failed after `after`, and when the oldest of them was.
pub async fn failures_of_user(
    conn: &mut AsyncPgConnection,
    username: &str,
    after: DateTime<Utc>,
) -> QueryResult<(i64, Option<DateTime<Utc>>)> {
    login_attempts::table
        .filter(login_attempts::username.eq(username))
        .filter(
            login_attempts::success
                .eq(false)
                .and(login_attempts::at.gt(after)),
        )
        .select((count_star(), dsl::min(login_attempts::at)))
        .first(conn)
        .await
}

/// How many sign-ins from `addr` failed after `after`, and when the oldest of them was.
pub async fn failures_from_addr(
    conn: &mut AsyncPgConnection,
    addr: &str,
    after: DateTime<Utc>,
) -> QueryResult<(i64, Option<DateTime<Utc>>)> {
    login_attempts::table
        .filter(login_attempts::client_addr.eq(addr))
        .filter(
            login_attempts::success
                .eq(false)
                .and(login_attempts::at.gt(after)),
        )
        .select((count_star(), dsl::min(login_attempts::at)))
        .first(conn)
        .await
}

/// Records one sign-in attempt.
pub async fn record_attempt(
    conn: &mut AsyncPgConnection,
    username: &str,
    addr: &str,
    success: bool,
) -> QueryResult<()> {
    diesel::insert_into(login_attempts::table)
        .values((
            login_attempts::username.eq(username),
            login_attempts::client_addr.eq(addr),
            login_attempts::success.eq(success),
        ))
        .execute(conn)
        .await
        .map(drop)
}
