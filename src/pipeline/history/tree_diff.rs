//! Comparing two versions of a folder straight from git's raw tree objects.
//!
//! A handbook keeps its documents in one flat `policies/` folder, so every commit rewrites one
//! large tree (20,000 documents: about a megabyte) to change an entry or two. libgit2's tree diff
//! parses every entry of both versions, which makes a walk quadratic in the folder's size. Here
//! the two versions' bytes are compared in bulk: the common prefix and suffix (memory-speed
//! comparisons) leave a small middle, and only the entries there are parsed. Where the entries
//! start is known for the version compared last, and carried over to the next one — in a
//! revision walk, each commit's tree is the previous commit's parent tree — so a tree is parsed
//! in full only when no neighbour is at hand.
//!
//! The result equals a tree diff's (checked against a full parse by property tests): every
//! file whose id or mode differs, path-sorted as git orders them; submodules are skipped.

use std::borrow::Cow;
use std::cmp::Ordering;
use std::rc::Rc;

use git2::{Odb, Oid};

use super::rope::{Rope, common_prefix};
use super::starts::{Starts, StartsBuilder};

/// A file (not a folder or submodule) on one side of a change: its blob id and mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct FileSide {
    pub(super) id: Oid,
    pub(super) mode: u32,
}

/// A file that differs between the two versions: path from the repository root; `None` on the
/// side where it does not exist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FileDiff {
    pub(super) path: String,
    pub(super) old: Option<FileSide>,
    pub(super) new: Option<FileSide>,
}

const MODE_TYPE: u32 = 0o170000;
const MODE_TREE: u32 = 0o040000;
const MODE_SUBMODULE: u32 = 0o160000;

/// One entry of a raw tree: `<octal mode> <name>\0<20-byte id>`; borrowed from the tree's
/// bytes unless it spans two of a rope's pieces.
#[derive(Debug, Clone)]
struct Entry<'a> {
    mode: u32,
    name: Cow<'a, [u8]>,
    id: Cow<'a, [u8]>,
}

impl Entry<'_> {
    fn is_tree(&self) -> bool {
        self.mode & MODE_TYPE == MODE_TREE
    }
}

/// A tree object's bytes (a rope: see `rope`) and where each entry starts.
struct RawTree {
    id: Oid,
    data: Rc<Rope>,
    starts: Starts,
}

fn malformed(id: Oid) -> git2::Error {
    git2::Error::from_str(&format!("tree {id} is malformed"))
}

/// The entry at `pos` and where the next one starts.
fn entry_at(data: &Rope, pos: usize) -> Option<(Entry<'_>, usize)> {
    // A mode is at most 7 octal digits: a tree that is not one is not scanned to its end.
    let head = data.range(pos, (pos + 8).min(data.len()))?;
    let space = pos + head.iter().position(|&b| b == b' ')?;
    let mut mode = 0u32;
    for &b in data.range(pos, space)?.iter() {
        if !b.is_ascii_digit() || b > b'7' {
            return None;
        }
        mode = mode * 8 + u32::from(b - b'0');
    }
    let nul = data.find_byte(space + 1, 0)?;
    let id = data.range(nul + 1, nul + 21)?;
    Some((
        Entry {
            mode,
            name: data.range(space + 1, nul)?,
            id,
        },
        nul + 21,
    ))
}

/// Where every entry of `data` starts.
fn parse_starts(id: Oid, data: &Rope) -> Result<Starts, git2::Error> {
    let mut starts = Vec::new();
    let mut pos = 0;
    while pos < data.len() {
        starts.push(u32::try_from(pos).map_err(|_| malformed(id))?);
        pos = entry_at(data, pos).ok_or_else(|| malformed(id))?.1;
    }
    Ok(Starts::whole(starts))
}

/// Git's order of tree entries: by name, a folder's name compared as if it ended in `/`.
fn git_order(a: &Entry<'_>, b: &Entry<'_>) -> Ordering {
    let (an, bn) = (&a.name[..], &b.name[..]);
    let n = an.len().min(bn.len());
    match an[..n].cmp(&bn[..n]) {
        Ordering::Equal => {}
        other => return other,
    }
    let next = |e: &Entry<'_>| match e.name.get(n) {
        Some(&c) => c,
        None if e.is_tree() => b'/',
        None => 0,
    };
    next(a).cmp(&next(b))
}

/// The entries of `known` and of `other` (whose starts are not known yet) that differ, each
/// side in order; and where every entry of `other` starts.
type Middle<'a> = (Vec<Entry<'a>>, Vec<Entry<'a>>, Starts);

/// Compares `known` with the bytes of another version of the folder. Both list the same entries
/// but for the few a commit changed, so from any pair of entry starts one byte comparison finds
/// the next difference, and the entries before it are shared: their starts in `other` are
/// `known`'s, shifted. Only the entries around each difference are parsed, so a commit that
/// changes three documents of 20,000 far apart parses a handful of entries, not the thousands
/// between the first change and the last.
fn middle<'a>(
    known: &'a RawTree,
    other_id: Oid,
    other: &'a Rope,
) -> Result<Middle<'a>, git2::Error> {
    let (k, o, starts) = (&*known.data, other, &known.starts);
    // Entry starts are u32: a tree of 4 GiB is not a folder of documents.
    if u32::try_from(o.len()).is_err() {
        return Err(malformed(other_id));
    }
    let known_entry = |st: u32| {
        entry_at(k, st as usize)
            .map(|e| e.0)
            .ok_or_else(|| malformed(known.id))
    };
    let (mut known_mid, mut other_mid) = (Vec::new(), Vec::new());
    let mut other_starts = StartsBuilder::default();
    // The next entry of each side not compared yet: `known.starts[ki]`, and `other[pos..]`.
    let (mut ki, mut pos) = (0usize, 0usize);
    loop {
        if let Some(from) = starts.get(ki)
            && pos < o.len()
        {
            let from = from as usize;
            let end = from + common_prefix(k, from, o, pos);
            // Every entry that ends by `end` is the same on both sides.
            let kj = if end == k.len() {
                starts.len()
            } else {
                starts.count_at_or_before(end) - 1
            };
            if kj > ki {
                // `from` ≤ every start of the run, and `pos` + its length ≤ `other`'s length.
                other_starts.extend_from(starts, ki, kj, pos as i64 - from as i64);
                pos += starts.get(kj).map_or(k.len(), |st| st as usize) - from;
                ki = kj;
                continue;
            }
        }
        if pos >= o.len() {
            // `other` has no more entries: what is left of `known` is not in it.
            for st in starts.iter_from(ki) {
                known_mid.push(known_entry(st)?);
            }
            break;
        }
        let (oe, next) = entry_at(o, pos).ok_or_else(|| malformed(other_id))?;
        let ke = starts.get(ki).map(known_entry).transpose()?;
        match ke
            .as_ref()
            .map_or(Ordering::Greater, |ke| git_order(ke, &oe))
        {
            Ordering::Less => {
                known_mid.extend(ke);
                ki += 1;
            }
            order => {
                if order == Ordering::Equal {
                    known_mid.extend(ke);
                    ki += 1;
                }
                other_mid.push(oe);
                other_starts.push(pos as u32);
                pos = next;
            }
        }
    }
    Ok((known_mid, other_mid, other_starts.finish()))
}

/// Reads raw trees through one repository's object database, keeping the last few (with their
/// entry starts) for the next comparison.
pub(super) struct TreeReader<'r> {
    odb: &'r Odb<'r>,
    /// Trees read from the pack files directly, when it can; libgit2 otherwise.
    packs: Option<super::pack::PackReader>,
    recent: Vec<Rc<RawTree>>,
}

/// How many recently compared trees are kept: a commit's and its parent's `policies/`, and a
/// few folders beside or below it.
const RECENT: usize = 8;

impl<'r> TreeReader<'r> {
    pub(super) fn new(odb: &'r Odb<'r>, packs: Option<super::pack::PackReader>) -> Self {
        Self {
            odb,
            packs,
            recent: Vec::new(),
        }
    }

    /// The packs the trees are read from, when they are read from packs.
    pub(super) fn packs(&self) -> Option<&std::sync::Arc<super::pack::Packs>> {
        self.packs.as_ref().map(super::pack::PackReader::packs)
    }

    fn cached(&self, id: Oid) -> Option<Rc<RawTree>> {
        self.recent.iter().find(|t| t.id == id).cloned()
    }

    fn remember(&mut self, tree: Rc<RawTree>) {
        if self.recent.len() == RECENT {
            self.recent.remove(0);
        }
        self.recent.push(tree);
    }

    fn read(&mut self, id: Oid) -> Result<Rc<Rope>, git2::Error> {
        if let Some(tree) = self.packs.as_mut().and_then(|p| p.tree(id)) {
            return Ok(tree);
        }
        let obj = self.odb.read(id)?;
        if obj.kind() != git2::ObjectType::Tree {
            return Err(git2::Error::from_str(&format!("{id} is not a tree")));
        }
        // Not in a pack (a loose object, say): copied out of libgit2's object.
        Ok(Rc::new(Rope::whole(obj.data().into())))
    }

    /// A tree with every entry's start, parsed in full.
    fn full(&mut self, id: Oid) -> Result<Rc<RawTree>, git2::Error> {
        if let Some(t) = self.cached(id) {
            return Ok(t);
        }
        let data = self.read(id)?;
        let starts = parse_starts(id, &data)?;
        let tree = Rc::new(RawTree { id, data, starts });
        self.remember(tree.clone());
        Ok(tree)
    }

    /// Every file that differs between two versions of a folder (`None`: the folder does not
    /// exist on that side), below `base` (a path ending in `/`, or empty), path-sorted.
    pub(super) fn diff(
        &mut self,
        old: Option<Oid>,
        new: Option<Oid>,
        base: &str,
        out: &mut Vec<FileDiff>,
    ) -> Result<(), git2::Error> {
        let start = out.len();
        self.diff_into(old, new, base, out)?;
        out[start..].sort_by(|a, b| a.path.as_bytes().cmp(b.path.as_bytes()));
        Ok(())
    }

    fn diff_into(
        &mut self,
        old: Option<Oid>,
        new: Option<Oid>,
        base: &str,
        out: &mut Vec<FileDiff>,
    ) -> Result<(), git2::Error> {
        if old == new {
            return Ok(());
        }
        // Subfolders that differ, compared once this level's entries are released.
        let mut below: Vec<(String, Option<Oid>, Option<Oid>)> = Vec::new();
        match (old, new) {
            (Some(o), Some(n)) => {
                // The side already at hand (a neighbour's tree) gives the other's entry starts.
                let (known, other_id, known_is_old) = match (self.cached(o), self.cached(n)) {
                    (Some(k), _) => (k, n, true),
                    (None, Some(k)) => (k, o, false),
                    (None, None) => (self.full(o)?, n, true),
                };
                let other_data = self.read(other_id)?;
                let (known_mid, other_mid, other_starts) = middle(&known, other_id, &other_data)?;
                let (old_mid, new_mid) = if known_is_old {
                    (known_mid, other_mid)
                } else {
                    (other_mid, known_mid)
                };
                merge(&old_mid, &new_mid, base, out, &mut below);
                self.remember(Rc::new(RawTree {
                    id: other_id,
                    data: other_data,
                    starts: other_starts,
                }));
            }
            (Some(only), None) | (None, Some(only)) => {
                let tree = self.full(only)?;
                let entries: Vec<Entry<'_>> = tree
                    .starts
                    .iter()
                    .filter_map(|st| entry_at(&tree.data, st as usize).map(|e| e.0))
                    .collect();
                let (o, n): (&[Entry<'_>], &[Entry<'_>]) = if old.is_some() {
                    (&entries, &[])
                } else {
                    (&[], &entries)
                };
                merge(o, n, base, out, &mut below);
            }
            (None, None) => {}
        }
        for (path, o, n) in below {
            self.diff_into(o, n, &path, out)?;
        }
        Ok(())
    }
}

fn oid(bytes: &[u8]) -> Oid {
    Oid::from_bytes(bytes).unwrap_or(Oid::ZERO_SHA1)
}

/// Walks two sorted entry lists side by side: files that differ go to `out`, folders that
/// differ to `below`.
fn merge(
    old: &[Entry<'_>],
    new: &[Entry<'_>],
    base: &str,
    out: &mut Vec<FileDiff>,
    below: &mut Vec<(String, Option<Oid>, Option<Oid>)>,
) {
    let file = |e: &Entry<'_>| {
        (e.mode & MODE_TYPE != MODE_TREE && e.mode & MODE_TYPE != MODE_SUBMODULE).then(|| {
            FileSide {
                id: oid(&e.id),
                mode: e.mode,
            }
        })
    };
    let folder = |e: &Entry<'_>| e.is_tree().then(|| oid(&e.id));
    let mut report = |o: Option<&Entry<'_>>, n: Option<&Entry<'_>>| {
        let name = o.or(n).map_or(&[][..], |e| &e.name[..]);
        let path = format!("{base}{}", String::from_utf8_lossy(name));
        let (fo, fnew) = (o.and_then(file), n.and_then(file));
        if fo.is_some() || fnew.is_some() {
            out.push(FileDiff {
                path: path.clone(),
                old: fo,
                new: fnew,
            });
        }
        let (to, tn) = (o.and_then(folder), n.and_then(folder));
        if to.is_some() || tn.is_some() {
            below.push((format!("{path}/"), to, tn));
        }
    };
    let (mut i, mut j) = (0, 0);
    while i < old.len() || j < new.len() {
        let order = match (old.get(i), new.get(j)) {
            (Some(a), Some(b)) => git_order(a, b),
            (Some(_), None) => Ordering::Less,
            _ => Ordering::Greater,
        };
        match order {
            Ordering::Less => {
                report(Some(&old[i]), None);
                i += 1;
            }
            Ordering::Greater => {
                report(None, Some(&new[j]));
                j += 1;
            }
            Ordering::Equal => {
                let (a, b) = (&old[i], &new[j]);
                if a.id != b.id || a.mode != b.mode {
                    report(Some(a), Some(b));
                }
                i += 1;
                j += 1;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A tree object's bytes from (name, mode, id byte) triples, sorted as git sorts them.
    fn tree_bytes(entries: &[(String, u32, u8)]) -> Vec<u8> {
        let mut sorted: Vec<_> = entries.to_vec();
        let key = |(n, m, _): &(String, u32, u8)| {
            let mut k = n.clone().into_bytes();
            if m & MODE_TYPE == MODE_TREE {
                k.push(b'/');
            }
            k
        };
        sorted.sort_by_key(key);
        let mut out = Vec::new();
        for (name, mode, id) in sorted {
            out.extend(format!("{mode:o} {name}\0").into_bytes());
            out.extend([id; 20]);
        }
        out
    }

    fn full_tree(id: u8, data: Vec<u8>) -> RawTree {
        let id = Oid::from_bytes(&[id; 20]).unwrap_or(Oid::ZERO_SHA1);
        let data = Rope::whole(data.into());
        let starts = parse_starts(id, &data).unwrap_or_default();
        RawTree {
            id,
            data: Rc::new(data),
            starts,
        }
    }

    fn rope(data: &[u8]) -> Rope {
        Rope::whole(data.into())
    }

    /// `data` in pieces of buffers of their own, cut at `cuts`: entries span pieces.
    fn cut(data: &[u8], cuts: &[usize]) -> Rope {
        let mut points: Vec<usize> = cuts.iter().map(|c| c % (data.len() + 1)).collect();
        points.extend([0, data.len()]);
        points.sort();
        points.dedup();
        let mut r = Rope::default();
        for w in points.windows(2) {
            let own: Rc<[u8]> = data[w[0]..w[1]].into();
            r.push(&own, 0, own.len());
        }
        r
    }

    /// `new` as a delta of `old` makes it: `old`'s pieces for the bytes both start and end
    /// with, a buffer of its own for the rest.
    fn like_a_delta(old: &Rope, new: &[u8]) -> Rope {
        let o = old.to_vec();
        let prefix = o.iter().zip(new).take_while(|(a, b)| a == b).count();
        let suffix = o[prefix..]
            .iter()
            .rev()
            .zip(new[prefix..].iter().rev())
            .take_while(|(a, b)| a == b)
            .count();
        let mut r = Rope::default();
        r.push_range(old, 0, prefix).unwrap_or_default();
        let own: Rc<[u8]> = new[prefix..new.len() - suffix].into();
        r.push(&own, 0, own.len());
        r.push_range(old, o.len() - suffix, suffix)
            .unwrap_or_default();
        assert_eq!(r.to_vec(), new);
        r
    }

    /// What a full comparison of both trees gives: (name, old id, new id) of entries that
    /// differ, in git order.
    /// Entries that differ: (name, old id, new id).
    type Diffs = Vec<(Vec<u8>, Option<Vec<u8>>, Option<Vec<u8>>)>;

    fn naive(old: &RawTree, new: &RawTree) -> Diffs {
        let all = |t: &RawTree| -> Vec<(Vec<u8>, u32, Vec<u8>)> {
            t.starts
                .iter()
                .filter_map(|s| entry_at(&t.data, s as usize))
                .map(|(e, _)| (e.name.to_vec(), e.mode, e.id.to_vec()))
                .collect()
        };
        let (a, b) = (all(old), all(new));
        let mut out = Vec::new();
        for (n, m, id) in &a {
            match b.iter().find(|(n2, m2, _)| {
                n2 == n && (m2 & MODE_TYPE == MODE_TREE) == (m & MODE_TYPE == MODE_TREE)
            }) {
                Some((_, m2, id2)) if id2 == id && m2 == m => {}
                Some((_, _, id2)) => out.push((n.clone(), Some(id.clone()), Some(id2.clone()))),
                None => out.push((n.clone(), Some(id.clone()), None)),
            }
        }
        for (n, m, id) in &b {
            if !a.iter().any(|(n2, m2, _)| {
                n2 == n && (m2 & MODE_TYPE == MODE_TREE) == (m & MODE_TYPE == MODE_TREE)
            }) {
                out.push((n.clone(), None, Some(id.clone())));
            }
        }
        out.sort();
        out
    }

    fn via_middle(old: &RawTree, new_data: &Rope) -> Diffs {
        let new_id = Oid::from_bytes(&[9; 20]).unwrap_or(Oid::ZERO_SHA1);
        let (old_mid, new_mid, starts) = middle(old, new_id, new_data).unwrap_or_default();
        assert_eq!(starts, parse_starts(new_id, new_data).unwrap_or_default());
        let (mut files, mut folders) = (Vec::new(), Vec::new());
        merge(&old_mid, &new_mid, "", &mut files, &mut folders);
        let id = |o: Option<Oid>| o.map(|o| o.as_bytes().to_vec());
        let mut out: Diffs = files
            .into_iter()
            .map(|f| {
                (
                    f.path.into_bytes(),
                    id(f.old.map(|s| s.id)),
                    id(f.new.map(|s| s.id)),
                )
            })
            .chain(
                folders
                    .into_iter()
                    .map(|(p, o, n)| (p.trim_end_matches('/').as_bytes().to_vec(), id(o), id(n))),
            )
            .collect();
        out.sort();
        out
    }

    fn entries() -> impl Strategy<Value = Vec<(String, u32, u8)>> {
        prop::collection::btree_map(
            "[a-c]{1,3}(\\.md)?",
            (
                prop::sample::select(vec![0o100644u32, 0o100755, 0o040000, 0o120000]),
                0u8..4,
            ),
            0..40,
        )
        .prop_map(|m| m.into_iter().map(|(n, (mode, id))| (n, mode, id)).collect())
    }

    proptest! {
        /// Whatever the two versions, the middle holds exactly the entries that differ, and
        /// the other version's entry starts come out as a full parse finds them.
        #[test]
        fn the_middle_finds_what_a_full_comparison_finds(a in entries(), edits in entries(), drop in prop::collection::vec(any::<bool>(), 40), cuts in prop::collection::vec(any::<usize>(), 0..12)) {
            let old = full_tree(1, tree_bytes(&a));
            // The new version: some entries dropped, others added or changed.
            let mut b: Vec<_> = a.iter().zip(drop.iter().chain(std::iter::repeat(&false)))
                .filter(|(_, d)| !**d).map(|(e, _)| e.clone()).collect();
            for e in edits.iter().take(3) {
                b.retain(|x| x.0 != e.0);
                b.push(e.clone());
            }
            let new_data = tree_bytes(&b);
            let expected = naive(&old, &full_tree(2, new_data.clone()));
            prop_assert_eq!(via_middle(&old, &rope(&new_data)), expected.clone());
            // As pieces the entries span, and as pieces shared with the old version.
            prop_assert_eq!(via_middle(&old, &cut(&new_data, &cuts)), expected.clone());
            prop_assert_eq!(via_middle(&old, &like_a_delta(&old.data, &new_data)), expected);
            // And the other way round.
            let new = full_tree(2, new_data);
            prop_assert_eq!(via_middle(&new, &old.data), naive(&new, &old));
        }
    }

    /// A folder of 2,000 documents.
    fn long_folder() -> Vec<(String, u32, u8)> {
        (0..2000)
            .map(|i| (format!("doc-{i:05}.md"), 0o100644, (i % 200) as u8))
            .collect()
    }

    #[test]
    fn one_changed_entry_in_a_long_folder_is_found_without_parsing_the_rest() {
        let a = long_folder();
        let mut b = a.clone();
        b[1234].2 = 255;
        let old = full_tree(1, tree_bytes(&a));
        let new_data = rope(&tree_bytes(&b));
        let (old_mid, new_mid, starts) =
            middle(&old, Oid::ZERO_SHA1, &new_data).unwrap_or_default();
        assert_eq!(starts, old.starts, "same lengths, same starts");
        assert!(
            old_mid.len() <= 2 && new_mid.len() <= 2,
            "{} {}",
            old_mid.len(),
            new_mid.len()
        );
        assert!(old_mid.iter().any(|e| &e.name[..] == b"doc-01234.md"));
    }

    #[test]
    fn changes_far_apart_parse_only_the_entries_around_them() {
        let a = long_folder();
        let mut b = a.clone();
        b[10].2 = 255;
        b[1990].1 = 0o100755;
        b.remove(1000);
        b.push(("doc-01500-new.md".into(), 0o100644, 7));
        let old = full_tree(1, tree_bytes(&a));
        let new_data = rope(&tree_bytes(&b));
        let (old_mid, new_mid, starts) =
            middle(&old, Oid::ZERO_SHA1, &new_data).unwrap_or_default();
        assert_eq!(
            starts,
            parse_starts(Oid::ZERO_SHA1, &new_data).unwrap_or_default()
        );
        let names = |m: &[Entry<'_>]| -> Vec<String> {
            m.iter()
                .map(|e| String::from_utf8_lossy(&e.name).into_owned())
                .collect()
        };
        assert_eq!(
            names(&old_mid),
            ["doc-00010.md", "doc-01000.md", "doc-01990.md"]
        );
        assert_eq!(
            names(&new_mid),
            ["doc-00010.md", "doc-01500-new.md", "doc-01990.md"]
        );
    }

    #[test]
    fn a_truncated_tree_is_an_error() {
        let data = tree_bytes(&[("a.md".into(), 0o100644, 1)]);
        assert!(parse_starts(Oid::ZERO_SHA1, &rope(&data[..data.len() - 3])).is_err());
        let old = full_tree(
            1,
            tree_bytes(&[("a.md".into(), 0o100644, 1), ("b.md".into(), 0o100644, 2)]),
        );
        let mut broken = old.data.to_vec();
        broken.truncate(broken.len() - 5);
        assert!(middle(&old, Oid::ZERO_SHA1, &rope(&broken)).is_err());
    }
}
