//! Bearer tokens: HS256 tokens this service issues, and RS256/ES256 tokens of an external
//! identity provider verified against its JWKS. Anything else (including `alg: none`) is refused.

use std::collections::HashSet;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use anyhow::{Context, Result};
use jsonwebtoken::jwk::{AlgorithmParameters, EllipticCurve, JwkSet};
use jsonwebtoken::{
    decode, decode_header, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Claims of an access token.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    /// The account id (local tokens) or the identity provider's subject.
    pub sub: String,
    /// Issuer.
    pub iss: String,
    /// Audience.
    pub aud: String,
    /// Expiry (seconds since the epoch).
    pub exp: i64,
    /// Not before.
    pub nbf: i64,
    /// Issued at.
    pub iat: i64,
    /// Token id.
    pub jti: String,
    /// The account's token epoch when the token was issued (tokens this service issues; one
    /// issued before epochs existed reads as epoch 0). Always `None` for tokens of the external
    /// identity provider, whatever they carry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub epoch: Option<i64>,
}

/// How far in the future an `iat` may lie (clock skew between replicas and the identity
/// provider).
pub const IAT_LEEWAY_SECS: i64 = 60;

/// Why a token was refused: logged, never told to the caller (every refusal answers the same
/// 401 "invalid token").
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Header or payload unreadable, or a disallowed algorithm.
    #[error("malformed token or disallowed algorithm")]
    Malformed,
    /// No key matches the token.
    #[error("no key known for this token")]
    UnknownKey,
    /// Signature, expiry, issuer, audience or not-before check failed.
    #[error("token rejected: {0}")]
    Rejected(String),
    /// The header names critical extensions (`crit`, RFC 7515 §4.1.11); none is understood.
    #[error("critical header extensions are not understood")]
    CriticalExtension,
    /// Issued in the future, beyond [`IAT_LEEWAY_SECS`].
    #[error("issued in the future")]
    IssuedInFuture,
    /// Lives longer than this service's access tokens (`exp - iat` above the lifetime).
    #[error("lifetime longer than allowed")]
    TooLong,
}

/// Checks the times of verified `claims` at `now` (seconds since the epoch): `iat` no later
/// than [`IAT_LEEWAY_SECS`] ahead, and, when `max_lifetime` is given, `exp - iat` within it.
pub fn check_times(claims: &Claims, now: i64, max_lifetime: Option<u64>) -> Result<(), TokenError> {
    if claims.iat > now + IAT_LEEWAY_SECS {
        return Err(TokenError::IssuedInFuture);
    }
    match max_lifetime {
        Some(max) if claims.exp.saturating_sub(claims.iat) > max as i64 => Err(TokenError::TooLong),
        _ => Ok(()),
    }
}

/// Whether the JOSE header of `token` has a `crit` member. This service understands no
/// extension, so any is refused (RFC 7515 §4.1.11); `jsonwebtoken` would ignore it.
fn has_critical_extensions(token: &str) -> Result<bool, TokenError> {
    use base64::Engine;
    let head = token.split('.').next().unwrap_or_default();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(head.trim_end_matches('='))
        .map_err(|_| TokenError::Malformed)?;
    let header: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed)?;
    Ok(header.contains_key("crit"))
}

struct ExternalKey {
    kid: Option<String>,
    alg: Algorithm,
    key: DecodingKey,
}

/// Keys and rules for issuing and verifying tokens.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    issuer: String,
    audience: String,
    ttl: Duration,
    external_issuer: String,
    external: RwLock<Vec<ExternalKey>>,
}

impl TokenKeys {
    /// Keys for HS256 tokens signed with `secret`.
    pub fn new(
        secret: &[u8],
        issuer: &str,
        audience: &str,
        ttl: Duration,
        external_issuer: Option<&str>,
    ) -> Self {
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            issuer: issuer.to_owned(),
            audience: audience.to_owned(),
            ttl,
            external_issuer: external_issuer.unwrap_or(issuer).to_owned(),
            external: RwLock::new(Vec::new()),
        }
    }

    /// Lifetime of issued tokens.
    pub fn ttl(&self) -> Duration {
        self.ttl
    }

    /// Replaces the external identity provider's keys with those of `jwks` (JSON text).
    /// Keys of other types (or curves other than P-256) are skipped.
    pub fn load_jwks(&self, jwks: &str) -> Result<usize> {
        let set: JwkSet = serde_json::from_str(jwks).context("parsing JWKS")?;
        let keys: Vec<ExternalKey> = set
            .keys
            .iter()
            .filter_map(|jwk| {
                let alg = match &jwk.algorithm {
                    AlgorithmParameters::RSA(_) => Algorithm::RS256,
                    AlgorithmParameters::EllipticCurve(ec) if ec.curve == EllipticCurve::P256 => {
                        Algorithm::ES256
                    }
                    _ => return None,
                };
                let key = DecodingKey::from_jwk(jwk).ok()?;
                Some(ExternalKey {
                    kid: jwk.common.key_id.clone(),
                    alg,
                    key,
                })
            })
            .collect();
        let n = keys.len();
        *self.external.write().unwrap_or_else(|e| e.into_inner()) = keys;
        Ok(n)
    }

    /// Issues an access token for `account_id`, under its current token `epoch`.
    pub fn issue(&self, account_id: Uuid, epoch: i64) -> Result<String> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: account_id.to_string(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            exp: now + self.ttl.as_secs() as i64,
            nbf: now,
            iat: now,
            jti: Uuid::now_v7().to_string(),
            epoch: Some(epoch),
        };
        Ok(encode(
            &Header::new(Algorithm::HS256),
            &claims,
            &self.encoding,
        )?)
    }

    fn validation(&self, alg: Algorithm, issuer: &str) -> Validation {
        let mut v = Validation::new(alg);
        v.set_issuer(&[issuer]);
        v.set_audience(&[&self.audience]);
        v.validate_nbf = true;
        v.leeway = 30;
        // `iat` is required too: `Claims` cannot be read without it.
        v.required_spec_claims = HashSet::from(["exp", "iss", "aud", "sub"].map(String::from));
        v
    }

    /// Verifies `token` and returns its claims: signature, issuer, audience, expiry and
    /// not-before, no critical header extension, `iat` present and not in the future; a token
    /// of this service also lives no longer than [`Self::ttl`] (`exp - iat`).
    pub fn verify(&self, token: &str) -> Result<Claims, TokenError> {
        let header = decode_header(token).map_err(|_| TokenError::Malformed)?;
        if has_critical_extensions(token)? {
            return Err(TokenError::CriticalExtension);
        }
        let now = chrono::Utc::now().timestamp();
        let claims = self.verify_signed(token, header)?;
        let local = claims.epoch.is_some();
        check_times(&claims, now, local.then_some(self.ttl.as_secs()))?;
        Ok(claims)
    }

    /// The claims of a token whose signature and registered claims check out; `epoch` is
    /// `Some` exactly for tokens of this service (0 when absent), `None` for the identity
    /// provider's.
    fn verify_signed(&self, token: &str, header: Header) -> Result<Claims, TokenError> {
        let reject = |e: jsonwebtoken::errors::Error| TokenError::Rejected(e.to_string());
        match header.alg {
            Algorithm::HS256 => decode::<Claims>(
                token,
                &self.decoding,
                &self.validation(Algorithm::HS256, &self.issuer),
            )
            .map(|d| Claims {
                epoch: Some(d.claims.epoch.unwrap_or(0)),
                ..d.claims
            })
            .map_err(reject),
            alg @ (Algorithm::RS256 | Algorithm::ES256) => {
                let keys = self.external.read().unwrap_or_else(|e| e.into_inner());
                let candidates: Vec<&ExternalKey> = keys
                    .iter()
                    .filter(|k| k.alg == alg && (header.kid.is_none() || k.kid == header.kid))
                    .collect();
                if candidates.is_empty() {
                    return Err(TokenError::UnknownKey);
                }
                let validation = self.validation(alg, &self.external_issuer);
                let mut last = TokenError::UnknownKey;
                for k in candidates {
                    match decode::<Claims>(token, &k.key, &validation) {
                        Ok(d) => {
                            return Ok(Claims {
                                epoch: None,
                                ..d.claims
                            })
                        }
                        Err(e) => last = reject(e),
                    }
                }
                Err(last)
            }
            _ => Err(TokenError::Malformed),
        }
    }
}

/// Loads the configured JWKS file, and keeps the JWKS URL's keys fresh in the background.
pub async fn load_external_keys(
    keys: &Arc<TokenKeys>,
    file: Option<&std::path::Path>,
    url: Option<&str>,
) -> Result<()> {
    if let Some(file) = file {
        let text =
            std::fs::read_to_string(file).with_context(|| format!("reading {}", file.display()))?;
        let n = keys.load_jwks(&text)?;
        tracing::info!(keys = n, file = %file.display(), "JWKS loaded");
    }
    if let Some(url) = url {
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()?;
        let fetch = |client: reqwest::Client, url: String, keys: Arc<TokenKeys>| async move {
            let text = client
                .get(&url)
                .send()
                .await?
                .error_for_status()?
                .text()
                .await?;
            keys.load_jwks(&text)
        };
        let n = fetch(client.clone(), url.to_owned(), keys.clone())
            .await
            .context("fetching JWKS")?;
        tracing::info!(keys = n, url, "JWKS loaded");
        let (keys, url) = (keys.clone(), url.to_owned());
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_secs(600));
            tick.tick().await;
            loop {
                tick.tick().await;
                if let Err(e) = fetch(client.clone(), url.clone(), keys.clone()).await {
                    tracing::warn!(error = %e, "JWKS refresh failed; keeping the previous keys");
                }
            }
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn keys() -> TokenKeys {
        TokenKeys::new(
            b"0123456789abcdef0123456789abcdef",
            "iss-a",
            "aud-a",
            Duration::from_secs(60),
            None,
        )
    }

    #[test]
    fn issued_tokens_verify() {
        let k = keys();
        let id = Uuid::now_v7();
        let claims = k.verify(&k.issue(id, 3).unwrap()).unwrap();
        assert_eq!(claims.sub, id.to_string());
        assert_eq!(claims.epoch, Some(3));
    }

    /// An HS256 token signed with the keys' secret from `claims` and extra `header` members.
    fn signed(header: serde_json::Value, claims: serde_json::Value) -> String {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut h = serde_json::json!({"alg": "HS256", "typ": "JWT"});
        h.as_object_mut()
            .unwrap()
            .extend(header.as_object().unwrap().clone());
        let input = format!(
            "{}.{}",
            b64.encode(h.to_string()),
            b64.encode(claims.to_string())
        );
        let signature = jsonwebtoken::crypto::sign(
            input.as_bytes(),
            &EncodingKey::from_secret(b"0123456789abcdef0123456789abcdef"),
            Algorithm::HS256,
        )
        .unwrap();
        format!("{input}.{signature}")
    }

    fn claims_at(iat: i64, exp: i64) -> serde_json::Value {
        serde_json::json!({"sub": Uuid::now_v7().to_string(), "iss": "iss-a", "aud": "aud-a",
            "iat": iat, "nbf": iat.min(chrono::Utc::now().timestamp()), "exp": exp, "jti": "j"})
    }

    #[test]
    fn a_token_without_epoch_reads_as_epoch_zero() {
        let now = chrono::Utc::now().timestamp();
        let claims = keys()
            .verify(&signed(serde_json::json!({}), claims_at(now, now + 60)))
            .unwrap();
        assert_eq!(claims.epoch, Some(0));
    }

    #[test]
    fn critical_extensions_are_refused() {
        let now = chrono::Utc::now().timestamp();
        let token = signed(
            serde_json::json!({"crit": ["exp"], "exp": 1}),
            claims_at(now, now + 60),
        );
        assert!(matches!(
            keys().verify(&token),
            Err(TokenError::CriticalExtension)
        ));
    }

    #[test]
    fn future_iat_too_long_a_life_and_missing_iat_are_refused() {
        let k = keys();
        let now = chrono::Utc::now().timestamp();
        let future = signed(serde_json::json!({}), claims_at(now + 3600, now + 3650));
        assert!(matches!(k.verify(&future), Err(TokenError::IssuedInFuture)));
        // Within the leeway.
        let skewed = signed(serde_json::json!({}), claims_at(now + 30, now + 80));
        assert!(k.verify(&skewed).is_ok());
        let long = signed(serde_json::json!({}), claims_at(now, now + 61));
        assert!(matches!(k.verify(&long), Err(TokenError::TooLong)));
        let mut no_iat = claims_at(now, now + 60);
        no_iat.as_object_mut().unwrap().remove("iat");
        let no_iat = signed(serde_json::json!({}), no_iat);
        assert!(matches!(k.verify(&no_iat), Err(TokenError::Rejected(_))));
    }

    #[test]
    fn times_are_checked_against_now_and_the_lifetime() {
        let c = |iat, exp| Claims {
            sub: "s".into(),
            iss: "i".into(),
            aud: "a".into(),
            exp,
            nbf: iat,
            iat,
            jti: "j".into(),
            epoch: None,
        };
        assert!(check_times(&c(1000, 1900), 1000, Some(900)).is_ok());
        assert!(check_times(&c(1060, 1960), 1000, Some(900)).is_ok());
        assert!(matches!(
            check_times(&c(1061, 1100), 1000, Some(900)),
            Err(TokenError::IssuedInFuture)
        ));
        assert!(matches!(
            check_times(&c(1000, 1901), 1000, Some(900)),
            Err(TokenError::TooLong)
        ));
        // The identity provider's lifetimes are its own.
        assert!(check_times(&c(1000, 90_000), 1000, None).is_ok());
    }

    #[test]
    fn alg_none_and_tampering_are_refused() {
        let k = keys();
        let token = k.issue(Uuid::now_v7(), 0).unwrap();
        let parts: Vec<&str> = token.split('.').collect();
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let none = b64.encode(br#"{"alg":"none","typ":"JWT"}"#);
        assert!(k.verify(&format!("{none}.{}.", parts[1])).is_err());
        let mut payload: serde_json::Value =
            serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
        payload["sub"] = serde_json::json!(Uuid::now_v7().to_string());
        let forged = format!(
            "{}.{}.{}",
            parts[0],
            b64.encode(payload.to_string()),
            parts[2]
        );
        assert!(matches!(k.verify(&forged), Err(TokenError::Rejected(_))));
    }

    #[test]
    fn rs256_without_jwks_is_unknown_key() {
        let k = keys();
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = b64.encode(br#"{"alg":"RS256","typ":"JWT"}"#);
        assert!(matches!(
            k.verify(&format!("{header}.e30.c2ln")),
            Err(TokenError::UnknownKey)
        ));
    }
}
