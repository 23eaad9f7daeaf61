//! The Ed25519 key that signs checkpoints of the audit chain (`domain::audit_chain`).
//!
//! It comes from `CADRE_AUDIT_SIGNING_KEY` (base64 of a 32-byte seed) or, when that is unset,
//! is derived from the token secret with HKDF-SHA256, so that every replica signs with the same
//! key with no configuration. Its public half is published with every checkpoint.

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use hkdf::Hkdf;
use sha2::Sha256;

/// The HKDF `info` of the derived key (a new label gives a new key).
const HKDF_INFO: &[u8] = b"cadre-api audit checkpoint signing key v1";

/// The checkpoint signing key.
#[derive(Clone)]
pub struct AuditSigner {
    key: SigningKey,
}

impl std::fmt::Debug for AuditSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditSigner({})", self.public_key())
    }
}

impl AuditSigner {
    /// The key from `seed` (base64 of 32 bytes) when given, else derived from `token_secret`.
    pub fn new(seed: Option<&str>, token_secret: &[u8]) -> anyhow::Result<Self> {
        let bytes: [u8; 32] = match seed {
            Some(s) => B64
                .decode(s.trim())
                .ok()
                .and_then(|b| b.try_into().ok())
                .ok_or_else(|| {
                    anyhow::anyhow!("CADRE_AUDIT_SIGNING_KEY must be base64 of 32 bytes")
                })?,
            None => {
                let mut okm = [0u8; 32];
                Hkdf::<Sha256>::new(None, token_secret)
                    .expand(HKDF_INFO, &mut okm)
                    .map_err(|_| anyhow::anyhow!("HKDF cannot give 32 bytes"))?;
                okm
            }
        };
        Ok(Self {
            key: SigningKey::from_bytes(&bytes),
        })
    }

    /// Base64 of the Ed25519 signature of `payload`.
    pub fn sign(&self, payload: &[u8]) -> String {
        B64.encode(self.key.sign(payload).to_bytes())
    }

    /// Base64 of the 32-byte public key.
    pub fn public_key(&self) -> String {
        B64.encode(self.key.verifying_key().to_bytes())
    }
}

/// Whether `signature` (base64) is a valid Ed25519 signature of `payload` under `public_key`
/// (base64).
pub fn verify(public_key: &str, payload: &[u8], signature: &str) -> bool {
    let key = B64
        .decode(public_key)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .and_then(|b| VerifyingKey::from_bytes(&b).ok());
    let sig = B64
        .decode(signature)
        .ok()
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .map(|b| Signature::from_bytes(&b));
    match (key, sig) {
        (Some(k), Some(s)) => k.verify(payload, &s).is_ok(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_derived_key_is_stable_and_signatures_verify() {
        let a = AuditSigner::new(None, b"secret-secret-secret-secret-secret").unwrap();
        let b = AuditSigner::new(None, b"secret-secret-secret-secret-secret").unwrap();
        assert_eq!(a.public_key(), b.public_key());
        let sig = a.sign(b"payload");
        assert!(verify(&a.public_key(), b"payload", &sig));
        assert!(!verify(&a.public_key(), b"payloaD", &sig));
    }

    #[test]
    fn a_configured_seed_wins_and_a_bad_one_is_refused() {
        let seed = B64.encode([7u8; 32]);
        let a = AuditSigner::new(Some(&seed), b"x").unwrap();
        let b = AuditSigner::new(None, b"x").unwrap();
        assert_ne!(a.public_key(), b.public_key());
        assert!(AuditSigner::new(Some("c2hvcnQ="), b"x").is_err());
    }
}
