//! Accounts: people (`user`) and machine clients (`client`) who call the API, managed within the
//! scope of their home unit; and signing in with an account's password or secret. Password
//! hashes and client secrets never leave the database, not even into the audit trail: the
//! trail keeps an [`AccountImage`].

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::{in_tx, refresh_tokens, IfMatch, Tx};
use crate::auth::policy::accounts as policy;
use crate::auth::{password, Caller};
use crate::db::models::AccountRow;
use crate::db::repo;
use crate::domain::refresh_token::RevokeReason;
use crate::domain::sign_in::{user_floor, wait_seconds, window_start, Failures};
use crate::domain::text::plain_text;
use crate::domain::vocab::AccountKind;
use crate::error::{ApiError, Msg};

/// An account as the audit trail keeps it: what the API shows, never the secret hash.
#[derive(Debug, Serialize)]
pub struct AccountImage<'a> {
    id: Uuid,
    username: &'a str,
    display_name: &'a str,
    kind: AccountKind,
    cadre_id: Option<Uuid>,
    home_unit_id: Uuid,
    external_subject: Option<&'a str>,
    disabled: bool,
    version: i32,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl<'a> From<&'a AccountRow> for AccountImage<'a> {
    fn from(r: &'a AccountRow) -> Self {
        Self {
            id: r.id,
            username: &r.username,
            display_name: &r.display_name,
            kind: r.kind,
            cadre_id: r.cadre_id,
            home_unit_id: r.home_unit_id,
            external_subject: r.external_subject.as_deref(),
            disabled: r.disabled,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// Usernames are 3–100 lower-case ASCII letters, digits, `.`, `_` and `-`.
pub(crate) fn username_format(name: &str) -> Result<(), validator::ValidationError> {
    if name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
    {
        Ok(())
    } else {
        Err(validator::ValidationError::new("username_format")
            .with_message("use lower-case ASCII letters, digits, '.', '_' or '-'".into()))
    }
}

/// External subjects are printable, without spaces or control characters.
fn subject_format(subject: &str) -> Result<(), validator::ValidationError> {
    if subject
        .chars()
        .all(|c| !c.is_control() && !c.is_whitespace())
    {
        Ok(())
    } else {
        Err(validator::ValidationError::new("subject_format")
            .with_message("spaces and control characters are not allowed".into()))
    }
}

/// Reads a present field as `Some(value)`, so that an explicit `null` becomes `Some(None)`
/// (clear) while an absent field stays `None` (unchanged).
fn present<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// Filters of the account list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountFilter {
    /// Only accounts of this home unit.
    pub home_unit_id: Option<Uuid>,
    /// Only people or only machine clients.
    pub kind: Option<AccountKind>,
    /// Username or display name contains this text (case-insensitive).
    pub q: Option<String>,
    /// Only disabled (`true`) or only enabled (`false`) accounts.
    pub disabled: Option<bool>,
}

/// New account.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewAccount {
    /// Sign-in name (the client id of a machine client): lower-case ASCII letters, digits, `.`,
    /// `_`, `-`; unique.
    #[validate(length(min = 3, max = 100), custom(function = "username_format"))]
    #[schema(min_length = 3, max_length = 100, pattern = "^[a-z0-9._\\-]*$")]
    pub username: String,
    /// Name shown to people.
    #[validate(length(min = 1, max = 200), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub display_name: String,
    /// A person or a machine client.
    pub kind: AccountKind,
    /// Password of a person, or secret of a machine client. Stored only as a salted hash.
    #[validate(length(min = 12, max = 200))]
    #[schema(min_length = 12, max_length = 200)]
    #[schema(write_only, format = Password)]
    pub secret: String,
    /// The cadre this account belongs to (must exist and be visible to the caller).
    pub cadre_id: Option<Uuid>,
    /// The unit that manages the account (the caller needs `account_manage` on it).
    pub home_unit_id: Uuid,
    /// Subject of the account at the provincial identity provider; unique.
    #[validate(length(min = 1, max = 255), custom(function = "subject_format"))]
    #[schema(
        min_length = 1,
        max_length = 255,
        pattern = "^[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*$"
    )]
    pub external_subject: Option<String>,
}

/// Changes to an account; absent fields stay as they are, `null` clears `cadre_id` and
/// `external_subject`. The username and kind never change; the secret changes through
/// `POST /accounts/{id}/secret`.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountPatch {
    /// Name shown to people.
    #[validate(length(min = 1, max = 200), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub display_name: Option<String>,
    /// Refuse (`true`) or allow again (`false`) sign-in and every token of the account. An
    /// administrator cannot disable their own account.
    pub disabled: Option<bool>,
    /// The cadre this account belongs to; `null` unlinks it.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub cadre_id: Option<Option<Uuid>>,
    /// Move the account to another home unit (needs `account_manage` on both units).
    pub home_unit_id: Option<Uuid>,
    /// Subject at the provincial identity provider, unique; `null` removes it.
    #[serde(default, deserialize_with = "present")]
    #[validate(length(min = 1, max = 255), custom(function = "subject_format"))]
    #[schema(
        min_length = 1,
        max_length = 255,
        pattern = "^[^\\u0000-\\u0020\\u007F-\\u00A0\\u1680\\u2000-\\u200A\\u2028\\u2029\\u202F\\u205F\\u3000]*$"
    )]
    #[schema(value_type = Option<String>)]
    pub external_subject: Option<Option<String>>,
}

/// A new password or client secret.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewSecret {
    /// The new password of a person or secret of a machine client, 12–200 characters. Stored
    /// only as a salted hash.
    #[validate(length(min = 12, max = 200))]
    #[schema(min_length = 12, max_length = 200)]
    #[schema(write_only, format = Password)]
    pub secret: String,
}

/// Turns a unique violation on the username or external subject into a 409 naming the field.
pub(crate) fn unique_conflict(e: diesel::result::Error) -> ApiError {
    use diesel::result::{DatabaseErrorKind, Error};
    if let Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) = &e {
        match info.constraint_name() {
            Some("accounts_username_key") => {
                return ApiError::conflict(
                    "the username is already taken",
                    "tên đăng nhập đã được sử dụng",
                )
                .field(
                    "username",
                    "taken",
                    Msg::new("already taken", "đã được sử dụng"),
                )
            }
            Some("accounts_external_subject_key") => {
                return ApiError::conflict(
                    "another account already has this external subject",
                    "định danh bên ngoài đã gắn với tài khoản khác",
                )
                .field(
                    "external_subject",
                    "taken",
                    Msg::new("already taken", "đã được sử dụng"),
                )
            }
            _ => {}
        }
    }
    e.into()
}

/// Hashes a password or client secret on a blocking thread.
async fn hash_secret(secret: String) -> Result<String, ApiError> {
    let hashed = tokio::task::spawn_blocking(move || password::hash(&secret))
        .await
        .map_err(|e| ApiError::internal(format!("hashing task failed: {e}")))??;
    Ok(hashed)
}

/// Up to `limit + 1` accounts after `after` (by id) that the caller manages, narrowed by
/// `filter` (one more than a page tells whether another page follows). 403 for a caller who
/// manages accounts nowhere.
pub async fn list(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    filter: &AccountFilter,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<AccountRow>, ApiError> {
    policy::require_manager(caller)?;
    let readable = policy::readable(conn, caller).await?;
    let criteria = repo::accounts::Criteria {
        home_unit_id: filter.home_unit_id,
        kind: filter.kind,
        q: filter.q.clone(),
        disabled: filter.disabled,
    };
    Ok(repo::accounts::list(conn, readable, &criteria, after, limit + 1).await?)
}

/// Account `id` if the caller manages it (404 otherwise).
pub async fn get(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<AccountRow, ApiError> {
    policy::visible(conn, caller, id).await
}

/// The caller's own account.
pub async fn me(conn: &mut AsyncPgConnection, caller: &Caller) -> Result<AccountRow, ApiError> {
    Ok(repo::accounts::get(conn, caller.account_id).await?)
}

/// Creates an account: needs `account_manage` on its home unit (422 when unknown or out of
/// scope); a linked cadre must be visible (422); username and external subject are unique (409).
pub async fn create(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    new: NewAccount,
) -> Result<AccountRow, ApiError> {
    policy::require_manager(caller)?;
    policy::require_home_unit(conn, caller, new.home_unit_id).await?;
    if let Some(cadre) = new.cadre_id {
        policy::require_cadre(conn, caller, cadre).await?;
    }
    let secret_hash = hash_secret(new.secret).await?;
    in_tx(conn, caller, async |tx| {
        let row = AccountRow {
            id: Uuid::now_v7(),
            username: new.username,
            display_name: new.display_name,
            kind: new.kind,
            secret_hash: Some(secret_hash),
            cadre_id: new.cadre_id,
            home_unit_id: new.home_unit_id,
            external_subject: new.external_subject,
            disabled: false,
            version: 1,
            created_at: tx.now,
            updated_at: tx.now,
            token_epoch: 0,
            sessions_ended_at: None,
        };
        let row = repo::accounts::insert(tx.conn, &row)
            .await
            .map_err(unique_conflict)?;
        tx.created(
            "account.create",
            row.id,
            Some(row.home_unit_id),
            &AccountImage::from(&row),
        );
        Ok(row)
    })
    .await
}

/// Changes account `id` in one transaction, if the caller manages it (404) and `If-Match`
/// names its version: `apply` checks and stores the change, recorded as `action` with the
/// account's images before and after.
async fn change(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    action: &str,
    apply: impl AsyncFnOnce(&mut Tx<'_>, &AccountRow) -> Result<AccountRow, ApiError>,
) -> Result<AccountRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        let before = policy::lock_visible(tx.conn, caller, id).await?;
        if_match.check(before.version)?;
        let after = apply(tx, &before).await?;
        tx.changed(
            action,
            id,
            Some(after.home_unit_id),
            &AccountImage::from(&before),
            &AccountImage::from(&after),
        );
        Ok(after)
    })
    .await
}

/// Renames, disables or re-enables an account, links it to a cadre, moves it to another home
/// unit or sets its external subject. An administrator cannot disable their own account (422).
/// Disabling and enabling again end the account's sessions (access and refresh tokens).
pub async fn update(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    patch: AccountPatch,
) -> Result<AccountRow, ApiError> {
    if patch.disabled == Some(true) && id == caller.account_id {
        return Err(ApiError::unprocessable(
            "you cannot disable your own account",
            "không thể tự khóa tài khoản của mình",
        )
        .field(
            "disabled",
            "own_account",
            Msg::new(
                "cannot disable your own account",
                "không thể tự khóa tài khoản của mình",
            ),
        ));
    }
    change(
        conn,
        caller,
        id,
        if_match,
        "account.update",
        async |tx, before| {
            if let Some(unit) = patch.home_unit_id.filter(|u| *u != before.home_unit_id) {
                policy::require_home_unit(tx.conn, caller, unit).await?;
            }
            if let Some(Some(cadre)) = patch.cadre_id.filter(|c| *c != before.cadre_id) {
                policy::require_cadre(tx.conn, caller, cadre).await?;
            }
            let changes = repo::accounts::Changes {
                display_name: patch.display_name,
                disabled: patch.disabled,
                cadre_id: patch.cadre_id,
                home_unit_id: patch.home_unit_id,
                external_subject: patch.external_subject,
                version: before.version + 1,
                updated_at: tx.now,
            };
            let after = repo::accounts::update(tx.conn, id, &changes)
                .await
                .map_err(unique_conflict)?;
            // Disabling ends the sessions, and so does enabling again: the tokens of before the
            // disabling do not come back to life (a family still alive then dates from before
            // the disabling too).
            if after.disabled != before.disabled {
                refresh_tokens::end_sessions(tx, &after, RevokeReason::AccountDisabled).await?;
            }
            Ok(after)
        },
    )
    .await
}

/// Sets a new password or client secret; the old one stops working at once, and so do the
/// account's sessions (access and refresh tokens), whoever changed it. Neither is ever returned nor recorded in the audit trail.
pub async fn set_secret(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
    if_match: &IfMatch,
    secret: String,
) -> Result<AccountRow, ApiError> {
    // Check scope before spending CPU on hashing; it is checked again under the row lock.
    let current = policy::visible(conn, caller, id).await?;
    if_match.check(current.version)?;
    let secret_hash = hash_secret(secret).await?;
    change(
        conn,
        caller,
        id,
        if_match,
        "account.set_secret",
        async |tx, before| {
            let after = repo::accounts::set_secret(tx.conn, before, secret_hash, tx.now).await?;
            refresh_tokens::end_sessions(tx, &after, RevokeReason::SecretChanged).await?;
            Ok(after)
        },
    )
    .await
}

/// What a sign-in presents.
pub struct Credentials {
    /// Username (a machine client's client id).
    pub username: String,
    /// Password (a machine client's secret).
    pub secret: String,
    /// A person signs in with a password, a machine client with its secret.
    pub kind: AccountKind,
    /// The address the request came from.
    pub addr: String,
}

/// How many failed sign-ins within the lock-out window
/// ([`crate::domain::sign_in::WINDOW_MINUTES`]) lock a username or an address.
pub struct Lockout {
    /// Failures per username (counted since its last success).
    pub max_per_account: i64,
    /// Failures per client address.
    pub max_per_addr: i64,
}

/// Checks credentials and records the attempt: the account when they are right and it is
/// enabled; 401 otherwise; 429 (with the seconds to wait) while the username or the address is
/// locked after repeated failures. Not an audited change: the attempts are its record.
pub async fn sign_in(
    conn: &mut AsyncPgConnection,
    credentials: Credentials,
    lockout: &Lockout,
) -> Result<AccountRow, ApiError> {
    let Credentials {
        username,
        secret,
        kind,
        addr,
    } = credentials;
    let now = Utc::now();
    let last_success = repo::accounts::last_success(conn, &username).await?;
    let floor = user_floor(now, last_success);
    let (count, oldest) = repo::accounts::failures_of_user(conn, &username, floor).await?;
    let user = Failures { count, oldest };
    let (count, oldest) =
        repo::accounts::failures_from_addr(conn, &addr, window_start(now)).await?;
    let from_addr = Failures { count, oldest };
    if let Some(wait) = wait_seconds(
        now,
        user,
        lockout.max_per_account,
        from_addr,
        lockout.max_per_addr,
    ) {
        tracing::warn!(username, addr, "sign-in locked after repeated failures");
        return Err(ApiError::too_many_requests(wait));
    }

    let account = repo::accounts::by_username(conn, &username, kind).await?;
    let hash = account.as_ref().and_then(|a| a.secret_hash.clone());
    let verified = tokio::task::spawn_blocking(move || password::verify(&secret, hash.as_deref()))
        .await
        .map_err(ApiError::internal)?;
    let ok = verified && account.as_ref().is_some_and(|a| !a.disabled);
    repo::accounts::record_attempt(conn, &username, &addr, ok).await?;
    account.filter(|_| ok).ok_or_else(|| {
        ApiError::unauthorized("invalid credentials", "thông tin đăng nhập không đúng")
    })
}
