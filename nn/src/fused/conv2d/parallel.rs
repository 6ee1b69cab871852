//! Splitting a buffer's rows over threads for the column-matrix kernels, with as many threads as
//! matrixmultiply uses for the products (`MATMUL_NUM_THREADS`), so a conv2d uses every core it
//! was given in its copies as well as in its products.

use std::ops::Range;
use std::sync::OnceLock;

/// Below this many elements a copy is done on the calling thread: spawning a thread costs tens
/// of microseconds, as much as copying this much.
const MIN_PARALLEL_ELEMENTS: usize = 1 << 16;

/// The thread count matrixmultiply reads: `MATMUL_NUM_THREADS`, else the machine's cores, at
/// most 4 (its limit too).
pub(crate) fn threads() -> usize {
    static THREADS: OnceLock<usize> = OnceLock::new();
    *THREADS.get_or_init(|| {
        let configured = std::env::var("MATMUL_NUM_THREADS")
            .ok()
            .and_then(|s| s.parse::<usize>().ok());
        configured
            .or_else(|| std::thread::available_parallelism().ok().map(Into::into))
            .unwrap_or(1)
            .clamp(1, 4)
    })
}

/// Calls `f(first_unit, piece)` on consecutive pieces of `data` that together cover it, each a
/// whole number of `unit`-element units (`first_unit` counts units from the start), on up to
/// [`threads`] scoped threads.
pub(crate) fn for_pieces<T: Send>(data: &mut [T], unit: usize, f: impl Fn(usize, &mut [T]) + Sync) {
    let units = data.len().checked_div(unit).unwrap_or(0);
    let threads = threads().min(units);
    if threads <= 1 || data.len() < MIN_PARALLEL_ELEMENTS {
        return f(0, data);
    }
    let per_thread = units.div_ceil(threads);
    std::thread::scope(|scope| {
        let mut pieces = data.chunks_mut(per_thread * unit).enumerate();
        let (_, first) = pieces.next().expect("at least two units");
        for (i, piece) in pieces {
            let f = &f;
            scope.spawn(move || f(i * per_thread, piece));
        }
        f(0, first);
    });
}

/// [`for_pieces`] over two buffers cut at the same units (`units[0]` elements of `a` and
/// `units[1]` of `b` each): `f(first_unit, piece_of_a, piece_of_b)`. Units counted from `a`.
pub(crate) fn for_piece_pairs<A: Send, B: Send>(
    (a, b): (&mut [A], &mut [B]),
    [unit_a, unit_b]: [usize; 2],
    f: impl Fn(usize, &mut [A], &mut [B]) + Sync,
) {
    let units = a.len().checked_div(unit_a).unwrap_or(0);
    let threads = threads().min(units);
    if threads <= 1 || a.len() < MIN_PARALLEL_ELEMENTS || unit_b == 0 {
        return f(0, a, b);
    }
    let per_thread = units.div_ceil(threads);
    std::thread::scope(|scope| {
        let mut pieces = a
            .chunks_mut(per_thread * unit_a)
            .zip(b.chunks_mut(per_thread * unit_b))
            .enumerate();
        let (_, (first_a, first_b)) = pieces.next().expect("at least two units");
        for (i, (piece_a, piece_b)) in pieces {
            let f = &f;
            scope.spawn(move || f(i * per_thread, piece_a, piece_b));
        }
        f(0, first_a, first_b);
    });
}

/// Calls `f` on consecutive ranges that together cover `0..units` (of `unit_elements` elements
/// each, for the same threshold as [`for_pieces`]), on up to [`threads`] scoped threads, and
/// returns the results in order; at least one call, on an empty range if `units` is 0.
pub(super) fn map_ranges<R: Send>(
    units: usize,
    unit_elements: usize,
    f: impl Fn(Range<usize>) -> R + Sync,
) -> Vec<R> {
    let threads = threads().min(units);
    if threads <= 1 || units * unit_elements < MIN_PARALLEL_ELEMENTS {
        return vec![f(0..units)];
    }
    let per_thread = units.div_ceil(threads);
    let ranges: Vec<_> = (0..units)
        .step_by(per_thread)
        .map(|start| start..(start + per_thread).min(units))
        .collect();
    std::thread::scope(|scope| {
        let f = &f;
        let others: Vec<_> = ranges[1..]
            .iter()
            .map(|range| scope.spawn(move || f(range.clone())))
            .collect();
        let first = f(ranges[0].clone());
        std::iter::once(first)
            .chain(
                others
                    .into_iter()
                    .map(|h| h.join().expect("a conv2d thread panicked")),
            )
            .collect()
    })
}

#[cfg(test)]
mod tests {
    use super::{for_piece_pairs, for_pieces, map_ranges};

    #[test]
    fn ranges_cover_the_units_in_order() {
        let ranges = map_ranges(1000, 1000, |r| r);
        assert_eq!(ranges.first().map(|r| r.start), Some(0));
        assert_eq!(ranges.last().map(|r| r.end), Some(1000));
        assert!(ranges.windows(2).all(|w| w[0].end == w[1].start));
        assert_eq!(map_ranges(0, 5, |r| r), vec![0..0]);
    }

    #[test]
    fn pieces_cover_the_buffer_with_their_unit_offsets() {
        let mut data = vec![0_usize; 3 * 40_000];
        for_pieces(&mut data, 3, |first, piece| {
            for (i, v) in piece.iter_mut().enumerate() {
                *v = first * 3 + i;
            }
        });
        assert!(data.iter().enumerate().all(|(i, &v)| v == i));
    }

    #[test]
    fn paired_pieces_cut_both_buffers_at_the_same_units() {
        let (mut a, mut b) = (vec![0_usize; 2 * 40_000], vec![0_usize; 3 * 40_000]);
        for_piece_pairs((&mut a, &mut b), [2, 3], |first, a, b| {
            assert_eq!(a.len() / 2, b.len() / 3);
            a.iter_mut()
                .enumerate()
                .for_each(|(i, v)| *v = first * 2 + i);
            b.iter_mut()
                .enumerate()
                .for_each(|(i, v)| *v = first * 3 + i);
        });
        assert!(a.iter().enumerate().all(|(i, &v)| v == i));
        assert!(b.iter().enumerate().all(|(i, &v)| v == i));
    }
}
