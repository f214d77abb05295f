//! How the pipeline's parallel loops are shared out between threads.

/// The most items of a parallel loop over files, documents, pages or changes that one thread
/// runs as a block. Rayon cuts a loop into a few long blocks (on two cores, about four) and
/// never splits a block once a thread has started it, so a thread that ran out of work sat idle
/// while the other finished a quarter of the loop alone: 0.17 s of the line counts of a
/// 20,000-document build. Blocks of this many stay short enough to share out to the end, and
/// long enough that handing them out costs nothing measurable.
pub const LEAF: usize = 32;
