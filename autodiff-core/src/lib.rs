//! Tensors and a reverse-mode tape (Wengert list) with `Copy` variables.
//!
//! - [`Tensor`]: an owned, contiguous, row-major n-d array of `f32` or `f64` with NumPy
//!   broadcasting, reductions, slicing and batched matrix products.
//! - [`Tape`]: the recording of a computation; [`Var`] is a `Copy` handle into it, so maths reads
//!   like maths; [`Var::backward`] runs one reverse sweep and returns [`Gradients`].
//! - [`Param`]: a trainable tensor that outlives tapes; [`Buffer`] and [`StepCounter`]: state
//!   that persists and is saved but not trained (batch norm's running statistics).
//! - [`Backward`]: how any op, built in or user-defined, sends gradients back.
//! - [`gradcheck`]: analytic gradients against central differences, in `f64`.
//! - [`Module`]: a tree of parameters and buffers; [`checkpoint`] saves and loads one in safetensors format.
//! - [`scalar`] and [`elementwise`]: the intrinsics and helpers that `#[differentiable]`
//!   functions (from `autodiff-macros`) compile to.
//!
//! Fitting `y = 2x + 1` by gradient descent:
//!
//! ```
//! use autodiff_core::{Param, Tape, Tensor};
//!
//! let x = Tensor::from_vec(vec![0.0, 1.0, 2.0, 3.0], [4, 1]);
//! let y = Tensor::from_vec(vec![1.0, 3.0, 5.0, 7.0], [4, 1]);
//! let mut w = Param::new(Tensor::zeros([1, 1]));
//! let mut b = Param::new(Tensor::zeros([1]));
//! let mut tape = Tape::new();
//! for _ in 0..500 {
//!     let (gw, gb) = {
//!         let (x, y) = (tape.constant(x.clone()), tape.constant(y.clone()));
//!         let prediction = x.matmul(tape.param(&w)) + tape.param(&b);
//!         let loss = (prediction - y).powi(2).mean();
//!         let grads = loss.backward();
//!         (grads.param(&w).unwrap().clone(), grads.param(&b).unwrap().clone())
//!     };
//!     tape.clear(); // reuse the tape's allocations next step
//!     w.update(|w| w.data_mut()[0] -= 0.1 * gw.data()[0]);
//!     b.update(|b| b.data_mut()[0] -= 0.1 * gb.data()[0]);
//! }
//! assert!((w.value().item() - 2.0_f64).abs() < 1e-3);
//! assert!((b.value().item() - 1.0).abs() < 1e-3);
//! ```

pub mod atomic_file;
mod buffer;
pub mod checkpoint;
pub mod elementwise;
pub mod fast_f32;
mod float;
mod gradcheck;
mod module;
pub mod ops;
mod param;
pub mod pool;
pub mod scalar;
mod seeded_rng;
mod shape;
mod simd;
mod step_counter;
mod tape;
mod tensor;

pub use buffer::{Buffer, BufferRef};
pub use float::Float;
pub use gradcheck::{GradcheckError, GradcheckOptions, gradcheck, gradcheck_with};
pub use module::{Module, ParamPath};
pub use ops::{Correction, Operand};
pub use param::{Param, ParamId};
pub use seeded_rng::{RNG_STATE_LEN, SeededRng};
pub use shape::{MAX_RANK, Shape};
pub use step_counter::StepCounter;
pub use tape::{
    AnomalyGuard, Backward, BackwardCx, Gradients, Tape, Var, detect_anomaly,
    is_anomaly_detection_enabled,
};
pub use tensor::{ShapeError, Tensor};
