//! The cells: each one's pointwise step written once as a `#[differentiable]` function (its
//! equations in the file's docs), and its [`Cell`](super::Cell) implementation calling that
//! function and its derived VJP.

pub mod coupled;
pub mod gru;
pub mod lstm;
pub mod peephole;
pub mod simple;

pub use coupled::CoupledLstmCell;
pub use gru::GruCell;
pub use lstm::LstmCell;
pub use peephole::PeepholeLstmCell;
pub use simple::SimpleRnnCell;

#[cfg(test)]
mod rows_tests;
