//! Evidence of results ("sản phẩm"): its kinds and marks, how an uploaded file's media type is
//! recognised from its content, how its original name is made safe, and where its bytes live.

use unicode_normalization::UnicodeNormalization;

use crate::domain::Violation;
use crate::vocab_enum;

vocab_enum!(
    /// What a piece of evidence is.
    EvidenceKind, "evidence_kind" {
        File => ("file", "Tệp đính kèm", "Uploaded file"),
        Link => ("link", "Đường liên kết", "Link"),
        Document => ("document", "Văn bản", "Official document reference"),
    }
);

vocab_enum!(
    /// The verdict of the Organisation Board or a supervisor on a piece of evidence.
    VerificationMark, "verification_mark" {
        Unverified => ("unverified", "Chưa xác minh", "Not verified"),
        Verified => ("verified", "Đã xác minh", "Verified"),
        Disputed => ("disputed", "Có ý kiến khác, chưa công nhận", "Disputed"),
    }
);

vocab_enum!(
    /// The outcome of the last re-hash of a stored file.
    IntegrityState, "integrity_state" {
        Unchecked => ("unchecked", "Chưa kiểm tra lại", "Not re-checked"),
        Intact => ("intact", "Toàn vẹn", "Intact"),
        Failed => ("failed", "Không toàn vẹn hoặc bị mất", "Altered or missing"),
    }
);

/// Media types accepted by default: documents, spreadsheets, presentations, images, audio,
/// video and plain text.
pub const DEFAULT_MEDIA_TYPES: &[&str] = &[
    "application/pdf",
    "application/msword",
    "application/vnd.ms-excel",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/tiff",
    "image/webp",
    "image/heif",
    "audio/mpeg",
    "audio/mp4",
    "video/mp4",
    "video/quicktime",
    "text/plain",
];

/// How many leading bytes are read before the media type is decided.
pub const SNIFF_BYTES: usize = 64 * 1024;

/// The media type of a file judged by its first bytes (at most [`SNIFF_BYTES`], or the whole
/// file when shorter): a known signature, else `text/plain` for UTF-8 text without control
/// characters, else `None`. The name and the declared type play no part.
pub fn sniff(head: &[u8]) -> Option<&'static str> {
    if let Some(kind) = infer::get(head) {
        return Some(kind.mime_type());
    }
    is_plain_text(head).then_some("text/plain")
}

fn is_plain_text(head: &[u8]) -> bool {
    if head.is_empty() {
        return false;
    }
    let text = match std::str::from_utf8(head) {
        Ok(t) => t,
        // A multi-byte character cut by the end of the sniffed head is still text.
        Err(e) if e.error_len().is_none() => {
            std::str::from_utf8(&head[..e.valid_up_to()]).unwrap_or_default()
        }
        Err(_) => return false,
    };
    !text
        .chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\u{c}'))
}

/// Longest sanitised file name, in bytes.
pub const MAX_FILE_NAME_BYTES: usize = 200;

/// Whether `c` is a bidirectional formatting character (embeddings, overrides, isolates and
/// marks: U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C). In a file name they make
/// `report\u{202E}fdp.exe` show as `reportexe.pdf`; a file name never needs them.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// A file name safe to store and to send back in `Content-Disposition`: the last path
/// component only, NFC-normalised, without bidirectional formatting characters
/// ([`is_bidi_control`], dropped), control characters and the characters Windows forbids
/// (each replaced by `_`), without leading dots or trailing dots and spaces, at most
/// [`MAX_FILE_NAME_BYTES`] bytes (the extension kept), and `tep-dinh-kem` when nothing is left.
/// Applying it again changes nothing, so names stored before a rule was added are passed
/// through it again on the way out.
pub fn sanitize_file_name(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();
    // Dropped before composing, so that what they separated composes as it would have.
    let cleaned: String = last
        .chars()
        .filter(|c| !is_bidi_control(*c))
        .nfc()
        .map(|c| match c {
            '<' | '>' | ':' | '"' | '|' | '?' | '*' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let trimmed = cleaned
        .trim_start_matches(['.', ' '])
        .trim_end_matches(['.', ' ']);
    if trimmed.is_empty() {
        return "tep-dinh-kem".to_owned();
    }
    if trimmed.len() <= MAX_FILE_NAME_BYTES {
        return trimmed.to_owned();
    }
    let (stem, ext) = match trimmed.rfind('.') {
        Some(dot) if trimmed.len() - dot <= 16 => trimmed.split_at(dot),
        _ => (trimmed, ""),
    };
    let mut cut = MAX_FILE_NAME_BYTES - ext.len();
    while !stem.is_char_boundary(cut) {
        cut -= 1;
    }
    format!("{}{ext}", stem[..cut].trim_end_matches(['.', ' ']))
}

/// The storage key of content with SHA-256 `sha256_hex`: `sha256/ab/abcdef…`, so a file
/// uploaded twice is stored once.
pub fn content_key(sha256_hex: &str) -> String {
    format!(
        "sha256/{}/{sha256_hex}",
        &sha256_hex[..2.min(sha256_hex.len())]
    )
}

/// Whether `url` is an absolute `http` or `https` link with a host.
pub fn is_web_link(url: &str) -> bool {
    let lower = url.to_ascii_lowercase();
    let rest = lower
        .strip_prefix("https://")
        .or_else(|| lower.strip_prefix("http://"));
    rest.is_some_and(|r| {
        let host = r.split(['/', '?', '#']).next().unwrap_or_default();
        !host.is_empty() && !host.starts_with('@') && !url.chars().any(char::is_whitespace)
    })
}

/// Violations of what a link or a document reference carries, in the order they are reported:
/// a `url` that is not a web link, then what the `kind` needs (files are uploaded elsewhere, a
/// link needs its url and no document, a document needs its reference).
pub fn content_violations(
    kind: EvidenceKind,
    url: Option<&str>,
    has_document: bool,
) -> Vec<Violation> {
    let mut out = Vec::new();
    if url.is_some_and(|u| !is_web_link(u)) {
        out.push(Violation::new(
            "url",
            "not_web_link",
            "must be an absolute http or https link",
            "phải là đường liên kết http hoặc https đầy đủ",
        ));
    }
    match (kind, url, has_document) {
        (EvidenceKind::File, _, _) => out.push(Violation::new(
            "kind",
            "use_upload",
            "files are uploaded to /evidence/files",
            "tệp được tải lên qua /evidence/files",
        )),
        (EvidenceKind::Link, None, _) => out.push(Violation::new(
            "url",
            "required",
            "a link needs its url",
            "cần có đường liên kết",
        )),
        (EvidenceKind::Link, _, true) => out.push(Violation::new(
            "document",
            "not_allowed",
            "a link has no document reference; use kind document",
            "đường liên kết không kèm văn bản; hãy dùng loại văn bản",
        )),
        (EvidenceKind::Document, _, false) => out.push(Violation::new(
            "document",
            "required",
            "a document reference needs its number, date and issuer",
            "cần số, ký hiệu, ngày và cơ quan ban hành văn bản",
        )),
        _ => {}
    }
    out
}

/// The violation of attaching evidence to milestone `index` of an assignment that has `count`
/// milestones, if it is not one of them.
pub fn milestone_violation(index: Option<i32>, count: usize) -> Option<Violation> {
    let i = index?;
    usize::try_from(i).ok().is_none_or(|i| i >= count).then(|| {
        Violation::new(
            "milestone_index",
            "unknown_milestone",
            format!("the assignment has {count} milestone(s)"),
            format!("nhiệm vụ có {count} mốc"),
        )
    })
}

/// The violation of giving `mark` as a verdict: only `verified` and `disputed` are verdicts.
pub fn verdict_violation(mark: VerificationMark) -> Option<Violation> {
    (mark == VerificationMark::Unverified).then(|| {
        Violation::new(
            "mark",
            "not_a_verdict",
            "the mark is verified or disputed",
            "chỉ ghi nhận đã xác minh hoặc có ý kiến khác",
        )
    })
}

/// The integrity outcome of re-hashing a file recorded as `expected`: `intact` when what is
/// stored now hashes the same, `failed` when it differs or is missing.
pub fn integrity_of(expected: &str, actual: Option<&str>) -> IntegrityState {
    if actual == Some(expected) {
        IntegrityState::Intact
    } else {
        IntegrityState::Failed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_type_comes_from_content_not_name() {
        assert_eq!(
            sniff(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"),
            Some("application/pdf")
        );
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("image/png"));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0\0\x10JFIF\0"), Some("image/jpeg"));
        let mut elf = b"\x7fELF\x02\x01\x01".to_vec();
        elf.resize(64, 0);
        assert_eq!(sniff(&elf), Some("application/x-executable"));
        assert_eq!(
            sniff("Báo cáo kết quả\tquý I\r\n".as_bytes()),
            Some("text/plain")
        );
        assert_eq!(sniff(b"abc\0def"), None);
        assert_eq!(sniff(b""), None);
    }

    #[test]
    fn a_character_cut_at_the_end_of_the_head_is_still_text() {
        let text = "Đảng bộ".as_bytes();
        assert_eq!(sniff(&text[..text.len() - 1]), Some("text/plain"));
        assert_eq!(sniff(b"\xc3\x28 invalid"), None);
    }

    #[test]
    fn executables_and_archives_are_not_accepted_by_default() {
        for t in ["application/x-executable", "application/zip", "text/html"] {
            assert!(!DEFAULT_MEDIA_TYPES.contains(&t), "{t}");
        }
    }

    #[test]
    fn file_names_are_sanitised() {
        let cases = [
            ("bao-cao.pdf", "bao-cao.pdf"),
            ("C:\\Users\\a\\Báo cáo quý I.pdf", "Báo cáo quý I.pdf"),
            ("../../etc/passwd", "passwd"),
            ("..", "tep-dinh-kem"),
            ("", "tep-dinh-kem"),
            (".htaccess", "htaccess"),
            ("a<b>:c\"d|e?f*.docx", "a_b__c_d_e_f_.docx"),
            ("tab\there\n.txt", "tab_here_.txt"),
            ("name. . ", "name"),
        ];
        for (raw, want) in cases {
            assert_eq!(sanitize_file_name(raw), want, "{raw:?}");
        }
        // NFD (as macOS sends it) becomes NFC.
        assert_eq!(sanitize_file_name("Hoa\u{300}.pdf"), "Hoà.pdf");
    }

    #[test]
    fn bidi_controls_are_dropped() {
        let cases = [
            ("bao-cao\u{202E}fdp.exe", "bao-caofdp.exe"),
            ("\u{202A}\u{202B}\u{202C}\u{202D}a.pdf", "a.pdf"),
            ("\u{2066}b\u{2067}\u{2068}\u{2069}.pdf", "b.pdf"),
            ("c\u{200E}\u{200F}\u{061C}.pdf", "c.pdf"),
            ("\u{202E}", "tep-dinh-kem"),
            // The Arabic letters and Vietnamese text around them stay.
            ("تقرير.pdf", "تقرير.pdf"),
            ("Báo cáo\u{202E}.pdf", "Báo cáo.pdf"),
        ];
        for (raw, want) in cases {
            assert_eq!(sanitize_file_name(raw), want, "{raw:?}");
            assert!(!sanitize_file_name(raw).chars().any(is_bidi_control));
        }
        for c in [
            '\u{202A}', '\u{202E}', '\u{2066}', '\u{2069}', '\u{200E}', '\u{200F}', '\u{061C}',
        ] {
            assert!(is_bidi_control(c), "{c:?}");
        }
        for c in ['a', 'Đ', '\u{200D}', '\u{2070}', '\u{2029}'] {
            assert!(!is_bidi_control(c), "{c:?}");
        }
    }

    #[test]
    fn sanitising_twice_changes_nothing() {
        for raw in [
            "a<b>:c\"d|e?f*.docx",
            "..\u{202E}x. .",
            "tab\there\n.txt",
            "a\u{202E}\u{300}.pdf",
            &format!("{}.xlsx", "Đ".repeat(300)),
        ] {
            let once = sanitize_file_name(raw);
            assert_eq!(sanitize_file_name(&once), once, "{raw:?}");
        }
    }

    #[test]
    fn long_names_keep_their_extension_and_whole_characters() {
        let long = format!("{}.xlsx", "Đ".repeat(300));
        let s = sanitize_file_name(&long);
        assert!(s.len() <= MAX_FILE_NAME_BYTES, "{}", s.len());
        assert!(s.ends_with(".xlsx"));
        assert!(s.starts_with('Đ'));
        let no_ext = "x".repeat(500);
        assert_eq!(sanitize_file_name(&no_ext).len(), MAX_FILE_NAME_BYTES);
    }

    #[test]
    fn content_keys_fan_out_by_prefix() {
        let h = "ab".repeat(32);
        assert_eq!(content_key(&h), format!("sha256/ab/{h}"));
    }

    #[test]
    fn only_web_links_are_links() {
        assert!(is_web_link("https://dichvucong.gov.vn/p/home"));
        assert!(is_web_link("http://example.vn"));
        assert!(!is_web_link("javascript:alert(1)"));
        assert!(!is_web_link("file:///etc/passwd"));
        assert!(!is_web_link("https://"));
        assert!(!is_web_link("https://a b"));
        assert!(!is_web_link("ftp://x"));
    }

    fn codes(v: &[Violation]) -> Vec<(&str, &str)> {
        v.iter().map(|v| (v.field.as_str(), v.code)).collect()
    }

    #[test]
    fn what_each_kind_needs() {
        use EvidenceKind::{Document, File, Link};
        let web = Some("https://example.vn/a");
        let cases = [
            (Link, web, false, vec![]),
            (Document, None, true, vec![]),
            (Document, web, true, vec![]),
            (File, None, false, vec![("kind", "use_upload")]),
            (Link, None, false, vec![("url", "required")]),
            (Link, web, true, vec![("document", "not_allowed")]),
            (Document, web, false, vec![("document", "required")]),
            (Link, Some("ftp://x"), false, vec![("url", "not_web_link")]),
            (
                Document,
                Some("javascript:x"),
                false,
                vec![("url", "not_web_link"), ("document", "required")],
            ),
        ];
        for (kind, url, doc, want) in cases {
            assert_eq!(
                codes(&content_violations(kind, url, doc)),
                want,
                "{kind:?} {url:?} {doc}"
            );
        }
    }

    #[test]
    fn milestones_are_indexes_into_the_list() {
        assert_eq!(milestone_violation(None, 0), None);
        assert_eq!(milestone_violation(Some(0), 1), None);
        assert_eq!(milestone_violation(Some(2), 3), None);
        for (i, n) in [(0, 0), (3, 3), (-1, 5)] {
            let v = milestone_violation(Some(i), n).map(|v| v.code);
            assert_eq!(v, Some("unknown_milestone"), "{i} of {n}");
        }
    }

    #[test]
    fn only_verified_and_disputed_are_verdicts() {
        assert!(verdict_violation(VerificationMark::Unverified).is_some());
        assert!(verdict_violation(VerificationMark::Verified).is_none());
        assert!(verdict_violation(VerificationMark::Disputed).is_none());
    }

    #[test]
    fn a_file_is_intact_when_it_hashes_the_same() {
        assert_eq!(integrity_of("ab", Some("ab")), IntegrityState::Intact);
        assert_eq!(integrity_of("ab", Some("cd")), IntegrityState::Failed);
        assert_eq!(integrity_of("ab", None), IntegrityState::Failed);
    }
}
