//! Lock-free shared weight matrices for Hogwild training.
//!
//! Rationale: the original tool and gensim let every thread read and write the embedding rows with
//! no locks at all (Recht et al. 2011, "Hogwild!"). Two threads touch the same row only when their
//! sentences share a word; the rare lost or torn update is a little extra noise in an already
//! stochastic descent, and it is what makes training scale with cores. Formally these concurrent
//! accesses are data races, which the Rust memory model does not define; relaxed atomics would make
//! them defined but stop the compiler from vectorising the row kernels (dot, axpy), which is most of
//! the training time. We take the same engineering trade-off as the original and gensim, and keep
//! it contained: the only way in is [`HogwildMatrix::row`], used only by the training loop, and the
//! matrix is borrowed from a `Vec<f32>` that outlives every training thread (scoped threads).

use std::marker::PhantomData;

/// A row-major `rows × dim` matrix of `f32` that several threads may update without locks.
pub struct HogwildMatrix<'a> {
    ptr: *mut f32,
    rows: usize,
    dim: usize,
    _borrow: PhantomData<&'a mut [f32]>,
}

// SAFETY: see the module documentation: concurrent unsynchronised row updates are the intended
// Hogwild semantics; the pointer stays valid for 'a because the matrix mutably borrows its storage.
unsafe impl Sync for HogwildMatrix<'_> {}
// SAFETY: as above; the matrix is only a view of storage that outlives it.
unsafe impl Send for HogwildMatrix<'_> {}

impl<'a> HogwildMatrix<'a> {
    /// Views `data` (length `rows * dim`) as a shared matrix for the duration of the borrow.
    pub fn new(data: &'a mut [f32], dim: usize) -> Self {
        assert!(
            dim > 0 && data.len().is_multiple_of(dim),
            "matrix length must be a multiple of dim"
        );
        HogwildMatrix {
            ptr: data.as_mut_ptr(),
            rows: data.len() / dim,
            dim,
            _borrow: PhantomData,
        }
    }

    /// Row `i` for reading and writing.
    ///
    /// # Safety
    /// The caller must not hold two overlapping rows at once in one thread (the training loop takes
    /// rows of different matrices, or the same row once). Other threads may write the same row
    /// concurrently: that is the Hogwild race described in the module documentation.
    #[inline]
    #[allow(clippy::mut_from_ref)]
    pub unsafe fn row(&self, i: usize) -> &mut [f32] {
        assert!(i < self.rows, "row {i} out of {} rows", self.rows);
        // SAFETY: `i < rows`, so the row lies inside the borrowed allocation.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.add(i * self.dim), self.dim) }
    }
}
