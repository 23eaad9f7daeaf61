//! The authenticated caller of a request, with its role bindings valid today.

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::jwt::Claims;
use super::scope;
use crate::db::models::AccountRow;
use crate::db::repo;
use crate::domain::roles::{Permission, Role};
use crate::domain::vocab::AccountKind;
use crate::error::ApiError;

/// A role binding in force.
#[derive(Debug, Clone)]
pub struct Binding {
    /// Binding id.
    pub id: Uuid,
    /// The role.
    pub role: Role,
    /// The unit it is bound to.
    pub unit_id: Uuid,
    /// Whether it reaches the unit's subtree.
    pub include_subtree: bool,
}

/// Who is calling: the account behind a verified bearer token.
#[derive(Debug, Clone)]
pub struct Caller {
    /// Account id.
    pub account_id: Uuid,
    /// Account username.
    pub username: String,
    /// User or machine client.
    pub kind: AccountKind,
    /// Bindings valid today.
    pub bindings: Vec<Binding>,
    /// The request id, for audit records.
    pub request_id: Option<String>,
}

/// Why the account behind a verified token does not accept it (logged, never told).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SessionRefusal {
    /// No account has the token's subject.
    #[error("unknown account")]
    UnknownAccount,
    /// The account is disabled.
    #[error("account disabled")]
    Disabled,
    /// The token was issued under an earlier token epoch: its session was ended.
    #[error("session ended (token epoch superseded)")]
    EpochSuperseded,
    /// An identity provider's token issued no later than the account's sessions ended.
    #[error("session ended (issued before the sessions of the account ended)")]
    IssuedBeforeEnd,
}

/// Whether `account` (absent: none has the subject) still accepts a token with `claims`:
/// enabled, and the token issued under its current epoch (tokens of this service) or after
/// its sessions last ended (the identity provider's, which carry no epoch; compared in whole
/// seconds, so a token of the very second the sessions ended is refused too).
pub fn session_check(
    account: Option<AccountRow>,
    claims: &Claims,
) -> Result<AccountRow, SessionRefusal> {
    let account = account.ok_or(SessionRefusal::UnknownAccount)?;
    if account.disabled {
        return Err(SessionRefusal::Disabled);
    }
    match (claims.epoch, account.sessions_ended_at) {
        (Some(epoch), _) if epoch != account.token_epoch => Err(SessionRefusal::EpochSuperseded),
        (None, Some(ended)) if claims.iat <= ended.timestamp() => {
            Err(SessionRefusal::IssuedBeforeEnd)
        }
        _ => Ok(account),
    }
}

/// The account behind verified `claims`, if it still accepts them ([`session_check`]); the
/// generic 401 otherwise, the reason logged. One query, the same the [`Caller`] is built from.
pub async fn session_account(
    conn: &mut AsyncPgConnection,
    claims: &Claims,
) -> Result<AccountRow, ApiError> {
    let account = repo::accounts::by_subject(conn, &claims.sub).await?;
    match session_check(account, claims) {
        Ok(account) => Ok(account),
        Err(why) => {
            tracing::info!(subject = %claims.sub, jti = %claims.jti, reason = %why, "bearer token refused");
            Err(ApiError::invalid_token())
        }
    }
}

impl Caller {
    /// The caller behind verified `claims`: its account, if it still accepts the token
    /// ([`session_check`]; 401 "invalid token" otherwise), and today's bindings.
    pub async fn authenticate(
        conn: &mut AsyncPgConnection,
        claims: &Claims,
    ) -> Result<Self, ApiError> {
        let account = session_account(conn, claims).await?;
        Self::of(conn, account).await
    }

    /// The account named by `subject` (its id, or its external subject) acting on its own,
    /// with today's bindings, for work no bearer token asked for (a webhook's owner, the
    /// demo): 401 when unknown or disabled.
    pub async fn load(conn: &mut AsyncPgConnection, subject: &str) -> Result<Self, ApiError> {
        let account = match repo::accounts::by_subject(conn, subject).await? {
            Some(a) if !a.disabled => a,
            _ => {
                return Err(ApiError::unauthorized(
                    "unknown or disabled account",
                    "tài khoản không tồn tại hoặc đã bị khóa",
                ))
            }
        };
        Self::of(conn, account).await
    }

    /// `account` with its bindings valid today.
    async fn of(conn: &mut AsyncPgConnection, account: AccountRow) -> Result<Self, ApiError> {
        let today = chrono::Utc::now().date_naive();
        let bindings = repo::bindings::in_force(conn, account.id, today)
            .await?
            .into_iter()
            .map(|b| Binding {
                id: b.id,
                role: b.role,
                unit_id: b.unit_id,
                include_subtree: b.include_subtree,
            })
            .collect();
        Ok(Self {
            account_id: account.id,
            username: account.username,
            kind: account.kind,
            bindings,
            request_id: None,
        })
    }

    /// Whether some binding grants `permission`.
    pub fn has(&self, permission: Permission) -> bool {
        self.bindings.iter().any(|b| b.role.grants(permission))
    }

    /// Whether the caller holds `permission` on `unit`.
    pub async fn can(
        &self,
        conn: &mut AsyncPgConnection,
        permission: Permission,
        unit: Uuid,
    ) -> Result<bool, ApiError> {
        let granting: Vec<&Binding> = self
            .bindings
            .iter()
            .filter(|b| b.role.grants(permission))
            .collect();
        if granting.iter().any(|b| b.unit_id == unit) {
            return Ok(true);
        }
        if !granting.iter().any(|b| b.include_subtree) {
            return Ok(false);
        }
        let above = scope::ancestors_or_self(conn, unit).await?;
        Ok(granting
            .iter()
            .any(|b| b.include_subtree && above.contains(&b.unit_id)))
    }

    /// Requires `needed` on `unit`: 403 when the caller can at least see the object through
    /// `visible_with`, 404 otherwise (its existence is not disclosed).
    pub async fn require(
        &self,
        conn: &mut AsyncPgConnection,
        needed: Permission,
        visible_with: Permission,
        unit: Uuid,
    ) -> Result<(), ApiError> {
        if self.can(conn, needed, unit).await? {
            Ok(())
        } else if needed != visible_with && self.can(conn, visible_with, unit).await? {
            Err(ApiError::forbidden())
        } else {
            Err(ApiError::not_found())
        }
    }

    /// Requires `permission` on `unit` for an object the caller can already see: 403 otherwise.
    pub async fn require_on(
        &self,
        conn: &mut AsyncPgConnection,
        permission: Permission,
        unit: Uuid,
    ) -> Result<(), ApiError> {
        if self.can(conn, permission, unit).await? {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }

    /// Requires `permission` over a whole tree (a subtree binding on a top unit), for settings
    /// that apply everywhere, such as level definitions.
    pub async fn require_global(
        &self,
        conn: &mut AsyncPgConnection,
        permission: Permission,
    ) -> Result<(), ApiError> {
        for b in self
            .bindings
            .iter()
            .filter(|b| b.include_subtree && b.role.grants(permission))
        {
            if scope::is_root(conn, b.unit_id).await? {
                return Ok(());
            }
        }
        Err(ApiError::forbidden())
    }

    /// Every unit on which the caller holds `permission`.
    pub async fn units_with(
        &self,
        conn: &mut AsyncPgConnection,
        permission: Permission,
    ) -> Result<Vec<Uuid>, ApiError> {
        let granting = self.bindings.iter().filter(|b| b.role.grants(permission));
        let (subtree, single): (Vec<&Binding>, Vec<&Binding>) =
            granting.partition(|b| b.include_subtree);
        let roots: Vec<Uuid> = subtree.iter().map(|b| b.unit_id).collect();
        let mut units = scope::descendants_or_self(conn, &roots).await?;
        units.extend(single.iter().map(|b| b.unit_id));
        units.sort();
        units.dedup();
        Ok(units)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(epoch: i64, ended: Option<i64>, disabled: bool) -> AccountRow {
        let at = |s| chrono::DateTime::from_timestamp(s, 500_000_000).unwrap();
        AccountRow {
            id: Uuid::now_v7(),
            username: "a".into(),
            display_name: "A".into(),
            kind: AccountKind::User,
            secret_hash: None,
            cadre_id: None,
            home_unit_id: Uuid::now_v7(),
            external_subject: None,
            disabled,
            version: 1,
            created_at: at(0),
            updated_at: at(0),
            token_epoch: epoch,
            sessions_ended_at: ended.map(at),
        }
    }

    fn claims(epoch: Option<i64>, iat: i64) -> Claims {
        Claims {
            sub: "s".into(),
            iss: "i".into(),
            aud: "a".into(),
            exp: iat + 900,
            nbf: iat,
            iat,
            jti: "j".into(),
            epoch,
        }
    }

    #[test]
    fn a_token_is_accepted_only_under_the_current_epoch_of_an_enabled_account() {
        use SessionRefusal::*;
        let check = |a: Option<AccountRow>, c: Claims| session_check(a, &c).map(|_| ());
        assert_eq!(
            check(Some(account(2, Some(100), false)), claims(Some(2), 50)),
            Ok(())
        );
        assert_eq!(
            check(Some(account(2, None, false)), claims(Some(1), 50)),
            Err(EpochSuperseded)
        );
        assert_eq!(
            check(Some(account(0, None, false)), claims(Some(1), 50)),
            Err(EpochSuperseded)
        );
        assert_eq!(
            check(Some(account(2, None, true)), claims(Some(2), 50)),
            Err(Disabled)
        );
        assert_eq!(check(None, claims(Some(0), 50)), Err(UnknownAccount));
        // The identity provider's tokens: by the moment the sessions ended (100.5 s).
        assert_eq!(
            check(Some(account(3, None, false)), claims(None, 50)),
            Ok(())
        );
        assert_eq!(
            check(Some(account(3, Some(100), false)), claims(None, 99)),
            Err(IssuedBeforeEnd)
        );
        assert_eq!(
            check(Some(account(3, Some(100), false)), claims(None, 100)),
            Err(IssuedBeforeEnd)
        );
        assert_eq!(
            check(Some(account(3, Some(100), false)), claims(None, 101)),
            Ok(())
        );
    }
}
