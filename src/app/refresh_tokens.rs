//! Refresh tokens: a password sign-in starts a family, each refresh rotates it, and a family
//! ends when its owner signs out, when a used token comes back (someone else holds the family),
//! or when the account's password, its enabled state or its role bindings change, and when its
//! owner logs out everywhere; all but the first also end the account's access tokens (its
//! token epoch goes up, see [`end_sessions`]).
//!
//! Revocations are audited (`refresh_token.revoke`, filed under the account, so only those who
//! manage the account read it); starting and rotating are not: a rotation happens every few
//! minutes of every session and would flood the trail and the event feed, and the token rows
//! themselves (issued, used, replaced by) are their record, as sign-in attempts are for signing
//! in.

use diesel_async::scoped_futures::ScopedFutureExt;
use diesel_async::{AsyncConnection, AsyncPgConnection};
use uuid::Uuid;

use super::{in_tx, Change, Tx};
use crate::auth::{refresh_token as token, Caller};
use crate::db::models::{AccountRow, RefreshFamilyRow, RefreshTokenRow};
use crate::db::repo;
use crate::domain::refresh_token::{judge, Lifetimes, Presented, Refusal, RevokeReason, Verdict};
use crate::error::ApiError;

/// The audit action of a revocation.
pub const REVOKE: &str = "refresh_token.revoke";

/// Starts a family for `account`, which just gave its password: its first refresh token.
/// Families of the account that ended are forgotten on the way.
pub async fn start(
    conn: &mut AsyncPgConnection,
    account: &AccountRow,
    lifetimes: Lifetimes,
) -> Result<String, ApiError> {
    let now = chrono::Utc::now();
    let (secret, hash) = token::generate();
    let account_id = account.id;
    conn.transaction::<_, ApiError, _>(|conn| {
        async move {
            repo::refresh_tokens::delete_ended(conn, account_id, now).await?;
            let family = RefreshFamilyRow {
                id: Uuid::now_v7(),
                account_id,
                started_at: now,
                expires_at: lifetimes.family_expiry(now),
                revoked_at: None,
                revoke_reason: None,
            };
            repo::refresh_tokens::insert_family(conn, &family).await?;
            let first = RefreshTokenRow {
                id: Uuid::now_v7(),
                family_id: family.id,
                token_hash: hash,
                issued_at: now,
                expires_at: lifetimes.token_expiry(now, family.expires_at),
                used_at: None,
                replaced_by: None,
            };
            repo::refresh_tokens::insert_token(conn, &first).await?;
            Ok(())
        }
        .scope_boxed()
    })
    .await?;
    Ok(secret)
}

/// What the locked family and token earned.
enum Step {
    Rotated(AccountRow, String),
    Reused(AccountRow, Uuid),
    Refused(Refusal),
}

/// Exchanges refresh token `presented` for its successor: the account to issue an access
/// token to, and the new refresh token. 400 `invalid_grant` when the token is unknown,
/// expired, revoked or its account disabled; a token already used revokes its whole family
/// (audited) and is refused the same way.
pub async fn refresh(
    conn: &mut AsyncPgConnection,
    presented: &str,
    lifetimes: Lifetimes,
    request_id: Option<String>,
) -> Result<(AccountRow, String), ApiError> {
    let unknown = || {
        ApiError::invalid_grant(
            "unknown refresh token",
            "mã làm mới (refresh token) không tồn tại",
        )
    };
    let Some(found) = repo::refresh_tokens::by_hash(conn, &token::hash(presented)).await? else {
        return Err(unknown());
    };
    let now = chrono::Utc::now();
    let step = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                // The family first: a revocation of it waits for this refresh, or this one
                // sees it.
                let family = repo::refresh_tokens::lock_family(conn, found.family_id).await?;
                let current = repo::refresh_tokens::lock_token(conn, found.id).await?;
                let account = repo::accounts::get(conn, family.account_id).await?;
                let verdict = judge(
                    Presented {
                        revoked: family.revoked_at.is_some(),
                        used: current.used_at.is_some(),
                        expires_at: current.expires_at,
                        account_disabled: account.disabled,
                    },
                    now,
                );
                Ok(match verdict {
                    Verdict::Rotate => {
                        let (secret, hash) = token::generate();
                        let next = RefreshTokenRow {
                            id: Uuid::now_v7(),
                            family_id: family.id,
                            token_hash: hash,
                            issued_at: now,
                            expires_at: lifetimes.token_expiry(now, family.expires_at),
                            used_at: None,
                            replaced_by: None,
                        };
                        repo::refresh_tokens::insert_token(conn, &next).await?;
                        repo::refresh_tokens::mark_used(conn, current.id, next.id, now).await?;
                        repo::refresh_tokens::prune_used(conn, family.id, now).await?;
                        Step::Rotated(account, secret)
                    }
                    Verdict::Reused => Step::Reused(account, family.id),
                    Verdict::Refused(why) => Step::Refused(why),
                })
            }
            .scope_boxed()
        })
        .await?;
    match step {
        Step::Rotated(account, secret) => Ok((account, secret)),
        Step::Reused(account, family) => {
            tracing::warn!(account = %account.id, %family, "used refresh token presented again; family revoked");
            let owner = owner(&account, request_id);
            in_tx(conn, &owner, async |tx| {
                revoke_family(tx, &account, family, RevokeReason::Reuse).await
            })
            .await?;
            Err(ApiError::invalid_grant(
                "this refresh token was already used; every token of its sign-in is now revoked",
                "mã làm mới đã được dùng; mọi mã của phiên đăng nhập này đã bị thu hồi",
            ))
        }
        Step::Refused(Refusal::Revoked) => Err(ApiError::invalid_grant(
            "the refresh token was revoked",
            "mã làm mới đã bị thu hồi",
        )),
        Step::Refused(Refusal::Expired) => Err(ApiError::invalid_grant(
            "the refresh token expired; sign in again",
            "mã làm mới đã hết hạn; hãy đăng nhập lại",
        )),
        Step::Refused(Refusal::AccountDisabled) => Err(ApiError::invalid_grant(
            "the account is disabled",
            "tài khoản đã bị khóa",
        )),
    }
}

/// Signs out (RFC 7009): revokes the family of refresh token `presented`. An unknown token,
/// or one of a family revoked already, changes nothing and is no error.
pub async fn revoke(
    conn: &mut AsyncPgConnection,
    presented: &str,
    request_id: Option<String>,
) -> Result<(), ApiError> {
    let Some(found) = repo::refresh_tokens::by_hash(conn, &token::hash(presented)).await? else {
        return Ok(());
    };
    let family = repo::refresh_tokens::family(conn, found.family_id).await?;
    if family.revoked_at.is_some() {
        return Ok(());
    }
    let account = repo::accounts::get(conn, family.account_id).await?;
    let owner = owner(&account, request_id);
    in_tx(conn, &owner, async |tx| {
        revoke_family(tx, &account, family.id, RevokeReason::Logout).await
    })
    .await
}

/// Ends every session of `account` at once, for `reason`, in the transaction of the change
/// that calls for it: its token epoch goes up (every access token issued before is refused
/// from the next request on) and every family still able to refresh is revoked (audited when
/// there was one). Returns the families revoked.
pub async fn end_sessions(
    tx: &mut Tx<'_>,
    account: &AccountRow,
    reason: RevokeReason,
) -> Result<Vec<Uuid>, ApiError> {
    repo::accounts::end_sessions(tx.conn, account.id, tx.now).await?;
    let families = repo::refresh_tokens::revoke_live(tx.conn, account.id, reason, tx.now).await?;
    if !families.is_empty() {
        record(tx, account, &families, reason);
    }
    Ok(families)
}

/// The audit action of a logout.
pub const LOGOUT: &str = "account.end_sessions";

/// Logs the caller out everywhere: ends every session of its account ([`end_sessions`]) —
/// every device, every access token and every refresh token. Audited as [`LOGOUT`] with the
/// families revoked.
pub async fn logout(conn: &mut AsyncPgConnection, caller: &Caller) -> Result<(), ApiError> {
    in_tx(conn, caller, async |tx| {
        let account = repo::accounts::lock(tx.conn, caller.account_id).await?;
        let families = end_sessions(tx, &account, RevokeReason::Logout).await?;
        tx.record(Change {
            action: LOGOUT,
            resource_type: "account",
            resource_id: Some(account.id),
            unit_id: Some(account.home_unit_id),
            before: None::<&()>,
            after: Some(
                &serde_json::json!({ "families": families, "reason": RevokeReason::Logout }),
            ),
        });
        Ok(())
    })
    .await
}

/// Revokes family `family` of `account` for `reason` (audited), unless it is revoked already.
async fn revoke_family(
    tx: &mut Tx<'_>,
    account: &AccountRow,
    family: Uuid,
    reason: RevokeReason,
) -> Result<(), ApiError> {
    if repo::refresh_tokens::revoke_family(tx.conn, family, reason, tx.now).await? {
        record(tx, account, &[family], reason);
    } else {
        tx.unchanged();
    }
    Ok(())
}

fn record(tx: &mut Tx<'_>, account: &AccountRow, families: &[Uuid], reason: RevokeReason) {
    tx.record(Change {
        action: REVOKE,
        resource_type: "account",
        resource_id: Some(account.id),
        unit_id: Some(account.home_unit_id),
        before: None::<&()>,
        after: Some(&serde_json::json!({ "families": families, "reason": reason })),
    });
}

/// The account as the actor of a revocation no bearer token asked for: its owner signing
/// out, or presenting a used token.
fn owner(account: &AccountRow, request_id: Option<String>) -> Caller {
    Caller {
        account_id: account.id,
        username: account.username.clone(),
        kind: account.kind,
        bindings: Vec::new(),
        request_id,
    }
}
