//! The event feed: every audited change as a CloudEvents 1.0 event, in commit order, filtered
//! to what the caller may read. A consumer resumes after any outage from the cursor of the
//! last page it processed.

use chrono::{DateTime, Utc};
use diesel_async::AsyncPgConnection;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::auth::policy::events as policy;
use crate::auth::Caller;
use crate::db::models::EventRow;
use crate::db::repo;
use crate::domain::Violation;
use crate::error::ApiError;

/// The CloudEvents `source` of every event: this API.
pub const SOURCE: &str = "/api/v1";

/// What an event carries: the object, its unit and its version after the change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct EventData {
    /// The kind of object, e.g. `round`.
    pub resource_type: String,
    /// Its id.
    pub id: Option<Uuid>,
    /// The unit it concerns.
    pub unit_id: Option<Uuid>,
    /// Its version after the change (absent when it has none, or was deleted).
    pub version: Option<i32>,
}

/// A domain event in the CloudEvents 1.0 JSON format.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct CloudEvent {
    /// Always `1.0`.
    pub specversion: String,
    /// Unique id of the event (the audit record's).
    pub id: Uuid,
    /// The producer: this API.
    pub source: String,
    /// What happened, e.g. `vn.gov.cadre.round.issued`.
    #[serde(rename = "type")]
    pub type_: String,
    /// The object, as `resource_type/id`.
    pub subject: Option<String>,
    /// When the change was made.
    pub time: DateTime<Utc>,
    /// Always `application/json`.
    pub datacontenttype: String,
    /// The event's place in the feed (CloudEvents sequence extension): a decimal number,
    /// increasing in commit order, not necessarily contiguous.
    pub sequence: String,
    /// The object, its unit and its version.
    pub data: EventData,
}

impl From<EventRow> for CloudEvent {
    fn from(e: EventRow) -> Self {
        Self {
            specversion: "1.0".into(),
            id: e.id,
            source: SOURCE.into(),
            subject: e.resource_id.map(|id| format!("{}/{id}", e.resource_type)),
            type_: e.type_,
            time: e.time,
            datacontenttype: "application/json".into(),
            sequence: e.position.to_string(),
            data: EventData {
                resource_type: e.resource_type,
                id: e.resource_id,
                unit_id: e.unit_id,
                version: e.version,
            },
        }
    }
}

/// Where to read the feed from, and what.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventQuery {
    /// The `next_cursor` of the last page processed (absent: from the start).
    #[param(max_length = 20)]
    pub after: Option<String>,
    /// Only these types, comma-separated (e.g. `vn.gov.cadre.round.issued,vn.gov.cadre.round.closed`).
    #[param(max_length = 2000)]
    pub types: Option<String>,
    /// At most this many events (1–1000, default 100).
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<i64>,
}

/// A page of the feed.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventPage {
    /// The events, in commit order.
    pub items: Vec<CloudEvent>,
    /// Where to resume: the cursor after the last event of this page (the one given, when the
    /// page is empty). Always present: the feed has no end.
    pub next_cursor: String,
}

fn bad(field: &str, en: &str, vi: &str) -> ApiError {
    ApiError::violations(vec![Violation::new(field, "invalid", en, vi)])
}

/// The next page of the events the caller may read after `query.after`.
pub async fn page(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    query: &EventQuery,
) -> Result<EventPage, ApiError> {
    let after = match query.after.as_deref() {
        None | Some("") => 0,
        Some(c) => c.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
            bad(
                "after",
                "not a cursor of this feed",
                "không phải con trỏ của luồng sự kiện",
            )
        })?,
    };
    if query.after.as_deref().is_some_and(|a| a.len() > 20) {
        return Err(bad(
            "after",
            "not a cursor of this feed",
            "không phải con trỏ của luồng sự kiện",
        ));
    }
    if query.types.as_deref().is_some_and(|t| t.len() > 2000) {
        return Err(bad("types", "at most 2000 characters", "tối đa 2000 ký tự"));
    }
    let limit = query.limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(bad("limit", "from 1 to 1000", "từ 1 đến 1000"));
    }
    let types = query.types.as_deref().map(|t| {
        t.split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_owned)
            .collect::<Vec<_>>()
    });
    let readable = policy::readable(conn, caller).await?;
    let rows = repo::events::page(conn, after, types, readable, limit).await?;
    let next_cursor = rows.last().map_or(after, |e| e.position).to_string();
    Ok(EventPage {
        items: rows.into_iter().map(CloudEvent::from).collect(),
        next_cursor,
    })
}
