//! The first administrator of a fresh install: `cadre-api create-admin`, or the
//! `CADRE_BOOTSTRAP_ADMIN_*` settings at start-up. Honoured only while no enabled account holds
//! the `admin` role, so a leaked bootstrap password opens nothing once the install is running.
//! On an empty database it also creates the top of the tree (the provincial Party committee,
//! with the first level) that the administrator's binding reaches down from.

use diesel_async::{AnsiTransactionManager, AsyncPgConnection, TransactionManager};
use serde::Serialize;
use uuid::Uuid;
use validator::Validate;

use super::accounts::AccountImage;
use super::in_tx;
use crate::auth::{password, Caller};
use crate::db::models::{AccountRow, BindingRow, LevelRow, UnitRow};
use crate::db::repo;
use crate::domain::roles::Role;
use crate::domain::text::plain_text;
use crate::domain::vocab::{AccountKind, UnitType};
use crate::error::ApiError;

/// Who the first administrator is, and the top unit to create when there is none.
#[derive(Debug, Clone, Validate)]
pub struct FirstAdmin {
    /// Sign-in name.
    #[validate(
        length(min = 3, max = 100),
        custom(function = "super::accounts::username_format")
    )]
    pub username: String,
    /// Name shown to people.
    #[validate(length(min = 1, max = 200), custom(function = "plain_text"))]
    pub display_name: String,
    /// The password, 12 to 200 characters.
    #[validate(length(min = 12, max = 200))]
    pub password: String,
    /// Code of the top unit, when it must be created.
    #[validate(
        length(min = 1, max = 50),
        custom(function = "crate::domain::text::code_format")
    )]
    pub root_code: String,
    /// Name of the top unit, when it must be created.
    #[validate(length(min = 1, max = 200), custom(function = "plain_text"))]
    pub root_name: String,
}

/// What the bootstrap did.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The administrator was created, bound to `root` with its subtree.
    Created {
        /// The new account.
        account_id: Uuid,
        /// The top unit it administers.
        root: Uuid,
        /// Whether that unit was created now.
        root_created: bool,
    },
    /// An administrator already exists: nothing was done.
    AdministratorExists,
}

/// The administrator's binding, as the audit trail keeps it.
#[derive(Serialize)]
struct BindingImage {
    id: Uuid,
    account_id: Uuid,
    role: Role,
    unit_id: Uuid,
    include_subtree: bool,
    valid_from: chrono::NaiveDate,
}

/// Creates the first administrator unless one exists (one transaction; concurrent starts of
/// several replicas are serialised on an advisory lock, so exactly one creates it).
pub async fn create_admin(
    conn: &mut AsyncPgConnection,
    first: FirstAdmin,
) -> Result<Outcome, ApiError> {
    first
        .validate()
        .map_err(|e| ApiError::violations(super::validation::violations(&e)))?;
    let secret = first.password.clone();
    let hash = tokio::task::spawn_blocking(move || password::hash(&secret))
        .await
        .map_err(|e| ApiError::internal(format!("hashing task failed: {e}")))??;
    AnsiTransactionManager::begin_transaction(conn).await?;
    let outcome = bootstrap(conn, &first, hash).await;
    match outcome {
        Ok(Outcome::AdministratorExists) | Err(_) => {
            AnsiTransactionManager::rollback_transaction(conn).await?
        }
        Ok(_) => AnsiTransactionManager::commit_transaction(conn).await?,
    }
    outcome
}

async fn bootstrap(
    conn: &mut AsyncPgConnection,
    first: &FirstAdmin,
    hash: String,
) -> Result<Outcome, ApiError> {
    use diesel_async::RunQueryDsl;
    diesel::sql_query("SELECT pg_advisory_xact_lock(hashtext('cadre-api bootstrap'))")
        .execute(conn)
        .await?;
    let now = chrono::Utc::now();
    let today = now.date_naive();
    if repo::bindings::administrator_exists(conn, today).await? {
        return Ok(Outcome::AdministratorExists);
    }
    let roots = repo::bindings::roots(conn).await?;
    let (root, created_root) = match roots.as_slice() {
        [] => (create_root(conn, first, now).await?, true),
        [only] => (only.clone(), false),
        many => match many.iter().find(|u| u.code == first.root_code) {
            Some(u) => (u.clone(), false),
            None => {
                let codes: Vec<&str> = many.iter().map(|u| u.code.as_str()).collect();
                return Err(ApiError::unprocessable(
                    format!(
                        "the tree has several top units ({}); name one as the root code",
                        codes.join(", ")
                    ),
                    format!(
                        "cây tổ chức có nhiều đơn vị cấp trên cùng ({}); hãy chỉ rõ mã đơn vị",
                        codes.join(", ")
                    ),
                ));
            }
        },
    };
    let account = AccountRow {
        id: Uuid::now_v7(),
        username: first.username.clone(),
        display_name: first.display_name.clone(),
        kind: AccountKind::User,
        secret_hash: Some(hash),
        cadre_id: None,
        home_unit_id: root.id,
        external_subject: None,
        disabled: false,
        token_epoch: 0,
        sessions_ended_at: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    let account = repo::accounts::insert(conn, &account)
        .await
        .map_err(super::accounts::unique_conflict)?;
    let binding = BindingRow {
        id: Uuid::now_v7(),
        account_id: account.id,
        role: Role::Admin,
        unit_id: root.id,
        include_subtree: true,
        valid_from: today,
        valid_to: None,
        created_at: now,
    };
    repo::bindings::insert(conn, &binding).await?;
    // Recorded as the new administrator's own acts, the first records of the trail.
    let caller = Caller::load(conn, &account.id.to_string()).await?;
    in_tx(conn, &caller, async |tx| {
        if created_root {
            tx.created("org_unit.create", root.id, Some(root.id), &root);
        }
        tx.created(
            "account.create",
            account.id,
            Some(root.id),
            &AccountImage::from(&account),
        );
        tx.created(
            "role_binding.create",
            binding.id,
            Some(root.id),
            &BindingImage {
                id: binding.id,
                account_id: binding.account_id,
                role: binding.role,
                unit_id: binding.unit_id,
                include_subtree: binding.include_subtree,
                valid_from: binding.valid_from,
            },
        );
        Ok(())
    })
    .await?;
    Ok(Outcome::Created {
        account_id: account.id,
        root: root.id,
        root_created: created_root,
    })
}

/// The top unit of an empty tree, on the highest level (created when there is none).
async fn create_root(
    conn: &mut AsyncPgConnection,
    first: &FirstAdmin,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<UnitRow, ApiError> {
    let level = match repo::levels::list(conn)
        .await?
        .into_iter()
        .min_by_key(|l| l.rank)
    {
        Some(level) => level,
        None => {
            repo::levels::insert(
                conn,
                &LevelRow {
                    id: Uuid::now_v7(),
                    code: "tinh".to_owned(),
                    name_vi: "Cấp tỉnh".to_owned(),
                    name_en: "Province".to_owned(),
                    rank: 1,
                    version: 1,
                    created_at: now,
                    updated_at: now,
                },
            )
            .await?
        }
    };
    let root = UnitRow {
        id: Uuid::now_v7(),
        code: first.root_code.clone(),
        name: first.root_name.clone(),
        short_name: None,
        unit_type: UnitType::ProvincialPartyCommittee,
        level_id: level.id,
        valid_from: now.date_naive(),
        valid_to: None,
        version: 1,
        created_at: now,
        updated_at: now,
    };
    repo::units::insert(conn, &root).await?;
    Ok(root)
}
