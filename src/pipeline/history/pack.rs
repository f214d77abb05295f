//! Trees and blobs read straight from the repository's pack files, for the history walk.
//!
//! libgit2 rebuilds a packed object from its chain of deltas and keeps the steps in a cache of
//! 16 MB that takes nothing over 1 MB (both compiled in). A `policies/` folder of 20,000
//! documents is a tree of about 1 MB, rewritten by every commit and stored as a delta of another
//! version, so each read inflated its chain's base again: 62% of a 20,000-document build. This
//! reader follows the same chains (pack index version 2, `OFS_DELTA` and `REF_DELTA` entries)
//! and keeps every version it rebuilt, within a budget, so that the next commit's tree costs one
//! delta. Anything it does not handle (loose objects, other index versions, a damaged entry) is
//! `None`, and the caller reads the object through libgit2 as before. The blobs whose lines a
//! change added and removed are read the same way, once each, in pack order (`lines`).

use std::collections::hash_map::Entry as Slot;
use std::collections::{HashMap, VecDeque};
use std::fs::File;
use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;

use git2::Oid;
use memmap2::Mmap;

use super::rope::Rope;

const OBJ_TREE: u8 = 2;
const OBJ_BLOB: u8 = 3;
const OBJ_OFS_DELTA: u8 = 6;
const OBJ_REF_DELTA: u8 = 7;

/// The pack files of a repository: their indexes, read once and shared by every thread.
pub(super) struct Packs {
    packs: Vec<Pack>,
}

struct Pack {
    /// The whole `.idx` file (version 2).
    idx: Vec<u8>,
    objects: usize,
    /// The `.pack` file, mapped: an entry is read where it lies in the page cache, without a
    /// system call, a copy or a guess at how long its compressed bytes are. Reading each entry
    /// with `pread` instead (a header, then a chunk of at least 4 KB, each into a new zeroed
    /// buffer) was 1.7% of a 20,000-document build.
    data: Mmap,
}

/// `file` mapped read-only. Git never changes a pack file once it is written (a repack writes
/// new files and removes the old ones, which stay mapped until dropped), and git and libgit2
/// read packs the same way; a file cut short under a running build is the one case a map turns
/// into a crash instead of an error, as it does for them.
fn map(file: &File) -> Option<Mmap> {
    // SAFETY: see above; the map is only ever read, through bounds-checked slices.
    unsafe { Mmap::map(file) }.ok()
}

impl Packs {
    /// The packs under `git_dir/objects/pack`; none when there are none or they cannot be read.
    pub(super) fn open(common_dir: &Path) -> Arc<Packs> {
        let mut packs = Vec::new();
        let dir = common_dir.join("objects").join("pack");
        let mut names: Vec<_> = std::fs::read_dir(&dir)
            .map(|d| d.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        names.sort();
        for idx_path in names
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "idx"))
        {
            let (Ok(idx), Some(data)) = (
                std::fs::read(&idx_path),
                File::open(idx_path.with_extension("pack"))
                    .ok()
                    .and_then(|f| map(&f)),
            ) else {
                continue;
            };
            // Version 2: `\377tOc`, 2, a fan-out table of 256 counts.
            if idx.len() < 8 + 1024 || idx[..8] != [0xff, b't', b'O', b'c', 0, 0, 0, 2] {
                continue;
            }
            let objects = be32(&idx, 8 + 255 * 4) as usize;
            // Names, CRCs and offsets, and the trailer's two hashes, at least.
            if idx.len() < 8 + 1024 + objects * 28 + 40 {
                continue;
            }
            packs.push(Pack { idx, objects, data });
        }
        Arc::new(Packs { packs })
    }

    /// Where `id` lies in the packs, (pack, offset): objects read in this order read each delta
    /// family together, since git writes a base and the deltas made from it side by side.
    pub(super) fn position(&self, id: Oid) -> Option<At> {
        self.find(id.as_bytes())
    }

    /// (pack, offset) of `id`, when a pack holds it.
    fn find(&self, id: &[u8]) -> Option<At> {
        self.packs
            .iter()
            .enumerate()
            .find_map(|(p, pack)| pack.offset_of(id).map(|o| (p, o)))
    }
}

impl Pack {
    fn offset_of(&self, id: &[u8]) -> Option<u64> {
        let first = *id.first()? as usize;
        let start = if first == 0 {
            0
        } else {
            be32(&self.idx, 8 + (first - 1) * 4) as usize
        };
        let end = be32(&self.idx, 8 + first * 4) as usize;
        let names = 8 + 1024;
        let (mut lo, mut hi) = (start, end.min(self.objects));
        // Names are SHA-1 hashes, spread evenly: the first probes go where the id's next bytes
        // say it lies between the names known to bound it, then halving takes over (a few
        // probes instead of ten in a pack of 220,000 objects, each a miss in the cache).
        let target = spread(id);
        let (mut below, mut above) = (0u64, u64::MAX);
        let mut probes = 0;
        while lo < hi {
            probes += 1;
            let mid = if probes <= 3 && below < above {
                let at = u128::from(target.saturating_sub(below)) * (hi - lo) as u128
                    / (u128::from(above - below) + 1);
                lo + usize::try_from(at).unwrap_or(0).min(hi - lo - 1)
            } else {
                (lo + hi) / 2
            };
            let name = self.idx.get(names + mid * 20..names + mid * 20 + 20)?;
            match name.cmp(id) {
                std::cmp::Ordering::Less => (lo, below) = (mid + 1, spread(name)),
                std::cmp::Ordering::Greater => (hi, above) = (mid, spread(name)),
                std::cmp::Ordering::Equal => return self.offset_at(mid),
            }
        }
        None
    }

    fn offset_at(&self, i: usize) -> Option<u64> {
        let offsets = 8 + 1024 + self.objects * 24;
        let small = be32(&self.idx, offsets + i * 4);
        if small & 0x8000_0000 == 0 {
            return Some(u64::from(small));
        }
        let large = offsets + self.objects * 4 + (small & 0x7fff_ffff) as usize * 8;
        let b = self.idx.get(large..large + 8)?;
        Some(u64::from_be_bytes(b.try_into().ok()?))
    }

    /// The pack's bytes from `at` to its end.
    fn bytes_from(&self, at: u64) -> Option<&[u8]> {
        self.data.get(usize::try_from(at).ok()?..)
    }
}

/// Bytes 1 to 8 of an object name (the first is the fan-out bucket's), as a number.
fn spread(name: &[u8]) -> u64 {
    name.get(1..9)
        .and_then(|b| b.try_into().ok())
        .map_or(0, u64::from_be_bytes)
}

fn be32(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .and_then(|s| s.try_into().ok())
        .map_or(0, u32::from_be_bytes)
}

/// Where an entry is: which pack, at which offset.
pub(super) type At = (usize, u64);

/// `what` of each blob of `ids` (repeats read once), read on every core: in pack order, in four
/// runs per thread, so that a run's delta chains share their bases in its reader's cache; what
/// no pack holds (loose objects) last, through libgit2.
pub(super) fn read_blobs<T: Send>(
    git_dir: &Path,
    packs: &Arc<Packs>,
    cache_per_thread: usize,
    mut ids: Vec<Oid>,
    what: impl Fn(&[u8]) -> T + Sync,
) -> Result<HashMap<Oid, T>, String> {
    use rayon::prelude::*;
    ids.sort();
    ids.dedup();
    let mut ordered: Vec<(Option<At>, Oid)> =
        ids.into_iter().map(|id| (packs.position(id), id)).collect();
    ordered.sort_by_key(|&(at, id)| (at.is_none(), at, id));
    let run = ordered
        .len()
        .div_ceil(4 * rayon::current_num_threads().max(1))
        .max(1);
    let read: Vec<Result<Vec<(Oid, T)>, String>> = ordered
        .par_chunks(run)
        // Each run a block of its own (see `parallel::LEAF`).
        .with_max_len(1)
        .map(|chunk| {
            let repo = git2::Repository::open(git_dir).map_err(|e| e.message().to_string())?;
            let mut reader = PackReader::new(packs.clone(), cache_per_thread);
            chunk
                .iter()
                .map(|&(at, id)| {
                    let value = match at.and_then(|at| reader.blob_at(at)) {
                        Some(bytes) => what(&bytes),
                        None => what(
                            repo.find_blob(id)
                                .map_err(|e| format!("cannot read {id}: {}", e.message()))?
                                .content(),
                        ),
                    };
                    Ok((id, value))
                })
                .collect()
        })
        .collect();
    let mut out = HashMap::new();
    for chunk in read {
        out.extend(chunk?);
    }
    Ok(out)
}

/// What an entry of a pack holds.
enum Entry {
    /// An object as it is: its type and its compressed bytes start at `data`.
    Whole { kind: u8, size: usize, data: u64 },
    /// A delta of the object at `base`, its compressed instructions at `data`.
    Delta { base: At, size: usize, data: u64 },
}

/// Rebuilt objects (type and bytes), by (pack, offset), the least recently used dropped first
/// beyond the budget.
pub(super) struct PackReader {
    packs: Arc<Packs>,
    /// Each object with its type and the use that last touched it.
    cache: HashMap<At, (u8, Rc<Rope>, u64)>,
    /// Objects in the order they were touched, each with the use that touched it: an entry
    /// whose object has been touched again since is stale and skipped.
    order: VecDeque<(At, u64)>,
    uses: u64,
    held: usize,
    budget: usize,
    /// One inflater for every object this reader rebuilds.
    inflater: libdeflater::Decompressor,
}

impl PackReader {
    pub(super) fn new(packs: Arc<Packs>, budget: usize) -> PackReader {
        PackReader {
            packs,
            cache: HashMap::new(),
            order: VecDeque::new(),
            uses: 0,
            held: 0,
            budget,
            inflater: libdeflater::Decompressor::new(),
        }
    }

    /// The packs this reader reads.
    pub(super) fn packs(&self) -> &Arc<Packs> {
        &self.packs
    }

    /// The tree `id`, when a pack holds it and every step of its chain reads cleanly.
    pub(super) fn tree(&mut self, id: Oid) -> Option<Rc<Rope>> {
        let at = self.packs.find(id.as_bytes())?;
        self.object_of_kind(at, OBJ_TREE)
    }

    /// The blob at `at` (from [`Packs::position`]), as [`PackReader::tree`] reads a tree.
    pub(super) fn blob_at(&mut self, at: At) -> Option<Rc<[u8]>> {
        self.object_of_kind(at, OBJ_BLOB).map(|b| b.to_shared())
    }

    fn object_of_kind(&mut self, at: At, kind: u8) -> Option<Rc<Rope>> {
        let (found, bytes) = self.object(at)?;
        (found == kind).then_some(bytes)
    }

    fn object(&mut self, at: At) -> Option<(u8, Rc<Rope>)> {
        // Down the chain to a base at hand (cached, or whole), then up again applying deltas.
        let mut chain: Vec<(At, u64, usize)> = Vec::new();
        let mut here = at;
        let (kind, mut bytes) = loop {
            if let Some(hit) = self.touch(here) {
                break hit;
            }
            match self.entry(here)? {
                Entry::Whole { kind, size, data } => {
                    let input = self.packs.packs[here.0].bytes_from(data)?;
                    let b = Rc::new(Rope::whole(inflate(&mut self.inflater, input, size)?));
                    self.keep(here, b.clone(), kind);
                    break (kind, b);
                }
                Entry::Delta { base, size, data } => {
                    chain.push((here, data, size));
                    // A chain longer than any git writes is a loop in a damaged pack.
                    if chain.len() > 10_000 {
                        return None;
                    }
                    here = base;
                }
            }
        };
        let mut base_at = here;
        while let Some((at, data, size)) = chain.pop() {
            // A base of too many pieces is flattened once, and kept so. Flattening every rope
            // that grew beyond 512 pieces instead copied 10 GB in the 20,000-document walk (a
            // fifth of the folder's 50,000 versions, most of them never a base); flattening
            // only bases, 317 were (0.3 GB), and the walk took 1.5 s instead of 1.95 s.
            if let Some(flat) = bytes.flattened() {
                bytes = Rc::new(flat);
                self.keep(base_at, bytes.clone(), kind);
            }
            let input = self.packs.packs[at.0].bytes_from(data)?;
            let delta = inflate(&mut self.inflater, input, size)?;
            let out = Rc::new(apply_delta(&bytes, &delta)?);
            self.keep(at, out.clone(), kind);
            (bytes, base_at) = (out, at);
        }
        Some((kind, bytes))
    }

    /// The cached object at `at`, now the most recently used. Recency matters because a chain's
    /// base is reached rarely but costs a whole inflate to rebuild, while the steps above it are
    /// cheap: dropped in the order they were made, bases went first and were inflated again and
    /// again (530 inflates of 75 bases in the 20,000-document corpus).
    fn touch(&mut self, at: At) -> Option<(u8, Rc<Rope>)> {
        let (kind, bytes, used) = self.cache.get_mut(&at)?;
        self.uses += 1;
        *used = self.uses;
        let hit = (*kind, bytes.clone());
        self.order.push_back((at, self.uses));
        // Stale entries are dropped when they outnumber live ones, so the queue stays bounded.
        if self.order.len() > 2 * self.cache.len() + 64 {
            let cache = &self.cache;
            self.order
                .retain(|(at, used)| cache.get(at).is_some_and(|c| c.2 == *used));
        }
        Some(hit)
    }

    /// Keeps a rebuilt object, counted at its full length: a rope's pieces keep the buffers
    /// they come from alive, so that is what it may hold.
    fn keep(&mut self, at: At, bytes: Rc<Rope>, kind: u8) {
        if bytes.len() > self.budget {
            return;
        }
        self.held += bytes.len();
        self.uses += 1;
        if let Some((_, old, _)) = self.cache.insert(at, (kind, bytes, self.uses)) {
            self.held -= old.len();
        }
        self.order.push_back((at, self.uses));
        while self.held > self.budget {
            let Some((old, used)) = self.order.pop_front() else {
                break;
            };
            // A stale entry: the object was touched again later, or is gone already.
            if let Slot::Occupied(slot) = self.cache.entry(old)
                && slot.get().2 == used
            {
                self.held -= slot.remove().1.len();
            }
        }
    }

    /// The header of the entry at `at`.
    fn entry(&self, at: At) -> Option<Entry> {
        let pack = &self.packs.packs[at.0];
        // The type and size, then a base offset (at most 10 bytes) or a base id (20).
        let head = pack.bytes_from(at.1)?;
        let mut i = 0;
        let mut c = *head.get(i)?;
        let kind = (c >> 4) & 7;
        let mut size = usize::from(c & 15);
        let mut shift = 4;
        while c & 0x80 != 0 {
            i += 1;
            c = *head.get(i)?;
            if shift > 56 {
                return None;
            }
            size |= usize::from(c & 0x7f) << shift;
            shift += 7;
        }
        i += 1;
        match kind {
            OBJ_OFS_DELTA => {
                let mut c = *head.get(i)?;
                let mut back = u64::from(c & 0x7f);
                while c & 0x80 != 0 {
                    i += 1;
                    c = *head.get(i)?;
                    back = back.checked_add(1)?.checked_mul(128)? | u64::from(c & 0x7f);
                }
                i += 1;
                Some(Entry::Delta {
                    base: (at.0, at.1.checked_sub(back)?),
                    size,
                    data: at.1 + i as u64,
                })
            }
            OBJ_REF_DELTA => {
                let base = self.packs.find(head.get(i..i + 20)?)?;
                Some(Entry::Delta {
                    base,
                    size,
                    data: at.1 + i as u64 + 20,
                })
            }
            1..=4 => Some(Entry::Whole {
                kind,
                size,
                data: at.1 + i as u64,
            }),
            _ => None,
        }
    }
}

/// The `size` bytes zlib-compressed at the start of `input` (which runs on to the end of the
/// pack), inflated straight into a shared buffer in one call.
///
/// libdeflate, not zlib: it inflates a whole stream into a buffer of known size (which a pack
/// entry's header gives) without zlib's bookkeeping for streaming. On the 20,000-document
/// corpus's pack, each object once: whole trees 123 → 83 ms, deltas 307 → 235 ms, blobs 392 →
/// 205 ms, against zlib-rs through flate2.
fn inflate(z: &mut libdeflater::Decompressor, input: &[u8], size: usize) -> Option<Rc<[u8]>> {
    let mut out = super::rope::zeroed(size);
    let buf = Rc::get_mut(&mut out)?;
    // A stream that ends before the buffer is full, or has more to write once it is, or is not
    // zlib at all, is damaged.
    let written = z.zlib_decompress(input, buf).ok()?;
    (written == size).then_some(out)
}

/// The object `delta` describes as copies from `base` and new bytes: a rope of `base`'s pieces
/// and of `delta` itself, nothing copied.
fn apply_delta(base: &Rope, delta: &Rc<[u8]>) -> Option<Rope> {
    let mut i = 0;
    let mut varint = || -> Option<usize> {
        let mut v = 0usize;
        let mut shift = 0;
        loop {
            let c = *delta.get(i)?;
            i += 1;
            if shift > 56 {
                return None;
            }
            v |= usize::from(c & 0x7f) << shift;
            shift += 7;
            if c & 0x80 == 0 {
                return Some(v);
            }
        }
    };
    let base_size = varint()?;
    let size = varint()?;
    if base_size != base.len() {
        return None;
    }
    let mut out = Rope::default();
    while i < delta.len() {
        let op = delta[i];
        i += 1;
        if op & 0x80 != 0 {
            let mut offset = 0usize;
            let mut len = 0usize;
            for b in 0..4 {
                if op & (1 << b) != 0 {
                    offset |= usize::from(*delta.get(i)?) << (8 * b);
                    i += 1;
                }
            }
            for b in 0..3 {
                if op & (0x10 << b) != 0 {
                    len |= usize::from(*delta.get(i)?) << (8 * b);
                    i += 1;
                }
            }
            if len == 0 {
                len = 0x10000;
            }
            out.push_range(base, offset, len)?;
        } else if op != 0 {
            let n = usize::from(op);
            if i + n > delta.len() {
                return None;
            }
            out.push(delta, i, n);
            i += n;
        } else {
            return None;
        }
    }
    (out.len() == size).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_delta_copies_and_inserts() {
        let base = Rope::whole(b"hello world"[..].into());
        let apply = |delta: &[u8]| apply_delta(&base, &delta.into()).map(|r| r.to_vec());
        // Sizes 11 and 11; copy 6 bytes from 0; insert "there".
        assert_eq!(
            apply(&[11, 11, 0x80 | 0x10, 6, 5, b't', b'h', b'e', b'r', b'e']).as_deref(),
            Some(&b"hello there"[..])
        );
        // A wrong base size, a copy past the base's end, the reserved op, a short result and
        // an insert past the delta's end.
        assert_eq!(apply(&[10, 11, 0x80 | 0x10, 6]), None);
        assert_eq!(apply(&[11, 20, 0x80 | 0x01 | 0x10, 8, 6]), None);
        assert_eq!(apply(&[11, 11, 0]), None);
        assert_eq!(apply(&[11, 12, 0x80 | 0x10, 6]), None);
        assert_eq!(apply(&[11, 11, 0x80 | 0x10, 6, 5, b't']), None);
    }

    #[test]
    fn the_least_recently_used_object_goes_first() {
        let mut reader = PackReader::new(Arc::new(Packs { packs: Vec::new() }), 30);
        let object = |b: u8| Rc::new(Rope::whole(vec![b; 10].into()));
        for (n, b) in [(1, b'a'), (2, b'b'), (3, b'c')] {
            reader.keep((0, n), object(b), OBJ_TREE);
        }
        // The first one kept is used again, so the second is now the oldest.
        assert!(reader.touch((0, 1)).is_some());
        reader.keep((0, 4), object(b'd'), OBJ_TREE);
        let held = |r: &PackReader, n| r.cache.contains_key(&(0, n));
        assert!(held(&reader, 1) && !held(&reader, 2) && held(&reader, 3) && held(&reader, 4));
        assert_eq!(reader.held, 30);
        assert_eq!(
            reader.touch((0, 3)).map(|(kind, r)| (kind, r.to_vec())),
            Some((OBJ_TREE, vec![b'c'; 10]))
        );
        assert!(reader.touch((0, 2)).is_none());
        // Touching the same objects again and again does not grow the queue without end.
        for _ in 0..1000 {
            reader.touch((0, 4));
        }
        assert!(reader.order.len() <= 2 * reader.cache.len() + 64 + 1);
        // An object larger than the whole budget is not kept at all.
        reader.keep((0, 5), Rc::new(Rope::whole(vec![0; 31].into())), OBJ_BLOB);
        assert!(!held(&reader, 5) && held(&reader, 4));
    }

    /// `bytes` zlib-compressed, as a pack stores an object.
    fn zlib(bytes: &[u8]) -> Vec<u8> {
        use std::io::Write;
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(bytes).unwrap_or_else(|e| panic!("{e}"));
        z.finish().unwrap_or_else(|e| panic!("{e}"))
    }

    /// A pack file (without an index) of `parts` one after the other.
    fn pack_of(parts: &[&[u8]]) -> Pack {
        use std::io::Write;
        let mut file = tempfile::tempfile().unwrap_or_else(|e| panic!("{e}"));
        for part in parts {
            file.write_all(part).unwrap_or_else(|e| panic!("{e}"));
        }
        Pack {
            idx: Vec::new(),
            objects: 0,
            data: map(&file).unwrap_or_else(|| panic!("cannot map the pack")),
        }
    }

    /// An index (version 2) of `names`, sorted, the `i`th at offset `7 * i`.
    fn index_of(names: &[[u8; 20]]) -> Vec<u8> {
        let mut idx = vec![0xff, b't', b'O', b'c', 0, 0, 0, 2];
        for bucket in 0..256 {
            let count = names.iter().filter(|n| usize::from(n[0]) <= bucket).count();
            idx.extend_from_slice(&(count as u32).to_be_bytes());
        }
        names.iter().for_each(|n| idx.extend_from_slice(n));
        idx.extend(std::iter::repeat_n(0, names.len() * 4));
        (0..names.len()).for_each(|i| idx.extend_from_slice(&(7 * i as u32).to_be_bytes()));
        idx.extend([0; 40]);
        idx
    }

    #[test]
    fn every_name_of_a_large_index_is_found_and_no_other() {
        // 50,000 names spread as hashes are (splitmix64), and 300 alike in every byte that
        // places a probe, which must still be found by halving.
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        let mut names: Vec<[u8; 20]> = (0..50_000)
            .map(|_| {
                let mut n = [0; 20];
                for part in n.chunks_mut(8) {
                    part.copy_from_slice(&next().to_be_bytes()[..part.len()]);
                }
                n
            })
            .collect();
        for i in 0..300u32 {
            let mut n = [0x42; 20];
            n[12..16].copy_from_slice(&i.to_be_bytes());
            names.push(n);
        }
        names.sort();
        names.dedup();
        let pack = Pack {
            idx: index_of(&names),
            objects: names.len(),
            data: pack_of(&[b"x"]).data,
        };
        for (i, n) in names.iter().enumerate() {
            assert_eq!(pack.offset_of(n), Some(7 * i as u64), "name {i}");
        }
        for n in names.iter().step_by(7) {
            for flip in [0, 5, 19] {
                let mut other = *n;
                other[flip] ^= 0x10;
                if names.binary_search(&other).is_err() {
                    assert_eq!(pack.offset_of(&other), None);
                }
            }
        }
        assert_eq!(pack.offset_of(&[0xff; 20]), None);
        assert_eq!(pack.offset_of(&[0; 20]), None);
    }

    #[test]
    fn inflating_gives_exactly_the_size_the_header_says() {
        let text: Vec<u8> = (0..5000u32).flat_map(|i| (i % 251).to_le_bytes()).collect();
        // Some bytes before the stream and some after it, as in a pack.
        let pack = pack_of(&[b"0123456789", &zlib(&text), &[0x55; 64]]);
        let mut z = libdeflater::Decompressor::new();
        let mut at = |at, size| inflate(&mut z, pack.bytes_from(at).unwrap_or_default(), size);
        assert_eq!(at(10, text.len()).as_deref(), Some(&text[..]));
        // A stream longer or shorter than its header says is refused, as is one that is not
        // zlib at all, and one cut short by the end of the pack.
        assert!(at(10, text.len() - 1).is_none());
        assert!(at(10, text.len() + 1).is_none());
        assert!(at(0, text.len()).is_none());
        // The same inflater serves again after a refusal.
        assert_eq!(at(10, text.len()).as_deref(), Some(&text[..]));
        let cut = pack_of(&[b"0123456789", &zlib(&text)[..200]]);
        assert!(inflate(&mut z, cut.bytes_from(10).unwrap_or_default(), text.len()).is_none());
        // An empty file is an empty stream.
        let empty = pack_of(&[&zlib(b""), &[0x55; 8]]);
        assert_eq!(
            inflate(&mut z, empty.bytes_from(0).unwrap_or_default(), 0).as_deref(),
            Some(&[][..])
        );
        assert!(inflate(&mut z, empty.bytes_from(0).unwrap_or_default(), 1).is_none());
    }

    #[test]
    fn a_fragmented_base_is_flattened_once_when_a_delta_is_built_on_it() {
        // A tree of 100 one-byte pieces, each its own buffer, cached at offset 0; at offset 100
        // a delta of it (an offset delta, 100 bytes back): all 100 bytes, then "!".
        let mut base = Rope::default();
        for i in 0..100u8 {
            base.push(&Rc::from(&[b'a' + i % 26][..]), 0, 1);
        }
        let delta = [100, 101, 0x80 | 0x10, 100, 1, b'!'];
        let header = [OBJ_OFS_DELTA << 4 | delta.len() as u8, 100];
        let pack = pack_of(&[&[0; 100], &header, &zlib(&delta)]);
        let mut reader = PackReader::new(Arc::new(Packs { packs: vec![pack] }), 1 << 20);
        let expected = [base.to_vec(), b"!".to_vec()].concat();
        reader.keep((0, 0), Rc::new(base), OBJ_TREE);
        let built = reader
            .object_of_kind((0, 100), OBJ_TREE)
            .map(|r| r.to_vec());
        assert_eq!(built, Some(expected.clone()));
        // The base is now one buffer, in the cache too, and the delta's result is built on it.
        let pieces = |r: &mut PackReader, at| r.touch(at).map(|(_, rope)| rope.pieces());
        assert_eq!(pieces(&mut reader, (0, 0)), Some(1));
        assert_eq!(pieces(&mut reader, (0, 100)), Some(2));
        assert_eq!(reader.held, 100 + 101);
    }

    /// A repository of 40 commits, each changing a few of 300 files, packed by libgit2 (which
    /// stores most trees as deltas of others): every tree the reader rebuilds is libgit2's.
    fn read_blob(reader: &mut PackReader, id: Oid) -> Option<Rc<[u8]>> {
        let at = reader.packs.position(id)?;
        reader.blob_at(at)
    }

    #[test]
    fn every_packed_tree_reads_as_libgit2_reads_it() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let repo = git2::Repository::init(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let sig = git2::Signature::new("T", "t@example.com", &git2::Time::new(1_700_000_000, 0))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut parent: Option<Oid> = None;
        let mut trees = Vec::new();
        for c in 0..40 {
            let mut tb = repo.treebuilder(None).unwrap_or_else(|e| panic!("{e}"));
            for f in 0..300 {
                let text = format!(
                    "file {f}, version {}\n",
                    if f % 37 == c % 37 { c } else { 0 }
                );
                let blob = repo.blob(text.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
                tb.insert(format!("doc-{f:04}.md"), blob, 0o100644)
                    .unwrap_or_else(|e| panic!("{e}"));
            }
            let tree = tb.write().unwrap_or_else(|e| panic!("{e}"));
            trees.push(tree);
            let tree = repo.find_tree(tree).unwrap_or_else(|e| panic!("{e}"));
            let parents: Vec<git2::Commit<'_>> = parent
                .map(|p| repo.find_commit(p).unwrap_or_else(|e| panic!("{e}")))
                .into_iter()
                .collect();
            let refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
            parent = Some(
                repo.commit(Some("HEAD"), &sig, &sig, &format!("c{c}"), &tree, &refs)
                    .unwrap_or_else(|e| panic!("{e}")),
            );
        }
        let mut pb = repo.packbuilder().unwrap_or_else(|e| panic!("{e}"));
        let mut walk = repo.revwalk().unwrap_or_else(|e| panic!("{e}"));
        walk.push_head().unwrap_or_else(|e| panic!("{e}"));
        pb.insert_walk(&mut walk).unwrap_or_else(|e| panic!("{e}"));
        let pack_dir = repo.path().join("objects/pack");
        pb.write(&pack_dir, 0o644).unwrap_or_else(|e| panic!("{e}"));

        let packs = Packs::open(repo.path());
        assert_eq!(packs.packs.len(), 1);
        let odb = repo.odb().unwrap_or_else(|e| panic!("{e}"));
        // A small budget, so that rebuilt versions are also dropped and rebuilt again.
        let mut reader = PackReader::new(packs.clone(), 64 << 10);
        for &t in trees.iter().rev().chain(trees.iter()) {
            let expected = odb.read(t).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                reader.tree(t).map(|r| r.to_vec()).as_deref(),
                Some(expected.data()),
                "tree {t}"
            );
        }
        // The chains this is about: most trees are stored as deltas.
        let deltas = trees
            .iter()
            .filter_map(|t| packs.find(t.as_bytes()))
            .filter(|&at| matches!(reader.entry(at), Some(Entry::Delta { .. })))
            .count();
        assert!(
            deltas > trees.len() / 2,
            "{deltas} of {} trees are deltas",
            trees.len()
        );
        // A blob is not a tree; an id the packs do not hold is not found.
        let blob = repo
            .blob(b"file 0, version 0\n")
            .unwrap_or_else(|e| panic!("{e}"));
        assert!(reader.tree(blob).is_none());
        // Every blob reads as libgit2 reads it; a tree is not a blob.
        let mut blobs = std::collections::BTreeSet::new();
        for &t in &trees {
            let tree = repo.find_tree(t).unwrap_or_else(|e| panic!("{e}"));
            blobs.extend(tree.iter().map(|e| e.id()));
            assert!(read_blob(&mut reader, t).is_none());
        }
        for id in blobs {
            let expected = odb.read(id).unwrap_or_else(|e| panic!("{e}"));
            assert_eq!(
                read_blob(&mut reader, id).as_deref(),
                Some(expected.data()),
                "blob {id}"
            );
        }
        assert!(
            reader
                .tree(Oid::from_bytes(&[7; 20]).unwrap_or(Oid::ZERO_SHA1))
                .is_none()
        );

        // Damaged pack data is refused (read through libgit2 instead), never a panic: a copy
        // of the pack with every 97th byte flipped, beside its index.
        let copy = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let copy_packs = copy.path().join("objects/pack");
        std::fs::create_dir_all(&copy_packs).unwrap_or_else(|e| panic!("{e}"));
        for entry in std::fs::read_dir(&pack_dir).unwrap_or_else(|e| panic!("{e}")) {
            let path = entry.unwrap_or_else(|e| panic!("{e}")).path();
            let mut bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{e}"));
            if path.extension().is_some_and(|e| e == "pack") {
                for b in bytes.iter_mut().skip(12).step_by(97) {
                    *b ^= 0x5a;
                }
            }
            let name = path.file_name().unwrap_or_default();
            std::fs::write(copy_packs.join(name), bytes).unwrap_or_else(|e| panic!("{e}"));
        }
        let mut damaged = PackReader::new(Packs::open(copy.path()), 1 << 20);
        let mut refused = 0;
        for &t in &trees {
            let expected = odb.read(t).unwrap_or_else(|e| panic!("{e}"));
            // Either refused, or (a part the damage missed) the same bytes.
            match damaged.tree(t) {
                Some(read) => assert_eq!(read.to_vec(), expected.data(), "tree {t}"),
                None => refused += 1,
            }
        }
        assert!(refused > 0, "the damage was not noticed");
    }
}
