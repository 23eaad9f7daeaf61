//! The authenticated caller of a request, with its role bindings valid today.

use diesel_async::AsyncPgConnection;
use uuid::Uuid;

use super::scope;
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

impl Caller {
    /// Loads the account and today's bindings of a verified token subject.
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
