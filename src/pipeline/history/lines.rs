//! Lines added and removed by each change to a document, counted after the walk for every
//! commit together.
//!
//! A diff's counts depend only on which lines of the two versions are equal, so each version
//! read is kept as one 64-bit hash per line, and each pair is diffed (by libgit2, so the counts
//! are `git log --numstat`'s) as two files of fixed-width lines that are equal where the real
//! lines are. That lets every version be read once, in pack order: git writes a delta's base
//! beside the deltas made from it, and versions of one document are scattered over deltas of
//! other documents' versions. Read pair by pair, each version's chain was inflated again (44% of
//! a 20,000-document build).

use std::path::Path;
use std::sync::Arc;

use git2::{DiffOptions, Oid, Patch};
use rayon::prelude::*;

use super::pack::Packs;

/// A file modified or added whose lines added and removed are counted after the walk: change
/// `index` of the record's `changes` (`inside`) or `elsewhere`, from blob `old` (none: the file
/// was added) to blob `new`.
pub(super) struct Pending {
    pub(super) inside: bool,
    pub(super) index: usize,
    pub(super) old: Option<Oid>,
    pub(super) new: Oid,
}

/// One version of a file as a diff sees it.
#[derive(Debug, PartialEq)]
enum Version {
    /// A line of [`TOKEN`] bytes per line of the file, a 64-bit hash of the line (its newline
    /// included: a last line without one is another line).
    Lines(Vec<u8>),
    /// A file with a NUL byte in its first 8,000 bytes, which libgit2 takes for binary and
    /// counts no lines of: kept as it is, so that libgit2 decides as before.
    Raw(Vec<u8>),
}

/// How far libgit2 looks for a NUL byte to call a file binary.
const BINARY_CHECK: usize = 8000;

/// Bytes per line of [`Version::Lines`]: a 64-bit hash in ten bytes of seven bits each (the
/// top bit set, so never a newline or a NUL), and a newline.
const TOKEN: usize = 11;

impl Version {
    fn of(content: &[u8]) -> Version {
        if content[..content.len().min(BINARY_CHECK)].contains(&0) {
            return Version::Raw(content.to_vec());
        }
        // Exactly the tokens' size: every version of every file is held until the diffs are
        // done, and a guess from the file's size (a third of it) left most of each buffer
        // unused, 180 MB at 20,000 documents.
        let mut out = Vec::with_capacity(TOKEN * lines_in(content));
        let mut start = 0;
        while start < content.len() {
            let end = next_newline(content, start).map_or(content.len(), |n| n + 1);
            let mut h = line_hash(&content[start..end]);
            let mut token = [b'\n'; TOKEN];
            for t in &mut token[..TOKEN - 1] {
                *t = 0x80 | (h & 0x7f) as u8;
                h >>= 7;
            }
            out.extend_from_slice(&token);
            start = end;
        }
        Version::Lines(out)
    }

    /// Lines in the file, as `git log --numstat` counts those of a file added.
    fn lines(&self) -> usize {
        match self {
            Version::Lines(tokens) => tokens.len() / TOKEN,
            Version::Raw(bytes) => lines_in(bytes),
        }
    }

    /// The text libgit2 diffs.
    fn text(&self) -> &[u8] {
        match self {
            Version::Raw(bytes) | Version::Lines(bytes) => bytes,
        }
    }
}

/// Lines added and removed from `old` to `new` when they follow from the two versions' common
/// first and last lines alone: what lies between is all new on one side, or shares no line with
/// the other side. libgit2's diff trims the same ends first (comparing the same tokens), and in
/// either case has nothing left to match, so its counts are these. `None`: libgit2 must diff.
///
/// Most changes to a document are one place edited, which this answers without libgit2, whose
/// diff of two buffers begins by hashing both with SHA-1 (collision-detecting, so slow) for ids
/// it never uses: half of the line counts' time.
fn counts_from_ends(old: &Version, new: &Version) -> Option<(usize, usize)> {
    let (Version::Lines(old), Version::Lines(new)) = (old, new) else {
        return None;
    };
    let (old, new) = (old.chunks_exact(TOKEN), new.chunks_exact(TOKEN));
    let (n_old, n_new) = (old.len(), new.len());
    let prefix = old
        .clone()
        .zip(new.clone())
        .take_while(|(a, b)| a == b)
        .count();
    let suffix = old
        .clone()
        .rev()
        .zip(new.clone().rev())
        .take(n_old.min(n_new) - prefix)
        .take_while(|(a, b)| a == b)
        .count();
    let (removed, added) = (n_old - prefix - suffix, n_new - prefix - suffix);
    // A few lines each side (one paragraph rewritten) are compared pair by pair; longer
    // middles are left to libgit2.
    const PAIRS: usize = 64;
    let apart = removed == 0
        || added == 0
        || (removed * added <= PAIRS && {
            let added_lines = new.skip(prefix).take(added);
            old.skip(prefix)
                .take(removed)
                .all(|r| added_lines.clone().all(|a| a != r))
        });
    apart.then_some((added, removed))
}

/// Lines added and removed from `old` to `new`, as `git log --numstat` counts them: through the
/// hashed lines, and from their common ends alone when those decide it (see `count`).
pub(super) fn line_stats(old: &[u8], new: &[u8]) -> Result<(usize, usize), git2::Error> {
    let (old, new) = (Version::of(old), Version::of(new));
    match counts_from_ends(&old, &new) {
        Some(counts) => Ok(counts),
        None => buffer_line_stats(old.text(), new.text()),
    }
}

/// Lines of a file as a diff counts them: a last line without a newline is one.
pub(super) fn lines_in(content: &[u8]) -> usize {
    content.iter().filter(|&&c| c == b'\n').count()
        + usize::from(content.last().is_some_and(|&c| c != b'\n'))
}

/// Where the first newline at or after `from` is: eight bytes at a time (a byte-at-a-time
/// search was most of the cost of reading a version).
fn next_newline(content: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const NEWLINES: u64 = ONES * b'\n' as u64;
    let mut at = from;
    while let Some(w) = content.get(at..at + 8) {
        let mut word = [0u8; 8];
        word.copy_from_slice(w);
        // A zero byte of `x` is a newline of `word`; the lowest flag marks the first one.
        let x = u64::from_le_bytes(word) ^ NEWLINES;
        let found = x.wrapping_sub(ONES) & !x & (ONES << 7);
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    content
        .get(at..)?
        .iter()
        .position(|&c| c == b'\n')
        .map(|i| at + i)
}

/// A 64-bit hash of a line, read eight bytes at a time (FNV's byte at a time was 15% of the
/// history step), its length included.
fn line_hash(line: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h = K ^ (line.len() as u64).wrapping_mul(0xff51_afd7_ed55_8ccd);
    let mut words = line.chunks_exact(8);
    for w in &mut words {
        let mut word = [0u8; 8];
        word.copy_from_slice(w);
        h = (h ^ u64::from_le_bytes(word))
            .wrapping_mul(K)
            .rotate_left(29);
    }
    let mut tail = [0u8; 8];
    tail[..words.remainder().len()].copy_from_slice(words.remainder());
    h = (h ^ u64::from_le_bytes(tail)).wrapping_mul(K);
    // MurmurHash3's finaliser: every input bit moves every output bit.
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Lines added and removed from `old` to `new`, as git counts them.
pub(super) fn buffer_line_stats(old: &[u8], new: &[u8]) -> Result<(usize, usize), git2::Error> {
    // An empty path: libgit2 looks up the `diff` attribute of the path a pair is diffed under
    // (`file` when none is given), which read the system and global attribute files for every
    // pair, 4% of a cold build; under an empty path it looks up nothing.
    let no_path = Some(Path::new(""));
    let mut opts = DiffOptions::new();
    // Only the counts are read: no lines of context around the changes.
    opts.context_lines(0);
    let (_, added, removed) =
        Patch::from_buffers(old, no_path, new, no_path, Some(&mut opts))?.line_stats()?;
    Ok((added, removed))
}

/// The lines added and removed of each of `pending`, in its order.
pub(super) fn count(
    git_dir: &Path,
    packs: &Arc<Packs>,
    cache_per_thread: usize,
    pending: &[Pending],
) -> Result<Vec<(usize, usize)>, String> {
    let ids: Vec<Oid> = pending
        .iter()
        .flat_map(|p| p.old.into_iter().chain([p.new]))
        .collect();
    let versions = super::pack::read_blobs(git_dir, packs, cache_per_thread, ids, Version::of)?;
    pending
        .par_iter()
        .with_max_len(crate::parallel::LEAF)
        .map(|p| {
            let Some(new) = versions.get(&p.new) else {
                return Err(format!("cannot count the lines of {}: not read", p.new));
            };
            let Some(old_id) = p.old else {
                return Ok((new.lines(), 0));
            };
            let Some(old) = versions.get(&old_id) else {
                return Err(format!("cannot diff {old_id} with {}: not read", p.new));
            };
            if let Some(counts) = counts_from_ends(old, new) {
                return Ok(counts);
            }
            buffer_line_stats(old.text(), new.text())
                .map_err(|e| format!("cannot diff {old_id} with {}: {}", p.new, e.message()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    fn text(lines: &[u8], last_newline: bool) -> Vec<u8> {
        // Few distinct lines, so that versions share many and the diffs are not trivial.
        let mut out = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            out.extend_from_slice(format!("line {}", l % 6).as_bytes());
            if i + 1 < lines.len() || last_newline {
                out.push(b'\n');
            }
        }
        out
    }

    proptest! {
        #[test]
        fn hashed_lines_count_as_the_lines_themselves(
            a in prop::collection::vec(any::<u8>(), 0..40),
            b in prop::collection::vec(any::<u8>(), 0..40),
            a_nl: bool,
            b_nl: bool,
        ) {
            let (a, b) = (text(&a, a_nl), text(&b, b_nl));
            let direct = buffer_line_stats(&a, &b).map_err(|e| TestCaseError::fail(e.to_string()))?;
            let hashed = buffer_line_stats(Version::of(&a).text(), Version::of(&b).text())
                .map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(direct, hashed);
            // And with the common ends first, as moves are counted.
            let stats = line_stats(&a, &b).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(direct, stats);
        }
    }

    proptest! {
        #[test]
        fn counts_from_the_ends_are_libgit2s_whenever_given(
            common in prop::collection::vec(any::<u8>(), 0..12),
            a in prop::collection::vec(any::<u8>(), 0..12),
            b in prop::collection::vec(any::<u8>(), 0..12),
            tail in prop::collection::vec(any::<u8>(), 0..12),
            a_nl: bool,
            b_nl: bool,
        ) {
            // Versions that share a start and an end, with few distinct lines in between, so
            // that every case comes up: one side empty, nothing shared, something shared.
            let join = |mid: &[u8]| [&common[..], mid, &tail[..]].concat();
            let (a, b) = (text(&join(&a), a_nl), text(&join(&b), b_nl));
            let (va, vb) = (Version::of(&a), Version::of(&b));
            if let Some(counts) = counts_from_ends(&va, &vb) {
                let libgit2 = buffer_line_stats(va.text(), vb.text())
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(counts, libgit2);
            }
        }
    }

    #[test]
    fn one_place_edited_is_counted_without_libgit2() {
        let v = |t: &str| Version::of(t.as_bytes());
        let base = v("a\nb\nc\nd\n");
        // Lines added, removed, replaced; a last line that lost its newline is replaced.
        assert_eq!(
            counts_from_ends(&base, &v("a\nb\nx\ny\nc\nd\n")),
            Some((2, 0))
        );
        assert_eq!(counts_from_ends(&base, &v("a\nd\n")), Some((0, 2)));
        assert_eq!(counts_from_ends(&base, &v("a\nx\nd\n")), Some((1, 2)));
        assert_eq!(counts_from_ends(&base, &v("a\nb\nc\nd")), Some((1, 1)));
        assert_eq!(counts_from_ends(&base, &base), Some((0, 0)));
        assert_eq!(counts_from_ends(&v(""), &base), Some((4, 0)));
        // Lines moved: the middles share a line, so libgit2 diffs them.
        assert_eq!(counts_from_ends(&base, &v("a\nc\nb\nd\n")), None);
        // Binary: libgit2 decides.
        assert_eq!(counts_from_ends(&Version::of(b"a\0"), &base), None);
    }

    #[test]
    fn a_last_line_without_a_newline_is_another_line() {
        let (a, b) = (Version::of(b"x\ny\n"), Version::of(b"x\ny"));
        assert_ne!(a, b);
        assert_eq!(buffer_line_stats(a.text(), b.text()).ok(), Some((1, 1)));
    }

    #[test]
    fn a_version_holds_no_more_than_its_tokens() {
        // Every version of every file is held until the diffs are done.
        let long_lines = "a line of prose that goes on for a while, as paragraphs do\n".repeat(50);
        for text in [&long_lines[..], "x\ny", "", "\n\n\n"] {
            let Version::Lines(tokens) = Version::of(text.as_bytes()) else {
                panic!("{text:?} is text");
            };
            assert_eq!(tokens.len(), TOKEN * lines_in(text.as_bytes()));
            assert_eq!(tokens.capacity(), tokens.len(), "{text:?}");
        }
    }

    proptest! {
        #[test]
        fn newlines_are_found_where_they_are(text in prop::collection::vec(prop::sample::select(vec![b'a', b'\n', 0x8a, 0x0b, 0x09]), 0..40), from in 0usize..40) {
            let from = from.min(text.len());
            let expected = text[from..].iter().position(|&c| c == b'\n').map(|i| from + i);
            prop_assert_eq!(next_newline(&text, from), expected);
        }
    }

    #[test]
    fn an_added_file_counts_its_lines_as_numstat_does() {
        for (text, lines) in [
            (&b""[..], 0),
            (b"a", 1),
            (b"a\n", 1),
            (b"a\nb", 2),
            (b"\0\nb", 2),
        ] {
            assert_eq!(Version::of(text).lines(), lines, "{text:?}");
        }
    }

    #[test]
    fn a_file_with_a_nul_byte_is_left_for_libgit2_to_call_binary() {
        let raw = b"a\n\0b\n".to_vec();
        assert_eq!(Version::of(&raw), Version::Raw(raw.clone()));
        // Binary: no lines counted, as before.
        assert_eq!(
            buffer_line_stats(&raw, b"a\nb\n").ok(),
            buffer_line_stats(Version::of(&raw).text(), Version::of(b"a\nb\n").text()).ok()
        );
    }
}
