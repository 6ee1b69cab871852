//! [`ZeroPadding2d`]: zeros around the height and width of an NCHW batch (Keras's
//! `ZeroPadding2D`, which pads the same axes of its channels-last batch), through
//! [`crate::fused::zero_pad2d`].
//!
//! ```
//! use autodiff_core::{Tape, Tensor};
//! use nn::layers::ZeroPadding2d;
//! use nn::Layer;
//! let tape = Tape::new();
//! let x = tape.constant(Tensor::<f32>::ones([2, 3, 4, 4]));
//! assert_eq!(ZeroPadding2d::uniform(1).forward(x).dims(), [2, 3, 6, 6]);
//! assert_eq!(ZeroPadding2d::new([[1, 0], [0, 2]]).forward(x).dims(), [2, 3, 5, 6]);
//! ```

use autodiff_core::{Float, Module, Param, ParamPath, Tape, Var};

use super::Layer;
use crate::fused::zero_pad2d;

/// Adds `[[top, bottom], [left, right]]` rows and columns of zeros (no parameters).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ZeroPadding2d {
    padding: [[usize; 2]; 2],
}

impl ZeroPadding2d {
    /// `[[top, bottom], [left, right]]` zeros (Keras's `padding=((t, b), (l, r))`).
    pub fn new(padding: [[usize; 2]; 2]) -> Self {
        ZeroPadding2d { padding }
    }

    /// `p` zeros on every side (Keras's `padding=p`).
    pub fn uniform(p: usize) -> Self {
        ZeroPadding2d::new([[p, p], [p, p]])
    }
}

impl<T: Float> Module<T> for ZeroPadding2d {
    fn visit<'a>(&'a self, _: &mut ParamPath, _: &mut dyn FnMut(&ParamPath, &'a Param<T>)) {}
    fn visit_mut(&mut self, _: &mut ParamPath, _: &mut dyn FnMut(&ParamPath, &mut Param<T>)) {}
}

impl<'t, T: Float> Layer<'t, T> for ZeroPadding2d {
    type Output = Var<'t, T>;

    /// # Panics
    /// Naming the op and the shape, if `x` is not 4-D.
    fn forward(&self, x: Var<'t, T>) -> Var<'t, T> {
        zero_pad2d(x, self.padding)
    }

    fn penalty(&self, _: &'t Tape<T>) -> Option<Var<'t, T>> {
        None
    }
}
