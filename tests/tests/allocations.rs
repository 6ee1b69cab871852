//! How many heap allocations a training step makes once its shapes have been seen: the tensor
//! pool should serve every value and gradient, so what is left is the tape's bookkeeping.
//!
//! Counted per thread by a counting global allocator, so tests running in parallel do not mix.
//! `cargo test -p tests --test allocations -- --nocapture` prints the counts.

use autodiff_core::{Param, Tape, Tensor, pool};
use nn::losses::sparse_categorical_crossentropy_from_logits;
use nn::optim::Optimizer;
use nn::{Activation, Dense, Layer, Sequential};

#[global_allocator]
static GLOBAL: tests::CountingAllocator = tests::CountingAllocator;

/// Allocations made by the fifth run of `step` (the first ones fill the pool and the tape's
/// vectors), with the tensor pool off and then on.
fn steady_state_allocations(what: &str, mut step: impl FnMut()) -> usize {
    let fifth = |step: &mut dyn FnMut()| {
        for _ in 0..4 {
            step();
        }
        tests::allocations_by(step)
    };
    let limit = pool::limit_bytes::<f32>();
    pool::set_limit_bytes::<f32>(0);
    pool::set_limit_bytes::<f64>(0);
    let unpooled = fifth(&mut step);
    pool::set_limit_bytes::<f32>(limit);
    pool::set_limit_bytes::<f64>(limit);
    let pooled = fifth(&mut step);
    println!("{what}: {pooled} allocations per step ({unpooled} without the tensor pool)");
    assert!(pooled < unpooled, "{what}: the pool saves nothing");
    pooled
}

#[test]
fn tiny_ops_step_allocates_only_bookkeeping() {
    // The `tiny_ops_1000` benchmark: 1000 recorded ops on 4 elements, backward, clear.
    let a = Tensor::<f32>::normal([4], 0.0, 1.0, 0);
    let mut tape = Tape::new();
    let n = steady_state_allocations("tiny_ops_1000", || {
        {
            let x = tape.var(a.clone());
            let mut z = x;
            for _ in 0..250 {
                z = (z * 1.01 + 0.1).tanh() * z;
            }
            std::hint::black_box(z.sum().backward().wrt(x));
        }
        tape.clear();
    });
    // Nothing is left: values and gradients come from the pool, the built-in ops' backward is
    // stored as data (no boxed closure), and the gradient list is the previous pass's.
    assert!(n == 0, "{n} allocations in a steady-state step of 1001 ops");
}

#[test]
fn dense_classifier_step_allocates_only_bookkeeping() {
    // 64 × 32 inputs → Dense 64 relu → Dense 10, sparse categorical cross-entropy on logits,
    // RMSprop: a fixed-shape training step through nn's layers and optimizer.
    let x = Tensor::<f32>::normal([64, 32], 0.0, 1.0, 1);
    let labels = Tensor::from_fn([64], |i| (i % 10) as f32);
    let mut model = Sequential::new()
        .add(Dense::new(32, 64).activation(Activation::Relu))
        .add(Dense::new(64, 10).seed(2));
    let mut opt = Optimizer::rmsprop(1e-3);
    let mut tape = Tape::new();
    let n = steady_state_allocations("dense classifier", || {
        let grads = {
            let logits = model.forward(tape.constant(x.clone()));
            let loss =
                sparse_categorical_crossentropy_from_logits(logits, tape.constant(labels.clone()));
            loss.backward()
        };
        tape.clear();
        opt.step(&mut model, &grads);
    });
    // What is left: boxed backward closures that capture shapes or options and the optimizer's
    // bookkeeping; no tensor buffer, no gradient list.
    assert!(
        n <= 23,
        "{n} allocations in a steady-state dense training step"
    );
}

#[test]
fn a_parameter_update_reuses_its_buffer() {
    let mut w = Param::new(Tensor::<f64>::zeros([256]));
    let n = steady_state_allocations("parameter update", || {
        let g = {
            let tape = Tape::new();
            let y = (tape.param(&w) * 2.0).sum();
            y.backward().param(&w).unwrap().clone()
        };
        w.update(|v| v.add_scaled(&g, -0.1));
    });
    // What is left: the fresh tape's vectors and parameter map (the gradient list is reused).
    assert!(
        n <= 5,
        "{n} allocations for one parameter's step on a fresh tape"
    );
}

#[test]
fn a_matrix_vector_product_allocates_nothing() {
    let a = Tensor::<f32>::normal([64, 32], 0.0, 1.0, 3);
    let v = Tensor::<f32>::normal([32, 1], 0.0, 1.0, 4);
    let n = steady_state_allocations("matrix × vector", || {
        std::hint::black_box(a.matmul(&v));
        std::hint::black_box(a.matmul(&v.reshape([32])));
    });
    // The outputs come from the pool, and a one-column product needs no scratch buffer.
    assert!(n == 0, "{n} allocations for two matrix-vector products");
}
