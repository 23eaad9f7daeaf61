//! Commitments (cam kết): the head of a unit signs the terms of the round's assignments
//! addressed to it — their SHA-256 recorded, optionally with a detached digital signature —
//! and signing delegations let another cadre sign for the head.

use chrono::NaiveDate;
use diesel_async::AsyncPgConnection;
use serde::Deserialize;
use serde_json::{json, Value};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::assignments::terms_of;
use super::{in_tx, Tx};
use crate::auth::policy::commitments as policy;
use crate::auth::Caller;
use crate::db::models::{AssignmentRow, CommitmentRow, DelegationRow, RoundRow};
use crate::db::repo;
use crate::domain::canonical;
use crate::domain::commitment::SignatureVerdict;
use crate::domain::roles::Permission;
use crate::domain::signature::{self, SignatureAlgorithm, SignatureCheck};
use crate::domain::text::plain_text;
use crate::domain::workflow::{AssignmentAction, AssignmentState, RoundState};
use crate::error::{ApiError, Msg};

/// A detached digital signature over the canonical terms.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DigitalSignature {
    /// `ed25519` or `ecdsa_p256_sha256`.
    pub algorithm: SignatureAlgorithm,
    /// The signature, base64 (ECDSA: DER or raw r‖s).
    #[validate(length(min = 1, max = 4096))]
    #[schema(min_length = 1, max_length = 4096)]
    pub value: String,
    /// The signer's public key (PEM `PUBLIC KEY`) or X.509 certificate (PEM `CERTIFICATE`).
    #[validate(length(min = 1, max = 16384))]
    #[schema(min_length = 1, max_length = 16384)]
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
    #[schema(min_length = 64, max_length = 64)]
    pub terms_hash: String,
    /// Optional digital signature over the canonical terms; refused (422) unless it verifies.
    #[validate(nested)]
    pub signature: Option<DigitalSignature>,
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
    #[validate(length(min = 1, max = 200), custom(function = "plain_text"))]
    #[schema(
        min_length = 1,
        max_length = 200,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub decision_ref: Option<String>,
    /// Why.
    #[validate(length(min = 5, max = 2000), custom(function = "plain_text"))]
    #[schema(
        min_length = 5,
        max_length = 2000,
        pattern = "^[^\\u0000-\\u0008\\u000B\\u000C\\u000E-\\u001F\\u007F-\\u009F]*$"
    )]
    pub reason: String,
}

/// The terms a unit's head is asked to sign.
#[derive(Debug, Clone)]
pub struct Terms {
    /// The round.
    pub round_id: Uuid,
    /// The unit.
    pub assignee_unit_id: Uuid,
    /// The document.
    pub document: Value,
    /// Its canonical JSON (RFC 8785).
    pub canonical: String,
    /// SHA-256 (hex) of `canonical`.
    pub terms_hash: String,
    /// Whether the unit has a valid commitment on exactly these terms.
    pub signed: bool,
}

/// The document a head signs: the round's decision and the current terms of every assignment
/// addressed to the unit.
fn document(round: &RoundRow, unit: Uuid, items: &[AssignmentRow]) -> Value {
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

fn no_issued_assignments() -> (&'static str, &'static str) {
    (
        "the round has no issued assignments for this unit",
        "đợt giao không có nhiệm vụ đã ban hành cho đơn vị này",
    )
}

/// The canonical terms of `round` for `unit`, with their hash and whether they are signed.
pub async fn terms(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    round_id: Uuid,
    unit: Uuid,
) -> Result<Terms, ApiError> {
    let round = policy::round_for_unit(conn, caller, round_id, unit).await?;
    let items = repo::commitments::covered(conn, round.id, unit, false).await?;
    if items.is_empty() {
        let (en, vi) = no_issued_assignments();
        return Err(ApiError::not_found().detail(en, vi));
    }
    let document = document(&round, unit, &items);
    let canonical = canonical::canonical_json(&document);
    let terms_hash = canonical::sha256_hex(canonical.as_bytes());
    let signed = items.iter().all(|a| a.commitment_id.is_some())
        && repo::commitments::signed_on(conn, round.id, unit, &terms_hash).await?;
    Ok(Terms {
        round_id: round.id,
        assignee_unit_id: unit,
        document,
        canonical,
        terms_hash,
        signed,
    })
}

/// 422 for a digital signature that does not verify.
fn signature_refused(check: &SignatureCheck) -> ApiError {
    let why = match check {
        SignatureCheck::Malformed(m) => m.clone(),
        _ => "the signature does not verify over the canonical terms".to_owned(),
    };
    ApiError::unprocessable(
        "the digital signature is not valid",
        "chữ ký số không hợp lệ",
    )
    .field("signature", check.code(), Msg::new(why.clone(), why))
}

/// The head of the unit (or a delegate) signs the current terms of the round's assignments
/// addressed to it: earlier commitments of the unit in the round are superseded and the
/// assignments become `committed`.
pub async fn sign(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    round_id: Uuid,
    req: NewCommitment,
) -> Result<CommitmentRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        let unit = req.assignee_unit_id;
        let round = policy::round_for_unit(tx.conn, caller, round_id, unit).await?;
        let signer = policy::signer(tx.conn, caller, unit, tx.now.date_naive()).await?;
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
        let items = repo::commitments::covered(tx.conn, round.id, unit, true).await?;
        if items.is_empty() {
            let (en, vi) = no_issued_assignments();
            return Err(ApiError::conflict(en, vi));
        }
        let doc = document(&round, unit, &items);
        let canonical = canonical::canonical_json(&doc);
        let hash = canonical::sha256_hex(canonical.as_bytes());
        if hash != req.terms_hash.to_ascii_lowercase() {
            return Err(ApiError::conflict(
                "the terms changed since they were read; read commitment-terms again",
                "nội dung cam kết đã thay đổi; hãy đọc lại và ký lại",
            ));
        }
        let previous = repo::commitments::valid_of(tx.conn, round.id, unit).await?;
        if previous
            .iter()
            .any(|p| p.terms_hash == hash && p.signer_cadre_id == signer.cadre)
        {
            return Err(ApiError::conflict(
                "you have already signed these terms",
                "bạn đã ký cam kết với nội dung này",
            ));
        }
        let check = req
            .signature
            .as_ref()
            .map(|s| signature::verify(s.algorithm, canonical.as_bytes(), &s.value, &s.key_pem));
        if let Some(c) = check.as_ref().filter(|c| **c != SignatureCheck::Valid) {
            return Err(signature_refused(c));
        }
        let row = CommitmentRow {
            id: Uuid::now_v7(),
            round_id: round.id,
            assignee_unit_id: unit,
            signer_account_id: caller.account_id,
            signer_cadre_id: signer.cadre,
            signer_post_id: signer.post,
            delegation_id: signer.delegation,
            signed_at: tx.now,
            terms: doc,
            terms_hash: hash,
            signature_algorithm: req.signature.as_ref().map(|s| s.algorithm),
            signature: req.signature.as_ref().map(|s| s.value.clone()),
            signer_key_pem: req.signature.as_ref().map(|s| s.key_pem.clone()),
            signature_check: check.as_ref().map(SignatureVerdict::from),
            signature_detail: None,
            invalidated_at: None,
            invalidated_reason: None,
            created_at: tx.now,
        };
        let ids: Vec<Uuid> = previous.iter().map(|p| p.id).collect();
        let reason = format!("superseded by commitment {}", row.id);
        repo::commitments::invalidate(tx.conn, &ids, tx.now, &reason).await?;
        repo::commitments::insert(tx.conn, &row).await?;
        for a in &items {
            let next = match a.state {
                AssignmentState::Issued => a.state.next(AssignmentAction::Commit)?,
                other => other,
            };
            repo::commitments::mark_committed(tx.conn, a, next, row.id, tx.now).await?;
        }
        tx.created("commitment.sign", row.id, Some(row.assignee_unit_id), &row);
        Ok(row)
    })
    .await
}

/// Invalidates the valid commitment covering `assignment` (its terms changed): every
/// assignment it covered needs a new signature.
pub async fn invalidate_for(
    tx: &mut Tx<'_>,
    assignment: &AssignmentRow,
    reason: &str,
) -> Result<(), ApiError> {
    let Some(commitment) = assignment.commitment_id else {
        return Ok(());
    };
    repo::commitments::invalidate(tx.conn, &[commitment], tx.now, reason).await?;
    for a in repo::commitments::lock_covered_by(tx.conn, commitment).await? {
        let next = a
            .state
            .next(AssignmentAction::InvalidateCommitment)
            .unwrap_or(a.state);
        repo::commitments::release(tx.conn, &a, next, tx.now).await?;
    }
    Ok(())
}

/// A page of the commitments the caller reads (ordered by id, after `after`, at most `limit`).
pub async fn list(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    round: Option<Uuid>,
    unit: Option<Uuid>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<CommitmentRow>, ApiError> {
    let readable = policy::readable(conn, caller).await?;
    Ok(repo::commitments::list(conn, readable, round, unit, after, limit).await?)
}

/// One commitment the caller may read (404 otherwise).
pub async fn get(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<CommitmentRow, ApiError> {
    policy::visible(conn, caller, id).await
}

/// A page of the signing delegations the caller reads.
pub async fn list_delegations(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    unit: Option<Uuid>,
    after: Option<Uuid>,
    limit: i64,
) -> Result<Vec<DelegationRow>, ApiError> {
    let readable = policy::readable_delegations(conn, caller).await?;
    Ok(repo::commitments::list_delegations(conn, readable, unit, after, limit).await?)
}

/// One signing delegation the caller may read (404 otherwise).
pub async fn get_delegation(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    id: Uuid,
) -> Result<DelegationRow, ApiError> {
    policy::visible_delegation(conn, caller, id).await
}

/// Records a signing delegation; needs `personnel_manage` on the unit.
pub async fn create_delegation(
    conn: &mut AsyncPgConnection,
    caller: &Caller,
    new: NewDelegation,
) -> Result<DelegationRow, ApiError> {
    in_tx(conn, caller, async |tx| {
        caller
            .require(
                tx.conn,
                Permission::PersonnelManage,
                Permission::PersonnelRead,
                new.unit_id,
            )
            .await
            .map_err(|e| match e.status().as_u16() {
                404 => ApiError::unknown("unit_id", "unit"),
                _ => e,
            })?;
        match repo::cadres::managing_unit(tx.conn, new.cadre_id).await? {
            Some(u) if caller.can(tx.conn, Permission::PersonnelRead, u).await? => {}
            _ => return Err(ApiError::unknown("cadre_id", "cadre")),
        }
        if new.valid_to.is_some_and(|to| to < new.valid_from) {
            return Err(ApiError::unprocessable(
                "ends before it starts",
                "kết thúc trước khi bắt đầu",
            )
            .field(
                "valid_to",
                "before_start",
                Msg::new("ends before it starts", "kết thúc trước khi bắt đầu"),
            ));
        }
        let row = DelegationRow {
            id: Uuid::now_v7(),
            unit_id: new.unit_id,
            cadre_id: new.cadre_id,
            valid_from: new.valid_from,
            valid_to: new.valid_to,
            decision_ref: new.decision_ref,
            reason: new.reason,
            created_by: Some(caller.account_id),
            created_at: tx.now,
        };
        repo::commitments::insert_delegation(tx.conn, &row).await?;
        tx.created("signing_delegation.create", row.id, Some(row.unit_id), &row);
        Ok(row)
    })
    .await
}
