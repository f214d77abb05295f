//! Typed indices. A handbook keeps its documents, their cross-references and their review states
//! in vectors of the same length, and the trace keeps one entry per control of the catalog; a
//! `DocIx` can only index the first kind and a `ControlIx` the second, so the compiler catches an
//! index used in the wrong vector.

use std::marker::PhantomData;

/// Position of a document in `Handbook::documents` (sorted by path).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct DocIx(usize);

/// Position of a control in the catalog (frameworks in order, controls in order within each).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ControlIx(usize);

/// Position of a control of the organisation's register (`Handbook::register`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegIx(usize);

/// A typed index: made from and turned into a position.
pub trait Ix: Copy {
    /// The index at `position`.
    fn new(position: usize) -> Self;
    /// The position it stands for.
    fn index(self) -> usize;
}

impl Ix for DocIx {
    fn new(position: usize) -> Self {
        DocIx(position)
    }
    fn index(self) -> usize {
        self.0
    }
}

impl Ix for RegIx {
    fn new(position: usize) -> Self {
        RegIx(position)
    }
    fn index(self) -> usize {
        self.0
    }
}

impl Ix for ControlIx {
    fn new(position: usize) -> Self {
        ControlIx(position)
    }
    fn index(self) -> usize {
        self.0
    }
}

/// A vector indexed by `I` only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IxVec<I, T> {
    items: Vec<T>,
    index: PhantomData<fn(I)>,
}

impl<I: Ix, T> IxVec<I, T> {
    /// The items, in order: item `k` gets index `I::new(k)`.
    pub fn from_vec(items: Vec<T>) -> Self {
        IxVec {
            items,
            index: PhantomData,
        }
    }

    /// `n` copies of `value`.
    pub fn filled(n: usize, value: T) -> Self
    where
        T: Clone,
    {
        Self::from_vec(vec![value; n])
    }

    /// Number of items.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The item at `i`, if there is one.
    pub fn get(&self, i: I) -> Option<&T> {
        self.items.get(i.index())
    }

    /// The item at `i`, to change, if there is one.
    pub fn get_mut(&mut self, i: I) -> Option<&mut T> {
        self.items.get_mut(i.index())
    }

    /// The items in order.
    pub fn iter(&self) -> std::slice::Iter<'_, T> {
        self.items.iter()
    }

    /// The items in order, mutably.
    pub fn iter_mut(&mut self) -> std::slice::IterMut<'_, T> {
        self.items.iter_mut()
    }

    /// Every index, in order.
    pub fn indices(&self) -> impl DoubleEndedIterator<Item = I> + ExactSizeIterator + use<I, T> {
        (0..self.items.len()).map(I::new)
    }

    /// (index, item) pairs in order.
    pub fn iter_enumerated(&self) -> impl DoubleEndedIterator<Item = (I, &T)> {
        self.items.iter().enumerate().map(|(k, t)| (I::new(k), t))
    }

    /// The items as a slice, for what needs one (parallel iteration).
    pub fn as_slice(&self) -> &[T] {
        &self.items
    }
}

impl<I: Ix, T> std::ops::Index<I> for IxVec<I, T> {
    type Output = T;

    fn index(&self, i: I) -> &T {
        &self.items[i.index()]
    }
}

impl<I: Ix, T> std::ops::IndexMut<I> for IxVec<I, T> {
    fn index_mut(&mut self, i: I) -> &mut T {
        &mut self.items[i.index()]
    }
}

impl<I: Ix, T> Default for IxVec<I, T> {
    fn default() -> Self {
        Self::from_vec(Vec::new())
    }
}

impl<I: Ix, T> FromIterator<T> for IxVec<I, T> {
    fn from_iter<It: IntoIterator<Item = T>>(iter: It) -> Self {
        Self::from_vec(iter.into_iter().collect())
    }
}

impl<'a, I: Ix, T> IntoIterator for &'a IxVec<I, T> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter()
    }
}

impl<'a, I: Ix, T> IntoIterator for &'a mut IxVec<I, T> {
    type Item = &'a mut T;
    type IntoIter = std::slice::IterMut<'a, T>;

    fn into_iter(self) -> Self::IntoIter {
        self.items.iter_mut()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_vectors_index_and_enumerate() {
        let v: IxVec<DocIx, &str> = IxVec::from_vec(vec!["a", "b"]);
        let second = DocIx::new(1);
        assert_eq!(v[second], "b");
        assert_eq!(v.indices().collect::<Vec<_>>(), [DocIx::new(0), second]);
        assert_eq!(v.iter_enumerated().last(), Some((second, &"b")));
        assert_eq!(v.get(DocIx::new(2)), None);
    }
}
