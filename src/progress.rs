//! A one-line progress display for long builds (many versions): shown on a terminal, silent
//! when stderr is redirected or under CI (`CI` set), so logs stay clean.

use std::io::{IsTerminal, Write};

/// A progress line on stderr for long multi-version builds; silent when stderr is not a terminal or in CI.
pub struct Progress {
    enabled: bool,
    total: usize,
    done: usize,
}

impl Progress {
    /// A progress line for `total` steps.
    pub fn new(total: usize) -> Progress {
        let enabled =
            std::io::stderr().is_terminal() && std::env::var_os("CI").is_none() && total > 1;
        Progress {
            enabled,
            total,
            done: 0,
        }
    }

    /// Starts step `what`, replacing the previous line.
    pub fn step(&mut self, what: &str) {
        self.done += 1;
        if self.enabled {
            let mut err = std::io::stderr().lock();
            let _ = write!(
                err,
                "\r\x1b[2K[{}/{}] {what}",
                self.done.min(self.total),
                self.total
            );
            let _ = err.flush();
        }
    }

    /// Clears the line.
    pub fn finish(&mut self) {
        if self.enabled {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}
