//! Where each entry of a raw tree starts, shared between the versions of a folder.
//!
//! Two versions of a folder of 20,000 documents differ in an entry or two, so the second's entry
//! starts are the first's, shifted by what changed before them. Copying them for every commit
//! wrote 80 KB per commit (4 GB over a 50,000-commit walk) and grew faster than the history:
//! the folder grows with the history. Here a version's starts are runs of another version's
//! (shared, with a shift) and the few it parsed itself, so a commit costs what it changed.

use std::rc::Rc;

/// `src[from..to]`, each plus `shift`.
#[derive(Clone)]
struct Run {
    src: Rc<[u32]>,
    from: usize,
    to: usize,
    shift: i64,
}

impl Run {
    fn value(&self, i: usize) -> u32 {
        // Every value a run gives is a start in a tree shorter than 4 GiB (checked by `middle`
        // before it builds one): the shifted value fits.
        (i64::from(self.src[self.from + i]) + self.shift) as u32
    }

    fn len(&self) -> usize {
        self.to - self.from
    }
}

/// Starts made of more runs than this (a long line of versions, each changing a few entries) are
/// copied into one run before they are built on again, so that a lookup stays a short search.
const MAX_RUNS: usize = 64;

/// Ascending entry starts: runs of shared buffers.
#[derive(Clone, Default)]
pub(super) struct Starts {
    runs: Vec<Run>,
    /// How many starts the runs up to and including each one hold.
    ends: Vec<usize>,
}

impl Starts {
    /// All of `starts`, as one run.
    pub(super) fn whole(starts: Vec<u32>) -> Starts {
        let mut out = StartsBuilder::default();
        out.push_all(starts);
        out.out
    }

    pub(super) fn len(&self) -> usize {
        self.ends.last().copied().unwrap_or(0)
    }

    fn run_of(&self, i: usize) -> usize {
        self.ends.partition_point(|&e| e <= i)
    }

    fn first_of(&self, run: usize) -> usize {
        if run == 0 { 0 } else { self.ends[run - 1] }
    }

    /// The `i`th start.
    pub(super) fn get(&self, i: usize) -> Option<u32> {
        let r = self.run_of(i);
        let run = self.runs.get(r)?;
        Some(run.value(i - self.first_of(r)))
    }

    /// How many starts are at or before `pos`.
    pub(super) fn count_at_or_before(&self, pos: usize) -> usize {
        let pos = pos as i64;
        // The first run whose last start is after `pos` holds the answer's boundary.
        let r = self
            .runs
            .partition_point(|run| i64::from(run.value(run.len() - 1)) <= pos);
        let Some(run) = self.runs.get(r) else {
            return self.len();
        };
        let within =
            run.src[run.from..run.to].partition_point(|&v| i64::from(v) + run.shift <= pos);
        self.first_of(r) + within
    }

    /// Starts `from..`, in order.
    pub(super) fn iter_from(&self, from: usize) -> impl Iterator<Item = u32> + '_ {
        let r = self.run_of(from);
        let skip = from.saturating_sub(self.first_of(r));
        self.runs
            .iter()
            .skip(r)
            .enumerate()
            .flat_map(move |(k, run)| {
                let first = if k == 0 { skip } else { 0 };
                (first..run.len()).map(move |i| run.value(i))
            })
    }

    /// Every start, in order.
    pub(super) fn iter(&self) -> impl Iterator<Item = u32> + '_ {
        self.iter_from(0)
    }

    #[cfg(test)]
    pub(super) fn to_vec(&self) -> Vec<u32> {
        self.iter().collect()
    }
}

/// Equal when they hold the same starts, however they are made.
#[cfg(test)]
impl PartialEq for Starts {
    fn eq(&self, other: &Starts) -> bool {
        self.len() == other.len() && self.iter().eq(other.iter())
    }
}

#[cfg(test)]
impl std::fmt::Debug for Starts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Builds [`Starts`] in ascending order from runs of other versions' starts and single ones.
#[derive(Default)]
pub(super) struct StartsBuilder {
    out: Starts,
    /// Single starts not made into a run yet.
    loose: Vec<u32>,
}

impl StartsBuilder {
    /// Appends `v`, continuing the last run when that run's next start, shifted, is `v` (an
    /// entry that changed in place).
    pub(super) fn push(&mut self, v: u32) {
        if self.loose.is_empty()
            && let Some(last) = self.out.runs.last_mut()
            && last.to < last.src.len()
            && i64::from(last.src[last.to]) + last.shift == i64::from(v)
        {
            last.to += 1;
            if let Some(e) = self.out.ends.last_mut() {
                *e += 1;
            }
            return;
        }
        self.loose.push(v);
    }

    /// Appends starts `from..to` of `source`, each plus `shift`.
    pub(super) fn extend_from(&mut self, source: &Starts, from: usize, to: usize, shift: i64) {
        let mut at = from;
        while at < to {
            let r = source.run_of(at);
            let Some(run) = source.runs.get(r) else {
                return;
            };
            let skip = at - source.first_of(r);
            let n = (run.len() - skip).min(to - at);
            self.push_run(
                run.src.clone(),
                run.from + skip,
                run.from + skip + n,
                run.shift + shift,
            );
            at += n;
        }
    }

    /// Appends `src[from..to]` (`to` clamped to its end) plus `shift`, joined to the last run
    /// when it continues it.
    fn push_run(&mut self, src: Rc<[u32]>, from: usize, to: usize, shift: i64) {
        self.seal();
        let to = to.min(src.len());
        if from >= to {
            return;
        }
        let total = self.out.len() + (to - from);
        if let Some(last) = self.out.runs.last_mut()
            && Rc::ptr_eq(&last.src, &src)
            && last.to == from
            && last.shift == shift
        {
            last.to = to;
            if let Some(e) = self.out.ends.last_mut() {
                *e = total;
            }
            return;
        }
        self.out.runs.push(Run {
            src,
            from,
            to,
            shift,
        });
        self.out.ends.push(total);
    }

    /// Appends all of `starts`, as a run of its own.
    fn push_all(&mut self, starts: Vec<u32>) {
        self.push_run(Rc::from(starts), 0, usize::MAX, 0);
    }

    /// The loose starts, as a run of their own.
    fn seal(&mut self) {
        if !self.loose.is_empty() {
            let loose = std::mem::take(&mut self.loose);
            self.push_all(loose);
        }
    }

    pub(super) fn finish(mut self) -> Starts {
        self.seal();
        if self.out.runs.len() > MAX_RUNS {
            return Starts::whole(self.out.iter().collect());
        }
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// One step of building a version's starts from another's.
    #[derive(Debug, Clone)]
    enum Step {
        /// Starts `from..from + n` of the source, shifted by `shift`.
        Copy(usize, usize, i64),
        /// One new start, `gap` after the last.
        Push(u32),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (0usize..40, 0usize..12, -3i64..4).prop_map(|(f, n, s)| Step::Copy(f, n, s)),
            (1u32..5).prop_map(Step::Push),
        ]
    }

    /// Builds from `source` with `steps`, keeping the values ascending, alongside a plain vector.
    fn build(source: &Starts, steps: &[Step]) -> (Starts, Vec<u32>) {
        let src: Vec<u32> = source.to_vec();
        let (mut b, mut model) = (StartsBuilder::default(), Vec::<u32>::new());
        let mut next_from = 0;
        for s in steps {
            let last = model.last().map_or(-1, |&v| i64::from(v));
            match *s {
                Step::Copy(from, n, shift) => {
                    let from = from.max(next_from).min(src.len());
                    let to = (from + n).min(src.len());
                    if from == to {
                        continue;
                    }
                    // The shift keeps the run above what came before it.
                    let shift = shift.max(last + 1 - i64::from(src[from]));
                    b.extend_from(source, from, to, shift);
                    model.extend(src[from..to].iter().map(|&v| (i64::from(v) + shift) as u32));
                    next_from = to;
                }
                Step::Push(gap) => {
                    let v = (last + i64::from(gap)) as u32;
                    b.push(v);
                    model.push(v);
                }
            }
        }
        (b.finish(), model)
    }

    fn check(s: &Starts, model: &[u32]) -> Result<(), TestCaseError> {
        prop_assert_eq!(s.len(), model.len());
        prop_assert_eq!(s.to_vec(), model.to_vec());
        for (i, &v) in model.iter().enumerate() {
            prop_assert_eq!(s.get(i), Some(v));
            prop_assert_eq!(s.iter_from(i).next(), Some(v));
        }
        prop_assert_eq!(s.get(model.len()), None);
        prop_assert_eq!(s.iter_from(model.len()).count(), 0);
        let top = model.last().map_or(0, |&v| v as usize) + 2;
        for pos in 0..=top {
            let want = model.iter().filter(|&&v| v as usize <= pos).count();
            prop_assert_eq!(s.count_at_or_before(pos), want, "at {}", pos);
        }
        Ok(())
    }

    proptest! {
        /// Three generations, each built from the one before, read as the plain vectors they
        /// stand for.
        #[test]
        fn runs_read_as_the_starts_they_stand_for(
            first in prop::collection::vec(1u32..6, 0..40),
            gens in prop::collection::vec(prop::collection::vec(step(), 0..24), 1..4),
        ) {
            let mut acc = 0;
            let first: Vec<u32> = first.into_iter().map(|g| { acc += g; acc }).collect();
            let mut s = Starts::whole(first.clone());
            check(&s, &first)?;
            for steps in &gens {
                let (next, model) = build(&s, steps);
                check(&next, &model)?;
                s = next;
            }
        }
    }

    #[test]
    fn an_entry_changed_in_place_continues_the_run() {
        let s = Starts::whole(vec![0, 10, 20, 30]);
        let mut b = StartsBuilder::default();
        b.extend_from(&s, 0, 2, 0);
        b.push(20);
        b.extend_from(&s, 3, 4, 0);
        let out = b.finish();
        assert_eq!(out.runs.len(), 1, "one run, shared with the source");
        assert_eq!(out.to_vec(), [0, 10, 20, 30]);
    }

    #[test]
    fn too_many_runs_are_copied_into_one() {
        let s = Starts::whole((0..200).map(|i| i * 10).collect());
        let mut b = StartsBuilder::default();
        for i in 0..100 {
            // Every other start, shifted by one more each time: a run each.
            b.extend_from(&s, 2 * i, 2 * i + 1, i as i64);
        }
        let out = b.finish();
        assert_eq!(out.runs.len(), 1);
        let want: Vec<u32> = (0..100).map(|i| (i * 20 + i) as u32).collect();
        assert_eq!(out.to_vec(), want);
    }
}
