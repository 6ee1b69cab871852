//! Sparse categorical cross-entropy on logits, fused with softmax and read straight from the
//! class indices (no one-hot rows): per row, with s = softmax(z) and label c,
//!
//! ```text
//! ℓ = log Σ_j e^{z_j} − z_c = m + ln Σ_j e^{z_j − m} − z_c     (m = max_j z_j)
//! ∂ℓ/∂z_j = s_j − [j = c]
//! ```
//!
//! The forward pass keeps s, so backward is one scaled pass with a subtraction at each label.
//! For `f32` the exponentials are the vectorised row kernel of the recurrent cells (e^x for
//! x ≤ 0, which z − m is); for `f64` the standard library's.

use autodiff_core::{BackwardCx, Float, Tensor, Var};

use crate::recurrent::activations::exp_nonpositive_in_place;

/// The labels (`[rows]` or `[rows, 1]`) as a pooled tensor of class indices, after checking
/// them; panics with the loss's name on a count or an index out of place.
fn class_indices<T: Float>(
    name: &str,
    labels: &Tensor<T>,
    rows: usize,
    classes: usize,
) -> Tensor<T> {
    assert!(
        labels.numel() == rows,
        "{name}: {} labels for {rows} rows of predictions",
        labels.numel()
    );
    for &l in labels.data() {
        let index = l
            .to_usize()
            .filter(|&c| c < classes && T::from_usize(c) == Some(l));
        if index.is_none() {
            panic!("{name}: label {l} is not a class index below {classes}");
        }
    }
    labels.clone()
}

/// A checked label's class index.
fn index<T: Float>(label: T) -> usize {
    label.to_usize().expect("checked by class_indices")
}

/// Softmax of each row of `z` (rows of `classes`) into `s`; returns Σ_rows (log Σ e^z − z_label).
fn softmax_rows<T: Float>(z: &[T], classes: usize, labels: &[T], s: &mut [T]) -> T {
    let mut total = T::zero();
    for ((zr, sr), &label) in z
        .chunks_exact(classes)
        .zip(s.chunks_exact_mut(classes))
        .zip(labels)
    {
        let max = zr.iter().copied().fold(T::neg_infinity(), T::max);
        sr.iter_mut().zip(zr).for_each(|(s, &z)| *s = z - max);
        exp_nonpositive_in_place(sr);
        let sum: T = sr.iter().copied().sum();
        let inverse = T::one() / sum;
        sr.iter_mut().for_each(|s| *s *= inverse);
        total += max + sum.ln() - zr[index(label)];
    }
    total
}

/// Cross-entropy of logits `[..., classes]` against class indices (`[rows]` or `[rows, 1]`),
/// fused with softmax, averaged over the rows. The labels get no gradient: an index is not
/// differentiable (PyTorch's are integers).
///
/// ```
/// use autodiff_core::{Tape, Tensor};
/// let tape = Tape::new();
/// let z = tape.var(Tensor::from_vec(vec![0.0_f64, 0.0, 3.0_f64.ln()], [1, 3]));
/// let label = tape.constant(Tensor::from_vec(vec![2.0], [1]));
/// let loss = nn::losses::sparse_categorical_crossentropy_from_logits(z, label);
/// assert!((loss.item() - (5.0_f64 / 3.0).ln()).abs() < 1e-12); // −ln(3 / (1 + 1 + 3))
/// ```
///
/// # Panics
/// If the label count is not the row count or a label is not a class index.
pub fn sparse_categorical_crossentropy_from_logits<'t, T: Float>(
    logits: Var<'t, T>,
    labels: Var<'t, T>,
) -> Var<'t, T> {
    const NAME: &str = "sparse_categorical_crossentropy_from_logits";
    let (rows, classes) = logits.with_value(|z| super::categorical::rows_classes(NAME, z));
    let indices = labels.with_value(|l| class_indices(NAME, l, rows, classes));
    let mut softmax = Tensor::empty([rows * classes]);
    let total =
        logits.with_value(|z| softmax_rows(z.data(), classes, indices.data(), softmax.data_mut()));
    let n = T::from_usize(rows.max(1)).unwrap();
    logits.tape().record(
        Tensor::scalar(total / n),
        &[logits],
        move |cx: &mut BackwardCx<T>| {
            let scale = cx.grad_output().item() / n;
            cx.write_grad(0, |grad, beta| {
                let s = softmax.data();
                for ((g, s), &label) in grad
                    .chunks_exact_mut(classes)
                    .zip(s.chunks_exact(classes))
                    .zip(indices.data())
                {
                    g.iter_mut()
                        .zip(s)
                        .for_each(|(g, &s)| *g = beta * *g + scale * s);
                    g[index(label)] -= scale;
                }
            });
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::losses::categorical_crossentropy_from_logits;
    use autodiff_core::Tape;

    #[test]
    fn f32_matches_the_one_hot_loss_in_value_and_gradient() {
        // 37 rows of 65 classes, logits up to ±30 (so e^{z − m} spans f32's range), labels
        // spread over the classes; against the one-hot form with the standard library's exp.
        let (rows, classes) = (37, 65);
        let z: Vec<f32> = (0..rows * classes)
            .map(|k| 30.0 * ((k as f32) * 0.618).sin())
            .collect();
        let labels: Vec<usize> = (0..rows).map(|r| (r * 29 + 3) % classes).collect();
        let mut one_hot = vec![0.0f32; rows * classes];
        for (r, &c) in labels.iter().enumerate() {
            one_hot[r * classes + c] = 1.0;
        }
        let run = |sparse: bool| {
            let tape = Tape::new();
            let z = tape.var(Tensor::from_vec(z.clone(), [rows, classes]));
            let loss = if sparse {
                let l = labels.iter().map(|&c| c as f32).collect();
                sparse_categorical_crossentropy_from_logits(
                    z,
                    tape.constant(Tensor::from_vec(l, [rows])),
                )
            } else {
                let y = Tensor::from_vec(one_hot.clone(), [rows, classes]);
                categorical_crossentropy_from_logits(z, tape.constant(y))
            };
            let grads = (loss * 3.0).backward();
            (loss.item(), grads.wrt(z).unwrap().clone())
        };
        let ((sparse, d_sparse), (dense, d_dense)) = (run(true), run(false));
        assert!(
            (sparse - dense).abs() <= 1e-5 * dense.abs(),
            "{sparse} vs {dense}"
        );
        assert!(d_sparse.all_close(&d_dense, 1e-6, 1e-5));
    }

    #[test]
    fn a_gradient_already_there_is_added_to() {
        let tape = Tape::new();
        let z = tape.var(Tensor::from_vec(vec![0.5_f64, -1.0, 2.0, 0.0], [2, 2]));
        let labels = tape.constant(Tensor::from_vec(vec![1.0, 0.0], [2]));
        let twice = sparse_categorical_crossentropy_from_logits(z, labels)
            + sparse_categorical_crossentropy_from_logits(z, labels);
        let once = sparse_categorical_crossentropy_from_logits(z, labels) * 2.0;
        let (a, b) = (twice.backward(), once.backward());
        assert!(a.wrt(z).unwrap().all_close(b.wrt(z).unwrap(), 1e-15, 1e-15));
    }
}
