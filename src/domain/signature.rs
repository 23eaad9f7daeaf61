//! Verification of detached signatures over given bytes (e.g. the canonical terms of an
//! assignment), with a public key given as an SPKI PEM or as an X.509 certificate PEM.

use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;
use ed25519_dalek::pkcs8::DecodePublicKey;
use p256::ecdsa::signature::Verifier;
use x509_cert::der::{Decode, Encode};
use x509_cert::Certificate;

use crate::vocab_enum;

vocab_enum!(
    /// Signature algorithm.
    SignatureAlgorithm, "signature_algorithm" {
        Ed25519 => ("ed25519", "Ed25519", "Ed25519"),
        EcdsaP256Sha256 => ("ecdsa_p256_sha256", "ECDSA P-256 với SHA-256", "ECDSA P-256 with SHA-256"),
    }
);

/// Outcome of checking a signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    /// The signature verifies.
    Valid,
    /// Key and signature are well formed but the signature does not verify.
    Invalid,
    /// The key or the signature cannot be parsed; the message says why.
    Malformed(String),
}

impl SignatureCheck {
    /// Stable code: `valid`, `invalid` or `malformed`.
    pub fn code(&self) -> &'static str {
        match self {
            SignatureCheck::Valid => "valid",
            SignatureCheck::Invalid => "invalid",
            SignatureCheck::Malformed(_) => "malformed",
        }
    }
}

fn malformed(why: impl Into<String>) -> SignatureCheck {
    SignatureCheck::Malformed(why.into())
}

/// DER SubjectPublicKeyInfo of a PEM `PUBLIC KEY` or of the key of a PEM `CERTIFICATE`.
fn spki_der(key_pem: &str) -> Result<Vec<u8>, String> {
    let (label, der) = x509_cert::der::pem::decode_vec(key_pem.trim().as_bytes())
        .map_err(|e| format!("the key is not valid PEM: {e}"))?;
    match label {
        "PUBLIC KEY" => Ok(der),
        "CERTIFICATE" => {
            let cert = Certificate::from_der(&der)
                .map_err(|e| format!("the certificate cannot be parsed: {e}"))?;
            cert.tbs_certificate
                .subject_public_key_info
                .to_der()
                .map_err(|e| format!("the certificate's public key cannot be read: {e}"))
        }
        other => Err(format!(
            "expected a PEM PUBLIC KEY or CERTIFICATE, found {other}"
        )),
    }
}

/// Decodes base64 in the standard or URL-safe alphabet, padded or not.
fn decode_b64(text: &str) -> Option<Vec<u8>> {
    let text = text.trim();
    [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD]
        .iter()
        .find_map(|engine| engine.decode(text).ok())
}

/// Verifies the detached `signature_b64` over `message` with the public key in `key_pem`
/// (PEM `PUBLIC KEY` or `CERTIFICATE`). ECDSA signatures may be DER or raw 64-byte `r || s`.
pub fn verify(
    algorithm: SignatureAlgorithm,
    message: &[u8],
    signature_b64: &str,
    key_pem: &str,
) -> SignatureCheck {
    let spki = match spki_der(key_pem) {
        Ok(spki) => spki,
        Err(why) => return malformed(why),
    };
    let Some(signature) = decode_b64(signature_b64) else {
        return malformed("the signature is not valid base64");
    };
    match algorithm {
        SignatureAlgorithm::Ed25519 => verify_ed25519(message, &signature, &spki),
        SignatureAlgorithm::EcdsaP256Sha256 => verify_p256(message, &signature, &spki),
    }
}

fn verify_ed25519(message: &[u8], signature: &[u8], spki: &[u8]) -> SignatureCheck {
    let Ok(key) = ed25519_dalek::VerifyingKey::from_public_key_der(spki) else {
        return malformed("the key is not an Ed25519 public key");
    };
    let Ok(bytes) = <[u8; 64]>::try_from(signature) else {
        return malformed(format!(
            "an Ed25519 signature has 64 bytes, not {}",
            signature.len()
        ));
    };
    let signature = ed25519_dalek::Signature::from_bytes(&bytes);
    match key.verify_strict(message, &signature) {
        Ok(()) => SignatureCheck::Valid,
        Err(_) => SignatureCheck::Invalid,
    }
}

fn verify_p256(message: &[u8], signature: &[u8], spki: &[u8]) -> SignatureCheck {
    use p256::ecdsa::{Signature, VerifyingKey};
    let Ok(key) = VerifyingKey::from_public_key_der(spki) else {
        return malformed("the key is not an ECDSA P-256 public key");
    };
    // A 64-byte string may in rare cases also be valid DER: try every reading.
    let candidates: Vec<Signature> = [
        Signature::from_der(signature).ok(),
        (signature.len() == 64)
            .then(|| Signature::from_slice(signature).ok())
            .flatten(),
    ]
    .into_iter()
    .flatten()
    .collect();
    if candidates.is_empty() {
        return malformed("the signature is neither DER nor raw 64-byte r||s for P-256");
    }
    if candidates.iter().any(|s| key.verify(message, s).is_ok()) {
        SignatureCheck::Valid
    } else {
        SignatureCheck::Invalid
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ed25519_dalek::pkcs8::spki::der::pem::LineEnding;
    use ed25519_dalek::pkcs8::EncodePublicKey;
    use ed25519_dalek::Signer as _;

    const MESSAGE: &[u8] = "{\"title\":\"Giải phóng mặt bằng\"}".as_bytes();

    /// Seeds of the keys of the certificate fixtures (made with `openssl req -x509`).
    const ED_SEED: [u8; 32] = [7; 32];
    const EC_SCALAR: [u8; 32] = [9; 32];
    const ED_CERT: &str = include_str!("../../tests/fixtures/sig-ed25519-cert.pem");
    const EC_CERT: &str = include_str!("../../tests/fixtures/sig-p256-cert.pem");
    /// Signatures of `MESSAGE` made by `openssl pkeyutl` / `openssl dgst -sha256 -sign`.
    const ED_OPENSSL_SIG: &str = include_str!("../../tests/fixtures/sig-ed25519-message.sig.b64");
    const EC_OPENSSL_SIG: &str = include_str!("../../tests/fixtures/sig-p256-message.sig.b64");

    fn ed_key() -> ed25519_dalek::SigningKey {
        ed25519_dalek::SigningKey::from_bytes(&ED_SEED)
    }

    fn ec_key() -> p256::ecdsa::SigningKey {
        p256::ecdsa::SigningKey::from_slice(&EC_SCALAR).unwrap()
    }

    fn ed_pem(key: &ed25519_dalek::SigningKey) -> String {
        key.verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap()
    }

    fn ec_pem(key: &p256::ecdsa::SigningKey) -> String {
        key.verifying_key()
            .to_public_key_pem(LineEnding::LF)
            .unwrap()
    }

    fn ed_sig(message: &[u8]) -> String {
        STANDARD.encode(ed_key().sign(message).to_bytes())
    }

    fn ec_sig_raw(message: &[u8]) -> String {
        let sig: p256::ecdsa::Signature = ec_key().sign(message);
        STANDARD.encode(sig.to_bytes())
    }

    fn ec_sig_der(message: &[u8]) -> String {
        let sig: p256::ecdsa::Signature = ec_key().sign(message);
        STANDARD.encode(sig.to_der().as_bytes())
    }

    #[test]
    fn check_table() {
        use SignatureAlgorithm::*;
        let ed = ed_pem(&ed_key());
        let ec = ec_pem(&ec_key());
        let other_ed = ed_pem(&ed25519_dalek::SigningKey::from_bytes(&[8; 32]));
        let other_ec = ec_pem(&p256::ecdsa::SigningKey::from_slice(&[10; 32]).unwrap());
        let tampered = b"{\"title\":\"Giai phong mat bang\"}";
        let no_pad = ed_sig(MESSAGE).trim_end_matches('=').to_string();
        let url_safe = URL_SAFE.encode(STANDARD.decode(ec_sig_der(MESSAGE)).unwrap());
        let cases: Vec<(SignatureAlgorithm, &[u8], String, &str, &str)> = vec![
            (Ed25519, MESSAGE, ed_sig(MESSAGE), &ed, "valid"),
            (Ed25519, MESSAGE, no_pad, &ed, "valid"),
            (Ed25519, tampered, ed_sig(MESSAGE), &ed, "invalid"),
            (Ed25519, MESSAGE, ed_sig(MESSAGE), &other_ed, "invalid"),
            (Ed25519, MESSAGE, ED_OPENSSL_SIG.to_string(), &ed, "valid"),
            (Ed25519, MESSAGE, ed_sig(MESSAGE), ED_CERT, "valid"),
            (Ed25519, tampered, ed_sig(MESSAGE), ED_CERT, "invalid"),
            (EcdsaP256Sha256, MESSAGE, ec_sig_raw(MESSAGE), &ec, "valid"),
            (EcdsaP256Sha256, MESSAGE, ec_sig_der(MESSAGE), &ec, "valid"),
            (EcdsaP256Sha256, MESSAGE, url_safe, &ec, "valid"),
            (
                EcdsaP256Sha256,
                tampered,
                ec_sig_raw(MESSAGE),
                &ec,
                "invalid",
            ),
            (
                EcdsaP256Sha256,
                tampered,
                ec_sig_der(MESSAGE),
                &ec,
                "invalid",
            ),
            (
                EcdsaP256Sha256,
                MESSAGE,
                ec_sig_der(MESSAGE),
                &other_ec,
                "invalid",
            ),
            (
                EcdsaP256Sha256,
                MESSAGE,
                EC_OPENSSL_SIG.to_string(),
                &ec,
                "valid",
            ),
            (
                EcdsaP256Sha256,
                MESSAGE,
                ec_sig_raw(MESSAGE),
                EC_CERT,
                "valid",
            ),
            (
                EcdsaP256Sha256,
                MESSAGE,
                EC_OPENSSL_SIG.to_string(),
                EC_CERT,
                "valid",
            ),
            (
                EcdsaP256Sha256,
                tampered,
                ec_sig_der(MESSAGE),
                EC_CERT,
                "invalid",
            ),
            // malformed keys
            (Ed25519, MESSAGE, ed_sig(MESSAGE), "not a key", "malformed"),
            (
                Ed25519,
                MESSAGE,
                ed_sig(MESSAGE),
                "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",
                "malformed",
            ),
            (
                Ed25519,
                MESSAGE,
                ed_sig(MESSAGE),
                "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
                "malformed",
            ),
            (
                Ed25519,
                MESSAGE,
                ed_sig(MESSAGE),
                "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
                "malformed",
            ),
            // key of the other algorithm
            (Ed25519, MESSAGE, ed_sig(MESSAGE), &ec, "malformed"),
            (
                EcdsaP256Sha256,
                MESSAGE,
                ec_sig_raw(MESSAGE),
                ED_CERT,
                "malformed",
            ),
            // malformed signatures
            (Ed25519, MESSAGE, "***".to_string(), &ed, "malformed"),
            (
                Ed25519,
                MESSAGE,
                STANDARD.encode([0u8; 63]),
                &ed,
                "malformed",
            ),
            (
                EcdsaP256Sha256,
                MESSAGE,
                STANDARD.encode([1u8; 10]),
                &ec,
                "malformed",
            ),
            (
                EcdsaP256Sha256,
                MESSAGE,
                STANDARD.encode([0u8; 64]),
                &ec,
                "malformed",
            ),
        ];
        for (i, (algorithm, message, signature, key, expected)) in cases.into_iter().enumerate() {
            let check = verify(algorithm, message, &signature, key);
            assert_eq!(check.code(), expected, "case {i}: {check:?}");
        }
    }

    #[test]
    fn malformed_says_why() {
        let check = verify(SignatureAlgorithm::Ed25519, MESSAGE, "AAAA", "garbage");
        let SignatureCheck::Malformed(why) = check else {
            panic!("expected malformed, got {check:?}");
        };
        assert!(why.contains("PEM"), "{why}");
    }

    #[test]
    fn codes_round_trip() {
        for a in SignatureAlgorithm::ALL {
            assert_eq!(SignatureAlgorithm::parse(a.as_str()), Some(*a));
        }
        assert_eq!(SignatureCheck::Invalid.code(), "invalid");
    }
}
