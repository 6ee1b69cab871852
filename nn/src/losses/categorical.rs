//! Categorical cross-entropy (one-hot targets) on probabilities and fused with log-softmax on
//! logits, and sparse categorical cross-entropy (class indices) on probabilities (on logits:
//! [`super::sparse_logits`]). Classes lie along the last axis; the loss is Σ over classes,
//! averaged over the other axes (Keras's reduction).
//!
//! - logits z, s = softmax(z): ℓ = −Σ y·log_softmax(z); ∂ℓ/∂z = s·Σy − y.
//! - probabilities p: Keras first rescales q = p / Σp, clips q to [ε, 1 − ε] and takes
//!   ℓ = −Σ y·ln q; with d = ∂ℓ/∂q = −y/q (0 where clipped), ∂ℓ/∂p = (d − Σ d·q) / Σp.
//!
//! The loss is linear in a one-hot or soft target y, whose gradient (when it is on the tape
//! with one, as PyTorch allows for probability targets) is −log_softmax(z) or −ln q (clipped).
//! Class indices are not differentiable: the sparse losses send nothing to their labels.

use autodiff_core::{BackwardCx, Float, Tensor, Var, pool};

use super::binary::EPSILON;

/// Splits `[..., classes]` into (rows, classes), panicking with `name` on a scalar.
pub(super) fn rows_classes<T: Float>(name: &str, x: &Tensor<T>) -> (usize, usize) {
    let classes = *x
        .dims()
        .last()
        .unwrap_or_else(|| panic!("{name}: a scalar has no class axis"));
    (x.numel() / classes.max(1), classes)
}

/// One-hot rows from class indices (`[rows]` or `[rows, 1]`), panicking with `name` on an index
/// out of range.
fn one_hot_of<T: Float>(name: &str, labels: &Tensor<T>, rows: usize, classes: usize) -> Tensor<T> {
    assert!(
        labels.numel() == rows,
        "sparse_{name}: {} labels for {rows} rows of predictions",
        labels.numel()
    );
    let mut y = Tensor::zeros([rows, classes]);
    for (i, &l) in labels.data().iter().enumerate() {
        let c = l
            .to_usize()
            .filter(|&c| c < classes && T::from_usize(c) == Some(l));
        let c = c.unwrap_or_else(|| {
            panic!("sparse_{name}: label {l} is not a class index below {classes}")
        });
        y.data_mut()[i * classes + c] = T::one();
    }
    y
}

/// The prediction, and the target when it is a tensor of (soft) class weights that may need a
/// gradient rather than labels.
fn inputs<'t, T: Float>(pred: Var<'t, T>, target: Option<Var<'t, T>>) -> Vec<Var<'t, T>> {
    std::iter::once(pred).chain(target).collect()
}

/// Sends `scale · ∂ℓ/∂y`, one value per entry of the `[rows, classes]` target, to input 1 when
/// there is one that needs a gradient.
fn accumulate_target<T: Float>(cx: &mut BackwardCx<T>, dy: impl Iterator<Item = T>) {
    if cx.num_inputs() > 1 && cx.needs_grad(1) {
        let shape = cx.input(1).shape();
        cx.accumulate(1, Tensor::from_vec(dy.collect(), shape));
    }
}

fn from_logits<'t, T: Float>(
    name: &'static str,
    z: Var<'t, T>,
    y: Tensor<T>,
    target: Option<Var<'t, T>>,
) -> Var<'t, T> {
    let (rows, classes) = z.with_value(|z| rows_classes(name, z));
    let logp = z.with_value(|z| z.reshape([rows, classes]).log_softmax(1));
    let total: T = logp
        .data()
        .iter()
        .zip(y.data())
        .map(|(&l, &y)| -y * l)
        .sum();
    let n = T::from_usize(rows.max(1)).unwrap();
    z.tape().record(
        Tensor::scalar(total / n),
        &inputs(z, target),
        move |cx: &mut BackwardCx<T>| {
            let scale = cx.grad_output().item() / n;
            accumulate_target(cx, logp.data().iter().map(|&l| -scale * l));
            if !cx.needs_grad(0) {
                return;
            }
            let mut grad = pool::with_capacity(rows * classes);
            for (lp, yr) in logp
                .data()
                .chunks_exact(classes)
                .zip(y.data().chunks_exact(classes))
            {
                let mass: T = yr.iter().copied().sum();
                grad.extend(
                    lp.iter()
                        .zip(yr)
                        .map(|(&l, &y)| scale * (l.exp() * mass - y)),
                );
            }
            let shape = cx.input(0).shape();
            cx.accumulate(0, Tensor::from_vec(grad, shape));
        },
    )
}

fn from_probabilities<'t, T: Float>(
    name: &'static str,
    p: Var<'t, T>,
    y: Tensor<T>,
    target: Option<Var<'t, T>>,
) -> Var<'t, T> {
    let (rows, classes) = p.with_value(|p| rows_classes(name, p));
    let (lo, hi) = (T::lit(EPSILON), T::lit(1.0 - EPSILON));
    let (q, sums) = p.with_value(|p| {
        let sums: Vec<T> = p
            .data()
            .chunks_exact(classes)
            .map(|r| r.iter().copied().sum())
            .collect();
        let q: Vec<T> = p
            .data()
            .iter()
            .enumerate()
            .map(|(k, &v)| v / sums[k / classes])
            .collect();
        (q, sums)
    });
    let total: T = q
        .iter()
        .zip(y.data())
        .map(|(&q, &y)| -y * q.max(lo).min(hi).ln())
        .sum();
    let n = T::from_usize(rows.max(1)).unwrap();
    p.tape().record(
        Tensor::scalar(total / n),
        &inputs(p, target),
        move |cx: &mut BackwardCx<T>| {
            let scale = cx.grad_output().item() / n;
            accumulate_target(cx, q.iter().map(|&q| -scale * q.max(lo).min(hi).ln()));
            if !cx.needs_grad(0) {
                return;
            }
            let mut grad = pool::with_capacity(rows * classes);
            for (r, (qr, yr)) in q
                .chunks_exact(classes)
                .zip(y.data().chunks_exact(classes))
                .enumerate()
            {
                let d: Vec<T> = qr
                    .iter()
                    .zip(yr)
                    .map(|(&q, &y)| if q < lo || q > hi { T::zero() } else { -y / q })
                    .collect();
                let dot: T = d.iter().zip(qr).map(|(&d, &q)| d * q).sum();
                grad.extend(d.iter().map(|&d| scale * (d - dot) / sums[r]));
            }
            let shape = cx.input(0).shape();
            cx.accumulate(0, Tensor::from_vec(grad, shape));
        },
    )
}

fn one_hot_targets<'t, T: Float>(name: &str, pred: Var<'t, T>, target: Var<'t, T>) -> Tensor<T> {
    super::elementwise::check_same_shape(name, pred, target);
    let (rows, classes) = pred.with_value(|p| rows_classes(name, p));
    target.value().reshape([rows, classes])
}

/// Cross-entropy of class probabilities (a softmax output) against one-hot or soft targets,
/// differentiable in both.
///
/// ```
/// use autodiff_core::{Tape, Tensor};
/// let tape = Tape::new();
/// let p = tape.var(Tensor::from_vec(vec![0.7_f64, 0.2, 0.1], [1, 3]));
/// let y = tape.constant(Tensor::from_vec(vec![0.0, 1.0, 0.0], [1, 3]));
/// assert!((nn::losses::categorical_crossentropy(p, y).item() + 0.2_f64.ln()).abs() < 1e-12);
/// ```
///
/// # Panics
/// With both shapes if they differ.
pub fn categorical_crossentropy<'t, T: Float>(pred: Var<'t, T>, target: Var<'t, T>) -> Var<'t, T> {
    let y = one_hot_targets("categorical_crossentropy", pred, target);
    from_probabilities("categorical_crossentropy", pred, y, Some(target))
}

/// Cross-entropy of logits against one-hot or soft targets, fused with log-softmax;
/// differentiable in both.
///
/// # Panics
/// With both shapes if they differ.
pub fn categorical_crossentropy_from_logits<'t, T: Float>(
    logits: Var<'t, T>,
    target: Var<'t, T>,
) -> Var<'t, T> {
    let y = one_hot_targets("categorical_crossentropy_from_logits", logits, target);
    from_logits(
        "categorical_crossentropy_from_logits",
        logits,
        y,
        Some(target),
    )
}

/// Cross-entropy of class probabilities against class indices (`[rows]` or `[rows, 1]`). The
/// labels get no gradient: an index is not differentiable (PyTorch's are integers).
///
/// # Panics
/// If the label count is not the row count or a label is not a class index.
pub fn sparse_categorical_crossentropy<'t, T: Float>(
    pred: Var<'t, T>,
    labels: Var<'t, T>,
) -> Var<'t, T> {
    let (rows, classes) = pred.with_value(|p| rows_classes("sparse_categorical_crossentropy", p));
    let y = labels.with_value(|l| one_hot_of("sparse_categorical_crossentropy", l, rows, classes));
    from_probabilities("sparse_categorical_crossentropy", pred, y, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::losses::{
        check_loss, check_loss_in_prediction, sparse_categorical_crossentropy_from_logits,
    };
    use autodiff_core::Tape;

    #[test]
    fn gradcheck_all_four_with_one_hot_and_soft_targets_on_the_tape() {
        let z = Tensor::from_vec(vec![2.0, -1.0, 0.3, 0.5, 0.5, -2.0], [2, 3]);
        let onehot = Tensor::from_vec(vec![0.0, 0.0, 1.0, 1.0, 0.0, 0.0], [2, 3]);
        let soft = Tensor::from_vec(vec![0.1, 0.2, 0.7, 0.8, 0.15, 0.05], [2, 3]);
        let labels = Tensor::from_vec(vec![2.0, 0.0], [2]);
        let p = Tensor::from_vec(vec![0.2, 0.3, 0.5, 0.6, 0.3, 0.1], [2, 3]);
        for y in [&onehot, &soft] {
            check_loss(categorical_crossentropy_from_logits, z.clone(), y.clone());
            check_loss(categorical_crossentropy, p.clone(), y.clone());
        }
        check_loss_in_prediction(
            sparse_categorical_crossentropy_from_logits,
            z,
            labels.clone(),
        );
        check_loss_in_prediction(sparse_categorical_crossentropy, p, labels);
    }

    #[test]
    fn labels_get_no_gradient_and_a_target_gets_minus_ln_q() {
        let tape = Tape::new();
        let z = tape.var(Tensor::from_vec(vec![0.1_f64, 0.7, -0.4], [1, 3]));
        let labels = tape.var(Tensor::from_vec(vec![1.0], [1]));
        let grads = sparse_categorical_crossentropy_from_logits(z, labels).backward();
        assert!(grads.wrt(labels).is_none() && grads.wrt(z).is_some());
        let y = tape.var(Tensor::from_vec(vec![0.0, 1.0, 0.0], [1, 3]));
        let p = tape.constant(Tensor::from_vec(vec![0.2, 0.5, 0.3], [1, 3]));
        let grads = categorical_crossentropy(p, y).backward();
        let expected = [-0.2_f64.ln(), -0.5_f64.ln(), -0.3_f64.ln()];
        for (g, e) in grads.wrt(y).unwrap().data().iter().zip(expected) {
            assert!((g - e).abs() < 1e-12, "{g} vs {e}");
        }
    }

    #[test]
    fn logits_and_probabilities_agree_and_extremes_are_finite() {
        let tape = Tape::new();
        let z = tape.var(Tensor::from_vec(vec![1000.0_f32, -1000.0, 0.0], [1, 3]));
        let y = tape.constant(Tensor::from_vec(vec![0.0, 1.0, 0.0], [1, 3]));
        assert_eq!(categorical_crossentropy_from_logits(z, y).item(), 2000.0);
        let tape = Tape::new();
        let z = tape.var(Tensor::from_vec(vec![0.1_f64, 0.7, -0.4], [1, 3]));
        let y = tape.constant(Tensor::from_vec(vec![0.0, 1.0, 0.0], [1, 3]));
        let a = categorical_crossentropy_from_logits(z, y).item();
        let b = categorical_crossentropy(z.softmax(1), y).item();
        assert!((a - b).abs() < 1e-12);
    }

    #[test]
    #[should_panic(expected = "label 3 is not a class index below 3")]
    fn bad_labels_are_named() {
        let tape = Tape::<f32>::new();
        let z = tape.var(Tensor::zeros([1, 3]));
        sparse_categorical_crossentropy_from_logits(
            z,
            tape.constant(Tensor::from_vec(vec![3.0], [1])),
        );
    }
}
