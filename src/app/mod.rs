//! Use cases: one function per thing a caller can do (issue a round, sign a commitment, submit
//! a report…). A use case loads through the repositories (`db::repo`), asks the access policy
//! (`auth::policy`), applies the domain's rules (`domain`) and, for a change, runs inside
//! [`in_tx`], which owns the transaction and writes the audit records it collected. The review
//! workflows (plans, progress reports, amendments, evaluations, obstacles) change state through
//! one audited [`transition`] driven by the domain's state machines.

pub mod accountables;
pub mod accounts;
pub mod amendments;
pub mod assignments;
pub mod audit;
pub mod batch;
pub mod bindings;
pub mod bootstrap;
pub mod cadres;
pub mod commitments;
pub mod consequences;
pub mod crud;
pub mod evaluations;
pub mod events;
pub mod evidence;
pub mod feeds;
pub mod findings;
pub mod groups;
pub mod history;
pub mod levels;
pub mod locking;
pub mod people;
pub mod person_evaluations;
pub mod plans;
pub mod posts;
pub mod publications;
pub mod refresh_tokens;
pub mod reports;
pub mod restructurings;
pub mod results;
pub mod rounds;
pub mod supervision;
pub mod units;
pub mod validation;
pub mod webhooks;

use chrono::{DateTime, SubsecRound, Utc};
use diesel_async::{AnsiTransactionManager, AsyncPgConnection, TransactionManager};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::Caller;
use crate::db::models::{AuditRow, NewEventRow};
use crate::error::ApiError;

/// The version a client last read, from `If-Match`.
#[derive(Debug, Clone, Default)]
pub struct IfMatch(pub Option<String>);

impl IfMatch {
    /// Requires `If-Match` to name `current`: 428 when absent, 412 when stale.
    pub fn check(&self, current: i32) -> Result<(), ApiError> {
        match &self.0 {
            None => Err(ApiError::precondition_required()),
            Some(v) if v.trim() == "*" => Ok(()),
            Some(v)
                if v.split(',')
                    .any(|t| t.trim().trim_start_matches("W/") == etag(current)) =>
            {
                Ok(())
            }
            Some(_) => Err(ApiError::precondition_failed()),
        }
    }
}

/// The entity tag of version `v`.
pub fn etag(v: i32) -> String {
    format!("\"{v}\"")
}

/// One change of one resource, as the audit trail keeps it.
pub struct Change<'a, B: Serialize + ?Sized, A: Serialize + ?Sized> {
    /// Verb, e.g. `plan.submit`.
    pub action: &'a str,
    /// Resource type, e.g. `plan`.
    pub resource_type: &'a str,
    /// Resource id.
    pub resource_id: Option<Uuid>,
    /// The unit the resource belongs to (scopes who may read the record).
    pub unit_id: Option<Uuid>,
    /// State before, if any.
    pub before: Option<&'a B>,
    /// State after, if any.
    pub after: Option<&'a A>,
}

/// A transaction of one use case: the connection, who acts, the moment of the change, and the
/// audit records to write when the work succeeds.
pub struct Tx<'c> {
    /// The connection, inside the transaction.
    pub conn: &'c mut AsyncPgConnection,
    /// Who acts.
    pub caller: &'c Caller,
    /// The moment of the change (one clock reading per use case).
    pub now: DateTime<Utc>,
    records: Vec<AuditRow>,
    unchanged: bool,
}

impl Tx<'_> {
    /// Declares that the work wrote nothing, so no audit record is due (a batch whose every
    /// item was rejected).
    pub fn unchanged(&mut self) {
        self.unchanged = true;
    }

    /// Records a change for the audit trail (written when the work succeeds).
    pub fn record<B: Serialize + ?Sized, A: Serialize + ?Sized>(
        &mut self,
        change: Change<'_, B, A>,
    ) {
        self.records.push(AuditRow {
            id: Uuid::now_v7(),
            at: self.now,
            actor_account_id: Some(self.caller.account_id),
            request_id: self.caller.request_id.clone(),
            action: change.action.to_owned(),
            resource_type: change.resource_type.to_owned(),
            resource_id: change.resource_id,
            unit_id: change.unit_id,
            before: change.before.and_then(|b| serde_json::to_value(b).ok()),
            after: change.after.and_then(|a| serde_json::to_value(a).ok()),
        });
    }
}

impl Tx<'_> {
    /// Records that `action` (`<resource type>.<verb>`, e.g. `level.create`) created resource
    /// `id` of `unit`.
    pub fn created<A: Serialize + ?Sized>(
        &mut self,
        action: &str,
        id: Uuid,
        unit: Option<Uuid>,
        after: &A,
    ) {
        self.audit(action, id, unit, None::<&()>, Some(after));
    }

    /// Records that `action` changed resource `id` of `unit` from `before` to `after`.
    pub fn changed<B: Serialize + ?Sized, A: Serialize + ?Sized>(
        &mut self,
        action: &str,
        id: Uuid,
        unit: Option<Uuid>,
        before: &B,
        after: &A,
    ) {
        self.audit(action, id, unit, Some(before), Some(after));
    }

    /// Records that `action` removed resource `id` of `unit`, last seen as `before`.
    pub fn removed<B: Serialize + ?Sized>(
        &mut self,
        action: &str,
        id: Uuid,
        unit: Option<Uuid>,
        before: &B,
    ) {
        self.audit(action, id, unit, Some(before), None::<&()>);
    }

    fn audit<B: Serialize + ?Sized, A: Serialize + ?Sized>(
        &mut self,
        action: &str,
        id: Uuid,
        unit: Option<Uuid>,
        before: Option<&B>,
        after: Option<&A>,
    ) {
        let resource_type = action.split('.').next().unwrap_or(action);
        self.record(Change {
            action,
            resource_type,
            resource_id: Some(id),
            unit_id: unit,
            before,
            after,
        });
    }
}

/// Runs `work` in one transaction for `caller` and writes the audit records it made; rolls
/// everything back when it fails. A change that records nothing is refused as a defect. If the
/// request is abandoned mid-way (time limit, client gone), the connection goes back to the pool
/// inside its transaction; the pool sees that state as broken and closes it, so the server rolls
/// the transaction back.
pub async fn in_tx<T>(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    work: impl AsyncFnOnce(&mut Tx<'_>) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    AnsiTransactionManager::begin_transaction(conn).await?;
    let mut tx = Tx {
        conn,
        caller,
        // To the microsecond, as PostgreSQL keeps it (the audit chain hashes what is stored).
        now: Utc::now().trunc_subsecs(6),
        records: Vec::new(),
        unchanged: false,
    };
    let outcome = match work(&mut tx).await {
        Ok(value) if tx.records.is_empty() && tx.unchanged => Ok(value),
        Ok(_) if tx.records.is_empty() => {
            Err(ApiError::internal("a change without an audit record"))
        }
        Ok(value) => {
            let events: Vec<NewEventRow> = tx.records.iter().map(event_of).collect();
            let written = async {
                // Last, right before the commit: the feed's lock is held until it, so the
                // audit chain's links and the events' positions both follow commit order.
                crate::db::repo::events::lock_feed(tx.conn).await?;
                crate::db::repo::audit::append(tx.conn, &tx.records).await?;
                crate::db::repo::events::append(tx.conn, &events).await
            };
            written.await.map(|()| value).map_err(ApiError::from)
        }
        Err(e) => Err(e),
    };
    let conn = tx.conn;
    match outcome {
        Ok(value) => {
            AnsiTransactionManager::commit_transaction(conn).await?;
            Ok(value)
        }
        Err(e) => {
            AnsiTransactionManager::rollback_transaction(conn).await?;
            Err(e)
        }
    }
}

/// The domain event of an audited change: its type, the object, its unit and version.
fn event_of(r: &AuditRow) -> NewEventRow {
    let version = r
        .after
        .as_ref()
        .and_then(|a| a.get("version"))
        .and_then(serde_json::Value::as_i64)
        .and_then(|v| i32::try_from(v).ok());
    NewEventRow {
        id: r.id,
        type_: crate::domain::events::event_type(&r.action),
        resource_type: r.resource_type.clone(),
        resource_id: r.resource_id,
        unit_id: r.unit_id,
        version,
        time: r.at,
    }
}

/// A resource whose state follows one of the domain's state machines.
pub trait Workflow: Serialize {
    /// Its states.
    type State: Copy;
    /// What can be done to it.
    type Action: Copy;
    /// Resource type in the audit trail, e.g. `plan`.
    const RESOURCE: &'static str;
    /// Its id.
    fn id(&self) -> Uuid;
    /// Its version (the ETag).
    fn version(&self) -> i32;
    /// Its state.
    fn state(&self) -> Self::State;
    /// The state `action` leads to from `state` (409 when it is not allowed).
    fn next(state: Self::State, action: Self::Action) -> Result<Self::State, ApiError>;
    /// The action's code, e.g. `submit`.
    fn action_code(action: Self::Action) -> &'static str;
}

/// Implements [`Workflow`] for a row with `id`, `version` and a `state` column that follows one
/// of the domain's state machines (`State::next(action)`, `Action::as_str`).
macro_rules! state_machine_workflow {
    ($row:ty, $state:ty, $action:ty, $resource:literal) => {
        impl $crate::app::Workflow for $row {
            type State = $state;
            type Action = $action;
            const RESOURCE: &'static str = $resource;
            fn id(&self) -> uuid::Uuid {
                self.id
            }
            fn version(&self) -> i32 {
                self.version
            }
            fn state(&self) -> $state {
                self.state
            }
            fn next(state: $state, action: $action) -> Result<$state, $crate::error::ApiError> {
                Ok(state.next(action)?)
            }
            fn action_code(action: $action) -> &'static str {
                action.as_str()
            }
        }
    };
}
pub(crate) use state_machine_workflow;

/// The one audited state change of a review workflow, on a resource the caller may act on and
/// has locked: checks `If-Match`, asks the state machine for the next state, lets `apply` store
/// it, and records `<resource>.<action>` with the images before and after.
pub async fn transition<W: Workflow>(
    tx: &mut Tx<'_>,
    current: W,
    if_match: &IfMatch,
    action: W::Action,
    unit: Uuid,
    apply: impl AsyncFnOnce(&mut Tx<'_>, &W, W::State) -> Result<W, ApiError>,
) -> Result<W, ApiError> {
    if_match.check(current.version())?;
    let next = W::next(current.state(), action)?;
    let after = apply(tx, &current, next).await?;
    let verb = format!("{}.{}", W::RESOURCE, W::action_code(action));
    tx.changed(&verb, after.id(), Some(unit), &current, &after);
    Ok(after)
}
