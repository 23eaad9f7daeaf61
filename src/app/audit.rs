//! Reading the audit trail (one record per change, shown to those who may read both the trail
//! and the resource in the record's unit), verifying its hash chain, and its signed
//! checkpoints (`domain::audit_chain`).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, SubsecRound, Utc};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Bool};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use scoped_futures::ScopedFutureExt;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::audit_key::{self, AuditSigner};
use crate::auth::policy::audit as policy;
use crate::auth::Caller;
use crate::db::models::{AuditRow, CheckpointRow};
use crate::db::repo;
use crate::db::DbPool;
use crate::domain::audit_chain::{checkpoint_payload, ChainFailure, Link, Walk, GENESIS};
use crate::error::ApiError;

/// Filters of the audit trail.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    /// Only this kind of resource, e.g. `org_unit`.
    pub resource_type: Option<String>,
    /// Only events about this resource.
    pub resource_id: Option<Uuid>,
    /// Only this action, e.g. `account.update`.
    pub action: Option<String>,
    /// Only changes made by this account.
    pub actor_account_id: Option<Uuid>,
    /// Only events concerning this unit.
    pub unit_id: Option<Uuid>,
    /// Only events at or after this instant (RFC 3339).
    pub since: Option<DateTime<Utc>>,
    /// Only events before this instant (RFC 3339).
    pub until: Option<DateTime<Utc>>,
}

/// Up to `limit + 1` events after `after` (by id) the caller may read, narrowed by `filter`,
/// oldest first. 403 for a caller who may read the trail nowhere.
pub async fn list(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    filter: &AuditFilter,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<AuditRow>, ApiError> {
    policy::require_reader(caller)?;
    let readable = policy::readable(conn, caller).await?;
    let criteria = repo::audit::Criteria {
        resource_type: filter.resource_type.clone(),
        resource_id: filter.resource_id,
        action: filter.action.clone(),
        actor_account_id: filter.actor_account_id,
        unit_id: filter.unit_id,
        since: filter.since,
        until: filter.until,
    };
    Ok(repo::audit::list(conn, readable, &criteria, after, limit + 1).await?)
}

/// Records read per batch while verifying the chain.
const VERIFY_BATCH: i64 = 1000;

/// The key of the advisory lock under which checkpoints are made (one replica at a time).
const CHECKPOINT_LOCK: i64 = 0x0063_6164_7265_636b; // "cadreck"

/// Where the chain breaks.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainBreak {
    /// What failed: `content_hash` (the record's content or hash was changed), `link` (its
    /// position or `prev_hash` does not follow the record before: one was deleted or inserted),
    /// `unchained` (a record outside the chain), `checkpoint` (a checkpoint's head hash is not
    /// the chain's hash at its position, or the chain no longer reaches it),
    /// `checkpoint_signature` (a checkpoint's signature does not verify).
    pub failure: ChainFailure,
    /// The record where the chain breaks (for a checkpoint, the record at its position).
    pub record_id: Option<Uuid>,
    /// The record's position in the chain (for a checkpoint, the checkpoint's position).
    pub position: Option<i64>,
    /// The checkpoint that failed, for `checkpoint` and `checkpoint_signature`.
    pub checkpoint_id: Option<Uuid>,
}

/// The outcome of re-walking the audit chain and its checkpoints.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ChainVerification {
    /// Whether every record and every checkpoint checks out.
    pub ok: bool,
    /// Records that checked out, in chain order, up to the first break.
    pub checked: i64,
    /// Checkpoints that checked out.
    pub checkpoints_checked: i64,
    /// Position of the last record that checked out (0 for an empty chain).
    pub head_position: i64,
    /// Hash of that record (64 zeros for an empty chain).
    pub head_hash: String,
    /// The first break; absent when `ok`.
    pub first_break: Option<ChainBreak>,
}

/// Re-walks the chain for `caller` (403 without `audit_read` somewhere).
pub async fn verify(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
) -> Result<ChainVerification, ApiError> {
    policy::require_reader(caller)?;
    verify_chain(conn).await
}

/// Re-walks the whole chain in position order, in batches, then checks every checkpoint: its
/// head hash against the chain's hash at its position, and its signature against its public
/// key. Runs in one read-only repeatable-read transaction, so it checks one consistent state
/// while changes go on. Stops at the first break.
pub async fn verify_chain(conn: &mut AsyncPgConnection) -> Result<ChainVerification, ApiError> {
    conn.build_transaction()
        .repeatable_read()
        .read_only()
        .run::<_, ApiError, _>(|conn| async move { walk(conn).await }.scope_boxed())
        .await
}

async fn walk(conn: &mut AsyncPgConnection) -> Result<ChainVerification, ApiError> {
    let mut walk = Walk::default();
    let mut checked = 0;
    let mut first_break = None;
    'records: loop {
        let page = repo::audit::chain_page(conn, walk.position(), VERIFY_BATCH).await?;
        if page.is_empty() {
            break;
        }
        for row in &page {
            let stored = Link {
                position: row.chain_position.unwrap_or_default(),
                prev_hash: row.prev_hash.clone().unwrap_or_default(),
                hash: row.hash.clone().unwrap_or_default(),
            };
            if let Err(failure) = walk.next(&row.record.entry(), &stored) {
                first_break = Some(ChainBreak {
                    failure,
                    record_id: Some(row.record.id),
                    position: row.chain_position,
                    checkpoint_id: None,
                });
                break 'records;
            }
            checked += 1;
        }
    }
    if first_break.is_none() {
        if let Some(r) = repo::audit::first_unchained(conn).await? {
            first_break = Some(ChainBreak {
                failure: ChainFailure::Unchained,
                record_id: Some(r.id),
                position: None,
                checkpoint_id: None,
            });
        }
    }
    let mut checkpoints_checked = 0;
    if first_break.is_none() {
        let (found, checked) = check_checkpoints(conn).await?;
        first_break = found;
        checkpoints_checked = checked;
    }
    Ok(ChainVerification {
        ok: first_break.is_none(),
        checked,
        checkpoints_checked,
        head_position: walk.position(),
        head_hash: walk.head_hash().to_owned(),
        first_break,
    })
}

/// Checks every checkpoint, oldest first, against the (already verified) chain; returns the
/// first that fails and how many passed.
async fn check_checkpoints(
    conn: &mut AsyncPgConnection,
) -> Result<(Option<ChainBreak>, i64), ApiError> {
    let mut after = None;
    let mut passed = 0;
    loop {
        let page = repo::audit::checkpoints(conn, after, VERIFY_BATCH).await?;
        let Some(last) = page.last() else {
            return Ok((None, passed));
        };
        after = Some(last.id);
        let positions: Vec<i64> = page.iter().map(|c| c.position).collect();
        let hashes: HashMap<i64, Option<String>> = repo::audit::hashes_at(conn, positions)
            .await?
            .into_iter()
            .collect();
        for c in &page {
            let payload = checkpoint_payload(c.position, &c.head_hash, c.at);
            let failure = if !audit_key::verify(&c.public_key, payload.as_bytes(), &c.signature) {
                Some(ChainFailure::CheckpointSignature)
            } else if c.position == 0 {
                (c.head_hash != GENESIS).then_some(ChainFailure::Checkpoint)
            } else {
                (hashes.get(&c.position) != Some(&Some(c.head_hash.clone())))
                    .then_some(ChainFailure::Checkpoint)
            };
            if let Some(failure) = failure {
                let record_id = repo::audit::chain_page(conn, c.position - 1, 1)
                    .await?
                    .into_iter()
                    .find(|r| r.chain_position == Some(c.position))
                    .map(|r| r.record.id);
                return Ok((
                    Some(ChainBreak {
                        failure,
                        record_id,
                        position: Some(c.position),
                        checkpoint_id: Some(c.id),
                    }),
                    passed,
                ));
            }
            passed += 1;
        }
    }
}

/// A signed checkpoint of the chain's head.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Checkpoint {
    /// Id (UUID v7).
    pub id: Uuid,
    /// Position of the chain's last record when it was made (0: the chain was empty).
    pub position: i64,
    /// That record's hash (lower-case hex SHA-256; 64 zeros for an empty chain).
    pub head_hash: String,
    /// When it was made (to the microsecond).
    pub at: DateTime<Utc>,
    /// The exact bytes signed: the canonical JSON (RFC 8785) of `{"at", "head_hash",
    /// "position"}`, `at` written `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
    pub signed_payload: String,
    /// Ed25519 signature of `signed_payload`, base64.
    pub signature: String,
    /// The Ed25519 public key it verifies with (base64 of 32 bytes).
    pub public_key: String,
}

impl From<CheckpointRow> for Checkpoint {
    fn from(c: CheckpointRow) -> Self {
        Self {
            signed_payload: checkpoint_payload(c.position, &c.head_hash, c.at),
            id: c.id,
            position: c.position,
            head_hash: c.head_hash,
            at: c.at,
            signature: c.signature,
            public_key: c.public_key,
        }
    }
}

/// Makes a checkpoint now for `caller` (403 without `audit_read` over a whole tree), even when
/// the head has not moved since the last one.
pub async fn create_checkpoint(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    signer: &AuditSigner,
) -> Result<CheckpointRow, ApiError> {
    policy::require_global_reader(conn, caller).await?;
    make_checkpoint(conn, signer, true)
        .await?
        .ok_or_else(|| ApiError::internal("a forced checkpoint was not made"))
}

/// Up to `limit + 1` checkpoints after `after` (by id, oldest first); 403 without `audit_read`
/// somewhere.
pub async fn checkpoints(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<CheckpointRow>, ApiError> {
    policy::require_reader(caller)?;
    Ok(repo::audit::checkpoints(conn, after, limit + 1).await?)
}

/// The public key checkpoints are signed with (403 without `audit_read` somewhere).
pub fn public_key(caller: &Caller, signer: &AuditSigner) -> Result<String, ApiError> {
    policy::require_reader(caller)?;
    Ok(signer.public_key())
}

/// Signs the chain's committed head and stores the checkpoint. Made under an advisory lock so
/// replicas take turns: when `force` is false (the periodic task), a replica that finds the lock
/// taken, or the head where the latest checkpoint already is, makes none (`None`). Not an
/// audited change: a checkpoint attests the trail and cannot be part of it.
pub async fn make_checkpoint(
    conn: &mut AsyncPgConnection,
    signer: &AuditSigner,
    force: bool,
) -> Result<Option<CheckpointRow>, ApiError> {
    conn.transaction::<_, ApiError, _>(|conn| {
        async move {
            if force {
                diesel::sql_query("SELECT pg_advisory_xact_lock($1)")
                    .bind::<BigInt, _>(CHECKPOINT_LOCK)
                    .execute(conn)
                    .await?;
            } else if !try_lock(conn).await? {
                return Ok(None);
            }
            let (position, head_hash) = repo::audit::head(conn)
                .await?
                .unwrap_or((0, GENESIS.to_owned()));
            let latest = repo::audit::latest_checkpoint(conn).await?;
            if !force && latest.is_some_and(|l| l.position == position) {
                return Ok(None);
            }
            let at = Utc::now().trunc_subsecs(6);
            let payload = checkpoint_payload(position, &head_hash, at);
            let row = CheckpointRow {
                id: Uuid::now_v7(),
                position,
                head_hash,
                at,
                signature: signer.sign(payload.as_bytes()),
                public_key: signer.public_key(),
            };
            Ok(Some(repo::audit::insert_checkpoint(conn, &row).await?))
        }
        .scope_boxed()
    })
    .await
}

/// Takes the checkpoint lock for this transaction if it is free.
async fn try_lock(conn: &mut AsyncPgConnection) -> Result<bool, ApiError> {
    #[derive(QueryableByName)]
    struct Got {
        #[diesel(sql_type = Bool)]
        locked: bool,
    }
    let got: Got = diesel::sql_query("SELECT pg_try_advisory_xact_lock($1) AS locked")
        .bind::<BigInt, _>(CHECKPOINT_LOCK)
        .get_result(conn)
        .await?;
    Ok(got.locked)
}

/// Starts this replica's periodic checkpoints: every `every`, one when the head has moved and no
/// other replica is making one.
pub fn spawn_checkpoints(
    pool: DbPool,
    signer: Arc<AuditSigner>,
    every: Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticks.tick().await;
        loop {
            ticks.tick().await;
            let made = async {
                let mut conn = pool.get().await?;
                make_checkpoint(&mut conn, &signer, false).await
            };
            match made.await {
                Ok(Some(c)) => tracing::info!(position = c.position, "audit checkpoint made"),
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "audit checkpoint failed"),
            }
        }
    })
}
