//! Lock-free shared weight matrices for Hogwild training, without undefined behaviour.
//!
//! The original tool and gensim let every thread read and write the embedding rows with no locks
//! at all (Recht et al. 2011, "Hogwild!"). Two threads touch the same row only when their
//! sentences share a word; the rare lost update is a little extra noise in an already stochastic
//! descent, and it is what makes training scale with cores.
//!
//! With plain reads and writes those concurrent accesses would be data races, which Rust leaves
//! undefined. Here every element is an `AtomicU32` holding an `f32`'s bits, read and written
//! with `Relaxed` loads and stores: each access is defined (a thread sees some value another
//! thread stored, never a torn one), yet no lock or read-modify-write is issued; on x86 and ARM a
//! relaxed load or store is an ordinary move. A thread copies the rows one update touches into
//! its own buffer ([`HogwildMatrix::read`]), does the vectorised arithmetic there, and stores the
//! result back ([`HogwildMatrix::write_axpy`], [`HogwildMatrix::add`]). An update another thread
//! makes between the copy and the store may be overwritten: the Hogwild trade-off, now defined.

use std::sync::atomic::{AtomicU32, Ordering};

/// Cells in a 64-byte cache line (x86-64's).
#[cfg(target_arch = "x86_64")]
const CACHE_LINE_CELLS: usize = 64 / size_of::<AtomicU32>();

/// A row-major `rows × dim` matrix of `f32` that several threads may update without locks.
pub struct HogwildMatrix<'a> {
    cells: &'a [AtomicU32],
    dim: usize,
}

// An `f32` and an `AtomicU32` must be interchangeable in memory for the view in `new`.
const _: () = assert!(
    size_of::<f32>() == size_of::<AtomicU32>() && align_of::<f32>() == align_of::<AtomicU32>()
);

impl<'a> HogwildMatrix<'a> {
    /// Views `data` (length `rows * dim`) as a shared matrix for the duration of the borrow.
    pub fn new(data: &'a mut [f32], dim: usize) -> Self {
        assert!(
            dim > 0 && data.len().is_multiple_of(dim),
            "matrix length must be a multiple of dim"
        );
        let len = data.len();
        // SAFETY: `AtomicU32` has the size and alignment of `u32`, hence of `f32` (checked at
        // compile time above), and every bit pattern is valid for both. `data` is borrowed
        // mutably for 'a, so nothing reads or writes it except through these atomics while the
        // view lives.
        let cells =
            unsafe { std::slice::from_raw_parts(data.as_mut_ptr().cast::<AtomicU32>(), len) };
        HogwildMatrix { cells, dim }
    }

    /// The cells of row `i`.
    #[inline(always)]
    fn row(&self, i: usize) -> &[AtomicU32] {
        &self.cells[i * self.dim..(i + 1) * self.dim]
    }

    /// Asks the CPU to start fetching row `i` into the cache (a hint; nothing on other
    /// targets). Copying a row the cache lacks stalls: its element stores fill the store buffer
    /// long before the row's last line arrives, so unlike the vectorised plain-access kernel the
    /// copy cannot overlap one row's wait with the next row's; fetching the rows an update will
    /// touch before copying any of them overlaps all their waits.
    #[inline(always)]
    pub fn prefetch(&self, i: usize) {
        #[cfg(target_arch = "x86_64")]
        for line in self.row(i).chunks(CACHE_LINE_CELLS) {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            // SAFETY: a prefetch is a hint that neither reads nor writes memory as far as the
            // program can tell (it cannot fault, and it is no access in Rust's memory model, so
            // it cannot race); SSE, which has it, is part of x86-64.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(line[0].as_ptr().cast::<i8>()) };
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = i;
    }

    /// Copies row `i` into `out` (of length `dim`).
    #[inline(always)]
    pub fn read(&self, i: usize, out: &mut [f32]) {
        for (x, cell) in out.iter_mut().zip(self.row(i)) {
            *x = f32::from_bits(cell.load(Ordering::Relaxed));
        }
    }

    /// Stores `base + g · x` (each of length `dim`) as row `i`: the update of a copied row and
    /// its store in one pass.
    #[inline(always)]
    pub fn write_axpy(&self, i: usize, base: &[f32], g: f32, x: &[f32]) {
        for ((&b, &x), cell) in base.iter().zip(x).zip(self.row(i)) {
            cell.store((b + g * x).to_bits(), Ordering::Relaxed);
        }
    }

    /// Adds `delta` (of length `dim`) to row `i`, element by element with a relaxed load and
    /// store (not an atomic add: a concurrent update may be lost, as Hogwild allows).
    #[inline(always)]
    pub fn add(&self, i: usize, delta: &[f32]) {
        for (&d, cell) in delta.iter().zip(self.row(i)) {
            let x = f32::from_bits(cell.load(Ordering::Relaxed));
            cell.store((x + d).to_bits(), Ordering::Relaxed);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_read_write_and_add() {
        let mut data = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        let m = HogwildMatrix::new(&mut data, 3);
        let mut row = [0.0; 3];
        m.read(1, &mut row);
        assert_eq!(row, [4.0, 5.0, 6.0]);
        m.write_axpy(0, &[1.0, 2.0, 3.0], -2.0, &[1.0, 2.0, 3.0]);
        m.add(1, &[0.5, 0.5, 0.5]);
        assert_eq!(data, [-1.0, -2.0, -3.0, 4.5, 5.5, 6.5]);
    }

    #[test]
    fn threads_share_rows() {
        let mut data = vec![0.0; 8];
        let m = HogwildMatrix::new(&mut data, 4);
        std::thread::scope(|s| {
            for t in 0..2 {
                let m = &m;
                s.spawn(move || {
                    for _ in 0..1000 {
                        m.add(t, &[1.0; 4]);
                    }
                });
            }
        });
        assert_eq!(data, [1000.0; 8]);
    }
}
