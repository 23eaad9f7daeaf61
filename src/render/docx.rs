//! The report as DOCX, in the form Party bodies use for their documents: A4, margins
//! 20/15/30/20 mm (top/right/left/bottom), Times New Roman 13–14 pt.

use std::io::Cursor;

use docx_rs::{
    AlignmentType, Docx, LineSpacing, PageMargin, Paragraph, Pic, Run, RunFonts, SpecialIndentType,
    Table, TableCell, TableRow, WidthType,
};

use super::{chart, RenderError, ReportDocument};

/// Twips per millimetre.
const TWIPS_PER_MM: f64 = 1440.0 / 25.4;
/// A4 in twips.
const PAGE: (u32, u32) = (11906, 16838);
/// Width between the margins (210 − 30 − 15 mm), in twips.
const BODY: usize = 9355;
/// The image width in EMU (160 mm).
const IMAGE_WIDTH_EMU: u32 = 160 * 36_000;
/// Body text in half-points (14 pt).
const TEXT: usize = 28;
/// Header block and footer in half-points (13 pt, 12 pt).
const SMALL: usize = 26;
const SMALLER: usize = 24;

fn mm(v: f64) -> i32 {
    (v * TWIPS_PER_MM).round() as i32
}

fn run(text: &str, size: usize) -> Run {
    Run::new().add_text(text).size(size)
}

fn centred(r: Run) -> Paragraph {
    Paragraph::new().add_run(r).align(AlignmentType::Center)
}

fn cell(paragraphs: Vec<Paragraph>, width: usize) -> TableCell {
    paragraphs
        .into_iter()
        .fold(TableCell::new(), TableCell::add_paragraph)
        .width(width, WidthType::Dxa)
}

/// A borderless two-column table (header block and footer).
fn two_columns(left: Vec<Paragraph>, right: Vec<Paragraph>, left_width: usize) -> Table {
    let right_width = BODY - left_width;
    Table::without_borders(vec![TableRow::new(vec![
        cell(left, left_width),
        cell(right, right_width),
    ])])
    .set_grid(vec![left_width, right_width])
    .width(BODY, WidthType::Dxa)
}

fn header_block(doc: &ReportDocument) -> Table {
    let mut left: Vec<Paragraph> = doc
        .issuing_body
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let r = run(&line.to_uppercase(), SMALL);
            // The body itself in bold, the superior body above it in regular type.
            centred(if i + 1 == doc.issuing_body.len() {
                r.bold()
            } else {
                r
            })
        })
        .collect();
    left.push(centred(run("*", SMALL)));
    left.push(centred(run(&doc.number_line(), SMALL)));
    let right = vec![
        centred(run("ĐẢNG CỘNG SẢN VIỆT NAM", 30).bold().underline("single")),
        centred(run("", SMALL)),
        centred(run(&doc.place_and_date(), TEXT).italic()),
    ];
    two_columns(left, right, BODY * 2 / 5)
}

fn title(doc: &ReportDocument) -> Vec<Paragraph> {
    let mut lines = doc.title.lines();
    let mut out = vec![Paragraph::new()];
    if let Some(kind) = lines.next() {
        out.push(centred(run(kind, 32).bold()));
    }
    for line in lines {
        out.push(centred(run(line, TEXT).bold()));
    }
    out.push(centred(run(&doc.period, TEXT).italic()));
    out.push(centred(run("-----", TEXT)));
    out
}

fn body_paragraph(text: &str) -> Paragraph {
    Paragraph::new()
        .add_run(run(text, TEXT))
        .align(AlignmentType::Both)
        .indent(
            None,
            Some(SpecialIndentType::FirstLine(mm(10.0))),
            None,
            None,
        )
        .line_spacing(LineSpacing::new().before(60).after(60))
}

fn figures(doc: &ReportDocument) -> Table {
    let columns = doc.figures.header.len().max(1);
    // The first column (names) takes a third; the figures share the rest.
    let first = if columns > 1 { BODY / 3 } else { BODY };
    let other = if columns > 1 {
        (BODY - first) / (columns - 1)
    } else {
        0
    };
    let widths: Vec<usize> = (0..columns)
        .map(|i| if i == 0 { first } else { other })
        .collect();
    let header = TableRow::new(
        doc.figures
            .header
            .iter()
            .zip(&widths)
            .map(|(h, w)| cell(vec![centred(run(h, SMALLER).bold())], *w))
            .collect(),
    );
    let rows = doc.figures.rows.iter().map(|row| {
        TableRow::new(
            row.iter()
                .zip(&widths)
                .map(|(c, w)| {
                    let align = if c.is_figure() {
                        AlignmentType::Right
                    } else {
                        AlignmentType::Left
                    };
                    let p = Paragraph::new()
                        .add_run(run(&c.display(), SMALLER))
                        .align(align);
                    cell(vec![p], *w)
                })
                .collect(),
        )
    });
    Table::new(std::iter::once(header).chain(rows).collect())
        .set_grid(widths)
        .width(BODY, WidthType::Dxa)
}

fn footer(doc: &ReportDocument) -> Table {
    let mut left = vec![Paragraph::new().add_run(run("Nơi nhận:", SMALLER).bold().italic())];
    left.extend(
        doc.recipients
            .iter()
            .map(|r| Paragraph::new().add_run(run(&format!("- {r},"), 22))),
    );
    left.push(Paragraph::new().add_run(run(&format!("- {}.", doc.archive), 22)));
    let mut right: Vec<Paragraph> = doc
        .signer
        .role_lines
        .iter()
        .map(|l| centred(run(&l.to_uppercase(), TEXT).bold()))
        .collect();
    right.extend((0..4).map(|_| centred(run("", TEXT))));
    right.push(centred(run(&doc.signer.name, TEXT).bold()));
    two_columns(left, right, BODY / 2)
}

/// The report as DOCX bytes, the chart embedded as a PNG image.
pub fn render_docx(doc: &ReportDocument) -> Result<Vec<u8>, RenderError> {
    let png = chart::chart_png(&doc.chart)?;
    let image_height = IMAGE_WIDTH_EMU / chart::WIDTH * chart::HEIGHT;
    let pic = Pic::new_with_dimensions(png, chart::WIDTH, chart::HEIGHT)
        .size(IMAGE_WIDTH_EMU, image_height);

    let times = RunFonts::new()
        .ascii("Times New Roman")
        .hi_ansi("Times New Roman")
        .cs("Times New Roman")
        .east_asia("Times New Roman");
    let mut docx = Docx::new()
        .page_size(PAGE.0, PAGE.1)
        .page_margin(
            PageMargin::new()
                .top(mm(20.0))
                .right(mm(15.0))
                .left(mm(30.0))
                .bottom(mm(20.0)),
        )
        .default_fonts(times)
        .default_size(TEXT)
        .add_table(header_block(doc));
    for p in title(doc) {
        docx = docx.add_paragraph(p);
    }
    for section in &doc.sections {
        docx = docx.add_paragraph(
            Paragraph::new()
                .add_run(run(&section.heading, TEXT).bold())
                .line_spacing(LineSpacing::new().before(120).after(60)),
        );
        for p in &section.paragraphs {
            docx = docx.add_paragraph(body_paragraph(p));
        }
    }
    docx = docx
        .add_paragraph(centred(run(&doc.figures.caption, TEXT).bold()))
        .add_table(figures(doc))
        .add_paragraph(Paragraph::new())
        .add_paragraph(centred(Run::new().add_image(pic)))
        .add_paragraph(centred(run(&doc.chart.title, SMALL).italic()))
        .add_paragraph(Paragraph::new())
        .add_table(footer(doc));

    let mut out = Cursor::new(Vec::new());
    docx.pack(&mut out)
        .map_err(|e| RenderError::Docx(e.to_string()))?;
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    fn part(docx: &[u8], name: &str) -> String {
        let mut zip = zip::ZipArchive::new(Cursor::new(docx)).unwrap();
        let mut text = String::new();
        zip.by_name(name)
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        text
    }

    #[test]
    fn the_docx_holds_the_header_figures_image_and_recipients() {
        let doc = ReportDocument::sample();
        let bytes = render_docx(&doc).unwrap();
        let xml = part(&bytes, "word/document.xml");
        for needle in [
            "BÁO CÁO",
            "kết quả thực hiện nhiệm vụ được giao năm 2025",
            "Số 125-BC/BTCTU",
            "ĐẢNG CỘNG SẢN VIỆT NAM",
            "Quảng Ninh, ngày 15 tháng 01 năm 2026",
            "Nơi nhận:",
            "- Lưu Văn phòng Ban.",
            "T/M BAN THƯỜNG VỤ",
            "Nguyễn Văn A",
            "Khối chính quyền",
            ">31<",
            "64,5%",
        ] {
            assert!(xml.contains(needle), "document.xml lacks {needle}");
        }
        assert!(xml.contains("<pic:pic"), "no picture");
        assert!(part(&bytes, "word/styles.xml").contains("Times New Roman"));
        let rels = part(&bytes, "word/_rels/document.xml.rels");
        assert!(rels.contains("relationships/image"), "{rels}");
        // The image relationship the picture names points at a PNG in the package.
        let zip = zip::ZipArchive::new(Cursor::new(&bytes)).unwrap();
        assert!(zip.file_names().any(|n| n.starts_with("word/media/")));
    }
}
