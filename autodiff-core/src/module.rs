//! [`Module`]: anything with parameters or buffers — a layer, a block, a whole model.
//!
//! `#[derive(Module)]` (in `autodiff-macros`) writes the implementation for a struct; this file
//! implements it for the leaves ([`Param`], [`Buffer`], [`StepCounter`]) and the containers
//! (`Vec`, `Option`, `Box`, arrays).

use crate::{Buffer, BufferRef, Float, Param, SeededRng, StepCounter};

/// The dotted path of a parameter or buffer inside a module tree (`encoder.layers.0.weight`),
/// built up while visiting without allocating per segment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParamPath {
    text: String,
    ends: Vec<usize>,
}

impl ParamPath {
    /// The empty path (the root module).
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a segment (a field name or an index).
    pub fn push(&mut self, segment: &str) {
        self.ends.push(self.text.len());
        if !self.text.is_empty() {
            self.text.push('.');
        }
        self.text.push_str(segment);
    }

    /// Removes the last segment.
    pub fn pop(&mut self) {
        if let Some(end) = self.ends.pop() {
            self.text.truncate(end);
        }
    }

    /// The path as text, segments joined by dots.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl std::fmt::Display for ParamPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

/// A layer or model: a tree whose leaves are [`Param`]s (trained) and buffers ([`Buffer`],
/// [`StepCounter`]: persistent, not trained).
///
/// Visiting gives every parameter with its dotted path, which optimizers, saving and loading and
/// parameter counts build on; visiting buffers gives the rest of the state a checkpoint saves
/// (optimizers never visit them). `set_training` switches dropout and batch normalisation
/// between training and inference.
///
/// Parameters and buffers share one namespace, as in PyTorch's `state_dict`
/// (`bn.weight` beside `bn.running_mean`).
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a Module, so #[derive(Module)] cannot visit it",
    label = "neither a parameter, a buffer nor a module",
    note = "mark fields that hold configuration or other non-parameter data with #[module(skip)]"
)]
pub trait Module<T: Float> {
    /// Calls `f` with each parameter and its path, in declaration order; `path` holds the path
    /// of `self` and is restored before returning.
    fn visit<'a>(&'a self, path: &mut ParamPath, f: &mut dyn FnMut(&ParamPath, &'a Param<T>));

    /// Like [`Module::visit`], with mutable access (optimizers, loading).
    fn visit_mut(&mut self, path: &mut ParamPath, f: &mut dyn FnMut(&ParamPath, &mut Param<T>));

    /// Calls `f` with each buffer and its path, in declaration order; `path` holds the path of
    /// `self` and is restored before returning. Buffers change through `&self` (see [`Buffer`]),
    /// so loading needs no mutable variant. The default visits nothing: a hand-written module
    /// without buffers need not write it.
    fn visit_buffers<'a>(
        &'a self,
        path: &mut ParamPath,
        f: &mut dyn FnMut(&ParamPath, BufferRef<'a, T>),
    ) {
        let _ = (path, f);
    }

    /// Switches training-only behaviour (dropout, batch statistics) on or off, in every
    /// sub-module.
    fn set_training(&mut self, training: bool) {
        let _ = training;
    }

    /// Every parameter with its dotted path.
    fn named_params(&self) -> Vec<(String, &Param<T>)>
    where
        Self: Sized,
    {
        let mut out = Vec::new();
        self.visit(&mut ParamPath::new(), &mut |path, p| {
            out.push((path.to_string(), p))
        });
        out
    }

    /// Every buffer with its dotted path.
    fn named_buffers(&self) -> Vec<(String, BufferRef<'_, T>)>
    where
        Self: Sized,
    {
        let mut out = Vec::new();
        self.visit_buffers(&mut ParamPath::new(), &mut |path, b| {
            out.push((path.to_string(), b))
        });
        out
    }

    /// The number of scalar parameters, trainable or frozen; buffers are not counted (PyTorch's
    /// sum of `numel()` over `parameters()`). Keras's `count_params` counts buffers too: it is
    /// `num_trainable_params() + num_non_trainable_params()`.
    fn num_params(&self) -> usize {
        let mut n = 0;
        self.visit(&mut ParamPath::new(), &mut |_, p| n += p.value().numel());
        n
    }

    /// The scalars a backward pass trains: parameters whose
    /// [`is_trainable`](Param::is_trainable) holds (Keras's "Trainable params").
    fn num_trainable_params(&self) -> usize {
        let mut n = 0;
        self.visit(&mut ParamPath::new(), &mut |_, p| {
            if p.is_trainable() {
                n += p.value().numel()
            }
        });
        n
    }

    /// The saved scalars no backward pass trains, as Keras's "Non-trainable params" counts its
    /// non-trainable weights: frozen parameters (`set_trainable(false)`) plus every buffer's
    /// elements (a [`StepCounter`] counts as one).
    fn num_non_trainable_params(&self) -> usize {
        let mut n = 0;
        self.visit(&mut ParamPath::new(), &mut |_, p| {
            if !p.is_trainable() {
                n += p.value().numel()
            }
        });
        self.visit_buffers(&mut ParamPath::new(), &mut |_, b| n += b.numel());
        n
    }
}

impl<T: Float> Module<T> for Param<T> {
    fn visit<'a>(&'a self, path: &mut ParamPath, f: &mut dyn FnMut(&ParamPath, &'a Param<T>)) {
        f(path, self)
    }

    fn visit_mut(&mut self, path: &mut ParamPath, f: &mut dyn FnMut(&ParamPath, &mut Param<T>)) {
        f(path, self)
    }
}

impl<T: Float> Module<T> for Buffer<T> {
    fn visit<'a>(&'a self, _: &mut ParamPath, _: &mut dyn FnMut(&ParamPath, &'a Param<T>)) {}

    fn visit_mut(&mut self, _: &mut ParamPath, _: &mut dyn FnMut(&ParamPath, &mut Param<T>)) {}

    fn visit_buffers<'a>(
        &'a self,
        path: &mut ParamPath,
        f: &mut dyn FnMut(&ParamPath, BufferRef<'a, T>),
    ) {
        f(path, BufferRef::Tensor(self))
    }
}

impl<T: Float> Module<T> for StepCounter {
    fn visit<'a>(&'a self, _: &mut ParamPath, _: &mut dyn FnMut(&ParamPath, &'a Param<T>)) {}

    fn visit_mut(&mut self, _: &mut ParamPath, _: &mut dyn FnMut(&ParamPath, &mut Param<T>)) {}

    fn visit_buffers<'a>(
        &'a self,
        path: &mut ParamPath,
        f: &mut dyn FnMut(&ParamPath, BufferRef<'a, T>),
    ) {
        f(path, BufferRef::Counter(self))
    }
}

impl<T: Float> Module<T> for SeededRng {
    fn visit<'a>(&'a self, _: &mut ParamPath, _: &mut dyn FnMut(&ParamPath, &'a Param<T>)) {}

    fn visit_mut(&mut self, _: &mut ParamPath, _: &mut dyn FnMut(&ParamPath, &mut Param<T>)) {}

    fn visit_buffers<'a>(
        &'a self,
        path: &mut ParamPath,
        f: &mut dyn FnMut(&ParamPath, BufferRef<'a, T>),
    ) {
        f(path, BufferRef::Rng(self))
    }
}

/// Visits each item of a sequence under its index.
fn visit_items<'a, T: Float, M: Module<T>>(
    items: &'a [M],
    path: &mut ParamPath,
    f: &mut dyn FnMut(&ParamPath, &'a Param<T>),
) {
    for (i, m) in items.iter().enumerate() {
        path.push(&i.to_string());
        m.visit(path, f);
        path.pop();
    }
}

/// Visits each item of a sequence mutably under its index.
fn visit_items_mut<T: Float, M: Module<T>>(
    items: &mut [M],
    path: &mut ParamPath,
    f: &mut dyn FnMut(&ParamPath, &mut Param<T>),
) {
    for (i, m) in items.iter_mut().enumerate() {
        path.push(&i.to_string());
        m.visit_mut(path, f);
        path.pop();
    }
}

/// Visits the buffers of each item of a sequence under its index.
fn visit_item_buffers<'a, T: Float, M: Module<T>>(
    items: &'a [M],
    path: &mut ParamPath,
    f: &mut dyn FnMut(&ParamPath, BufferRef<'a, T>),
) {
    for (i, m) in items.iter().enumerate() {
        path.push(&i.to_string());
        m.visit_buffers(path, f);
        path.pop();
    }
}

impl<T: Float, M: Module<T>> Module<T> for Vec<M> {
    fn visit<'a>(&'a self, path: &mut ParamPath, f: &mut dyn FnMut(&ParamPath, &'a Param<T>)) {
        visit_items(self, path, f)
    }

    fn visit_mut(&mut self, path: &mut ParamPath, f: &mut dyn FnMut(&ParamPath, &mut Param<T>)) {
        visit_items_mut(self, path, f)
    }

    fn visit_buffers<'a>(
        &'a self,
        path: &mut ParamPath,
        f: &mut dyn FnMut(&ParamPath, BufferRef<'a, T>),
    ) {
        visit_item_buffers(self, path, f)
    }

    fn set_training(&mut self, training: bool) {
        self.iter_mut().for_each(|m| m.set_training(training));
    }
}

impl<T: Float, M: Module<T>, const N: usize> Module<T> for [M; N] {
    fn visit<'a>(&'a self, path: &mut ParamPath, f: &mut dyn FnMut(&ParamPath, &'a Param<T>)) {
        visit_items(self, path, f)
    }

    fn visit_mut(&mut self, path: &mut ParamPath, f: &mut dyn FnMut(&ParamPath, &mut Param<T>)) {
        visit_items_mut(self, path, f)
    }

    fn visit_buffers<'a>(
        &'a self,
        path: &mut ParamPath,
        f: &mut dyn FnMut(&ParamPath, BufferRef<'a, T>),
    ) {
        visit_item_buffers(self, path, f)
    }

    fn set_training(&mut self, training: bool) {
        self.iter_mut().for_each(|m| m.set_training(training));
    }
}

/// A module that may be absent: visits the inner one under the same path.
impl<T: Float, M: Module<T>> Module<T> for Option<M> {
    fn visit<'a>(&'a self, path: &mut ParamPath, f: &mut dyn FnMut(&ParamPath, &'a Param<T>)) {
        if let Some(m) = self {
            m.visit(path, f);
        }
    }

    fn visit_mut(&mut self, path: &mut ParamPath, f: &mut dyn FnMut(&ParamPath, &mut Param<T>)) {
        if let Some(m) = self {
            m.visit_mut(path, f);
        }
    }

    fn visit_buffers<'a>(
        &'a self,
        path: &mut ParamPath,
        f: &mut dyn FnMut(&ParamPath, BufferRef<'a, T>),
    ) {
        if let Some(m) = self {
            m.visit_buffers(path, f);
        }
    }

    fn set_training(&mut self, training: bool) {
        if let Some(m) = self {
            m.set_training(training);
        }
    }
}

impl<T: Float, M: Module<T> + ?Sized> Module<T> for Box<M> {
    fn visit<'a>(&'a self, path: &mut ParamPath, f: &mut dyn FnMut(&ParamPath, &'a Param<T>)) {
        (**self).visit(path, f)
    }

    fn visit_mut(&mut self, path: &mut ParamPath, f: &mut dyn FnMut(&ParamPath, &mut Param<T>)) {
        (**self).visit_mut(path, f)
    }

    fn visit_buffers<'a>(
        &'a self,
        path: &mut ParamPath,
        f: &mut dyn FnMut(&ParamPath, BufferRef<'a, T>),
    ) {
        (**self).visit_buffers(path, f)
    }

    fn set_training(&mut self, training: bool) {
        (**self).set_training(training)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Tensor;

    #[test]
    fn containers_name_their_items_by_index() {
        let layers = vec![
            Some(Param::new(Tensor::<f32>::zeros([2, 3]))),
            None,
            Some(Param::new(Tensor::zeros([4]))),
        ];
        let names: Vec<String> = layers.named_params().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, vec!["0", "2"]);
        assert_eq!(layers.num_params(), 10);
    }

    #[test]
    fn containers_forward_buffers_and_counts_split_them() {
        let mut frozen = Param::new(Tensor::<f32>::zeros([3]));
        frozen.set_trainable(false);
        let params = vec![Param::new(Tensor::zeros([2])), frozen];
        let buffers = (
            vec![None, Some(Buffer::new(Tensor::<f32>::zeros([4])))],
            Box::new([StepCounter::new()]),
        );
        let mut names = Vec::new();
        buffers.0.visit_buffers(&mut ParamPath::new(), &mut |p, b| {
            names.push((p.to_string(), b.numel()))
        });
        Module::<f32>::visit_buffers(&*buffers.1, &mut ParamPath::new(), &mut |p, b| {
            names.push((p.to_string(), b.numel()))
        });
        assert_eq!(names, [("1".to_string(), 4), ("0".to_string(), 1)]);
        assert_eq!(params.num_params(), 5);
        assert_eq!(params.num_trainable_params(), 2);
        assert_eq!(params.num_non_trainable_params(), 3);
        assert_eq!(buffers.0.num_non_trainable_params(), 4);
        assert_eq!(buffers.0.num_params(), 0);
    }

    #[test]
    fn paths_push_and_pop_segments() {
        let mut p = ParamPath::new();
        p.push("encoder");
        p.push("0");
        p.push("weight");
        assert_eq!(p.as_str(), "encoder.0.weight");
        p.pop();
        p.pop();
        assert_eq!(p.as_str(), "encoder");
    }
}
