//! The result of a backward pass.

use crate::{Float, Param, ParamId, Tensor};

use super::Var;

/// Gradients from one backward pass: for every parameter used, every leaf, and every value whose
/// gradient was asked for with [`Var::retain_grad`].
pub struct Gradients<T: Float> {
    grads: Vec<Option<Tensor<T>>>,
    params: Vec<(ParamId, u32)>,
    /// The stamp of the tape's computation these gradients come from.
    stamp: u64,
}

/// The emptied list goes back to the [pool](crate::pool) for the next backward pass.
impl<T: Float> Drop for Gradients<T> {
    fn drop(&mut self) {
        let mut grads = std::mem::take(&mut self.grads);
        // Emptied before it goes to the pool, the gradients' buffers given back in one call.
        crate::pool::give_back_all(grads.iter_mut().flatten().map(Tensor::take_buffer));
        grads.clear();
        crate::pool::give_back_gradient_list(grads);
    }
}

impl<T: Float> Gradients<T> {
    pub(super) fn new(
        grads: Vec<Option<Tensor<T>>>,
        mut params: Vec<(ParamId, u32)>,
        stamp: u64,
    ) -> Self {
        // Sorted by id, so an optimizer's lookup of each of P parameters is a binary search.
        params.sort_unstable();
        Gradients {
            grads,
            params,
            stamp,
        }
    }

    /// The gradient with respect to a value on the tape, if the loss depends on it and it is a
    /// leaf or was retained. Intermediate values need [`Var::retain_grad`] before the backward
    /// pass, as in PyTorch.
    ///
    /// # Panics
    /// If `var` is not from the computation these gradients come from: another tape, or the same
    /// tape after [`Tape::clear`](crate::Tape::clear).
    #[track_caller]
    pub fn wrt(&self, var: Var<'_, T>) -> Option<&Tensor<T>> {
        assert!(
            var.tape.stamp() == self.stamp,
            "Gradients::wrt: Var #{} is not from the computation these gradients come from \
             (another tape, or its tape was cleared since)",
            var.id()
        );
        self.grads.get(var.id() as usize)?.as_ref()
    }

    /// The gradient with respect to a parameter, if the loss depends on it.
    pub fn param(&self, param: &Param<T>) -> Option<&Tensor<T>> {
        self.by_id(param.id())
    }

    /// The gradient with respect to the parameter with this id.
    pub fn by_id(&self, id: ParamId) -> Option<&Tensor<T>> {
        let node = self.node_of(id)?;
        self.grads.get(node as usize)?.as_ref()
    }

    fn node_of(&self, id: ParamId) -> Option<u32> {
        let at = self.params.binary_search_by_key(&id, |&(p, _)| p).ok()?;
        Some(self.params[at].1)
    }

    /// The gradient with respect to a parameter, mutably, if the loss depends on it: for changing
    /// gradients in place between the backward pass and the optimizer step (averaging them
    /// across processes, custom clipping).
    pub fn param_mut(&mut self, param: &Param<T>) -> Option<&mut Tensor<T>> {
        let node = self.node_of(param.id())?;
        self.grads.get_mut(node as usize)?.as_mut()
    }

    /// Takes the gradient of a parameter out (no copy), leaving `None`.
    pub fn take_param(&mut self, param: &Param<T>) -> Option<Tensor<T>> {
        let node = self.node_of(param.id())?;
        self.grads.get_mut(node as usize)?.take()
    }
}

#[cfg(test)]
mod tests {
    use crate::{Param, Tape, Tensor};

    #[test]
    fn a_gradient_changed_in_place_is_what_later_reads_see() {
        let w = Param::new(Tensor::from_vec(vec![1.0_f64, 2.0], [2]));
        let unused = Param::new(Tensor::from_vec(vec![0.0_f64], [1]));
        let tape = Tape::new();
        let mut grads = (tape.param(&w) * 3.0).sum().backward();
        grads.param_mut(&w).unwrap().data_mut()[1] = 5.0;
        assert_eq!(grads.param(&w).unwrap().data(), &[3.0, 5.0]);
        assert!(grads.param_mut(&unused).is_none());
    }
}
