//! How many heap allocations a recurrent training step makes once its shapes have been seen:
//! every value, trace and gradient of the layer op comes from the tensor pool, so what is left
//! is bookkeeping. Counted per thread by a counting global allocator (as `allocations.rs`).
//! `cargo test -p tests --test recurrent_allocations -- --nocapture` prints the counts.

use autodiff_core::{Tape, Tensor, pool};
use nn::optim::Optimizer;
use nn::recurrent::{Gru, Lstm, PeepholeLstm};
use nn::{Dense, Layer, Sequential};

#[global_allocator]
static GLOBAL: tests::CountingAllocator = tests::CountingAllocator;

/// Allocations of the fifth training step of `recurrent` → Dense over `[8, 12, 4]` sequences.
fn fifth_step(
    what: &str,
    recurrent: impl for<'t> Layer<'t, f32, Output = nn::Var<'t, f32>> + 'static,
) -> usize {
    let x = Tensor::<f32>::normal([8, 12, 4], 0.0, 1.0, 1);
    let mut model = Sequential::new()
        .add(recurrent)
        .add(Dense::new(6, 1).seed(2));
    let mut opt = Optimizer::adam(1e-3);
    let mut tape = Tape::new();
    let mut step = || {
        let grads = {
            let y = model.forward(tape.constant(x.clone()));
            (y * y).mean().backward()
        };
        tape.clear();
        opt.step(&mut model, &grads);
    };
    let mut fifth = || {
        for _ in 0..4 {
            step();
        }
        tests::allocations_by(&mut step)
    };
    let limit = pool::limit_bytes::<f32>();
    pool::set_limit_bytes::<f32>(0);
    let unpooled = fifth();
    pool::set_limit_bytes::<f32>(limit);
    let pooled = fifth();
    println!("{what}: {pooled} allocations per step ({unpooled} without the tensor pool)");
    // The op alone holds over 20 buffers per step (its outputs, its trace, its gradients).
    assert!(pooled + 20 <= unpooled, "{what}: the pool saves little");
    pooled
}

#[test]
fn recurrent_training_steps_allocate_only_bookkeeping() {
    // What is left: matrixmultiply's packing (up to two buffers per product it runs: the
    // input projection and the per-step products where the narrow kernels do not apply, 13 or
    // 25 here), the boxed backward closures, the op's small lists of states and inputs, and
    // the optimizer's and the backward pass's bookkeeping.
    let lstm = fifth_step("lstm", Lstm::new(4, 6).seed(1).output_only());
    let gru = Gru::new(4, 6).reset_after(false).seed(1).output_only();
    let gru = fifth_step("gru (reset-before)", gru);
    let peephole = fifth_step(
        "peephole lstm",
        PeepholeLstm::new(4, 6).seed(1).output_only(),
    );
    for (what, n, products) in [
        ("lstm", lstm, 12),
        ("gru", gru, 24),
        ("peephole", peephole, 12),
    ] {
        assert!(
            n <= 2 * products + 64,
            "{what}: {n} allocations in a steady-state step"
        );
    }
}
