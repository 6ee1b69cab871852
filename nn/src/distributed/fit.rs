//! [`Distributed`] as `fit`'s [`DataParallel`] context.

use autodiff_core::{Float, Gradients, Module};
use mpi::datatype::Equivalence;

use super::Distributed;
use crate::train::DataParallel;

impl<T: Float + Equivalence> DataParallel<T> for Distributed {
    fn rank(&self) -> usize {
        Distributed::rank(self)
    }

    fn size(&self) -> usize {
        Distributed::size(self)
    }

    fn broadcast_state(&self, model: &mut dyn Module<T>) {
        Distributed::broadcast_state(self, model)
    }

    fn average_gradients(&self, model: &dyn Module<T>, grads: &mut Gradients<T>) {
        Distributed::average_gradients(self, model, grads)
    }

    fn sum_f64(&self, values: &mut [f64]) {
        Distributed::sum_f64(self, values)
    }

    fn broadcast_bytes(&self, root: usize, bytes: &mut Vec<u8>) {
        Distributed::broadcast_bytes(self, root, bytes)
    }

    fn gather_bytes(&self, bytes: &[u8]) -> Vec<Vec<u8>> {
        Distributed::gather_bytes(self, bytes)
    }
}
