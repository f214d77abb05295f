//! A value with the line it was written on, so that a later stage can point a message at it
//! without searching the text again.

/// `value`, written on `line` (1-based) of its file.
/// Ordered by value, then line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// 1-based line of the file it was read from.
    pub line: usize,
}

impl<T> Spanned<T> {
    /// `value`, read on `line`.
    pub fn new(value: T, line: usize) -> Self {
        Spanned { value, line }
    }
}

impl<T> std::ops::Deref for Spanned<T> {
    type Target = T;

    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: std::fmt::Display> std::fmt::Display for Spanned<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.value.fmt(f)
    }
}
