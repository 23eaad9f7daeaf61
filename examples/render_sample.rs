//! Writes the sample report as `report.docx`, `report.pdf` and `chart.png` to a directory
//! (the first argument, default `target/report-sample`), for a person to look at.

use std::path::PathBuf;

use cadre_api::render::{chart, docx, pdf, ReportDocument};

fn main() -> anyhow::Result<()> {
    let dir = PathBuf::from(
        std::env::args()
            .nth(1)
            .unwrap_or_else(|| "target/report-sample".into()),
    );
    std::fs::create_dir_all(&dir)?;
    let doc = ReportDocument::sample();
    std::fs::write(dir.join("chart.png"), chart::chart_png(&doc.chart)?)?;
    std::fs::write(dir.join("report.docx"), docx::render_docx(&doc)?)?;
    std::fs::write(dir.join("report.pdf"), pdf::render_pdf(&doc)?)?;
    println!("{}", dir.display());
    Ok(())
}
