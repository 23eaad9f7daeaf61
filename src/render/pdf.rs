//! The report as PDF (A4), the bundled DejaVu Sans embedded, the chart as an image.

use std::collections::BTreeMap;
use std::io::Cursor;

use ab_glyph::FontRef;
use printpdf::lopdf::{Document, Object};
use printpdf::{
    ColorBits, ColorSpace, Image, ImageTransform, ImageXObject, IndirectFontRef, Line, Mm,
    PdfDocument, PdfDocumentReference, PdfLayerReference, Point, Px,
};
use unicode_normalization::UnicodeNormalization;

use super::{chart, fonts, RenderError, ReportDocument};

const PAGE_W: f32 = 210.0;
const PAGE_H: f32 = 297.0;
const TOP: f32 = 20.0;
const RIGHT: f32 = 15.0;
const LEFT: f32 = 30.0;
const BOTTOM: f32 = 20.0;
const BODY_W: f32 = PAGE_W - LEFT - RIGHT;
/// Millimetres per point.
const PT: f32 = 25.4 / 72.0;
/// Body text size in points (DejaVu Sans is wider than Times: 12 pt reads like 13–14 pt Times).
const TEXT: f32 = 12.0;
const SMALL: f32 = 11.0;
const SMALLER: f32 = 10.0;
/// Width of the chart on the page in millimetres.
const IMAGE_W: f32 = 160.0;

#[derive(Clone, Copy, PartialEq)]
enum Align {
    Left,
    Centre,
    Right,
}

fn pdf_err<E: std::fmt::Debug>(e: E) -> RenderError {
    RenderError::Pdf(format!("{e:?}"))
}

/// Lays text out top to bottom, starting a page when the next piece does not fit.
struct Writer {
    doc: PdfDocumentReference,
    layer: PdfLayerReference,
    regular: IndirectFontRef,
    bold: IndirectFontRef,
    metrics_regular: FontRef<'static>,
    metrics_bold: FontRef<'static>,
    /// Distance of the next line's top from the top of the page, in millimetres.
    y: f32,
}

impl Writer {
    fn new(title: &str) -> Result<Self, RenderError> {
        let (doc, page, layer) = PdfDocument::new(title, Mm(PAGE_W), Mm(PAGE_H), "1");
        let layer = doc.get_page(page).get_layer(layer);
        let regular = doc
            .add_external_font(Cursor::new(fonts::REGULAR))
            .map_err(pdf_err)?;
        let bold = doc
            .add_external_font(Cursor::new(fonts::BOLD))
            .map_err(pdf_err)?;
        let font = |b| FontRef::try_from_slice(b).map_err(|e| RenderError::Font(e.to_string()));
        Ok(Writer {
            doc,
            layer,
            regular,
            bold,
            metrics_regular: font(fonts::REGULAR)?,
            metrics_bold: font(fonts::BOLD)?,
            y: TOP,
        })
    }

    fn metrics(&self, bold: bool) -> &FontRef<'static> {
        if bold {
            &self.metrics_bold
        } else {
            &self.metrics_regular
        }
    }

    /// Starts a new page unless `height` millimetres still fit on this one.
    fn ensure(&mut self, height: f32) {
        if self.y + height > PAGE_H - BOTTOM {
            let (page, layer) = self.doc.add_page(Mm(PAGE_W), Mm(PAGE_H), "1");
            self.layer = self.doc.get_page(page).get_layer(layer);
            self.y = TOP;
        }
    }

    fn line_height(size: f32) -> f32 {
        size * PT * 1.35
    }

    /// Sets one line at the current height inside `[x, x + width]`; returns where it starts.
    fn line(&mut self, text: &str, size: f32, bold: bool, align: Align, x: f32, width: f32) -> f32 {
        let text: String = text.nfc().collect();
        let w = fonts::text_width(self.metrics(bold), &text, size) * PT;
        let start = match align {
            Align::Left => x,
            Align::Centre => x + (width - w) / 2.0,
            Align::Right => x + width - w,
        };
        let baseline = self.y + size * PT * 1.0;
        let font = if bold { &self.bold } else { &self.regular };
        self.layer
            .use_text(text, size, Mm(start), Mm(PAGE_H - baseline), font);
        self.y += Self::line_height(size);
        start
    }

    /// Sets `text` wrapped to `width`, each line aligned; `indent` moves the first line.
    #[allow(clippy::too_many_arguments)]
    fn paragraph(
        &mut self,
        text: &str,
        size: f32,
        bold: bool,
        align: Align,
        x: f32,
        width: f32,
        indent: f32,
    ) {
        let text: String = text.nfc().collect();
        let lines = fonts::wrap(self.metrics(bold), &text, size, (width - indent) / PT);
        for (i, l) in lines.iter().enumerate() {
            self.ensure(Self::line_height(size));
            let shift = if i == 0 { indent } else { 0.0 };
            self.line(l, size, bold, align, x + shift, width - shift);
        }
    }

    fn underline(&self, x: f32, width: f32, below_top: f32) {
        let y = PAGE_H - below_top;
        self.stroke(vec![(x, y), (x + width, y)], false);
    }

    fn stroke(&self, points: Vec<(f32, f32)>, closed: bool) {
        self.layer.set_outline_thickness(0.5);
        self.layer.add_line(Line {
            points: points
                .into_iter()
                .map(|(x, y)| (Point::new(Mm(x), Mm(y)), false))
                .collect(),
            is_closed: closed,
        });
    }

    /// Two columns set side by side from the current height; continues below the longer.
    fn columns(
        &mut self,
        left_width: f32,
        left: impl FnOnce(&mut Self, f32, f32),
        right: impl FnOnce(&mut Self, f32, f32),
    ) {
        let top = self.y;
        left(self, LEFT, left_width);
        let after_left = self.y;
        self.y = top;
        right(self, LEFT + left_width, BODY_W - left_width);
        self.y = self.y.max(after_left);
    }
}

fn header_block(w: &mut Writer, doc: &ReportDocument) {
    let last = doc.issuing_body.len().saturating_sub(1);
    w.columns(
        BODY_W * 0.42,
        |w, x, width| {
            for (i, l) in doc.issuing_body.iter().enumerate() {
                w.line(&l.to_uppercase(), SMALL, i == last, Align::Centre, x, width);
            }
            w.line("*", SMALL, false, Align::Centre, x, width);
            w.line(&doc.number_line(), SMALL, false, Align::Centre, x, width);
        },
        |w, x, width| {
            let heading = "ĐẢNG CỘNG SẢN VIỆT NAM";
            let top = w.y;
            let start = w.line(heading, SMALL, true, Align::Centre, x, width);
            let hw = fonts::text_width(&w.metrics_bold, heading, SMALL) * PT;
            w.underline(start, hw, top + SMALL * PT * 1.25);
            w.y += 2.0;
            w.line(&doc.place_and_date(), SMALL, false, Align::Centre, x, width);
        },
    );
}

fn figures(w: &mut Writer, doc: &ReportDocument) {
    let columns = doc.figures.header.len().max(1);
    let first = if columns > 1 { BODY_W / 3.0 } else { BODY_W };
    let other = if columns > 1 {
        (BODY_W - first) / (columns - 1) as f32
    } else {
        0.0
    };
    let widths: Vec<f32> = (0..columns)
        .map(|i| if i == 0 { first } else { other })
        .collect();
    let pad = 1.5;
    let size = SMALLER;
    let lh = Writer::line_height(size);
    let header: Vec<(String, bool, Align)> = doc
        .figures
        .header
        .iter()
        .map(|h| (h.clone(), true, Align::Centre))
        .collect();
    let rows = std::iter::once(header).chain(doc.figures.rows.iter().map(|r| {
        r.iter()
            .map(|c| {
                let align = if c.is_figure() {
                    Align::Right
                } else {
                    Align::Left
                };
                (c.display(), false, align)
            })
            .collect()
    }));
    for row in rows {
        let wrapped: Vec<Vec<String>> = row
            .iter()
            .zip(&widths)
            .map(|((t, bold, _), cw)| {
                fonts::wrap(
                    w.metrics(*bold),
                    &t.nfc().collect::<String>(),
                    size,
                    (cw - 2.0 * pad) / PT,
                )
            })
            .collect();
        let height = wrapped.iter().map(Vec::len).max().unwrap_or(1) as f32 * lh + 2.0 * pad;
        w.ensure(height);
        let top = w.y;
        let mut x = LEFT;
        for (((_, bold, align), lines), cw) in row.iter().zip(&wrapped).zip(&widths) {
            let (yt, yb) = (PAGE_H - top, PAGE_H - top - height);
            w.stroke(vec![(x, yt), (x + cw, yt), (x + cw, yb), (x, yb)], true);
            w.y = top + pad;
            for l in lines {
                w.line(l, size, *bold, *align, x + pad, cw - 2.0 * pad);
            }
            x += cw;
        }
        w.y = top + height;
    }
}

fn footer(w: &mut Writer, doc: &ReportDocument) {
    let lines = doc.recipients.len() + 2 + doc.signer.role_lines.len() + 5;
    w.ensure(lines as f32 * Writer::line_height(SMALL) / 2.0 + 30.0);
    w.columns(
        BODY_W / 2.0,
        |w, x, width| {
            w.line("Nơi nhận:", SMALLER, true, Align::Left, x, width);
            for r in &doc.recipients {
                w.paragraph(
                    &format!("- {r},"),
                    SMALLER,
                    false,
                    Align::Left,
                    x,
                    width,
                    0.0,
                );
            }
            w.line(
                &format!("- {}.", doc.archive),
                SMALLER,
                false,
                Align::Left,
                x,
                width,
            );
        },
        |w, x, width| {
            for l in &doc.signer.role_lines {
                w.line(&l.to_uppercase(), TEXT, true, Align::Centre, x, width);
            }
            w.y += 22.0;
            w.line(&doc.signer.name, TEXT, true, Align::Centre, x, width);
        },
    );
}

/// The report as PDF bytes: A4, DejaVu Sans embedded (regular and bold), the chart as an image.
pub fn render_pdf(doc: &ReportDocument) -> Result<Vec<u8>, RenderError> {
    let rgb = chart::chart_rgb(&doc.chart)?;
    let mut w = Writer::new(&doc.title.replace('\n', " "))?;

    header_block(&mut w, doc);
    w.y += 8.0;
    let mut title = doc.title.lines();
    if let Some(kind) = title.next() {
        w.paragraph(kind, 15.0, true, Align::Centre, LEFT, BODY_W, 0.0);
    }
    for l in title {
        w.paragraph(l, TEXT, true, Align::Centre, LEFT, BODY_W, 0.0);
    }
    w.paragraph(&doc.period, SMALL, false, Align::Centre, LEFT, BODY_W, 0.0);
    w.line("-----", SMALL, false, Align::Centre, LEFT, BODY_W);
    w.y += 4.0;

    for s in &doc.sections {
        w.ensure(3.0 * Writer::line_height(TEXT));
        w.y += 2.0;
        w.paragraph(&s.heading, TEXT, true, Align::Left, LEFT, BODY_W, 0.0);
        for p in &s.paragraphs {
            w.paragraph(p, TEXT, false, Align::Left, LEFT, BODY_W, 10.0);
            w.y += 1.5;
        }
    }

    w.y += 4.0;
    w.ensure(4.0 * Writer::line_height(TEXT));
    w.paragraph(
        &doc.figures.caption,
        TEXT,
        true,
        Align::Centre,
        LEFT,
        BODY_W,
        0.0,
    );
    w.y += 1.0;
    figures(&mut w, doc);

    let image_h = IMAGE_W * chart::HEIGHT as f32 / chart::WIDTH as f32;
    w.y += 6.0;
    w.ensure(image_h + 2.0 * Writer::line_height(SMALL));
    let image = Image::from(ImageXObject {
        width: Px(chart::WIDTH as usize),
        height: Px(chart::HEIGHT as usize),
        color_space: ColorSpace::Rgb,
        bits_per_component: ColorBits::Bit8,
        interpolate: true,
        image_data: rgb,
        image_filter: None,
        smask: None,
        clipping_bbox: None,
    });
    image.add_to_layer(
        w.layer.clone(),
        ImageTransform {
            translate_x: Some(Mm(LEFT + (BODY_W - IMAGE_W) / 2.0)),
            translate_y: Some(Mm(PAGE_H - w.y - image_h)),
            dpi: Some(chart::WIDTH as f32 * 25.4 / IMAGE_W),
            ..Default::default()
        },
    );
    w.y += image_h + 1.0;
    w.paragraph(
        &doc.chart.title,
        SMALL,
        false,
        Align::Centre,
        LEFT,
        BODY_W,
        0.0,
    );
    w.y += 6.0;

    footer(&mut w, doc);

    let Writer { doc: pdf, .. } = w;
    let bytes = pdf.save_to_bytes().map_err(pdf_err)?;
    // printpdf compresses only in release builds; compress the streams (fonts, image) always.
    let mut lo = printpdf::lopdf::Document::load_mem(&bytes).map_err(pdf_err)?;
    fix_to_unicode(&mut lo)?;
    lo.compress();
    let mut out = Vec::new();
    lo.save_to(&mut out).map_err(pdf_err)?;
    Ok(out)
}

/// A ToUnicode CMap for `font` whose codes are glyph ids (as printpdf writes text: Identity-H).
/// A glyph shared by several characters maps to the lowest of them.
fn to_unicode_cmap(font: &[u8]) -> Result<Vec<u8>, RenderError> {
    use ab_glyph::Font;
    use std::fmt::Write;
    let font = FontRef::try_from_slice(font).map_err(|e| RenderError::Font(e.to_string()))?;
    let mut by_glyph = BTreeMap::new();
    for (glyph, c) in font.codepoint_ids() {
        by_glyph
            .entry(glyph.0)
            .and_modify(|e: &mut char| *e = (*e).min(c))
            .or_insert(c);
    }
    let mut out = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    let entries: Vec<(u16, char)> = by_glyph.into_iter().collect();
    for block in entries.chunks(100) {
        let _ = writeln!(out, "{} beginbfchar", block.len());
        for (glyph, c) in block {
            let utf16: String = c
                .encode_utf16(&mut [0; 2])
                .iter()
                .map(|u| format!("{u:04X}"))
                .collect();
            let _ = writeln!(out, "<{glyph:04X}> <{utf16}>");
        }
        out.push_str("endbfchar\n");
    }
    out.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    Ok(out.into_bytes())
}

/// Replaces the ToUnicode CMaps printpdf 0.7 writes (their entry counts and non-BMP values are
/// malformed, which breaks text extraction) with ones built from the bundled fonts.
fn fix_to_unicode(pdf: &mut Document) -> Result<(), RenderError> {
    let regular = to_unicode_cmap(fonts::REGULAR)?;
    let bold = to_unicode_cmap(fonts::BOLD)?;
    let embedded = |dict: &printpdf::lopdf::Dictionary| -> Option<Vec<u8>> {
        let (_, descendants) = pdf.dereference(dict.get(b"DescendantFonts").ok()?).ok()?;
        let (_, cid) = pdf
            .dereference(descendants.as_array().ok()?.first()?)
            .ok()?;
        let (_, descriptor) = pdf
            .dereference(cid.as_dict().ok()?.get(b"FontDescriptor").ok()?)
            .ok()?;
        let (_, file) = pdf
            .dereference(descriptor.as_dict().ok()?.get(b"FontFile2").ok()?)
            .ok()?;
        let stream = file.as_stream().ok()?;
        if stream.dict.get(b"Filter").is_ok() {
            stream.decompressed_content().ok()
        } else {
            Some(stream.content.clone())
        }
    };
    let mut targets = Vec::new();
    for object in pdf.objects.values() {
        let Ok(dict) = object.as_dict() else { continue };
        let Some(id) = dict
            .get(b"ToUnicode")
            .ok()
            .and_then(|o| o.as_reference().ok())
        else {
            continue;
        };
        let cmap = match embedded(dict) {
            Some(file) if file == fonts::REGULAR => &regular,
            Some(file) if file == fonts::BOLD => &bold,
            _ => return Err(RenderError::Pdf("a font that is not bundled".into())),
        };
        targets.push((id, cmap));
    }
    if targets.len() != 2 {
        return Err(RenderError::Pdf(format!(
            "{} fonts with ToUnicode",
            targets.len()
        )));
    }
    for (id, cmap) in targets {
        pdf.get_object_mut(id)
            .and_then(Object::as_stream_mut)
            .map_err(pdf_err)?
            .set_plain_content(cmap.clone());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pdf_embeds_its_font_and_its_text_extracts_with_diacritics() {
        let bytes = render_pdf(&ReportDocument::sample()).unwrap();
        assert!(bytes.starts_with(b"%PDF-"));
        let raw = String::from_utf8_lossy(&bytes);
        assert!(raw.contains("/FontFile2"), "no embedded TrueType font");
        assert!(raw.contains("/Subtype /Image") || raw.contains("/Subtype/Image"));
        let text = pdf_extract::extract_text_from_mem(&bytes).unwrap();
        for needle in [
            "BÁO CÁO",
            "Nơi nhận",
            "Quảng Ninh, ngày 15 tháng 01 năm 2026",
            "nhiệm vụ",
            "Số 125-BC/BTCTU",
            "ĐẢNG CỘNG SẢN VIỆT NAM",
            "Khối chính quyền",
            "64,5%",
            "Nguyễn Văn A",
        ] {
            assert!(text.contains(needle), "{needle} not in the text:\n{text}");
        }
    }
}
