//! What a `#[differentiable]` op does not do, observed by counting the bytes each step
//! allocates: a broadcast input is never copied to the full shape (forward or backward), and an
//! input that needs no gradient gets no gradient buffer.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use nn::{Float, Tape, Tensor, differentiable};

/// Counts the bytes allocated by the current thread (each test runs on a thread of its own).
struct CountingAllocator;

thread_local! {
    static ALLOCATED: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is forwarded to the system allocator unchanged; counting touches only a
// thread-local `Cell` of a type without a destructor, which never allocates.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = ALLOCATED.try_with(|n| n.set(n.get() + layout.size()));
        // SAFETY: the caller's contract is passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: the caller's contract is passed on.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// `f`'s result and the bytes allocated while it ran, with the tensor pool off (a pooled buffer
/// would hide an allocation from the count).
fn allocated_by<R>(f: impl FnOnce() -> R) -> (R, usize) {
    nn::autodiff_core::pool::set_limit_bytes::<f64>(0);
    let before = ALLOCATED.with(Cell::get);
    let result = f();
    (result, ALLOCATED.with(Cell::get) - before)
}

/// A peephole gate: the weight `w` (one per unit) looks at the cell state `c`.
#[differentiable]
fn peephole<T: Float>(z: T, c: T, w: T) -> (T, T) {
    let gate = sigmoid(z + w * c);
    (gate, gate * tanh(c))
}

const BATCH: usize = 64;
const UNITS: usize = 256;
/// The bytes of one `[BATCH, UNITS]` f64 tensor.
const FULL: usize = BATCH * UNITS * 8;
/// Room for the tape's and the gradients' own small bookkeeping.
const SLACK: usize = 4096;

fn batch(value: f64) -> Tensor<f64> {
    Tensor::full([BATCH, UNITS], value)
}

#[test]
fn a_broadcast_weight_is_never_copied_to_the_batch_shape() {
    let mut tape = Tape::new();
    let w = Tensor::full([UNITS], 0.3);
    for step in 0..2 {
        // The first step grows the tape's node lists; the second reuses them.
        let (z, c, w) = (
            tape.var(batch(0.1)),
            tape.var(batch(-0.2)),
            tape.var(w.clone()),
        );
        let ((gate, out), forward) = allocated_by(|| peephole_op(z, c, w));
        let (grads, backward) = allocated_by(|| (gate.sum() + out.sum()).backward());
        if step == 1 {
            assert!(
                forward <= 2 * FULL + SLACK,
                "forward allocated {forward} bytes: two outputs are {} bytes",
                2 * FULL
            );
            // Two output seeds, the gradients of z and c, and w's own [UNITS] gradient.
            let wanted = 4 * FULL + UNITS * 8;
            assert!(
                backward <= wanted + SLACK,
                "backward allocated {backward} bytes for {wanted} bytes of gradients"
            );
            assert_eq!(grads.wrt(w).unwrap().dims(), [UNITS]);
        }
        drop(grads);
        tape.clear();
    }
}

#[test]
fn constants_get_no_gradient_buffer() {
    let mut tape = Tape::new();
    for step in 0..2 {
        let z = tape.var(batch(0.1));
        let (c, w) = (tape.constant(batch(-0.2)), tape.constant(batch(0.3)));
        let (gate, _) = peephole_op(z, c, w);
        let (grads, backward) = allocated_by(|| gate.sum().backward());
        if step == 1 {
            // One output seed and z's gradient; none for the constants c and w.
            let wanted = 2 * FULL;
            assert!(
                backward <= wanted + SLACK,
                "backward allocated {backward} bytes for {wanted} bytes of gradients"
            );
            assert!(grads.wrt(z).is_some());
            assert!(grads.wrt(c).is_none() && grads.wrt(w).is_none());
        }
        drop(grads);
        tape.clear();
    }
}
