//! An object's bytes as pieces of the buffers they were inflated into, for the history walk.
//!
//! A packed tree is mostly a delta of another version: copies of ranges of that version and a
//! few new bytes. Rebuilding it as one buffer copied the whole folder for every commit (about a
//! megabyte per commit at 20,000 documents), and comparing it with its neighbour read both in
//! full again. As a rope, a delta's result is the pieces it copies (shared, not copied) and the
//! delta's own new bytes; two versions built from the same buffers compare a shared piece in one
//! step, without reading it, so a commit costs what it changed, not the size of its folder.

use std::borrow::Cow;
use std::rc::Rc;

/// Bytes `start..start + len` of `buf`.
#[derive(Clone)]
struct Piece {
    buf: Rc<[u8]>,
    start: usize,
    len: usize,
}

impl Piece {
    fn bytes(&self) -> &[u8] {
        &self.buf[self.start..self.start + self.len]
    }
}

/// A shared buffer of `len` zero bytes, allocated once (the iterator knows its length).
pub(super) fn zeroed(len: usize) -> Rc<[u8]> {
    std::iter::repeat_n(0u8, len).collect()
}

/// A sequence of bytes made of pieces of shared buffers.
#[derive(Clone, Default)]
pub(super) struct Rope {
    pieces: Vec<Piece>,
    /// Where each piece ends in the rope.
    ends: Vec<usize>,
}

/// A rope of more pieces than this (a long chain of deltas with many small copies) is copied
/// into one buffer before another delta is built on it, so that the ropes built from it stay
/// cheap to make, search and compare. Walking the 20,000-document history (and the 2,000):
/// 32 pieces 1.42–1.45 s (95 ms), 64 1.36–1.40 s (84–94 ms), 128 1.40–1.44 s (94 ms), 256
/// 1.32–1.41 s (96–99 ms), 512 1.57 s (118 ms), 1,024 1.85–1.99 s.
const MAX_PIECES: usize = 64;

impl Rope {
    /// All of `buf`, as one piece.
    pub(super) fn whole(buf: Rc<[u8]>) -> Rope {
        let mut r = Rope::default();
        let len = buf.len();
        r.push(&buf, 0, len);
        r
    }

    /// How many pieces the rope is made of.
    #[cfg(test)]
    pub(super) fn pieces(&self) -> usize {
        self.pieces.len()
    }

    pub(super) fn len(&self) -> usize {
        self.ends.last().copied().unwrap_or(0)
    }

    /// Appends `buf[start..start + len]`, joining it to the last piece when it continues it.
    pub(super) fn push(&mut self, buf: &Rc<[u8]>, start: usize, len: usize) {
        if len == 0 {
            return;
        }
        let end = self.len() + len;
        if let Some(last) = self.pieces.last_mut()
            && Rc::ptr_eq(&last.buf, buf)
            && last.start + last.len == start
        {
            last.len += len;
            if let Some(e) = self.ends.last_mut() {
                *e = end;
            }
            return;
        }
        self.pieces.push(Piece {
            buf: buf.clone(),
            start,
            len,
        });
        self.ends.push(end);
    }

    /// Appends bytes `from..from + len` of `source`; `None` when they are not all there.
    pub(super) fn push_range(&mut self, source: &Rope, from: usize, len: usize) -> Option<()> {
        if from.checked_add(len)? > source.len() {
            return None;
        }
        let (mut at, mut left) = (from, len);
        while left > 0 {
            let i = source.piece_at(at);
            let p = &source.pieces[i];
            let skip = at - source.start_of(i);
            let n = (p.len - skip).min(left);
            self.push(&p.buf, p.start + skip, n);
            at += n;
            left -= n;
        }
        Some(())
    }

    /// The rope in one buffer, when it has too many pieces to build on: `None` when it is fine
    /// as it is.
    pub(super) fn flattened(&self) -> Option<Rope> {
        (self.pieces.len() > MAX_PIECES).then(|| Rope::whole(self.copied()))
    }

    /// The bytes in one buffer: shared when the rope is all of one buffer already.
    pub(super) fn to_shared(&self) -> Rc<[u8]> {
        match self.pieces.as_slice() {
            [p] if p.start == 0 && p.len == p.buf.len() => p.buf.clone(),
            _ => self.copied(),
        }
    }

    /// The bytes copied once, straight into a shared buffer: going through a `Vec` would
    /// allocate and copy a megabyte-sized folder twice, and fresh memory is what costs most.
    fn copied(&self) -> Rc<[u8]> {
        let mut out = zeroed(self.len());
        if let Some(buf) = Rc::get_mut(&mut out) {
            let mut at = 0;
            for p in &self.pieces {
                buf[at..at + p.len].copy_from_slice(p.bytes());
                at += p.len;
            }
        }
        out
    }

    pub(super) fn to_vec(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len());
        for p in &self.pieces {
            out.extend_from_slice(p.bytes());
        }
        out
    }

    /// The piece that holds byte `pos` (< `len()`).
    fn piece_at(&self, pos: usize) -> usize {
        self.ends.partition_point(|&e| e <= pos)
    }

    fn start_of(&self, piece: usize) -> usize {
        if piece == 0 { 0 } else { self.ends[piece - 1] }
    }

    /// The piece that holds byte `pos` and how far into it `pos` is; past the last piece at
    /// the end.
    fn cursor(&self, pos: usize) -> (usize, usize) {
        let i = self.piece_at(pos);
        (i, pos.saturating_sub(self.start_of(i)))
    }

    /// The piece that holds byte `pos`, and how far into it `pos` is; `None` at the end.
    fn run(&self, pos: usize) -> Option<(&Piece, usize)> {
        let i = self.piece_at(pos);
        let p = self.pieces.get(i)?;
        Some((p, pos - self.start_of(i)))
    }

    /// Bytes `from..to`: borrowed when one piece holds them; `None` beyond the end.
    pub(super) fn range(&self, from: usize, to: usize) -> Option<Cow<'_, [u8]>> {
        if from > to || to > self.len() {
            return None;
        }
        if from == to {
            return Some(Cow::Borrowed(&[]));
        }
        let (p, skip) = self.run(from)?;
        if p.len - skip >= to - from {
            return Some(Cow::Borrowed(&p.bytes()[skip..skip + to - from]));
        }
        let mut out = Rope::default();
        out.push_range(self, from, to - from)?;
        Some(Cow::Owned(out.to_vec()))
    }

    /// Where byte `b` first occurs at or after `pos`.
    pub(super) fn find_byte(&self, mut pos: usize, b: u8) -> Option<usize> {
        while let Some((p, skip)) = self.run(pos) {
            let run = &p.bytes()[skip..];
            if let Some(i) = run.iter().position(|&c| c == b) {
                return Some(pos + i);
            }
            pos += run.len();
        }
        None
    }
}

/// Length of the longest common prefix of `a[from_a..]` and `b[from_b..]`. Where both ropes
/// hold the same bytes of the same buffer, they are equal without being read.
pub(super) fn common_prefix(a: &Rope, from_a: usize, b: &Rope, from_b: usize) -> usize {
    // Each rope's position is found once; from there its pieces are taken in turn.
    let (mut ia, mut sa) = a.cursor(from_a);
    let (mut ib, mut sb) = b.cursor(from_b);
    let mut same = 0;
    while let (Some(pa), Some(pb)) = (a.pieces.get(ia), b.pieces.get(ib)) {
        let n = (pa.len - sa).min(pb.len - sb);
        let k = if Rc::ptr_eq(&pa.buf, &pb.buf) && pa.start + sa == pb.start + sb {
            n
        } else {
            slice_common_prefix(&pa.bytes()[sa..sa + n], &pb.bytes()[sb..sb + n])
        };
        same += k;
        if k < n {
            break;
        }
        (ia, sa) = if sa + n == pa.len {
            (ia + 1, 0)
        } else {
            (ia, sa + n)
        };
        (ib, sb) = if sb + n == pb.len {
            (ib + 1, 0)
        } else {
            (ib, sb + n)
        };
    }
    same
}

/// Length of the longest common prefix of two slices: compared a block at a time (`==` on
/// slices is a `memcmp`), then byte by byte inside the first block that differs.
fn slice_common_prefix(a: &[u8], b: &[u8]) -> usize {
    const BLOCK: usize = 256;
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + BLOCK <= n && a[i..i + BLOCK] == b[i..i + BLOCK] {
        i += BLOCK;
    }
    i + a[i..n]
        .iter()
        .zip(&b[i..n])
        .take_while(|(x, y)| x == y)
        .count()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// `bytes` cut into pieces at `cuts`, each piece its own buffer or, where `shared`, a range
    /// of one buffer holding all of `bytes`.
    fn cut(bytes: &[u8], cuts: &[usize], shared: &Rc<[u8]>, use_shared: &[bool]) -> Rope {
        let mut points: Vec<usize> = cuts.iter().map(|c| c % (bytes.len() + 1)).collect();
        points.extend([0, bytes.len()]);
        points.sort();
        points.dedup();
        let mut r = Rope::default();
        for (i, w) in points.windows(2).enumerate() {
            if use_shared.get(i).copied().unwrap_or(false) {
                r.push(shared, w[0], w[1] - w[0]);
            } else {
                let own: Rc<[u8]> = bytes[w[0]..w[1]].into();
                r.push(&own, 0, own.len());
            }
        }
        r
    }

    proptest! {
        /// However two ropes are cut, and whichever pieces they share, they compare as their
        /// bytes do, and read back as their bytes.
        #[test]
        fn ropes_compare_and_read_as_their_bytes(
            a in prop::collection::vec(0u8..3, 0..60),
            b in prop::collection::vec(0u8..3, 0..60),
            cuts_a in prop::collection::vec(any::<usize>(), 0..8),
            cuts_b in prop::collection::vec(any::<usize>(), 0..8),
            shared_a in prop::collection::vec(any::<bool>(), 10),
            shared_b in prop::collection::vec(any::<bool>(), 10),
            from_a: usize,
            from_b: usize,
        ) {
            // `b` shares `a`'s buffer where it is a copy of it: the first bytes of `b` are `a`'s.
            let b: Vec<u8> = a.iter().copied().take(b.len() / 2).chain(b.iter().copied()).collect();
            let buf_a: Rc<[u8]> = a.clone().into();
            let ra = cut(&a, &cuts_a, &buf_a, &shared_a);
            let same_start = b.len().min(a.len()) / 2;
            let mut rb = Rope::default();
            rb.push_range(&ra, 0, same_start).ok_or_else(|| TestCaseError::fail("range"))?;
            let rest = cut(&b[same_start..], &cuts_b, &Rc::from(&b[same_start..]), &shared_b);
            rb.push_range(&rest, 0, rest.len()).ok_or_else(|| TestCaseError::fail("range"))?;
            prop_assert_eq!(ra.to_vec(), a.clone());
            let b: Vec<u8> = a[..same_start].iter().chain(&b[same_start..]).copied().collect();
            prop_assert_eq!(rb.to_vec(), b.clone());
            let (fa, fb) = (from_a % (a.len() + 1), from_b % (b.len() + 1));
            prop_assert_eq!(common_prefix(&ra, fa, &rb, fb), slice_common_prefix(&a[fa..], &b[fb..]));
            for (i, &x) in a.iter().enumerate() {
                prop_assert_eq!(ra.find_byte(fa.min(i), x).map(|p| a[p]), Some(x));
            }
            let to = (fa + 7).min(a.len());
            let got = ra.range(fa, to);
            prop_assert_eq!(got.as_deref(), Some(&a[fa..to]));
            prop_assert!(ra.range(fa, a.len() + 1).is_none());
        }
    }

    #[test]
    fn shared_pieces_are_equal_without_being_read() {
        // Two ropes over one buffer: the shared range counts as equal, and a piece that
        // continues the one before it is joined to it.
        let buf: Rc<[u8]> = (0..=255u8).collect::<Vec<_>>().into();
        let mut a = Rope::default();
        a.push(&buf, 0, 100);
        a.push(&buf, 100, 56);
        assert_eq!(a.pieces.len(), 1);
        let mut b = Rope::default();
        b.push_range(&a, 10, 140).unwrap_or_default();
        assert_eq!(common_prefix(&a, 10, &b, 0), 140);
        assert_eq!(b.to_vec(), (10..150u8).collect::<Vec<_>>());
        let many = (0..2000).fold(Rope::default(), |mut r, i| {
            r.push(&buf, (i * 7) % 200, 1);
            r
        });
        let flat = many.flattened().unwrap_or_default();
        assert_eq!((flat.pieces.len(), flat.to_vec()), (1, many.to_vec()));
        assert!(a.flattened().is_none());
    }
}
