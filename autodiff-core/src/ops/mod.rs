//! Every tensor operation, one file per family. Each file holds the forward kernel on
//! [`Tensor`](crate::Tensor), the differentiable version on [`Var`](crate::Var) with its
//! derivative written beside it, and unit tests. Gradient checks of every op live in the
//! workspace's `tests` package.

mod arithmetic;
mod compare;
mod gemm;
mod layout;
mod matmul;
mod narrow_gemm;
mod reduce;
mod slicing;
mod softmax;
mod unary;

pub use compare::Operand;
pub use gemm::gemm;
pub use reduce::Correction;
pub use unary::UnaryFn;
