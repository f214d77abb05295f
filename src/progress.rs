//! Progress for long work. Builds of many versions show one line, redrawn, on a terminal and
//! nothing else (logs stay clean). Exports — `pdf`, `docx`, `evidence --bundle` — show a bar on a terminal,
//! one plain line per step when stderr is not a terminal (a CI log shows how far it got), and
//! nothing with `--quiet`.

use std::io::{IsTerminal, Write};

use indicatif::{ProgressBar, ProgressStyle};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// One `[n/total] step` line on the terminal, redrawn at every step (builds).
    Line,
    /// A bar on the terminal (indicatif).
    Bar,
    /// `label [n/total] step` lines on stderr.
    Lines,
    /// Nothing.
    Quiet,
}

/// Progress over a known number of steps.
pub struct Progress {
    mode: Mode,
    label: &'static str,
    total: usize,
    done: usize,
    bar: Option<ProgressBar>,
}

/// Whether a bar can be drawn: stderr is a terminal, and not a CI job.
fn on_terminal() -> bool {
    std::io::stderr().is_terminal() && std::env::var_os("CI").is_none()
}

impl Progress {
    /// For a build of many versions: a line on a terminal, else nothing.
    pub fn new(total: usize) -> Progress {
        let mode = if on_terminal() && total > 1 {
            Mode::Line
        } else {
            Mode::Quiet
        };
        Progress::with_mode(mode, "build", total)
    }

    /// For an export (`label`: `pdf`, `docx`, `bundle`): a bar on a terminal, plain lines
    /// otherwise, nothing when `quiet`.
    pub fn for_export(label: &'static str, total: usize, quiet: bool) -> Progress {
        let mode = match (quiet, on_terminal()) {
            (true, _) => Mode::Quiet,
            (false, true) => Mode::Bar,
            (false, false) => Mode::Lines,
        };
        Progress::with_mode(mode, label, total)
    }

    fn with_mode(mode: Mode, label: &'static str, total: usize) -> Progress {
        let bar = (mode == Mode::Bar).then(|| {
            let bar = ProgressBar::new(total as u64);
            if let Ok(style) =
                ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {wide_msg}")
            {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_prefix(label);
            bar
        });
        Progress {
            mode,
            label,
            total,
            done: 0,
            bar,
        }
    }

    /// Starts step `what`.
    pub fn step(&mut self, what: &str) {
        self.done += 1;
        match self.mode {
            Mode::Line => {
                let mut err = std::io::stderr().lock();
                let _ = write!(
                    err,
                    "\r\x1b[2K[{}/{}] {what}",
                    self.done.min(self.total),
                    self.total
                );
                let _ = err.flush();
            }
            Mode::Bar => {
                if let Some(bar) = &self.bar {
                    bar.set_message(what.to_string());
                    bar.set_position(self.done.saturating_sub(1) as u64);
                }
            }
            Mode::Lines => eprintln!(
                "{} [{}/{}] {what}",
                self.label,
                self.done.min(self.total),
                self.total
            ),
            Mode::Quiet => {}
        }
    }

    /// Ends the display (the bar is cleared).
    pub fn finish(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
        if self.mode == Mode::Line {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}
