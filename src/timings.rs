//! How long the stages inside `open` and `render` took, for `build --timings`. Stages record
//! themselves here (they run deep inside the pipeline, some side by side on other threads);
//! `build` reads the totals once at the end. A stage that runs once per version adds up.

use std::sync::Mutex;
use std::time::{Duration, Instant};

static STAGES: Mutex<Vec<(&'static str, Duration)>> = Mutex::new(Vec::new());

/// Adds `elapsed` to `stage`.
pub fn record(stage: &'static str, elapsed: Duration) {
    if let Ok(mut stages) = STAGES.lock() {
        match stages.iter_mut().find(|(s, _)| *s == stage) {
            Some((_, total)) => *total += elapsed,
            None => stages.push((stage, elapsed)),
        }
    }
}

/// Runs `f`, recording how long it took under `stage`.
pub fn time<T>(stage: &'static str, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    record(stage, start.elapsed());
    out
}

/// Every stage recorded so far, in the order first recorded; and forgets them.
pub fn take() -> Vec<(&'static str, Duration)> {
    STAGES
        .lock()
        .map(|mut s| std::mem::take(&mut *s))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stages_add_up_in_order() {
        // Other tests may record stages meanwhile: look at this test's own only.
        record("test: first", Duration::from_millis(5));
        let n = time("test: second", || 2 + 2);
        record("test: first", Duration::from_millis(7));
        assert_eq!(n, 4);
        let got: Vec<_> = take()
            .into_iter()
            .filter(|(s, _)| s.starts_with("test: "))
            .collect();
        assert_eq!(got[0], ("test: first", Duration::from_millis(12)));
        assert_eq!(got[1].0, "test: second");
        assert!(!take().iter().any(|(s, _)| s.starts_with("test: ")));
    }
}
