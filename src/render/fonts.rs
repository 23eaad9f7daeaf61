//! The bundled DejaVu Sans (licence: `assets/fonts/LICENSE-DejaVu.txt`), full Vietnamese coverage.

use ab_glyph::{Font, FontRef};

/// DejaVu Sans, regular.
pub(crate) const REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
/// DejaVu Sans, bold.
pub(crate) const BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans-Bold.ttf");

/// Width of `text` set in `font` at `size` (any unit: the result is in the same unit).
pub(crate) fn text_width(font: &FontRef<'_>, text: &str, size: f32) -> f32 {
    let per_em = font.units_per_em().unwrap_or(2048.0);
    text.chars()
        .map(|c| font.h_advance_unscaled(font.glyph_id(c)))
        .sum::<f32>()
        * size
        / per_em
}

/// Splits `text` into lines no wider than `max` (words longer than a line stay whole).
pub(crate) fn wrap(font: &FontRef<'_>, text: &str, size: f32, max: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_string()
        } else {
            format!("{line} {word}")
        };
        if !line.is_empty() && text_width(font, &candidate, size) > max {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::ReportDocument;

    #[test]
    fn the_bundled_fonts_cover_every_letter_of_the_sample_and_the_bar_parts() {
        let doc = ReportDocument::sample();
        let mut text = format!("{doc:?}");
        text.extend(crate::render::BAR_PARTS.iter().flat_map(|p| p.chars()));
        text.push_str("ĂÂĐÊÔƠƯăâđêôơư ẠẢẤẦẨẪẬẮẰẲẴẶẸẺẼẾỀỂỄỆỈỊỌỎỐỒỔỖỘỚỜỞỠỢỤỦỨỪỬỮỰỲỴỶỸ");
        for bytes in [REGULAR, BOLD] {
            let font = FontRef::try_from_slice(bytes).unwrap();
            let missing: String = text
                .chars()
                .filter(|c| !c.is_control() && font.glyph_id(*c).0 == 0)
                .collect();
            assert!(missing.is_empty(), "no glyph for {missing:?}");
        }
    }

    #[test]
    fn wrapping_keeps_lines_within_the_width() {
        let font = FontRef::try_from_slice(REGULAR).unwrap();
        let lines = wrap(
            &font,
            "một hai ba bốn năm sáu bảy tám chín mười",
            12.0,
            60.0,
        );
        assert!(lines.len() > 2);
        assert!(lines.iter().all(|l| text_width(&font, l, 12.0) <= 60.0));
        assert_eq!(lines.join(" "), "một hai ba bốn năm sáu bảy tám chín mười");
    }
}
