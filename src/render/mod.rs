//! Renderers of the Organisation Board's periodic report: a [`ReportDocument`] in, bytes out
//! (the chart as PNG, the document as DOCX and as PDF). Pure: no I/O, no database, no clock.
//!
//! The fonts are bundled (DejaVu Sans, `assets/fonts/`, licence beside them) so that the chart
//! and the PDF never depend on the machine's fonts; the DOCX names Times New Roman, the Party
//! norm, which the reader's machine supplies.

pub mod chart;
pub mod docx;
mod fonts;
pub mod pdf;

use chrono::{Datelike, NaiveDate};

pub use crate::domain::results::BAR_PARTS;

/// A report the Board signs: header block, title, narrative sections, figures, chart,
/// recipients and signer.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportDocument {
    /// The issuing body, one line each, e.g. `["TỈNH ỦY QUẢNG NINH", "BAN TỔ CHỨC"]`.
    pub issuing_body: Vec<String>,
    /// Số/ký hiệu, e.g. `125-BC/BTCTU` (rendered as "Số 125-BC/BTCTU").
    pub number: String,
    /// Place in the date line, e.g. `Quảng Ninh`.
    pub place: String,
    /// Date of the document.
    pub date: NaiveDate,
    /// Title, e.g. "BÁO CÁO kết quả thực hiện nhiệm vụ được giao năm 2025"; its first line
    /// (up to the first line break `\n`) is the kind of document.
    pub title: String,
    /// The period line under the title, e.g. "(Kỳ báo cáo: năm 2025, số liệu đến 31/12/2025)".
    pub period: String,
    /// Narrative sections (assessment, causes, recommendations).
    pub sections: Vec<Section>,
    /// The figures table.
    pub figures: FigureTable,
    /// The stacked bar chart.
    pub chart: Chart,
    /// "Nơi nhận" lines, without the leading dash and trailing comma.
    pub recipients: Vec<String>,
    /// The archive line, e.g. `Lưu Văn phòng Ban` (rendered as "- Lưu Văn phòng Ban.").
    pub archive: String,
    /// Who signs.
    pub signer: Signer,
}

/// A narrative section: a heading and its paragraphs.
#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    /// Heading, e.g. "I. ĐÁNH GIÁ CHUNG".
    pub heading: String,
    /// Paragraphs of running text.
    pub paragraphs: Vec<String>,
}

/// A table of figures: a caption, a header row and rows of typed cells.
#[derive(Debug, Clone, PartialEq)]
pub struct FigureTable {
    /// Caption above the table, e.g. "Bảng 1. Kết quả theo khối".
    pub caption: String,
    /// Column headings.
    pub header: Vec<String>,
    /// Rows of cells, each as long as `header`.
    pub rows: Vec<Vec<Cell>>,
}

/// One cell of the figures table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text, left-aligned.
    Text(String),
    /// A count, right-aligned.
    Count(u64),
    /// A share between 0 and 1, shown as a percentage with one decimal ("87,0%").
    Percent(f64),
}

impl Cell {
    /// The cell as shown (Vietnamese decimal comma).
    pub fn display(&self) -> String {
        match self {
            Cell::Text(t) => t.clone(),
            Cell::Count(n) => n.to_string(),
            Cell::Percent(p) => format!("{:.1}%", p * 100.0).replace('.', ","),
        }
    }

    /// Whether the cell is a figure (right-aligned).
    pub fn is_figure(&self) -> bool {
        !matches!(self, Cell::Text(_))
    }
}

/// A stacked bar chart: one bar per group, five parts each, in the order of [`BAR_PARTS`].
#[derive(Debug, Clone, PartialEq)]
pub struct Chart {
    /// Caption drawn above the bars.
    pub title: String,
    /// One bar each.
    pub groups: Vec<ChartGroup>,
}

/// One bar: a label and the number of assignments in each of the [`BAR_PARTS`].
#[derive(Debug, Clone, PartialEq)]
pub struct ChartGroup {
    /// Label on the axis, e.g. "Khối Đảng".
    pub label: String,
    /// Assignments per part, indexed as [`BAR_PARTS`] (see `domain::results::bar_part`).
    pub counts: [u32; 5],
}

/// The signature block.
#[derive(Debug, Clone, PartialEq)]
pub struct Signer {
    /// Role lines, e.g. `["T/M BAN THƯỜNG VỤ", "TRƯỞNG BAN"]` (rendered bold, uppercase).
    pub role_lines: Vec<String>,
    /// Name of the signer.
    pub name: String,
}

/// Why a document could not be rendered.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// The bundled font could not be loaded.
    #[error("bundled font: {0}")]
    Font(String),
    /// The chart could not be drawn or encoded.
    #[error("chart: {0}")]
    Chart(String),
    /// The DOCX could not be written.
    #[error("docx: {0}")]
    Docx(String),
    /// The PDF could not be written.
    #[error("pdf: {0}")]
    Pdf(String),
}

impl ReportDocument {
    /// The place-and-date line, e.g. "Quảng Ninh, ngày 15 tháng 01 năm 2026".
    pub fn place_and_date(&self) -> String {
        format!(
            "{}, ngày {:02} tháng {:02} năm {}",
            self.place,
            self.date.day(),
            self.date.month(),
            self.date.year()
        )
    }

    /// The number line, e.g. "Số 125-BC/BTCTU".
    pub fn number_line(&self) -> String {
        format!("Số {}", self.number)
    }

    /// A sample report with made-up figures, for tests and `examples/render_sample.rs`.
    pub fn sample() -> Self {
        let groups = [
            ("Khối Đảng", [12, 3, 2, 4, 1]),
            ("Khối chính quyền", [15, 5, 3, 6, 2]),
            ("Khối Mặt trận và đoàn thể", [8, 1, 1, 2, 0]),
            ("Huyện, thị xã, thành phố", [20, 4, 5, 7, 3]),
        ];
        let rows = groups
            .iter()
            .map(|(label, c)| {
                let total: u32 = c.iter().sum();
                let done = c[0] + c[1];
                vec![
                    Cell::Text((*label).to_string()),
                    Cell::Count(u64::from(total)),
                    Cell::Count(u64::from(c[0])),
                    Cell::Count(u64::from(c[1])),
                    Cell::Count(u64::from(c[2] + c[3] + c[4])),
                    Cell::Percent(f64::from(done) / f64::from(total)),
                ]
            })
            .collect();
        let s = |t: &str| t.to_string();
        ReportDocument {
            issuing_body: vec![s("TỈNH ỦY QUẢNG NINH"), s("BAN TỔ CHỨC")],
            number: s("125-BC/BTCTU"),
            place: s("Quảng Ninh"),
            date: NaiveDate::from_ymd_opt(2026, 1, 15).unwrap_or_default(),
            title: s("BÁO CÁO\nkết quả thực hiện nhiệm vụ được giao năm 2025"),
            period: s("(Kỳ báo cáo: năm 2025; số liệu đến ngày 31/12/2025)"),
            sections: vec![
                Section {
                    heading: s("I. ĐÁNH GIÁ CHUNG"),
                    paragraphs: vec![s(
                        "Thực hiện chủ trương giao nhiệm vụ và đánh giá cán bộ qua sản phẩm cụ thể, \
                         các cơ quan, đơn vị đã cụ thể hóa nhiệm vụ được giao thành sản phẩm, \
                         có tiến độ và người chịu trách nhiệm; phần lớn nhiệm vụ hoàn thành đúng hạn.",
                    )],
                },
                Section {
                    heading: s("II. NGUYÊN NHÂN"),
                    paragraphs: vec![s(
                        "Một số nhiệm vụ quá hạn do vướng mắc về thủ tục đầu tư và giải phóng mặt bằng; \
                         việc cập nhật tiến độ ở một số đơn vị còn chậm.",
                    )],
                },
                Section {
                    heading: s("III. KIẾN NGHỊ, ĐỀ XUẤT"),
                    paragraphs: vec![s(
                        "Đề nghị Ban Thường vụ Tỉnh ủy chỉ đạo các đơn vị có nhiệm vụ quá hạn khẩn trương \
                         khắc phục, báo cáo kết quả trong quý I năm 2026.",
                    )],
                },
            ],
            figures: FigureTable {
                caption: s("Bảng 1. Kết quả thực hiện nhiệm vụ theo khối"),
                header: vec![
                    s("Khối"),
                    s("Tổng số nhiệm vụ"),
                    s("Hoàn thành đúng hạn"),
                    s("Hoàn thành quá hạn"),
                    s("Chưa hoàn thành"),
                    s("Tỷ lệ hoàn thành"),
                ],
                rows,
            },
            chart: Chart {
                title: s("Biểu đồ 1. Tình hình thực hiện nhiệm vụ theo khối"),
                groups: groups
                    .iter()
                    .map(|(label, counts)| ChartGroup {
                        label: (*label).to_string(),
                        counts: *counts,
                    })
                    .collect(),
            },
            recipients: vec![s("Thường trực Tỉnh ủy (b/c)"), s("Các đồng chí Ủy viên Ban Thường vụ Tỉnh ủy")],
            archive: s("Lưu Văn phòng Ban"),
            signer: Signer {
                role_lines: vec![s("T/M BAN THƯỜNG VỤ"), s("TRƯỞNG BAN")],
                name: s("Nguyễn Văn A"),
            },
        }
    }
}
