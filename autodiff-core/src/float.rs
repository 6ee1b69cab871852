//! The element types a [`Tensor`](crate::Tensor) can hold.

use std::cell::RefCell;
use std::fmt::{Debug, Display, LowerExp};
use std::iter::Sum;
use std::thread::LocalKey;

use crate::pool::Pool;

/// A floating-point element type: `f32` for training, `f64` for gradient checks.
///
/// It extends `num_traits::Float` with what the tensor kernels need: a general matrix product with
/// arbitrary strides (so a transposed operand costs nothing) and a name for printing.
pub trait Float:
    num_traits::Float
    + num_traits::FromPrimitive
    + num_traits::NumAssign
    + Default
    + Debug
    + Display
    + LowerExp
    + Send
    + Sync
    + Sum
    + 'static
{
    /// The dtype's name as PyTorch and NumPy print it (`"f32"`, `"f64"`).
    const DTYPE: &'static str;

    /// Converts an `f64` literal (`T::lit(0.5)`); exact for `f64`, rounded for `f32`.
    fn lit(x: f64) -> Self;

    /// tanh x as the tensor ops compute it: for `f32` a branch-free polynomial that vectorises,
    /// within 2 ulp of the correctly rounded value (measured on 2.7·10⁸ inputs, see
    /// `fast_f32.rs`); for `f64` the standard library's function.
    ///
    /// ```
    /// use autodiff_core::Float;
    /// assert!((0.5_f32.tanh_fast() - 0.5_f32.tanh()).abs() <= 2.0 * f32::EPSILON);
    /// assert_eq!(0.5_f64.tanh_fast(), 0.5_f64.tanh());
    /// ```
    fn tanh_fast(self) -> Self;

    /// This thread's pool of free buffers of this type (see [`crate::pool`]).
    #[doc(hidden)]
    fn buffer_pool() -> &'static LocalKey<RefCell<Pool<Self>>>;

    /// `C ← alpha·A·B + beta·C` for an `m×k` matrix A, a `k×n` matrix B and an `m×n` matrix C,
    /// each described by a pointer and its row and column strides (in elements).
    ///
    /// # Safety
    /// Every pointer must be valid for every element its shape and strides address, and `c`
    /// must not alias `a` or `b`.
    unsafe fn gemm(
        m: usize,
        k: usize,
        n: usize,
        alpha: Self,
        a: *const Self,
        a_strides: [isize; 2],
        b: *const Self,
        b_strides: [isize; 2],
        beta: Self,
        c: *mut Self,
        c_strides: [isize; 2],
    );
}

impl Float for f32 {
    const DTYPE: &'static str = "f32";

    fn buffer_pool() -> &'static LocalKey<RefCell<Pool<Self>>> {
        thread_local!(static POOL: RefCell<Pool<f32>> = const { RefCell::new(Pool::new()) });
        &POOL
    }

    fn lit(x: f64) -> Self {
        x as f32
    }

    #[inline(always)]
    fn tanh_fast(self) -> Self {
        crate::fast_f32::tanh(self)
    }

    unsafe fn gemm(
        m: usize,
        k: usize,
        n: usize,
        alpha: f32,
        a: *const f32,
        [rsa, csa]: [isize; 2],
        b: *const f32,
        [rsb, csb]: [isize; 2],
        beta: f32,
        c: *mut f32,
        [rsc, csc]: [isize; 2],
    ) {
        // SAFETY: forwarded from the caller's contract.
        unsafe {
            matrixmultiply::sgemm(m, k, n, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc)
        }
    }
}

impl Float for f64 {
    const DTYPE: &'static str = "f64";

    fn buffer_pool() -> &'static LocalKey<RefCell<Pool<Self>>> {
        thread_local!(static POOL: RefCell<Pool<f64>> = const { RefCell::new(Pool::new()) });
        &POOL
    }

    fn lit(x: f64) -> Self {
        x
    }

    #[inline(always)]
    fn tanh_fast(self) -> Self {
        self.tanh()
    }

    unsafe fn gemm(
        m: usize,
        k: usize,
        n: usize,
        alpha: f64,
        a: *const f64,
        [rsa, csa]: [isize; 2],
        b: *const f64,
        [rsb, csb]: [isize; 2],
        beta: f64,
        c: *mut f64,
        [rsc, csc]: [isize; 2],
    ) {
        // SAFETY: forwarded from the caller's contract.
        unsafe {
            matrixmultiply::dgemm(m, k, n, alpha, a, rsa, csa, b, rsb, csb, beta, c, rsc, csc)
        }
    }
}
