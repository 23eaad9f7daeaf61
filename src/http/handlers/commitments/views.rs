//! Wire shapes of commitments and signing delegations.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::app::commitments::Terms;
use crate::db::models::{CommitmentRow, DelegationRow};
use crate::domain::signature::SignatureAlgorithm;

/// What the head of a unit is asked to sign.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TermsToSign {
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

impl From<Terms> for TermsToSign {
    fn from(t: Terms) -> Self {
        Self {
            round_id: t.round_id,
            assignee_unit_id: t.assignee_unit_id,
            document: t.document,
            canonical: t.canonical,
            terms_hash: t.terms_hash,
            signed: t.signed,
        }
    }
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
    /// Result of verifying the digital signature; absent when unsigned.
    pub signature_check: Option<crate::domain::commitment::SignatureVerdict>,
    /// `valid` while the terms are unchanged, else `invalidated` (never `none`).
    pub status: crate::domain::assignment::CommitmentStatus,
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
            signature_algorithm: r.signature_algorithm,
            signature: r.signature,
            signature_check: r.signature_check,
            status: if r.invalidated_at.is_some() {
                crate::domain::assignment::CommitmentStatus::Invalidated
            } else {
                crate::domain::assignment::CommitmentStatus::Valid
            },
            invalidated_at: r.invalidated_at,
            invalidated_reason: r.invalidated_reason,
        }
    }
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
