//! [`Distributed::average_gradients`]: the mean of every rank's gradients, reduced in a few
//! flat buckets.

use autodiff_core::{Float, Gradients, Module, Param, ParamPath};
use mpi::collective::SystemOperation;
use mpi::datatype::Equivalence;
use mpi::traits::CommunicatorCollectives;

use super::Distributed;

impl Distributed {
    /// Replaces every trainable parameter's gradient in `grads` by its mean over all ranks, so
    /// that the same optimizer step on every rank keeps the replicas equal. Call it after the
    /// backward pass and before [`Optimizer::step`](crate::optim::Optimizer::step), on every
    /// rank, once per step.
    ///
    /// The gradients are packed in the order `model` visits its parameters into flat buckets of
    /// at most [`bucket_bytes`](Distributed::bucket_bytes) (a larger parameter is a bucket of
    /// its own); each bucket is one all-reduce. One small all-reduce first counts, per
    /// parameter, the ranks that have a gradient for it.
    ///
    /// # Panics
    /// On every rank, if a parameter has a gradient on some ranks but not on others (the
    /// loss of some rank did not use it): the replicas would diverge.
    pub fn average_gradients<T, M>(&self, model: &M, grads: &mut Gradients<T>)
    where
        T: Float + Equivalence,
        M: Module<T> + ?Sized,
    {
        let _watched = self.watchdog.enter("average_gradients");
        let params = self.params_with_gradients(model, grads);
        let scale = T::one() / T::lit(self.size() as f64);
        let mut send: Vec<T> = Vec::new();
        let mut received: Vec<T> = Vec::new();
        for bucket in buckets(&params, self.bucket_bytes / size_of::<T>().max(1)) {
            send.clear();
            for p in bucket {
                send.extend_from_slice(grads.param(p).expect("checked present").data());
            }
            received.clear();
            received.resize(send.len(), T::zero());
            self.world
                .all_reduce_into(&send[..], &mut received[..], SystemOperation::sum());
            let mut sums = received.iter();
            for p in bucket {
                let g = grads.param_mut(p).expect("checked present");
                for (g, &sum) in g.data_mut().iter_mut().zip(&mut sums) {
                    *g = sum * scale;
                }
            }
        }
    }

    /// The trainable parameters with a gradient, in visiting order, checked to have one on
    /// every rank.
    fn params_with_gradients<'m, T, M>(
        &self,
        model: &'m M,
        grads: &Gradients<T>,
    ) -> Vec<&'m Param<T>>
    where
        T: Float + Equivalence,
        M: Module<T> + ?Sized,
    {
        let mut named: Vec<(String, &Param<T>)> = Vec::new();
        model.visit(&mut ParamPath::new(), &mut |path, p| {
            if p.is_trainable() {
                named.push((path.to_string(), p))
            }
        });
        let local: Vec<i32> = named
            .iter()
            .map(|(_, p)| i32::from(grads.param(p).is_some()))
            .collect();
        let mut ranks_with = vec![0_i32; local.len()];
        self.world
            .all_reduce_into(&local[..], &mut ranks_with[..], SystemOperation::sum());
        let size = self.size() as i32;
        let mut present = Vec::new();
        for ((name, p), &count) in named.iter().zip(&ranks_with) {
            assert!(
                count == 0 || count == size,
                "Distributed::average_gradients: parameter `{name}` has a gradient on {count} \
                 of {size} ranks; every rank's loss must use the same parameters"
            );
            if count == size {
                present.push(*p);
            }
        }
        present
    }
}

/// `params` cut into consecutive runs of at most `capacity` scalars in all; a parameter larger
/// than `capacity` is a run of its own.
fn buckets<'a, 'p, T: Float>(
    params: &'a [&'p Param<T>],
    capacity: usize,
) -> impl Iterator<Item = &'a [&'p Param<T>]> {
    let mut start = 0;
    std::iter::from_fn(move || {
        if start == params.len() {
            return None;
        }
        let mut end = start + 1;
        let mut filled = params[start].value().numel();
        while end < params.len() && filled + params[end].value().numel() <= capacity {
            filled += params[end].value().numel();
            end += 1;
        }
        let bucket = &params[start..end];
        start = end;
        Some(bucket)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use autodiff_core::Tensor;

    #[test]
    fn buckets_fill_up_to_their_capacity_and_keep_the_order() {
        let sizes = [3, 4, 10, 1, 2, 2];
        let params: Vec<Param<f32>> = sizes
            .iter()
            .map(|&n| Param::new(Tensor::zeros([n])))
            .collect();
        let refs: Vec<&Param<f32>> = params.iter().collect();
        let runs: Vec<Vec<usize>> = buckets(&refs, 8)
            .map(|b| b.iter().map(|p| p.value().numel()).collect())
            .collect();
        assert_eq!(runs, [vec![3, 4], vec![10], vec![1, 2, 2]]);
        assert_eq!(buckets(&refs[..0], 8).count(), 0);
    }
}
