//! Text folding for search: Vietnamese text compared without case, diacritics or extra spaces.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// Folds `s` for search: lower case, Vietnamese diacritics stripped (NFD, combining marks
/// dropped), `đ`/`Đ` mapped to `d`, runs of whitespace collapsed to one space and trimmed.
/// "Giải phóng  mặt bằng" → "giai phong mat bang".
pub fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut pending_space = false;
    for c in s.nfd().filter(|c| !is_combining_mark(*c)) {
        if c.is_whitespace() {
            pending_space = !out.is_empty();
            continue;
        }
        if pending_space {
            out.push(' ');
            pending_space = false;
        }
        match c {
            'đ' | 'Đ' => out.push('d'),
            c => out.extend(c.to_lowercase()),
        }
    }
    out
}

/// Codes are ASCII letters, digits, `_`, `-` and `.`, starting with a letter or digit.
pub fn code_format(code: &str) -> Result<(), validator::ValidationError> {
    let ok = code
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    if ok {
        Ok(())
    } else {
        Err(validator::ValidationError::new("code_format").with_message(
            "use ASCII letters, digits, '_', '-' or '.', starting with a letter or digit".into(),
        ))
    }
}

/// Text fields must not carry control characters (other than line breaks and tabs).
pub fn plain_text(text: &str) -> Result<(), validator::ValidationError> {
    if text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        Err(validator::ValidationError::new("control_characters")
            .with_message("control characters are not allowed".into()))
    } else {
        Ok(())
    }
}

/// A `LIKE` pattern matching `text` anywhere, with its wildcards and escape character escaped.
pub fn contains_pattern(text: &str) -> String {
    format!(
        "%{}%",
        text.replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_vietnamese_text() {
        let cases = [
            ("Giải phóng mặt bằng", "giai phong mat bang"),
            ("  Giải   phóng\tmặt\n bằng  ", "giai phong mat bang"),
            ("ĐẢNG BỘ TỈNH", "dang bo tinh"),
            ("Đồng Tháp", "dong thap"),
            ("đường", "duong"),
            ("Ủy ban Mặt trận Tổ quốc", "uy ban mat tran to quoc"),
            ("ă â ê ô ơ ư đ", "a a e o o u d"),
            ("Ă Â Ê Ô Ơ Ư Đ", "a a e o o u d"),
            // the five tones on a, and on ơ and ư
            ("a à á ả ã ạ", "a a a a a a"),
            ("ơ ờ ớ ở ỡ ợ", "o o o o o o"),
            ("ư ừ ứ ử ữ ự", "u u u u u u"),
            ("Ằ Ắ Ẳ Ẵ Ặ", "a a a a a"),
            ("Ầ Ấ Ẩ Ẫ Ậ", "a a a a a"),
            ("ề ế ể ễ ệ", "e e e e e"),
            ("Ồ Ố Ổ Ỗ Ộ", "o o o o o"),
            ("ì í ỉ ĩ ị", "i i i i i"),
            ("ỳ ý ỷ ỹ ỵ", "y y y y y"),
            ("Nghị quyết số 12-NQ/TW", "nghi quyet so 12-nq/tw"),
            ("", ""),
            ("   ", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(fold(input), expected, "NFC {input:?}");
            let nfd: String = input.nfd().collect();
            assert_eq!(fold(&nfd), expected, "NFD {input:?}");
        }
    }

    #[test]
    fn nfc_and_nfd_fold_alike() {
        let nfc = "Phát triển kinh tế - xã hội";
        let nfd: String = nfc.nfd().collect();
        assert_ne!(nfc, nfd);
        assert_eq!(fold(nfc), fold(&nfd));
        assert_eq!(fold(nfc), "phat trien kinh te - xa hoi");
    }

    #[test]
    fn folding_is_idempotent() {
        let once = fold("Công tác Mặt trận, đoàn thể");
        assert_eq!(fold(&once), once);
    }
}
