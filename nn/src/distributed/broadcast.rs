//! [`Distributed::broadcast_state`]: every rank takes rank 0's parameters and buffers.

use autodiff_core::{BufferRef, Float, Module, ParamPath};
use mpi::collective::SystemOperation;
use mpi::datatype::Equivalence;
use mpi::traits::{Communicator, CommunicatorCollectives, Root};

use super::Distributed;

impl Distributed {
    /// Overwrites every parameter and buffer (batch norm's running statistics and counts) of
    /// `model` with rank 0's, in three broadcasts: the sizes, the floating-point values in one
    /// flat buffer, the counters in another. Every rank must call it with a model of the same
    /// architecture.
    ///
    /// # Panics
    /// On every rank, if some rank's model holds a different number of scalars or counters from
    /// rank 0's (a different architecture).
    pub fn broadcast_state<T, M>(&self, model: &mut M)
    where
        T: Float + Equivalence,
        M: Module<T> + ?Sized,
    {
        let _watched = self.watchdog.enter("broadcast_state");
        let (mut values, mut counters) = flatten_state(model);
        let local_sizes = [values.len() as u64, counters.len() as u64];
        let mut root_sizes = local_sizes;
        let root = self.world.process_at_rank(0);
        root.broadcast_into(&mut root_sizes[..]);
        let mismatch = i32::from(root_sizes != local_sizes);
        let mut mismatches = 0_i32;
        self.world
            .all_reduce_into(&mismatch, &mut mismatches, SystemOperation::sum());
        assert!(
            mismatches == 0,
            "Distributed::broadcast_state: {mismatches} rank(s) hold a model of another shape \
             than rank 0's (rank 0: {} scalars and {} counters; rank {}: {} and {})",
            root_sizes[0],
            root_sizes[1],
            self.rank(),
            local_sizes[0],
            local_sizes[1]
        );
        root.broadcast_into(&mut values[..]);
        root.broadcast_into(&mut counters[..]);
        unflatten_state(model, &values, &counters);
    }
}

/// Every parameter's and tensor buffer's values in visiting order, and every counter.
fn flatten_state<T: Float, M: Module<T> + ?Sized>(model: &M) -> (Vec<T>, Vec<i64>) {
    let mut values = Vec::new();
    let mut counters = Vec::new();
    model.visit(&mut ParamPath::new(), &mut |_, p| {
        values.extend_from_slice(p.value().data())
    });
    model.visit_buffers(&mut ParamPath::new(), &mut |_, b| match b {
        BufferRef::Tensor(buffer) => values.extend_from_slice(buffer.value().data()),
        BufferRef::Counter(counter) => counters.push(counter.get()),
        // Each rank keeps its own dropout generator, as each PyTorch process has its own.
        BufferRef::Rng(_) => {}
    });
    (values, counters)
}

/// Writes what [`flatten_state`] read back, in the same order.
fn unflatten_state<T: Float, M: Module<T> + ?Sized>(model: &mut M, values: &[T], counters: &[i64]) {
    let mut values = values.iter().copied();
    model.visit_mut(&mut ParamPath::new(), &mut |_, p| {
        p.update(|w| {
            w.data_mut()
                .iter_mut()
                .for_each(|v| *v = values.next().unwrap())
        })
    });
    let mut counters = counters.iter().copied();
    model.visit_buffers(&mut ParamPath::new(), &mut |_, b| match b {
        BufferRef::Tensor(buffer) => buffer.update(|t| {
            t.data_mut()
                .iter_mut()
                .for_each(|v| *v = values.next().unwrap())
        }),
        BufferRef::Counter(counter) => counter.set(counters.next().unwrap()),
        BufferRef::Rng(_) => {}
    });
}
