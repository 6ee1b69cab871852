//! [`SequentialFrom`]: a [`Sequential`] whose first layer reads another input than a dense
//! `Var` — an [`Embedding`](super::Embedding) on token ids, a [`Dense`](super::Dense) on
//! sparse rows — and whose other layers are dense, as Keras's `Sequential` starting with an
//! `Embedding`. Built with [`Sequential::starting_with`].
//!
//! Parameters are named as in a `Sequential`, the first layer being layer 0
//! (`layers.0.weight`, `layers.1.kernel`, …), so checkpoints read the same either way.
//!
//! ```
//! use nn::data::SparseRows;
//! use nn::layers::SparseInput;
//! use nn::{Activation, Dense, Layer, Module, Sequential, Tape, Tensor};
//! let net = Sequential::<f32>::starting_with(Dense::new(4, 3).activation(Activation::Relu))
//!     .add(Dense::new(3, 1));
//! let names: Vec<String> = net.named_params().into_iter().map(|(n, _)| n).collect();
//! assert_eq!(names, ["layers.0.kernel", "layers.0.bias", "layers.1.kernel", "layers.1.bias"]);
//! let tape = Tape::new();
//! let rows = SparseRows::from_dense(&Tensor::from_vec(vec![0.0, 1.0, 0.0, 2.0], [1, 4]));
//! assert_eq!(net.forward(SparseInput::new(&tape, rows)).dims(), [1, 1]);
//! ```

use std::any::Any;

use autodiff_core::{BufferRef, Float, Module, Param, ParamPath, Tape, Var};

use super::{AnyLayer, Layer, Sequential};

/// A first layer of type `F` on any input it reads, then dense layers (see the module docs).
pub struct SequentialFrom<T: Float, F> {
    first: F,
    rest: Vec<Box<dyn AnyLayer<T>>>,
}

impl<T: Float> Sequential<T> {
    /// A stack whose first layer reads the input `first` reads (token ids, sparse rows); layers
    /// added after it read its dense output.
    pub fn starting_with<F: Module<T>>(first: F) -> SequentialFrom<T, F> {
        SequentialFrom {
            first,
            rest: Vec::new(),
        }
    }
}

impl<T: Float, F: Module<T>> SequentialFrom<T, F> {
    /// Appends a layer on dense `Var`s.
    #[allow(clippy::should_implement_trait)]
    pub fn add(mut self, layer: impl AnyLayer<T>) -> Self {
        self.rest.push(Box::new(layer));
        self
    }

    /// The first layer.
    pub fn first(&self) -> &F {
        &self.first
    }

    /// The layers after the first, in order (layer `i + 1` of the stack is `rest()[i]`).
    pub fn rest(&self) -> &[Box<dyn AnyLayer<T>>] {
        &self.rest
    }

    /// The number of layers, the first included.
    pub fn len(&self) -> usize {
        1 + self.rest.len()
    }

    /// Always false: there is a first layer.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Layer `index` (0 being the first) as the type `L` it was added as; `None` if there is no
    /// such layer or it is of another type.
    pub fn layer<L: Any>(&self, index: usize) -> Option<&L>
    where
        F: Any,
    {
        let layer: &dyn Any = match index {
            0 => &self.first,
            i => self.rest.get(i - 1)?.as_ref(),
        };
        layer.downcast_ref()
    }
}

/// Visits the first layer as `layers.0` and the others as `layers.1`, `layers.2`, …
impl<T: Float, F: Module<T>> Module<T> for SequentialFrom<T, F> {
    fn visit<'a>(&'a self, path: &mut ParamPath, f: &mut dyn FnMut(&ParamPath, &'a Param<T>)) {
        path.push("layers");
        path.push("0");
        self.first.visit(path, f);
        path.pop();
        for (i, layer) in self.rest.iter().enumerate() {
            path.push(&(i + 1).to_string());
            layer.visit(path, f);
            path.pop();
        }
        path.pop();
    }

    fn visit_mut(&mut self, path: &mut ParamPath, f: &mut dyn FnMut(&ParamPath, &mut Param<T>)) {
        path.push("layers");
        path.push("0");
        self.first.visit_mut(path, f);
        path.pop();
        for (i, layer) in self.rest.iter_mut().enumerate() {
            path.push(&(i + 1).to_string());
            layer.visit_mut(path, f);
            path.pop();
        }
        path.pop();
    }

    fn visit_buffers<'a>(
        &'a self,
        path: &mut ParamPath,
        f: &mut dyn FnMut(&ParamPath, BufferRef<'a, T>),
    ) {
        path.push("layers");
        path.push("0");
        self.first.visit_buffers(path, f);
        path.pop();
        for (i, layer) in self.rest.iter().enumerate() {
            path.push(&(i + 1).to_string());
            layer.visit_buffers(path, f);
            path.pop();
        }
        path.pop();
    }

    fn set_training(&mut self, training: bool) {
        self.first.set_training(training);
        self.rest.iter_mut().for_each(|l| l.set_training(training));
    }
}

/// Any input the first layer reads, for every input type it reads.
impl<'t, T: Float, X, F> Layer<'t, T, X> for SequentialFrom<T, F>
where
    F: Layer<'t, T, X, Output = Var<'t, T>>,
{
    type Output = Var<'t, T>;

    fn forward(&self, x: X) -> Var<'t, T> {
        let h = self.first.forward(x);
        self.rest.iter().fold(h, |h, layer| layer.forward(h))
    }

    fn penalty(&self, tape: &'t Tape<T>) -> Option<Var<'t, T>> {
        std::iter::once(self.first.penalty(tape))
            .chain(self.rest.iter().map(|l| l.penalty(tape)))
            .flatten()
            .reduce(|a, b| a + b)
    }
}
