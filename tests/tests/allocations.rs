//! How many heap allocations a training step makes once its shapes have been seen: the tensor
//! pool should serve every value and gradient, so what is left is the tape's bookkeeping.
//!
//! Counted per thread by a counting global allocator, so tests running in parallel do not mix.
//! `cargo test -p tests --test allocations -- --nocapture` prints the counts.

use autodiff_core::{Param, Tape, Tensor, pool};
use nn::layers::{Conv2d, Flatten};
use nn::losses::sparse_categorical_crossentropy_from_logits;
use nn::optim::Optimizer;
use nn::{Activation, Dense, Layer, MaxPool2d, Sequential};

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
fn convnet_step_reuses_its_column_matrices() {
    // 16 × 1 × 12 × 12 images → conv 3×3 ×8 relu → max pool 2 → conv 3×3 ×16 relu → flatten →
    // Dense 10; small enough that the convolutions run on the calling thread, so everything
    // they allocate is counted here.
    let x = Tensor::<f32>::normal([16, 1, 12, 12], 0.0, 1.0, 3);
    let labels = Tensor::from_fn([16], |i| (i % 10) as f32);
    let mut model = Sequential::new()
        .add(Conv2d::new(1, 8, [3, 3]).activation(Activation::Relu))
        .add(MaxPool2d::new(2))
        .add(Conv2d::new(8, 16, [3, 3]).activation(Activation::Relu))
        .add(Flatten)
        .add(Dense::new(16 * 3 * 3, 10));
    let mut opt = Optimizer::rmsprop(1e-3);
    let mut tape = Tape::new();
    let mut step = || {
        let grads = {
            let logits = model.forward(tape.constant(x.clone()));
            let loss =
                sparse_categorical_crossentropy_from_logits(logits, tape.constant(labels.clone()));
            loss.backward()
        };
        tape.clear();
        opt.step(&mut model, &grads);
    };
    steady_state_allocations("convnet", &mut step);
    // The smaller of the two column matrices, [8·3·3, 16·3·3] floats; what is still allocated
    // per step is bookkeeping and matrixmultiply's packing buffers, a few kilobytes each.
    let columns = 8 * 9 * 16 * 9 * std::mem::size_of::<f32>();
    let ((), largest) = tests::largest_allocation_by(step);
    println!("convnet: largest allocation of a step {largest} bytes (a column matrix: {columns})");
    assert!(
        largest < columns,
        "a steady convnet step allocated {largest} bytes at once, a column matrix is {columns}"
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
