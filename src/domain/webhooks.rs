//! Webhooks as Standard Webhooks 1.0 defines them: the `whsec_` secret, the signature of
//! `id.timestamp.body`, the back-off of retries, which target addresses are refused, and when
//! a failing endpoint is disabled.

use std::net::IpAddr;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::events::TYPE_PREFIX;
use super::Violation;

crate::vocab_enum!(
    /// Whether a subscription receives deliveries.
    SubscriptionStatus, "webhook_subscription_status" {
        Active => ("active", "Đang nhận", "Active"),
        Disabled => ("disabled", "Đã tắt", "Disabled"),
    }
);

crate::vocab_enum!(
    /// Where a delivery stands.
    DeliveryStatus, "webhook_delivery_status" {
        Pending => ("pending", "Đang chờ gửi", "Pending"),
        Delivered => ("delivered", "Đã gửi", "Delivered"),
        Dead => ("dead", "Đã ngừng gửi", "Dead-lettered"),
    }
);

/// The prefix of a Standard Webhooks secret.
pub const SECRET_PREFIX: &str = "whsec_";

/// Length of a new secret's key, in bytes (Standard Webhooks: 24 to 64).
pub const SECRET_BYTES: usize = 32;

/// The secret of `key` as its owner receives it: `whsec_` and the key in base64.
pub fn secret_of(key: &[u8]) -> String {
    format!("{SECRET_PREFIX}{}", BASE64.encode(key))
}

/// The key of a `whsec_` secret.
pub fn key_of(secret: &str) -> Option<Vec<u8>> {
    BASE64
        .decode(secret.strip_prefix(SECRET_PREFIX)?)
        .ok()
        .filter(|k| !k.is_empty())
}

/// The `webhook-signature` header: one `v1,<base64 HMAC-SHA256 of id.timestamp.body>` per
/// key, space separated (several while a rotated secret overlaps the new one).
pub fn signature(keys: &[Vec<u8>], id: &str, timestamp: i64, body: &[u8]) -> String {
    keys.iter()
        // HMAC takes a key of any length, so no key is refused.
        .filter_map(|key| Hmac::<Sha256>::new_from_slice(key).ok())
        .map(|mut mac| {
            mac.update(id.as_bytes());
            mac.update(b".");
            mac.update(timestamp.to_string().as_bytes());
            mac.update(b".");
            mac.update(body);
            format!("v1,{}", BASE64.encode(mac.finalize().into_bytes()))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// How long to wait after the n-th failed attempt (n from 1) before the next one; after the
/// last, the delivery is dead-lettered. In all 31 h 35 min (more than 25 h even when the
/// jitter shortens every wait): an endpoint gets more than a day to come back.
pub const RETRY_SCHEDULE: [Duration; 7] = [
    Duration::from_secs(5),
    Duration::from_secs(5 * 60),
    Duration::from_secs(30 * 60),
    Duration::from_secs(2 * 3600),
    Duration::from_secs(5 * 3600),
    Duration::from_secs(10 * 3600),
    Duration::from_secs(14 * 3600),
];

/// The wait after `failed` consecutive failed attempts (from 1), or `None` when the delivery
/// is to be dead-lettered. `jitter` in [-1, 1] moves it by up to a fifth either way (so that
/// deliveries failing together do not all come back together); `scale` shortens the whole
/// schedule (1 in production; tests and staging use less).
pub fn retry_delay(failed: usize, jitter: f64, scale: f64) -> Option<Duration> {
    let base = RETRY_SCHEDULE.get(failed.checked_sub(1)?)?;
    Some(base.mul_f64(scale * (1.0 + 0.2 * jitter.clamp(-1.0, 1.0))))
}

/// What an attempt's answer means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// 2xx: delivered.
    Accepted,
    /// 410 Gone: the receiver asks never to be called again.
    Gone,
    /// Anything else (including no answer): try again later.
    Failed,
}

/// The meaning of an HTTP status of a delivery attempt (`None`: no answer in time).
pub fn answer(status: Option<u16>) -> Answer {
    match status {
        Some(200..=299) => Answer::Accepted,
        Some(410) => Answer::Gone,
        _ => Answer::Failed,
    }
}

/// Why an endpoint is disabled after an attempt, if it is: it answered 410 Gone, or a delivery
/// was dead-lettered while every attempt since `failing_since` failed (more than a day of
/// failures at the production schedule).
pub fn disable_reason(
    answer: Answer,
    dead_lettered: bool,
    failing_since: Option<chrono::DateTime<chrono::Utc>>,
    last_problem: &str,
) -> Option<String> {
    match (answer, dead_lettered, failing_since) {
        (Answer::Gone, _, _) => Some("the endpoint answered 410 Gone".to_owned()),
        (Answer::Failed, true, Some(since)) => Some(format!(
            "every delivery attempt since {} failed (last: {last_problem})",
            since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        )),
        _ => None,
    }
}

/// Whether `ip` is in a private, loopback, link-local, shared, documentation, multicast or
/// unspecified range: no webhook is sent there unless its host is on the allow-list.
pub fn is_internal(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b)) // shared address space (CGNAT)
                || (a == 198 && (b == 18 || b == 19)) // benchmarking
                || a >= 240
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_internal(IpAddr::V4(v4));
            }
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || v6.is_unique_local()
                || v6.is_unicast_link_local()
                || v6.segments()[0] == 0x2001 && v6.segments()[1] == 0x0db8 // documentation
        }
    }
}

/// Whether `host` (as in the URL, lower case, without brackets) is on the allow-list.
pub fn allowed(host: &str, allow_list: &[String]) -> bool {
    allow_list
        .iter()
        .any(|a| a.trim().trim_matches(['[', ']']).eq_ignore_ascii_case(host))
}

fn url_violation(en: &str, vi: &str) -> Violation {
    Violation::new("url", "webhook_url", en, vi)
}

/// The rule of a target URL before any address is looked up: absolute `https` (or `http` to
/// an allow-listed host), no user name or password, no fragment, an IP literal only when it is
/// public or allow-listed.
pub fn check_url(url: &url::Url, allow_list: &[String]) -> Result<(), Violation> {
    let host = url
        .host_str()
        .map(|h| h.trim_matches(['[', ']']).to_ascii_lowercase())
        .ok_or_else(|| url_violation("the URL has no host", "địa chỉ không có máy chủ"))?;
    let listed = allowed(&host, allow_list);
    match url.scheme() {
        "https" => {}
        "http" if listed => {}
        "http" => {
            return Err(url_violation(
                "must be https (http only for a host on the allow-list)",
                "phải dùng https (http chỉ cho máy chủ trong danh sách cho phép)",
            ))
        }
        _ => {
            return Err(url_violation(
                "must be an https URL",
                "phải là địa chỉ https",
            ))
        }
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(url_violation(
            "must not carry a user name or password",
            "không được chứa tên đăng nhập hay mật khẩu",
        ));
    }
    if url.fragment().is_some() {
        return Err(url_violation(
            "must not have a fragment",
            "không được có phần #",
        ));
    }
    if let Ok(ip) = host.parse::<IpAddr>() {
        if !listed && is_internal(ip) {
            return Err(refused_address(ip));
        }
    }
    Ok(())
}

/// The violation of a target whose host resolves to an internal address.
pub fn refused_address(ip: IpAddr) -> Violation {
    url_violation(
        &format!("{ip} is a private, loopback or link-local address; only hosts on the allow-list may be such"),
        &format!("{ip} là địa chỉ nội bộ (riêng, loopback hoặc link-local); chỉ máy chủ trong danh sách cho phép mới được dùng"),
    )
}

/// The rule of an event type filter: a type of this service (`vn.gov.cadre.round.issued`).
pub fn check_event_type(t: &str, field: &str) -> Result<(), Violation> {
    let rest = t.strip_prefix(TYPE_PREFIX).unwrap_or("");
    let well_formed = !rest.is_empty()
        && t.len() <= 100
        && rest.contains('.')
        && rest
            .split('.')
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
    if well_formed {
        Ok(())
    } else {
        Err(Violation::new(
            field,
            "event_type",
            format!("not an event type of this service (like {TYPE_PREFIX}round.issued)"),
            format!("không phải loại sự kiện của hệ thống (ví dụ {TYPE_PREFIX}round.issued)"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_as_standard_webhooks_does() {
        // The example of the Standard Webhooks specification's reference libraries.
        let key = key_of("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let sig = signature(
            &[key],
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn signs_with_every_overlapping_key() {
        let sig = signature(&[vec![1; 32], vec![2; 32]], "m", 1, b"{}");
        let parts: Vec<&str> = sig.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert!(parts.iter().all(|p| p.starts_with("v1,")));
        assert_ne!(parts[0], parts[1]);
    }

    #[test]
    fn secrets_round_trip() {
        let s = secret_of(&[7; SECRET_BYTES]);
        assert!(s.starts_with("whsec_"));
        assert_eq!(key_of(&s).unwrap(), vec![7; SECRET_BYTES]);
        assert_eq!(key_of("whsec_"), None);
        assert_eq!(key_of("abc"), None);
        assert_eq!(key_of("whsec_!!"), None);
    }

    #[test]
    fn retries_for_more_than_a_day_then_stop() {
        let total: Duration = (1..=RETRY_SCHEDULE.len())
            .map(|n| retry_delay(n, -1.0, 1.0).unwrap())
            .sum();
        assert!(total > Duration::from_secs(24 * 3600), "{total:?}");
        assert_eq!(retry_delay(RETRY_SCHEDULE.len() + 1, 0.0, 1.0), None);
        assert_eq!(retry_delay(0, 0.0, 1.0), None);
        // Exponential-ish growth and bounded jitter.
        assert!(retry_delay(2, 0.0, 1.0) > retry_delay(1, 0.0, 1.0));
        assert_eq!(retry_delay(1, 1.0, 1.0), Some(Duration::from_secs(6)));
        assert_eq!(retry_delay(1, -5.0, 1.0), Some(Duration::from_secs(4)));
        assert_eq!(retry_delay(1, 0.0, 0.001), Some(Duration::from_millis(5)));
    }

    #[test]
    fn reads_answers() {
        assert_eq!(answer(Some(204)), Answer::Accepted);
        assert_eq!(answer(Some(410)), Answer::Gone);
        assert_eq!(answer(Some(500)), Answer::Failed);
        assert_eq!(answer(Some(301)), Answer::Failed);
        assert_eq!(answer(None), Answer::Failed);
    }

    #[test]
    fn disables_on_gone_or_a_dead_letter_after_only_failures() {
        let since = chrono::Utc::now();
        assert!(disable_reason(Answer::Gone, false, None, "").is_some());
        assert!(
            disable_reason(Answer::Failed, true, Some(since), "HTTP 500")
                .unwrap()
                .contains("HTTP 500")
        );
        assert_eq!(disable_reason(Answer::Failed, false, Some(since), ""), None);
        assert_eq!(disable_reason(Answer::Failed, true, None, ""), None);
        assert_eq!(disable_reason(Answer::Accepted, false, None, ""), None);
    }

    #[test]
    fn knows_internal_addresses() {
        for ip in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "127.0.0.1",
            "169.254.169.254",
            "0.0.0.0",
            "100.64.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "::1",
            "::",
            "fc00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(is_internal(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["203.162.4.190", "8.8.8.8", "2001:4860:4860::8888"] {
            assert!(!is_internal(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn checks_urls() {
        let allow = vec!["127.0.0.1".to_owned(), "hooks.internal".to_owned()];
        let ok = |u: &str| check_url(&url::Url::parse(u).unwrap(), &allow);
        assert!(ok("https://portal.example.gov.vn/hooks").is_ok());
        assert!(ok("http://127.0.0.1:8080/x").is_ok());
        assert!(ok("http://hooks.internal/x").is_ok());
        assert!(ok("http://portal.example.gov.vn/hooks").is_err());
        assert!(ok("https://10.0.0.5/x").is_err());
        assert!(ok("https://[::1]/x").is_err());
        assert!(ok("https://169.254.169.254/latest").is_err());
        assert!(ok("ftp://portal.example.gov.vn/").is_err());
        assert!(ok("https://user:pw@portal.example.gov.vn/").is_err());
        assert!(ok("https://portal.example.gov.vn/#x").is_err());
        assert!(check_url(&url::Url::parse("http://127.0.0.1/").unwrap(), &[]).is_err());
    }

    #[test]
    fn checks_event_types() {
        assert!(check_event_type("vn.gov.cadre.round.issued", "t").is_ok());
        assert!(check_event_type("vn.gov.cadre.evaluation.self_assessed", "t").is_ok());
        for bad in [
            "round.issued",
            "vn.gov.cadre.",
            "vn.gov.cadre.round",
            "vn.gov.cadre.Round.x",
            "vn.gov.cadre.a..b",
        ] {
            assert!(check_event_type(bad, "t").is_err(), "{bad}");
        }
    }
}
