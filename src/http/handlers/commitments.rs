//! Commitments (cam kết): the head of a unit signs the terms of the round's assignments
//! addressed to it — their SHA-256 recorded, optionally with a detached digital signature —
//! and signing delegations that let another cadre sign for the head.

use actix_web::{get, post};
use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDate, Utc};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use scoped_futures::ScopedFutureExt;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use utoipa::{IntoParams, ToSchema};
use utoipa_actix_web::service_config::ServiceConfig;
use uuid::Uuid;
use validator::Validate;

use super::rounds;
use super::units::unknown;
use crate::app::assignments::terms_of;
use crate::auth::Caller;
use crate::db::audit::{self, Change};
use crate::db::models::{AssignmentRow, CommitmentRow, DelegationRow};
use crate::db::schema::{accounts, assignments, cadres, commitments, posts, signing_delegations};
use crate::domain::canonical;
use crate::domain::roles::Permission;
use crate::domain::signature::{self, SignatureAlgorithm, SignatureCheck};
use crate::domain::workflow::{AssignmentAction, AssignmentState, RoundState};
use crate::error::{ApiError, ApiResult, Msg};
use crate::http::extract::{created, Page, PageParams, ValidJson};
use crate::http::openapi::{ReadErrors, WriteErrors};
use crate::http::AppState;

pub(crate) fn routes(cfg: &mut ServiceConfig) {
    cfg.service(terms_to_sign)
        .service(sign)
        .service(list)
        .service(get)
        .service(list_delegations)
        .service(create_delegation)
        .service(get_delegation);
}

/// The assignments of `round` addressed to `unit` that a commitment covers (issued or later,
/// not withdrawn), locked when `lock` is set.
async fn covered(
    conn: &mut AsyncPgConnection,
    round: Uuid,
    unit: Uuid,
    lock: bool,
) -> Result<Vec<AssignmentRow>, ApiError> {
    let q = assignments::table
        .filter(assignments::round_id.eq(round))
        .filter(assignments::assignee_unit_id.eq(unit))
        .filter(assignments::state.eq_any(["issued", "committed", "in_progress"]))
        .order(assignments::id)
        .select(AssignmentRow::as_select());
    Ok(if lock {
        q.for_update().load(conn).await?
    } else {
        q.load(conn).await?
    })
}

/// The document a head signs: the round's decision and the current terms of every assignment
/// addressed to the unit.
fn document(round: &rounds::Round, unit: Uuid, items: &[AssignmentRow]) -> Value {
    json!({
        "round_id": round.id,
        "assigning_unit_id": round.assigning_unit_id,
        "decision_number": round.decision_number,
        "decision_date": round.decision_date,
        "assignee_unit_id": unit,
        "assignments": items.iter().map(|a| json!({
            "terms_version": a.terms_version,
            "terms": terms_of(a),
        })).collect::<Vec<_>>(),
    })
}

/// What the head of a unit is asked to sign.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommitmentTerms {
    /// The round.
    pub round_id: Uuid,
    /// The unit.
    pub assignee_unit_id: Uuid,
    /// The document, as JSON.
    #[schema(value_type = Object)]
    pub document: Value,
    /// Its canonical JSON (RFC 8785): the exact bytes (UTF-8) a digital signature covers.
    pub canonical: String,
    /// SHA-256 (hex) of `canonical`; send it back when signing.
    pub terms_hash: String,
    /// Whether the unit has a commitment on exactly these terms.
    pub signed: bool,
}

/// Query naming the unit whose terms are asked for.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitParam {
    /// The assignee unit.
    pub assignee_unit_id: Uuid,
}

async fn visible_unit_round(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    round_id: Uuid,
    unit: Uuid,
) -> Result<rounds::Round, ApiError> {
    let round = rounds::load_visible(conn, caller, round_id).await?;
    let reads_unit = caller.can(conn, Permission::AssignmentRead, unit).await?
        || caller
            .can(conn, Permission::AssignmentRead, round.assigning_unit_id)
            .await?;
    if reads_unit {
        Ok(round)
    } else {
        Err(ApiError::not_found())
    }
}

/// Get the terms to sign
///
/// The canonical document of the round's current terms for one assignee unit, with its
/// SHA-256: what the head signs (and, for a digital signature, the exact bytes to sign).
#[utoipa::path(tag = "commitments",
    params(("id" = Uuid, Path, description = "Round id"), UnitParam),
    responses((status = 200, description = "The terms", body = CommitmentTerms), ReadErrors))]
#[get("/rounds/{id}/commitment-terms")]
pub async fn terms_to_sign(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    unit: web::Query<UnitParam>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let round = visible_unit_round(&mut conn, &caller, *id, unit.assignee_unit_id).await?;
    let items = covered(&mut conn, round.id, unit.assignee_unit_id, false).await?;
    if items.is_empty() {
        return Err(ApiError::not_found().detail(
            "the round has no issued assignments for this unit",
            "đợt giao không có nhiệm vụ đã ban hành cho đơn vị này",
        ));
    }
    let doc = document(&round, unit.assignee_unit_id, &items);
    let canonical = canonical::canonical_json(&doc);
    let terms_hash = canonical::sha256_hex(canonical.as_bytes());
    let signed = items.iter().all(|a| a.commitment_id.is_some())
        && commitments::table
            .filter(commitments::round_id.eq(round.id))
            .filter(commitments::assignee_unit_id.eq(unit.assignee_unit_id))
            .filter(commitments::invalidated_at.is_null())
            .filter(commitments::terms_hash.eq(&terms_hash))
            .count()
            .get_result::<i64>(&mut conn)
            .await?
            > 0;
    Ok(HttpResponse::Ok().json(CommitmentTerms {
        round_id: round.id,
        assignee_unit_id: unit.assignee_unit_id,
        document: doc,
        canonical,
        terms_hash,
        signed,
    }))
}

/// A detached digital signature over the canonical terms.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DigitalSignature {
    /// `ed25519` or `ecdsa_p256_sha256`.
    pub algorithm: SignatureAlgorithm,
    /// The signature, base64 (ECDSA: DER or raw r‖s).
    #[validate(length(min = 1, max = 4096))]
    pub value: String,
    /// The signer's public key (PEM `PUBLIC KEY`) or X.509 certificate (PEM `CERTIFICATE`).
    #[validate(length(min = 1, max = 16384))]
    pub key_pem: String,
}

/// Signing a commitment.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCommitment {
    /// The unit whose head signs.
    pub assignee_unit_id: Uuid,
    /// The `terms_hash` read from `commitment-terms`: signing is refused (409) when the terms
    /// changed since.
    #[validate(length(equal = 64))]
    pub terms_hash: String,
    /// Optional digital signature over the canonical terms; refused (422) unless it verifies.
    #[validate(nested)]
    pub signature: Option<DigitalSignature>,
}

/// A signed commitment.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Commitment {
    /// Id.
    pub id: Uuid,
    /// The round.
    pub round_id: Uuid,
    /// The unit.
    pub assignee_unit_id: Uuid,
    /// Account that signed.
    pub signer_account_id: Uuid,
    /// Cadre that signed.
    pub signer_cadre_id: Uuid,
    /// The head's post the signer held, when signing as head.
    pub signer_post_id: Option<Uuid>,
    /// The delegation the signer acted under, when not the head.
    pub delegation_id: Option<Uuid>,
    /// When it was signed.
    pub signed_at: DateTime<Utc>,
    /// The signed document.
    #[schema(value_type = Object)]
    pub terms: Value,
    /// SHA-256 of the document's canonical JSON.
    pub terms_hash: String,
    /// Algorithm of the digital signature, if any.
    pub signature_algorithm: Option<SignatureAlgorithm>,
    /// The digital signature, base64.
    pub signature: Option<String>,
    /// Result of verifying it: `valid`, `invalid` or `malformed`; absent when unsigned.
    pub signature_check: Option<String>,
    /// `valid` while the terms are unchanged, else `invalidated`.
    pub status: String,
    /// When the terms changed after signing (or a newer commitment replaced it).
    pub invalidated_at: Option<DateTime<Utc>>,
    /// Why it was invalidated.
    pub invalidated_reason: Option<String>,
}

impl From<CommitmentRow> for Commitment {
    fn from(r: CommitmentRow) -> Self {
        Self {
            id: r.id,
            round_id: r.round_id,
            assignee_unit_id: r.assignee_unit_id,
            signer_account_id: r.signer_account_id,
            signer_cadre_id: r.signer_cadre_id,
            signer_post_id: r.signer_post_id,
            delegation_id: r.delegation_id,
            signed_at: r.signed_at,
            terms: r.terms,
            terms_hash: r.terms_hash,
            signature_algorithm: r
                .signature_algorithm
                .as_deref()
                .and_then(SignatureAlgorithm::parse),
            signature: r.signature,
            signature_check: r.signature_check,
            status: if r.invalidated_at.is_some() {
                "invalidated"
            } else {
                "valid"
            }
            .to_owned(),
            invalidated_at: r.invalidated_at,
            invalidated_reason: r.invalidated_reason,
        }
    }
}

/// The cadre behind the caller and what entitles it to sign for `unit` today: the head's post,
/// or a signing delegation.
async fn signing_authority(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    unit: Uuid,
) -> Result<(Uuid, Option<Uuid>, Option<Uuid>), ApiError> {
    let refused = || {
        ApiError::forbidden().detail(
            "only the head of the unit, or a cadre with a signing delegation, may sign",
            "chỉ người đứng đầu đơn vị hoặc người được ủy quyền mới được ký cam kết",
        )
    };
    if !caller.can(conn, Permission::CommitmentSign, unit).await? {
        return Err(refused());
    }
    let cadre: Option<Uuid> = accounts::table
        .find(caller.account_id)
        .select(accounts::cadre_id)
        .first(conn)
        .await?;
    let cadre = cadre.ok_or_else(refused)?;
    let today = Utc::now().date_naive();
    let post: Option<Uuid> = posts::table
        .filter(posts::unit_id.eq(unit))
        .filter(posts::cadre_id.eq(cadre))
        .filter(posts::kind.eq("head"))
        .filter(posts::valid_from.le(today))
        .filter(posts::valid_to.is_null().or(posts::valid_to.ge(today)))
        .select(posts::id)
        .first(conn)
        .await
        .optional()?;
    if post.is_some() {
        return Ok((cadre, post, None));
    }
    let delegation: Option<Uuid> = signing_delegations::table
        .filter(signing_delegations::unit_id.eq(unit))
        .filter(signing_delegations::cadre_id.eq(cadre))
        .filter(signing_delegations::valid_from.le(today))
        .filter(
            signing_delegations::valid_to
                .is_null()
                .or(signing_delegations::valid_to.ge(today)),
        )
        .select(signing_delegations::id)
        .first(conn)
        .await
        .optional()?;
    match delegation {
        Some(d) => Ok((cadre, None, Some(d))),
        None => Err(refused()),
    }
}

/// Sign a commitment
///
/// The head of the unit (or a cadre holding a signing delegation) commits to the current terms
/// of every assignment of the round addressed to the unit. The commitment records the signer,
/// the time and the SHA-256 of the canonical terms (`terms_hash` must match what was read: 409
/// otherwise), and optionally a detached Ed25519 or ECDSA P-256 signature, verified over the
/// same bytes (422 unless it verifies). The assignments become `committed`; a previous
/// commitment of the unit in the round is superseded. Staff cannot sign (403).
#[utoipa::path(tag = "commitments", request_body = NewCommitment,
    params(("id" = Uuid, Path, description = "Round id")),
    responses((status = 201, description = "Signed", body = Commitment, headers(("Location" = String))), WriteErrors))]
#[post("/rounds/{id}/commitments")]
pub async fn sign(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    body: ValidJson<NewCommitment>,
) -> ApiResult<HttpResponse> {
    let (round_id, req) = (*id, body.0);
    let mut conn = state.pool.get().await?;
    let view = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let round =
                    visible_unit_round(conn, &caller, round_id, req.assignee_unit_id).await?;
                let (cadre, post, delegation) =
                    signing_authority(conn, &caller, req.assignee_unit_id).await?;
                if round.state != RoundState::Issued {
                    return Err(ApiError::conflict(
                        format!(
                            "commitments are signed in issued rounds; this one is {}",
                            round.state
                        ),
                        format!(
                            "chỉ ký cam kết trong đợt giao đã ban hành; đợt này đang {}",
                            round.state
                        ),
                    ));
                }
                let items = covered(conn, round.id, req.assignee_unit_id, true).await?;
                if items.is_empty() {
                    return Err(ApiError::conflict(
                        "the round has no issued assignments for this unit",
                        "đợt giao không có nhiệm vụ đã ban hành cho đơn vị này",
                    ));
                }
                let doc = document(&round, req.assignee_unit_id, &items);
                let canonical = canonical::canonical_json(&doc);
                let hash = canonical::sha256_hex(canonical.as_bytes());
                if hash != req.terms_hash.to_ascii_lowercase() {
                    return Err(ApiError::conflict(
                        "the terms changed since they were read; read commitment-terms again",
                        "nội dung cam kết đã thay đổi; hãy đọc lại và ký lại",
                    ));
                }
                let previous: Vec<CommitmentRow> = commitments::table
                    .filter(commitments::round_id.eq(round.id))
                    .filter(commitments::assignee_unit_id.eq(req.assignee_unit_id))
                    .filter(commitments::invalidated_at.is_null())
                    .select(CommitmentRow::as_select())
                    .load(conn)
                    .await?;
                if previous
                    .iter()
                    .any(|p| p.terms_hash == hash && p.signer_cadre_id == cadre)
                {
                    return Err(ApiError::conflict(
                        "you have already signed these terms",
                        "bạn đã ký cam kết với nội dung này",
                    ));
                }
                let check = req.signature.as_ref().map(|s| {
                    signature::verify(s.algorithm, canonical.as_bytes(), &s.value, &s.key_pem)
                });
                if let Some(c) = &check {
                    if *c != SignatureCheck::Valid {
                        let why = match c {
                            SignatureCheck::Malformed(m) => m.clone(),
                            _ => {
                                "the signature does not verify over the canonical terms".to_owned()
                            }
                        };
                        return Err(ApiError::unprocessable(
                            "the digital signature is not valid",
                            "chữ ký số không hợp lệ",
                        )
                        .field(
                            "signature",
                            c.code(),
                            Msg::new(why.clone(), why),
                        ));
                    }
                }
                let now = Utc::now();
                let row = CommitmentRow {
                    id: Uuid::now_v7(),
                    round_id: round.id,
                    assignee_unit_id: req.assignee_unit_id,
                    signer_account_id: caller.account_id,
                    signer_cadre_id: cadre,
                    signer_post_id: post,
                    delegation_id: delegation,
                    signed_at: now,
                    terms: doc,
                    terms_hash: hash,
                    signature_algorithm: req
                        .signature
                        .as_ref()
                        .map(|s| s.algorithm.as_str().to_owned()),
                    signature: req.signature.as_ref().map(|s| s.value.clone()),
                    signer_key_pem: req.signature.as_ref().map(|s| s.key_pem.clone()),
                    signature_check: check.as_ref().map(|c| c.code().to_owned()),
                    signature_detail: None,
                    invalidated_at: None,
                    invalidated_reason: None,
                    created_at: now,
                };
                let ids: Vec<Uuid> = previous.iter().map(|p| p.id).collect();
                diesel::update(commitments::table.filter(commitments::id.eq_any(&ids)))
                    .set((
                        commitments::invalidated_at.eq(now),
                        commitments::invalidated_reason
                            .eq(format!("superseded by commitment {}", row.id)),
                    ))
                    .execute(conn)
                    .await?;
                diesel::insert_into(commitments::table)
                    .values(&row)
                    .execute(conn)
                    .await?;
                for a in &items {
                    let current = a.state;
                    let next = match current {
                        AssignmentState::Issued => current.next(AssignmentAction::Commit)?,
                        other => other,
                    };
                    diesel::update(assignments::table.find(a.id))
                        .set((
                            assignments::state.eq(next.as_str()),
                            assignments::commitment_id.eq(row.id),
                            assignments::commitment_invalidated_at.eq(None::<DateTime<Utc>>),
                            assignments::version.eq(a.version + 1),
                            assignments::updated_at.eq(now),
                        ))
                        .execute(conn)
                        .await?;
                }
                let view = Commitment::from(row);
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "commitment.sign",
                        resource_type: "commitment",
                        resource_id: Some(view.id),
                        unit_id: Some(view.assignee_unit_id),
                        before: None::<&()>,
                        after: Some(&view),
                    },
                )
                .await?;
                Ok(view)
            }
            .scope_boxed()
        })
        .await?;
    Ok(HttpResponse::Created()
        .insert_header((
            actix_web::http::header::LOCATION,
            format!("/api/v1/commitments/{}", view.id),
        ))
        .json(&view))
}

/// Invalidates the valid commitment covering `assignment` (its terms changed): every
/// assignment it covered needs a new signature.
pub(crate) async fn invalidate_for(
    conn: &mut AsyncPgConnection,
    assignment: &AssignmentRow,
    reason: &str,
) -> Result<(), ApiError> {
    let Some(commitment) = assignment.commitment_id else {
        return Ok(());
    };
    let now = Utc::now();
    diesel::update(commitments::table.find(commitment))
        .set((
            commitments::invalidated_at.eq(now),
            commitments::invalidated_reason.eq(reason),
        ))
        .execute(conn)
        .await?;
    let covered: Vec<AssignmentRow> = assignments::table
        .filter(assignments::commitment_id.eq(commitment))
        .select(AssignmentRow::as_select())
        .for_update()
        .load(conn)
        .await?;
    for a in covered {
        let state = a.state;
        let next = state
            .next(AssignmentAction::InvalidateCommitment)
            .unwrap_or(state);
        diesel::update(assignments::table.find(a.id))
            .set((
                assignments::state.eq(next.as_str()),
                assignments::commitment_id.eq(None::<Uuid>),
                assignments::commitment_invalidated_at.eq(now),
                assignments::version.eq(a.version + 1),
                assignments::updated_at.eq(now),
            ))
            .execute(conn)
            .await?;
    }
    Ok(())
}

/// Filters of the commitment list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CommitmentFilter {
    /// Only commitments of this round.
    pub round_id: Option<Uuid>,
    /// Only commitments of this unit.
    pub assignee_unit_id: Option<Uuid>,
}

/// List commitments
///
/// Commitments of units the caller reads, or given in rounds of units it reads, ordered by id
/// (newest last), valid and invalidated alike.
#[utoipa::path(tag = "commitments", params(CommitmentFilter, PageParams),
    responses((status = 200, description = "A page of commitments", body = Page<Commitment>), ReadErrors))]
#[get("/commitments")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<CommitmentFilter>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    use crate::db::schema::rounds as r;
    let (limit, after) = (page.limit()?, page.after()?);
    let mut conn = state.pool.get().await?;
    let visible = caller
        .units_with(&mut conn, Permission::AssignmentRead)
        .await?;
    let rounds_of_visible = r::table
        .filter(r::assigning_unit_id.eq_any(visible.clone()))
        .select(r::id);
    let mut q = commitments::table
        .filter(
            commitments::assignee_unit_id
                .eq_any(visible)
                .or(commitments::round_id.eq_any(rounds_of_visible)),
        )
        .select(CommitmentRow::as_select())
        .order(commitments::id)
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(commitments::id.gt(after));
    }
    if let Some(round) = filter.round_id {
        q = q.filter(commitments::round_id.eq(round));
    }
    if let Some(unit) = filter.assignee_unit_id {
        q = q.filter(commitments::assignee_unit_id.eq(unit));
    }
    let rows: Vec<CommitmentRow> = q.load(&mut conn).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |r| r.id, Commitment::from)))
}

/// Get a commitment
///
/// One commitment with the exact document signed, its hash and signature check.
#[utoipa::path(tag = "commitments",
    params(("id" = Uuid, Path, description = "Commitment id")),
    responses((status = 200, description = "The commitment", body = Commitment), ReadErrors))]
#[get("/commitments/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row: CommitmentRow = commitments::table
        .find(*id)
        .select(CommitmentRow::as_select())
        .first(&mut conn)
        .await?;
    visible_unit_round(&mut conn, &caller, row.round_id, row.assignee_unit_id).await?;
    Ok(HttpResponse::Ok().json(Commitment::from(row)))
}

/// A recorded authority for a cadre other than the head to sign for a unit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Delegation {
    /// Id.
    pub id: Uuid,
    /// The unit.
    pub unit_id: Uuid,
    /// The cadre who may sign.
    pub cadre_id: Uuid,
    /// First day.
    pub valid_from: NaiveDate,
    /// Last day, if set.
    pub valid_to: Option<NaiveDate>,
    /// The document that grants it.
    pub decision_ref: Option<String>,
    /// Why.
    pub reason: String,
    /// Created at.
    pub created_at: DateTime<Utc>,
}

impl From<DelegationRow> for Delegation {
    fn from(r: DelegationRow) -> Self {
        Self {
            id: r.id,
            unit_id: r.unit_id,
            cadre_id: r.cadre_id,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            decision_ref: r.decision_ref,
            reason: r.reason,
            created_at: r.created_at,
        }
    }
}

/// New signing delegation.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewDelegation {
    /// The unit; the caller needs `personnel_manage` on it.
    pub unit_id: Uuid,
    /// The cadre who may sign (e.g. a deputy acting for the head).
    pub cadre_id: Uuid,
    /// First day.
    pub valid_from: NaiveDate,
    /// Last day.
    pub valid_to: Option<NaiveDate>,
    /// The document that grants it.
    #[validate(
        length(min = 1, max = 200),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub decision_ref: Option<String>,
    /// Why.
    #[validate(
        length(min = 5, max = 2000),
        custom(function = "crate::http::handlers::plain_text")
    )]
    pub reason: String,
}

/// Filters of the delegation list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DelegationFilter {
    /// Only delegations for this unit.
    pub unit_id: Option<Uuid>,
}

/// List signing delegations
///
/// Delegations for units whose personnel the caller reads, ordered by id.
#[utoipa::path(tag = "commitments", params(DelegationFilter, PageParams),
    responses((status = 200, description = "A page of delegations", body = Page<Delegation>), ReadErrors))]
#[get("/signing-delegations")]
pub async fn list_delegations(
    state: web::Data<AppState>,
    caller: Caller,
    filter: web::Query<DelegationFilter>,
    page: web::Query<PageParams>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = (page.limit()?, page.after()?);
    let mut conn = state.pool.get().await?;
    let visible = caller
        .units_with(&mut conn, Permission::PersonnelRead)
        .await?;
    let mut q = signing_delegations::table
        .filter(signing_delegations::unit_id.eq_any(visible))
        .select(DelegationRow::as_select())
        .order(signing_delegations::id)
        .limit(limit + 1)
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(signing_delegations::id.gt(after));
    }
    if let Some(unit) = filter.unit_id {
        q = q.filter(signing_delegations::unit_id.eq(unit));
    }
    let rows: Vec<DelegationRow> = q.load(&mut conn).await?;
    Ok(HttpResponse::Ok().json(Page::from_rows(rows, limit, |r| r.id, Delegation::from)))
}

/// Get a signing delegation
///
/// One delegation. Needs `personnel_read` on its unit.
#[utoipa::path(tag = "commitments",
    params(("id" = Uuid, Path, description = "Delegation id")),
    responses((status = 200, description = "The delegation", body = Delegation), ReadErrors))]
#[get("/signing-delegations/{id}")]
pub async fn get_delegation(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> ApiResult<HttpResponse> {
    let mut conn = state.pool.get().await?;
    let row: DelegationRow = signing_delegations::table
        .find(*id)
        .select(DelegationRow::as_select())
        .first(&mut conn)
        .await?;
    if !caller
        .can(&mut conn, Permission::PersonnelRead, row.unit_id)
        .await?
    {
        return Err(ApiError::not_found());
    }
    Ok(HttpResponse::Ok().json(Delegation::from(row)))
}

/// Record a signing delegation
///
/// Lets a cadre (e.g. a deputy acting for an absent head) sign commitments for a unit during a
/// period. Needs `personnel_manage` on the unit.
#[utoipa::path(tag = "commitments", request_body = NewDelegation,
    responses((status = 201, description = "Recorded", body = Delegation, headers(("ETag" = String), ("Location" = String))), WriteErrors))]
#[post("/signing-delegations")]
pub async fn create_delegation(
    state: web::Data<AppState>,
    caller: Caller,
    body: ValidJson<NewDelegation>,
) -> ApiResult<HttpResponse> {
    let new = body.0;
    let mut conn = state.pool.get().await?;
    caller
        .require(
            &mut conn,
            Permission::PersonnelManage,
            Permission::PersonnelRead,
            new.unit_id,
        )
        .await
        .map_err(|e| match e.status().as_u16() {
            404 => unknown("unit_id", "unit"),
            _ => e,
        })?;
    let cadre_unit: Option<Uuid> = cadres::table
        .find(new.cadre_id)
        .select(cadres::managing_unit_id)
        .first(&mut conn)
        .await
        .optional()?;
    match cadre_unit {
        Some(u) if caller.can(&mut conn, Permission::PersonnelRead, u).await? => {}
        _ => return Err(unknown("cadre_id", "cadre")),
    }
    if new.valid_to.is_some_and(|to| to < new.valid_from) {
        return Err(
            ApiError::unprocessable("ends before it starts", "kết thúc trước khi bắt đầu").field(
                "valid_to",
                "before_start",
                Msg::new("ends before it starts", "kết thúc trước khi bắt đầu"),
            ),
        );
    }
    let view = conn
        .transaction::<_, ApiError, _>(|conn| {
            async move {
                let row = DelegationRow {
                    id: Uuid::now_v7(),
                    unit_id: new.unit_id,
                    cadre_id: new.cadre_id,
                    valid_from: new.valid_from,
                    valid_to: new.valid_to,
                    decision_ref: new.decision_ref,
                    reason: new.reason,
                    created_by: Some(caller.account_id),
                    created_at: Utc::now(),
                };
                diesel::insert_into(signing_delegations::table)
                    .values(&row)
                    .execute(conn)
                    .await?;
                let view = Delegation::from(row);
                audit::record(
                    conn,
                    Some(&caller),
                    Change {
                        action: "signing_delegation.create",
                        resource_type: "signing_delegation",
                        resource_id: Some(view.id),
                        unit_id: Some(view.unit_id),
                        before: None::<&()>,
                        after: Some(&view),
                    },
                )
                .await?;
                Ok(view)
            }
            .scope_boxed()
        })
        .await?;
    Ok(created(
        format!("/api/v1/signing-delegations/{}", view.id),
        1,
        &view,
    ))
}
