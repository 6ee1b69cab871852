//! The shared shape of the elementwise losses: mean over every element of `f(p, y)`, one fused
//! node whose backward sends `g · ∂f/∂p (p, y) / N` to the prediction and, when the target is
//! on the tape with a gradient (PyTorch differentiates these losses in the target too),
//! `g · ∂f/∂y (p, y) / N` to the target.

use autodiff_core::{BackwardCx, Float, Tensor, Var};

/// A per-element loss term and its derivatives in the prediction and the target.
pub(crate) trait Term<T: Float>: Copy + 'static {
    /// The loss's name, for shape errors.
    const NAME: &'static str;
    /// f(p, y).
    fn f(&self, p: T, y: T) -> T;
    /// ∂f/∂p.
    fn dp(&self, p: T, y: T) -> T;
    /// ∂f/∂y.
    fn dy(&self, p: T, y: T) -> T;
}

/// Panics with the loss's name and both shapes unless they are equal.
pub(crate) fn check_same_shape<T: Float>(name: &str, pred: Var<'_, T>, target: Var<'_, T>) {
    let (p, y) = (pred.shape(), target.shape());
    assert!(
        p == y,
        "{name}: prediction {p} and target {y} differ in shape"
    );
}

/// mean(f(pred, target)) as one tape node.
pub(crate) fn mean_of<'t, T: Float, F: Term<T>>(
    term: F,
    pred: Var<'t, T>,
    target: Var<'t, T>,
) -> Var<'t, T> {
    check_same_shape(F::NAME, pred, target);
    let n = T::from_usize(pred.shape().numel().max(1)).unwrap();
    let total = pred.with_value(|p| {
        target.with_value(|y| {
            p.data()
                .iter()
                .zip(y.data())
                .map(|(&p, &y)| term.f(p, y))
                .sum::<T>()
        })
    });
    pred.tape().record(
        Tensor::scalar(total / n),
        &[pred, target],
        move |cx: &mut BackwardCx<T>| {
            let scale = cx.grad_output().item() / n;
            let (p, y) = (cx.input(0), cx.input(1));
            if cx.needs_grad(0) {
                cx.accumulate(0, p.zip_map(y, |p, y| scale * term.dp(p, y)));
            }
            if cx.needs_grad(1) {
                cx.accumulate(1, p.zip_map(y, |p, y| scale * term.dy(p, y)));
            }
        },
    )
}
