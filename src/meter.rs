//! The progress display on stderr, drawn from the library's
//! `progress::Progress` counters by a thread of its own: on a terminal
//! (outside CI) an indicatif bar, cleared when the run writes its reports
//! or is interrupted; anywhere else (CI logs, a file) one plain line every
//! `PAPERLINKS_PROGRESS_SECS` (default 15) seconds, as cargo and ninja do.
//! Never writes to stdout.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use paperlinks::progress::{Progress, Snapshot, Stage};
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Seconds between progress lines when stderr is not a terminal.
const DEFAULT_LINE_SECS: f64 = 15.0;
/// How often the bar is redrawn.
const BAR_TICK: Duration = Duration::from_millis(200);

/// How progress is shown.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Mode {
    /// A bar, redrawn in place.
    Bar,
    /// A plain line every so often.
    Lines(Duration),
}

impl Mode {
    /// A bar when stderr is a terminal and `CI` is unset, else lines.
    pub fn detect() -> Mode {
        let terminal = std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        let secs = std::env::var("PAPERLINKS_PROGRESS_SECS").ok();
        Mode::choose(terminal, secs.as_deref())
    }

    fn choose(terminal: bool, secs: Option<&str>) -> Mode {
        if terminal {
            return Mode::Bar;
        }
        let secs = secs
            .and_then(|s| s.trim().parse::<f64>().ok())
            .filter(|s| s.is_finite() && *s > 0.0)
            .unwrap_or(DEFAULT_LINE_SECS)
            .clamp(0.05, 3600.0);
        Mode::Lines(Duration::from_secs_f64(secs))
    }
}

/// The running display; dropping it stops the thread and clears the bar.
pub struct Meter {
    stop: Option<mpsc::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    clear: Clearer,
}

/// Clears the bar for good (before an interruption message).
#[derive(Clone)]
pub struct Clearer {
    bar: Option<ProgressBar>,
    cleared: Arc<AtomicBool>,
}

impl Clearer {
    pub fn clear(&self) {
        self.cleared.store(true, Ordering::SeqCst);
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Meter {
    /// Starts showing `progress` in `mode`.
    pub fn start(progress: Progress, mode: Mode) -> Meter {
        let bar = (mode == Mode::Bar).then(|| new_bar(ProgressDrawTarget::stderr()));
        let clear = Clearer {
            bar: bar.clone(),
            cleared: Arc::new(AtomicBool::new(false)),
        };
        let (tx, rx) = mpsc::channel();
        let shown = clear.clone();
        let thread = std::thread::Builder::new()
            .name("progress".into())
            .spawn(move || match mode {
                Mode::Bar => draw_bar(&progress, &shown, &rx),
                Mode::Lines(every) => print_lines(&progress, every, &rx),
            })
            .ok();
        Meter {
            stop: Some(tx),
            thread,
            clear,
        }
    }

    /// A handle that clears the bar from elsewhere (the signal listener).
    pub fn clearer(&self) -> Clearer {
        self.clear.clone()
    }
}

impl Drop for Meter {
    fn drop(&mut self) {
        self.stop.take();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        self.clear.clear();
    }
}

/// The bar on `target`: counts, an integer rate, the ETA, failures.
fn new_bar(target: ProgressDrawTarget) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(0), target);
    let style = ProgressStyle::with_template(
        "{spinner} [{elapsed_precise}] {wide_bar} {pos}/{len} links ({rate}, eta {eta}) {msg}",
    )
    .map(|s| {
        s.with_key(
            "rate",
            |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0}/s", state.per_sec());
            },
        )
    });
    if let Ok(style) = style {
        bar.set_style(style);
    }
    bar
}

/// Redraws the bar until told to stop, the run writes its reports, or the
/// bar was cleared.
fn draw_bar(progress: &Progress, clear: &Clearer, stop: &mpsc::Receiver<()>) {
    let Some(bar) = &clear.bar else { return };
    while let Err(mpsc::RecvTimeoutError::Timeout) = stop.recv_timeout(BAR_TICK) {
        if clear.cleared.load(Ordering::SeqCst) {
            return;
        }
        let s = progress.snapshot();
        match s.stage {
            Stage::Reading => continue,
            Stage::Writing => {
                bar.finish_and_clear();
                return;
            }
            _ => {}
        }
        bar.set_length(s.total);
        bar.set_position(s.done);
        bar.set_message(bar_message(&s));
        bar.tick();
    }
}

/// `3 failing, forge APIs busy` after the counts, or the stage.
fn bar_message(s: &Snapshot) -> String {
    let mut parts = vec![format!("{} failing", s.failing)];
    if s.api_busy {
        parts.push("API calls under way".into());
    }
    if s.stage != Stage::Checking {
        parts.push(s.stage.as_str().into());
    }
    parts.join(", ")
}

/// Prints a line every `every` until told to stop.
fn print_lines(progress: &Progress, every: Duration, stop: &mpsc::Receiver<()>) {
    let started = Instant::now();
    while let Err(mpsc::RecvTimeoutError::Timeout) = stop.recv_timeout(every) {
        let s = progress.snapshot();
        if s.stage == Stage::Writing {
            continue;
        }
        eprintln!("{}", line(&s, started.elapsed()));
    }
}

/// `paperlinks: [45 s] checking: 120/3000 links, 4 failing; API calls under way`.
fn line(s: &Snapshot, elapsed: Duration) -> String {
    let mut text = format!("paperlinks: [{} s] {}", elapsed.as_secs(), s.stage.as_str());
    if matches!(s.stage, Stage::Checking | Stage::Following) && s.total > 0 {
        text.push_str(&format!(
            ": {}/{} links, {} failing",
            s.done, s.total, s.failing
        ));
    }
    if s.api_busy {
        text.push_str("; API calls under way");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_off_a_terminal_bar_on_one() {
        assert_eq!(Mode::choose(true, Some("1")), Mode::Bar);
        assert_eq!(
            Mode::choose(false, None),
            Mode::Lines(Duration::from_secs(15))
        );
        assert_eq!(
            Mode::choose(false, Some("0.5")),
            Mode::Lines(Duration::from_millis(500))
        );
        for bad in ["0", "-3", "nan", "x"] {
            assert_eq!(
                Mode::choose(false, Some(bad)),
                Mode::Lines(Duration::from_secs(15)),
                "{bad}"
            );
        }
    }

    /// A terminal that records what is drawn.
    #[derive(Debug, Clone, Default)]
    struct Screen(Arc<std::sync::Mutex<Vec<String>>>);

    impl indicatif::TermLike for Screen {
        fn width(&self) -> u16 {
            120
        }
        fn move_cursor_up(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_down(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_right(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn move_cursor_left(&self, _: usize) -> std::io::Result<()> {
            Ok(())
        }
        fn write_line(&self, s: &str) -> std::io::Result<()> {
            self.write_str(s)
        }
        fn write_str(&self, s: &str) -> std::io::Result<()> {
            self.0.lock().unwrap().push(s.to_string());
            Ok(())
        }
        fn clear_line(&self) -> std::io::Result<()> {
            self.0.lock().unwrap().push("<clear>".into());
            Ok(())
        }
        fn flush(&self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_bar_shows_an_integer_rate_and_is_cleared() {
        let screen = Screen::default();
        let target = ProgressDrawTarget::term_like_with_hz(Box::new(screen.clone()), 250);
        let bar = new_bar(target);
        bar.set_length(1000);
        for _ in 0..40 {
            bar.inc(7);
            std::thread::sleep(Duration::from_millis(3));
        }
        bar.set_message("2 failing");
        bar.tick();
        let drawn = screen.0.lock().unwrap().join("\n");
        let rate = regex::Regex::new(r"\((\d+)/s, eta").unwrap();
        assert!(rate.is_match(&drawn), "{drawn}");
        assert!(
            !regex::Regex::new(r"\d\.\d+/s").unwrap().is_match(&drawn),
            "{drawn}"
        );
        assert!(
            drawn.contains("280/1000 links") && drawn.contains("2 failing"),
            "{drawn}"
        );
        bar.finish_and_clear();
        assert_eq!(screen.0.lock().unwrap().last().unwrap(), "<clear>");
    }

    #[test]
    fn a_line_says_stage_counts_and_api() {
        let mut s = Snapshot {
            stage: Stage::Checking,
            total: 3000,
            done: 120,
            failing: 4,
            api_busy: true,
        };
        assert_eq!(
            line(&s, Duration::from_secs(45)),
            "paperlinks: [45 s] checking: 120/3000 links, 4 failing; API calls under way"
        );
        s.stage = Stage::Archiving;
        s.api_busy = false;
        assert_eq!(
            line(&s, Duration::from_secs(80)),
            "paperlinks: [80 s] archive lookups"
        );
    }
}
