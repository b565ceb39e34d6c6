//! popularity.svg (issue 5): a horizontal bar chart of the most-starred
//! repositories, bars coloured by health word with a legend, drawn with
//! plotters' SVG backend. The x axis switches to a log scale when the
//! spread is wide (see [`LOG_SCALE_SPREAD`]).
//!
//! Text layout: plotters without its `ttf` feature cannot measure text, and
//! the browser picks the font, so the label area is sized from the longest
//! label with a generous per-character width, long names are shortened,
//! y labels are right-aligned (`text-anchor="end"`), and the legend sits in
//! its own strip under the chart so it can never cover a bar.
//! `scripts/render-svg.sh` renders it in headless Chromium
//! (docs/popularity.png). Never does network I/O.

use super::atomic::write_text_atomic;
use super::popularity::thousands;
use super::repos::is_ranked;
use crate::error::Error;
use crate::model::{Forge, Health, RepoKind, RepoRow};
use plotters::coord::ranged1d::{AsRangedCoord, Ranged, ValueFormatter};
use plotters::prelude::*;
use std::path::Path;

/// How many repositories the chart shows.
pub const TOP_N: usize = 25;
/// Log scale when max stars / min stars (min counted as at least 1) is
/// above this.
pub const LOG_SCALE_SPREAD: f64 = 100.0;
/// Longest repository label, in characters, before it is shortened with "...".
pub const MAX_LABEL_CHARS: usize = 36;

const WIDTH: u32 = 1100;
const BAR_PX: u32 = 28;
const FONT: &str = "sans-serif";
const LABEL_SIZE: u32 = 16;
/// plotters writes `font-size` as the given size / 1.24.
const fn rendered_px(size: u32) -> f64 {
    size as f64 / 1.24
}
/// Width of one character of a label, on the safe side for sans-serif
/// fonts (average is ~0.55 em for repository names).
const CHAR_PX: f64 = rendered_px(LABEL_SIZE) * 0.62;

/// The colour of a health word (also used by the legend).
pub fn health_colour(h: Health) -> RGBColor {
    match h {
        Health::Active => RGBColor(46, 125, 50),
        Health::Stale => RGBColor(230, 145, 0),
        Health::Archived => RGBColor(117, 117, 117),
        Health::Placeholder => RGBColor(142, 36, 170),
        Health::Empty => RGBColor(189, 189, 189),
        Health::Missing => RGBColor(198, 40, 40),
        Health::Unknown => RGBColor(84, 110, 122),
        Health::Failing => RGBColor(216, 67, 21),
        Health::Unavailable => RGBColor(136, 14, 79),
    }
}

/// Whether the chart of these star counts uses a log scale.
pub fn use_log_scale(stars: &[u64]) -> bool {
    let (Some(&max), Some(&min)) = (stars.iter().max(), stars.iter().min()) else {
        return false;
    };
    max as f64 / (min.max(1) as f64) > LOG_SCALE_SPREAD
}

/// The label of a repository on the chart (shortened if very long).
pub fn bar_label(repo: &str) -> String {
    if repo.chars().count() <= MAX_LABEL_CHARS {
        repo.to_owned()
    } else {
        let head: String = repo.chars().take(MAX_LABEL_CHARS - 3).collect();
        format!("{head}...")
    }
}

struct Bar {
    label: String,
    stars: u64,
    health: Health,
}

/// Renders the chart of the top [`TOP_N`] ranked repositories of `repos`
/// (rows as ranked by `repos::rank_repos`; unranked rows are skipped).
pub fn render_popularity_svg(repos: &[RepoRow]) -> Result<String, Error> {
    let mut ranked: Vec<&RepoRow> = repos.iter().filter(|r| is_ranked(r)).collect();
    ranked.sort_by_key(|r| (r.rank.unwrap_or(usize::MAX), r.key()));
    let bars: Vec<Bar> = ranked
        .iter()
        .take(TOP_N)
        .map(|r| Bar {
            label: bar_label(&r.repo),
            stars: r.info.as_ref().map(|i| i.stars).unwrap_or(0),
            health: r.health,
        })
        .collect();
    let what = ranked_noun(&ranked);
    draw(&bars, ranked.len(), &what).map_err(|e| Error::Report {
        path: "popularity.svg".into(),
        source: std::io::Error::other(e),
    })
}

/// Renders and writes popularity.svg atomically.
pub fn write_popularity_svg(path: &Path, repos: &[RepoRow]) -> Result<(), Error> {
    let svg = render_popularity_svg(repos).map_err(|e| match e {
        Error::Report { source, .. } => Error::Report {
            path: path.to_path_buf(),
            source,
        },
        other => other,
    })?;
    write_text_atomic(path, &svg)
}

type DrawResult = Result<(), String>;

/// The y axis: `n` rows of height 1, row r spanning r..r+1 from the bottom,
/// with one key point (label) at the middle of each row. (A segmented
/// integer range would add an empty slot, and fails for a single row.)
struct Rows(usize);

impl Ranged for Rows {
    type FormatOption = plotters::coord::ranged1d::DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = f64::from(limit.1 - limit.0);
        limit.0 + (span * value / self.0.max(1) as f64).round() as i32
    }

    fn key_points<Hint: plotters::coord::ranged1d::KeyPointHint>(&self, _hint: Hint) -> Vec<f64> {
        (0..self.0).map(|r| r as f64 + 0.5).collect()
    }

    fn range(&self) -> std::ops::Range<f64> {
        0.0..self.0 as f64
    }
}

/// The forge's name as people write it.
pub fn forge_name(f: Forge) -> &'static str {
    match f {
        Forge::Github => "GitHub",
        Forge::Huggingface => "Hugging Face",
        Forge::Gitlab => "GitLab",
        Forge::Codeberg => "Codeberg",
        Forge::Gitea => "Gitea",
        Forge::Gitee => "Gitee",
    }
}

/// What a ranking ranks, for its title (issue 24 item 7): the kinds and
/// forges of the rows, "GitHub repositories" when that is all, else e.g.
/// "repositories and models (GitHub, Hugging Face)", with "by stars" told
/// apart for Hugging Face, where `stars` holds likes.
pub fn ranked_noun(rows: &[&RepoRow]) -> String {
    let mut kinds: Vec<RepoKind> = rows.iter().map(|r| r.kind).collect();
    kinds.sort();
    kinds.dedup();
    let mut forges: Vec<Forge> = rows.iter().map(|r| r.forge).collect();
    forges.sort();
    forges.dedup();
    let singular = rows.len() == 1;
    let words: Vec<&str> = kinds
        .iter()
        .map(|k| match (k, singular) {
            (RepoKind::Repository, false) => "repositories",
            (RepoKind::Repository, true) => "repository",
            (RepoKind::Model, false) => "models",
            (RepoKind::Model, true) => "model",
            (RepoKind::Dataset, false) => "datasets",
            (RepoKind::Dataset, true) => "dataset",
            (RepoKind::Space, false) => "Spaces",
            (RepoKind::Space, true) => "Space",
        })
        .collect();
    let things = match words.as_slice() {
        [] => "repositories".to_owned(),
        [one] => (*one).to_owned(),
        [head @ .., last] => format!("{} and {last}", head.join(", ")),
    };
    let likes = if forges.contains(&Forge::Huggingface) {
        " (likes on Hugging Face)"
    } else {
        ""
    };
    match forges.as_slice() {
        [one] => format!("{} {things} by stars{likes}", forge_name(*one)),
        _ => {
            let names: Vec<&str> = forges.iter().map(|f| forge_name(*f)).collect();
            format!("{things} ({}) by stars{likes}", names.join(", "))
        }
    }
}

fn draw(bars: &[Bar], total_ranked: usize, what: &str) -> Result<String, String> {
    let n = bars.len();
    let legend_px = 50;
    let height = 70 + (n.max(2) as u32) * BAR_PX + 60 + legend_px;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let (chart_area, legend_area) = root.split_vertically(height - legend_px);
        if n == 0 {
            chart_area
                .draw(&Text::new(
                    "No repositories with stars to show.",
                    (40, 40),
                    (FONT, 20).into_font(),
                ))
                .map_err(|e| e.to_string())?;
        } else {
            let stars: Vec<u64> = bars.iter().map(|b| b.stars).collect();
            let max = *stars.iter().max().unwrap_or(&1) as f64;
            let min = (*stars.iter().min().unwrap_or(&1)).max(1) as f64;
            let caption = if total_ranked > n {
                format!("Top {n} of {total_ranked} linked {what}")
            } else {
                format!("{n} linked {what}")
            };
            if use_log_scale(&stars) {
                // From the power of ten below the smallest bar to well past
                // the largest, so the value labels fit inside the plot.
                // (A smallest bar exactly on a power of ten would have no
                // length: start half-way below it.)
                let lo = 10f64.powf(min.log10().floor()).max(1.0);
                let lo = if lo >= min { min / 2.0 } else { lo };
                let hi = max * 4.0;
                draw_bars(
                    &chart_area,
                    (lo..hi).log_scale(),
                    lo,
                    bars,
                    &caption,
                    "stars (log scale)",
                )?;
            } else {
                draw_bars(
                    &chart_area,
                    0f64..(max * 1.18).max(1.0),
                    0.0,
                    bars,
                    &caption,
                    "stars",
                )?;
            }
        }
        draw_legend(&legend_area, bars)?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// Width of the label column: room for the longest label.
fn label_area_px(bars: &[Bar]) -> u32 {
    let longest = bars
        .iter()
        .map(|b| b.label.chars().count())
        .max()
        .unwrap_or(0);
    (longest as f64 * CHAR_PX).ceil() as u32 + 16
}

fn draw_bars<DB, X>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    x: X,
    x0: f64,
    bars: &[Bar],
    caption: &str,
    x_desc: &str,
) -> DrawResult
where
    DB: DrawingBackend,
    X: AsRangedCoord<Value = f64>,
    X::CoordDescType: ValueFormatter<f64>,
{
    let n = bars.len();
    let label_px = label_area_px(bars);
    let mut chart = ChartBuilder::on(area)
        .caption(caption, (FONT, 26))
        .margin_top(12)
        .margin_left(16)
        .margin_right(36)
        .x_label_area_size(50)
        .y_label_area_size(label_px)
        // Row r (from the bottom) spans r..r+1; its label sits at r + 0.5.
        .build_cartesian_2d(x, Rows(n))
        .map_err(|e| e.to_string())?;
    // Row i of the chart (from the bottom) shows bar n - 1 - i, so rank 1
    // is on top.
    let label_of = |v: &f64| {
        let row = v.floor();
        if row >= 0.0 && (row as usize) < n {
            bars[n - 1 - row as usize].label.clone()
        } else {
            String::new()
        }
    };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .y_labels(n)
        .y_label_formatter(&label_of)
        .x_label_formatter(&|v: &f64| thousands(v.round().max(0.0) as u64))
        .x_desc(x_desc)
        .label_style((FONT, LABEL_SIZE))
        .axis_desc_style((FONT, 18))
        .light_line_style(WHITE.mix(0.0))
        .bold_line_style(BLACK.mix(0.12))
        .draw()
        .map_err(|e| e.to_string())?;
    chart
        .draw_series(bars.iter().enumerate().map(|(k, b)| {
            let row = n - 1 - k;
            let end = (b.stars as f64).max(x0);
            let row = row as f64;
            Rectangle::new(
                [(x0, row + 0.15), (end, row + 0.85)],
                health_colour(b.health).filled(),
            )
        }))
        .map_err(|e| e.to_string())?;
    let value_colour = RGBColor(40, 40, 40);
    let value_style = TextStyle::from((FONT, 15).into_font())
        .color(&value_colour)
        .pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Left,
            plotters::style::text_anchor::VPos::Center,
        ));
    chart
        .draw_series(bars.iter().enumerate().map(|(k, b)| {
            let row = n - 1 - k;
            let end = (b.stars as f64).max(x0);
            EmptyElement::at((end, row as f64 + 0.5))
                + Text::new(thousands(b.stars), (6, 0), value_style.clone())
        }))
        .map_err(|e| e.to_string())?;
    Ok(())
}

fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    bars: &[Bar],
) -> DrawResult {
    let mut present: Vec<Health> = Health::ALL
        .into_iter()
        .filter(|h| bars.iter().any(|b| b.health == *h))
        .collect();
    present.sort_by_key(|h| h.goodness_rank());
    if present.is_empty() {
        return Ok(());
    }
    let style =
        TextStyle::from((FONT, 18).into_font()).pos(plotters::style::text_anchor::Pos::new(
            plotters::style::text_anchor::HPos::Left,
            plotters::style::text_anchor::VPos::Center,
        ));
    let y = 20;
    let mut x = 24;
    area.draw(&Text::new("health:", (x, y), style.clone()))
        .map_err(|e| e.to_string())?;
    x += 80;
    for h in present {
        area.draw(&Rectangle::new(
            [(x, y - 8), (x + 16, y + 8)],
            health_colour(h).filled(),
        ))
        .map_err(|e| e.to_string())?;
        area.draw(&Text::new(h.as_str(), (x + 22, y), style.clone()))
            .map_err(|e| e.to_string())?;
        x += 22 + (h.as_str().len() as f64 * rendered_px(18) * 0.62) as i32 + 30;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(forge: Forge, kind: RepoKind) -> RepoRow {
        RepoRow {
            repo: "o/r".into(),
            forge,
            kind,
            info: None,
            papers: 1,
            links: 1,
            health: Health::Active,
            days_since_push: None,
            rank: None,
            error: String::new(),
            fetched_at: chrono::Utc::now(),
            cached: false,
            stars_delta: None,
            previous_report_at: None,
            archive: Default::default(),
            found_via: String::new(),
        }
    }

    #[test]
    fn titles_name_what_they_rank() {
        let gh = row(Forge::Github, RepoKind::Repository);
        assert_eq!(ranked_noun(&[&gh, &gh]), "GitHub repositories by stars");
        assert_eq!(ranked_noun(&[&gh]), "GitHub repository by stars");
        let model = row(Forge::Huggingface, RepoKind::Model);
        let lab = row(Forge::Gitlab, RepoKind::Repository);
        assert_eq!(
            ranked_noun(&[&gh, &model, &lab]),
            "repositories and models (GitHub, Hugging Face, GitLab) by stars (likes on Hugging Face)"
        );
        assert_eq!(
            ranked_noun(&[&model, &model]),
            "Hugging Face models by stars (likes on Hugging Face)"
        );
    }
}
