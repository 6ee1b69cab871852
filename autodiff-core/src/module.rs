//! [`Module`]: anything with parameters — a layer, a block, a whole model.
//!
//! `#[derive(Module)]` (in `autodiff-macros`) writes the implementation for a struct; this file
//! implements it for the leaves ([`Param`]) and the containers (`Vec`, `Option`, `Box`, arrays).

use crate::{Float, Param};

/// The dotted path of a parameter inside a module tree, such as `encoder.layers.0.weight`,
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

/// A layer or model: a tree whose leaves are [`Param`]s.
///
/// Visiting gives every parameter with its dotted path, which optimizers, saving and loading and
/// parameter counts build on; `set_training` switches dropout and batch normalisation between
/// training and inference.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a Module, so #[derive(Module)] cannot visit it",
    label = "neither a parameter nor a module",
    note = "mark fields that hold configuration or other non-parameter data with #[module(skip)]"
)]
pub trait Module<T: Float> {
    /// Calls `f` with each parameter and its path, in declaration order; `path` holds the path
    /// of `self` and is restored before returning.
    fn visit<'a>(&'a self, path: &mut ParamPath, f: &mut dyn FnMut(&ParamPath, &'a Param<T>));

    /// Like [`Module::visit`], with mutable access (optimizers, loading).
    fn visit_mut(&mut self, path: &mut ParamPath, f: &mut dyn FnMut(&ParamPath, &mut Param<T>));

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

    /// The number of scalar parameters (Keras's `count_params`).
    fn num_params(&self) -> usize {
        let mut n = 0;
        self.visit(&mut ParamPath::new(), &mut |_, p| n += p.value().numel());
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

impl<T: Float, M: Module<T>> Module<T> for Vec<M> {
    fn visit<'a>(&'a self, path: &mut ParamPath, f: &mut dyn FnMut(&ParamPath, &'a Param<T>)) {
        visit_items(self, path, f)
    }

    fn visit_mut(&mut self, path: &mut ParamPath, f: &mut dyn FnMut(&ParamPath, &mut Param<T>)) {
        visit_items_mut(self, path, f)
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
