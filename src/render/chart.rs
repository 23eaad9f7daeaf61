//! The stacked bar chart as an image, drawn with `plotters` in the bundled font.

use std::sync::OnceLock;

use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use plotters::style::{register_font, FontStyle};

use super::{fonts, Chart, RenderError, BAR_PARTS};

/// Width of the chart image in pixels.
pub const WIDTH: u32 = 1600;
/// Height of the chart image in pixels.
pub const HEIGHT: u32 = 900;
/// Colour of each of the [`BAR_PARTS`], in order.
pub const COLORS: [RGBColor; 5] = [
    RGBColor(0, 128, 64),
    RGBColor(122, 184, 92),
    RGBColor(240, 185, 40),
    RGBColor(70, 130, 200),
    RGBColor(205, 45, 45),
];

/// The font family name the bundled font is registered under.
const FAMILY: &str = "DejaVu Sans (bundled)";

/// Registers the bundled font with plotters once.
fn register() -> Result<(), RenderError> {
    static DONE: OnceLock<bool> = OnceLock::new();
    let ok = *DONE.get_or_init(|| {
        register_font(FAMILY, FontStyle::Normal, fonts::REGULAR).is_ok()
            && register_font(FAMILY, FontStyle::Bold, fonts::BOLD).is_ok()
            // Elements that name no family (defaults) fall back to "sans-serif".
            && register_font("sans-serif", FontStyle::Normal, fonts::REGULAR).is_ok()
    });
    if ok {
        Ok(())
    } else {
        Err(RenderError::Font(
            "DejaVu Sans could not be registered".into(),
        ))
    }
}

fn err<E: std::fmt::Display>(e: E) -> RenderError {
    RenderError::Chart(e.to_string())
}

/// The chart as raw 8-bit RGB pixels, [`WIDTH`] × [`HEIGHT`], row by row.
pub fn chart_rgb(chart: &Chart) -> Result<Vec<u8>, RenderError> {
    register()?;
    let mut buf = vec![255u8; (WIDTH * HEIGHT * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(err)?;
        let (plot, legend) = root.split_vertically(HEIGHT - 140);
        let n = chart.groups.len().max(1) as u32;
        let max = chart
            .groups
            .iter()
            .map(|g| g.counts.iter().sum::<u32>())
            .max()
            .unwrap_or(0)
            .max(1);
        // The first group on top: the bar at position p (from the bottom) is group n - 1 - p.
        let label = |v: &SegmentValue<u32>| match v {
            SegmentValue::CenterOf(p) => chart
                .groups
                .get(n.saturating_sub(1 + *p) as usize)
                .map(|g| g.label.clone())
                .unwrap_or_default(),
            _ => String::new(),
        };
        let mut c = ChartBuilder::on(&plot)
            .caption(
                &chart.title,
                (FAMILY, 34).into_font().style(FontStyle::Bold),
            )
            .margin(24)
            .x_label_area_size(60)
            .y_label_area_size(360)
            .build_cartesian_2d(0u32..max + max / 8 + 1, (0u32..n - 1).into_segmented())
            .map_err(err)?;
        c.configure_mesh()
            .disable_y_mesh()
            .y_labels(n as usize)
            .y_label_formatter(&label)
            .label_style((FAMILY, 24))
            .x_desc("Số nhiệm vụ")
            .axis_desc_style((FAMILY, 24))
            .draw()
            .map_err(err)?;
        let total_style = TextStyle::from((FAMILY, 24).into_font().style(FontStyle::Bold))
            .pos(Pos::new(HPos::Left, VPos::Center));
        for (i, g) in chart.groups.iter().enumerate() {
            let i = n - 1 - i as u32;
            let mut start = 0;
            for (k, &count) in g.counts.iter().enumerate() {
                if count == 0 {
                    continue;
                }
                let end = start + count;
                let mut bar = Rectangle::new(
                    [
                        (start, SegmentValue::Exact(i)),
                        (end, SegmentValue::Exact(i + 1)),
                    ],
                    COLORS[k].filled(),
                );
                bar.set_margin(14, 14, 0, 0);
                c.draw_series(std::iter::once(bar)).map_err(err)?;
                start = end;
            }
            c.draw_series(std::iter::once(Text::new(
                format!(" {start}"),
                (start, SegmentValue::CenterOf(i)),
                total_style.clone(),
            )))
            .map_err(err)?;
        }
        let legend_font = (FAMILY, 24).into_font();
        for (k, part) in BAR_PARTS.iter().enumerate() {
            let x = 40 + (k as i32 % 2) * 780;
            let y = 10 + (k as i32 / 2) * 40;
            legend
                .draw(&Rectangle::new(
                    [(x, y), (x + 28, y + 28)],
                    COLORS[k].filled(),
                ))
                .map_err(err)?;
            legend
                .draw(&Text::new(*part, (x + 40, y + 2), legend_font.clone()))
                .map_err(err)?;
        }
        root.present().map_err(err)?;
    }
    Ok(buf)
}

/// The chart as a PNG image, [`WIDTH`] × [`HEIGHT`].
pub fn chart_png(chart: &Chart) -> Result<Vec<u8>, RenderError> {
    let rgb = chart_rgb(chart)?;
    let mut out = Vec::new();
    {
        let mut encoder = png::Encoder::new(&mut out, WIDTH, HEIGHT);
        encoder.set_color(png::ColorType::Rgb);
        encoder.set_depth(png::BitDepth::Eight);
        let mut writer = encoder.write_header().map_err(err)?;
        writer.write_image_data(&rgb).map_err(err)?;
        writer.finish().map_err(err)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::ReportDocument;

    #[test]
    fn the_chart_is_a_png_of_its_size_with_the_bars_drawn() {
        let png_bytes = chart_png(&ReportDocument::sample().chart).unwrap();
        let decoder = png::Decoder::new(std::io::Cursor::new(&png_bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!((info.width, info.height), (WIDTH, HEIGHT));
        let rgb: Vec<[u8; 3]> = pixels[..info.buffer_size()]
            .chunks(3)
            .map(|p| [p[0], p[1], p[2]])
            .collect();
        for colour in COLORS {
            let count = rgb
                .iter()
                .filter(|p| **p == [colour.0, colour.1, colour.2])
                .count();
            assert!(count > 1000, "{colour:?} drawn on {count} pixels");
        }
        let dark = rgb.iter().filter(|p| p.iter().all(|c| *c < 60)).count();
        assert!(dark > 2000, "text and axes: {dark} dark pixels");
    }

    #[test]
    fn a_chart_without_groups_still_draws() {
        let chart = crate::render::Chart {
            title: "Trống".into(),
            groups: vec![],
        };
        assert!(chart_png(&chart).unwrap().starts_with(b"\x89PNG"));
    }
}
