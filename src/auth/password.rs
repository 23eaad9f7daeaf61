//! Argon2id hashing of passwords and client secrets.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;

/// Hashes `secret` into a PHC string (argon2id, the crate's recommended parameters).
pub fn hash(secret: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(secret.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing failed: {e}"))
}

/// Whether `secret` matches the PHC string `phc`; `None` runs a dummy check of the same cost
/// so that unknown accounts take as long as known ones.
pub fn verify(secret: &str, phc: Option<&str>) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash("dummy-password-for-timing").unwrap_or_default());
    let target = phc.unwrap_or(dummy);
    let ok = PasswordHash::new(target)
        .map(|parsed| {
            Argon2::default()
                .verify_password(secret.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false);
    ok && phc.is_some()
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashes_verify_and_differ_by_salt() {
        let a = super::hash("Mật khẩu 2026").unwrap();
        let b = super::hash("Mật khẩu 2026").unwrap();
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b);
        assert!(super::verify("Mật khẩu 2026", Some(&a)));
        assert!(!super::verify("mat khau 2026", Some(&a)));
        assert!(!super::verify("anything", None));
    }
}
