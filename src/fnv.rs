//! FNV-1a, the hasher of maps whose keys are short and come from the handbook or the catalogs,
//! not from anyone who could choose them to collide: the standard hasher (SipHash) was most of
//! the cost of lookups that run for every mapping of every document, and for every word the
//! search index reads.

use std::hash::BuildHasherDefault;

#[derive(Clone, Copy)]
pub(crate) struct FnvHasher(u64);

impl Default for FnvHasher {
    fn default() -> FnvHasher {
        FnvHasher(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for FnvHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut h = self.0;
        for &b in bytes {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
        self.0 = h;
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// The `S` of a `HashMap<K, V, S>` or `HashSet<T, S>` hashed with FNV-1a.
pub(crate) type Fnv = BuildHasherDefault<FnvHasher>;

#[cfg(test)]
mod tests {
    use std::hash::Hasher;

    use super::FnvHasher;

    #[test]
    fn matches_the_published_fnv1a_values() {
        let hash = |s: &str| {
            let mut h = FnvHasher::default();
            h.write(s.as_bytes());
            h.finish()
        };
        // The FNV-1a 64-bit test vectors.
        assert_eq!(hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(hash("foobar"), 0x8594_4171_f739_67e8);
    }
}
