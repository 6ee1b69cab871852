//! Splitting a buffer's rows over threads for the column-matrix kernels, with as many threads as
//! matrixmultiply uses for the products (`MATMUL_NUM_THREADS`), so a conv2d uses every core it
//! was given in its copies as well as in its products.

use std::sync::OnceLock;

/// Below this many elements a copy is done on the calling thread: spawning a thread costs tens
/// of microseconds, as much as copying this much.
const MIN_PARALLEL_ELEMENTS: usize = 1 << 16;

/// The thread count matrixmultiply reads: `MATMUL_NUM_THREADS`, else the machine's cores, at
/// most 4 (its limit too).
fn threads() -> usize {
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
pub(super) fn for_pieces<T: Send>(data: &mut [T], unit: usize, f: impl Fn(usize, &mut [T]) + Sync) {
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

#[cfg(test)]
mod tests {
    use super::for_pieces;

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
}
