//! Canonical JSON (RFC 8785, JSON Canonicalization Scheme) and its SHA-256, used to fix the
//! terms of an assignment so that a signature or a hash covers exactly one byte string.
//!
//! Numbers follow JCS: every number is taken as an IEEE 754 double and printed as ECMAScript's
//! `Number.prototype.toString` would (shortest round-trip digits, exponent form from `1e21`
//! and below `1e-6`, `-0` as `0`). Integers held by `serde_json` as `i64`/`u64` print as
//! written when they are exactly representable (magnitude up to 2^53) and otherwise as the
//! double they round to, as JCS prescribes. Callers that need exact decimals beyond a double's
//! precision store them as strings.
//!
//! Parsing must be exact too: serde_json's default float parser may land one ulp off, so the
//! crate enables serde_json's `float_roundtrip` feature (the RFC example test checks it).

use std::fmt::Write;

use serde_json::{Map, Number, Value};
use sha2::{Digest, Sha256};

/// Largest integer magnitude a double holds exactly.
const MAX_EXACT: u64 = 1 << 53;

/// The canonical (RFC 8785) serialisation of `value`.
pub fn canonical_json(value: &Value) -> String {
    let mut out = String::new();
    write_value(value, &mut out);
    out
}

/// Lower-case hex SHA-256 of `bytes`.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// Lower-case hex SHA-256 of the canonical JSON of `value`.
pub fn terms_hash(value: &Value) -> String {
    sha256_hex(canonical_json(value).as_bytes())
}

fn write_value(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => write_number(n, out),
        Value::String(s) => write_string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => write_object(map, out),
    }
}

fn write_object(map: &Map<String, Value>, out: &mut String) {
    let mut entries: Vec<_> = map.iter().collect();
    entries.sort_by(|(a, _), (b, _)| a.encode_utf16().cmp(b.encode_utf16()));
    out.push('{');
    for (i, (key, item)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        write_string(key, out);
        out.push(':');
        write_value(item, out);
    }
    out.push('}');
}

fn write_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c < ' ' => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write_number(n: &Number, out: &mut String) {
    if let Some(u) = n.as_u64() {
        if u <= MAX_EXACT {
            let _ = write!(out, "{u}");
            return;
        }
    } else if let Some(i) = n.as_i64() {
        if i.unsigned_abs() <= MAX_EXACT {
            let _ = write!(out, "{i}");
            return;
        }
    }
    // serde_json numbers are always finite, so `as_f64` cannot fail without
    // `arbitrary_precision`; 0.0 is never reached in practice.
    out.push_str(&es_number(n.as_f64().unwrap_or(0.0)));
}

/// ECMAScript `Number.prototype.toString` of a finite double (RFC 8785 § 3.2.2.3).
pub fn es_number(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        // -0 prints as 0; non-finite numbers cannot occur in JSON.
        return "0".to_string();
    }
    // Rust's `{:e}` gives the shortest round-trip digits, e.g. `-1.2345e-7`.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let digits = tie_to_even(digits, exp, x.abs());
    let k = digits.len() as i32;
    let n = exp + 1;
    let mut out = String::new();
    if x < 0.0 {
        out.push('-');
    }
    if k <= n && n <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        out.push_str(&digits[..n as usize]);
        out.push('.');
        out.push_str(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-n) as usize));
        out.push_str(&digits);
    } else {
        out.push_str(&digits[..1]);
        if k > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        let e = n - 1;
        let _ = write!(out, "e{}{}", if e < 0 { '-' } else { '+' }, e.abs());
    }
    out
}

/// ECMAScript picks, among shortest digit strings equally close to `x`, the even one; Rust's
/// shortest formatting rounds such ties up. `x` is a tie when its exact decimal expansion has
/// exactly one digit more than the shortest form, and that digit is 5.
fn tie_to_even(digits: String, exp: i32, x: f64) -> String {
    let exact = format!("{x:.800e}");
    let (mantissa, exact_exp) = exact.split_once('e').unwrap_or((&exact, "0"));
    let k = digits.len();
    let exact_digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let exact_digits = exact_digits.trim_end_matches('0');
    if exact_exp.parse() != Ok(exp) || exact_digits.len() != k + 1 || !exact_digits.ends_with('5') {
        return digits;
    }
    let down = &exact_digits[..k];
    let Some(up) = increment(down) else {
        return digits;
    };
    let even = if down.ends_with(['0', '2', '4', '6', '8']) {
        down.to_string()
    } else {
        up
    };
    let parsed: Option<f64> = format!("{}.{}e{exp}", &even[..1], &even[1..]).parse().ok();
    if parsed == Some(x) {
        even
    } else {
        digits
    }
}

/// The decimal digit string `digits` plus one in its last place, if it keeps its length.
fn increment(digits: &str) -> Option<String> {
    let mut bytes = digits.as_bytes().to_vec();
    for b in bytes.iter_mut().rev() {
        if *b == b'9' {
            *b = b'0';
        } else {
            *b += 1;
            return String::from_utf8(bytes).ok();
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rfc8785_number_vectors() {
        // RFC 8785 Appendix B.
        let cases = [
            (0x0000000000000000_u64, "0"),
            (0x8000000000000000, "0"),
            (0x0000000000000001, "5e-324"),
            (0x8000000000000001, "-5e-324"),
            (0x7fefffffffffffff, "1.7976931348623157e+308"),
            (0xffefffffffffffff, "-1.7976931348623157e+308"),
            (0x4340000000000000, "9007199254740992"),
            (0xc340000000000000, "-9007199254740992"),
            (0x4430000000000000, "295147905179352830000"),
            (0x44b52d02c7e14af5, "9.999999999999997e+22"),
            (0x44b52d02c7e14af6, "1e+23"),
            (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
            (0x444b1ae4d6e2ef4e, "999999999999999700000"),
            (0x444b1ae4d6e2ef4f, "999999999999999900000"),
            (0x444b1ae4d6e2ef50, "1e+21"),
            (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
            (0x3eb0c6f7a0b5ed8d, "0.000001"),
            (0x41b3de4355555553, "333333333.3333332"),
            (0x41b3de4355555554, "333333333.33333325"),
            (0x41b3de4355555555, "333333333.3333333"),
            (0x41b3de4355555556, "333333333.3333334"),
            (0x41b3de4355555557, "333333333.33333343"),
            (0xbecbf647612f3696, "-0.0000033333333333333333"),
            (0x43143ff3c1cb0959, "1424953923781206.2"),
        ];
        for (bits, expected) in cases {
            let x = f64::from_bits(bits);
            assert_eq!(es_number(x), expected, "{bits:#x}");
            assert_eq!(
                canonical_json(&json!(x)),
                expected,
                "{bits:#x} through serde_json"
            );
        }
    }

    #[test]
    fn integers_and_small_numbers() {
        let cases = [
            (json!(0), "0"),
            (json!(-1), "-1"),
            (json!(12_000_000), "12000000"),
            (json!(1.0), "1"),
            (json!(-2.5), "-2.5"),
            (json!(0.1), "0.1"),
            (json!(8.0e-7), "8e-7"),
            (json!(1e21), "1e+21"),
            (json!(1e20), "100000000000000000000"),
            (json!(9_007_199_254_740_993_u64), "9007199254740992"),
            (json!(-9_007_199_254_740_993_i64), "-9007199254740992"),
            (json!(u64::MAX), "18446744073709552000"),
        ];
        for (value, expected) in cases {
            assert_eq!(canonical_json(&value), expected, "{value}");
        }
    }

    #[test]
    fn rfc8785_main_example() {
        // RFC 8785 § 3.2.2, parsed from its JSON text. Needs serde_json's `float_roundtrip`
        // feature: without it 333333333.33333329 parses one ulp off (to ...33325).
        let input = r#"{
            "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
            "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
            "literals": [null, true, false]
        }"#;
        let value: Value = serde_json::from_str(input).unwrap();
        assert_eq!(
            canonical_json(&value),
            r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        );
    }

    #[test]
    fn keys_sort_by_utf16_code_units() {
        // RFC 8785 § 3.2.3.
        let value = json!({
            "\u{20ac}": "Euro Sign",
            "\r": "Carriage Return",
            "\u{fb33}": "Hebrew Letter Dalet With Dagesh",
            "1": "One",
            "\u{1f600}": "Emoji: Grinning Face",
            "\u{80}": "Control",
            "\u{f6}": "Latin Small Letter O With Diaeresis"
        });
        let expected = concat!(
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",",
            "\"\u{f6}\":\"Latin Small Letter O With Diaeresis\",\"\u{20ac}\":\"Euro Sign\",",
            "\"\u{1f600}\":\"Emoji: Grinning Face\",",
            "\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}"
        );
        assert_eq!(canonical_json(&value), expected);
    }

    #[test]
    fn control_characters_and_separators() {
        let value = json!("\u{0}\u{8}\t\u{1f}\u{7f}\u{2028}");
        assert_eq!(
            canonical_json(&value),
            "\"\\u0000\\b\\t\\u001f\u{7f}\u{2028}\""
        );
    }

    #[test]
    fn same_terms_same_hash_whatever_the_order() {
        let a: Value = serde_json::from_str(
            r#"{"title":"Giải phóng mặt bằng","target":{"shape":"at_least","value":100},
                "units":[{"code":"HU01","share":0.5},{"code":"HU02","share":0.5}]}"#,
        )
        .unwrap();
        let b: Value = serde_json::from_str(
            r#"{ "units" : [ { "share" : 0.5, "code" : "HU01" }, { "share":0.5,"code":"HU02" } ],
                 "target" : { "value" : 100, "shape" : "at_least" }, "title" : "Giải phóng mặt bằng" }"#,
        )
        .unwrap();
        assert_eq!(canonical_json(&a), canonical_json(&b));
        assert_eq!(terms_hash(&a), terms_hash(&b));
        let c =
            json!({"title": "Giải phóng mặt bằng", "target": {"shape": "at_least", "value": 101}});
        assert_ne!(terms_hash(&a), terms_hash(&c));
        // array order is significant
        let d = json!({"units": ["HU02", "HU01"]});
        let e = json!({"units": ["HU01", "HU02"]});
        assert_ne!(terms_hash(&d), terms_hash(&e));
    }

    #[test]
    fn vietnamese_text_is_kept_byte_for_byte() {
        let text = "Nâng cao chất lượng, hiệu quả công tác đảng viên; ĐẠT 100% chỉ tiêu";
        let canonical = canonical_json(&json!({ "nội_dung": text }));
        assert_eq!(canonical, format!("{{\"nội_dung\":\"{text}\"}}"));
        assert!(!canonical.contains("\\u"));
        let back: Value = serde_json::from_str(&canonical).unwrap();
        assert_eq!(back["nội_dung"], text);
    }

    #[test]
    fn sha256_known_vectors() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(terms_hash(&json!({})), sha256_hex(b"{}"));
    }
}
