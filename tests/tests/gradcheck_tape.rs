//! The tape's own mechanisms: an op with several outputs and a custom backward, and `detach`
//! in an unrolled recurrence (truncated backpropagation through time).

use autodiff_core::{BackwardCx, Tape, Tensor, Var};
use tests::{check, randn};

/// A user-defined op with two outputs of different shapes: each row centred on its mean, and the
/// means. Its backward adds what each output that got a gradient sends back.
fn centre_rows<'t>(x: Var<'t, f64>) -> (Var<'t, f64>, Var<'t, f64>) {
    let (centred, means) = x.with_value(|x| {
        let means = x.mean_axis(1, true);
        (x.sub(&means), means.reshape([x.dims()[0]]))
    });
    let [centred, means] =
        x.tape()
            .record_many([centred, means], &[x], |cx: &mut BackwardCx<'_, f64>| {
                let x = cx.input(0);
                let cols = x.dims()[1] as f64;
                let mut dx = Tensor::zeros(x.shape());
                if let Some(g) = cx.grad_output_of(0) {
                    // d(x − mean)/dx: g minus its row mean.
                    dx = dx.add(&g.sub(&g.mean_axis(1, true)));
                }
                if let Some(g) = cx.grad_output_of(1) {
                    // d(mean)/dx = 1/cols for every entry of the row.
                    dx = dx.add(&g.reshape([x.dims()[0], 1]).scale(1.0 / cols));
                }
                cx.accumulate(0, dx);
            });
    (centred, means)
}

#[test]
fn a_multi_output_op_gradchecks_with_each_output_used_or_not() {
    let x = randn(&[3, 4], 1);
    let w = randn(&[3, 4], 2);
    check(
        "both outputs",
        |v| {
            let (c, m) = centre_rows(v[0]);
            (c * v[1]).sum() + (m * m).sum()
        },
        [x.clone(), w.clone()],
    );
    check(
        "first output only",
        |v| (centre_rows(v[0]).0 * v[1]).sum(),
        [x.clone(), w],
    );
    check("second output only", |v| centre_rows(v[0]).1.tanh(), [x]);
}

#[test]
fn a_multi_output_op_inside_a_larger_graph() {
    let x = randn(&[2, 5], 3);
    check(
        "outputs feeding each other",
        |v| {
            let (c, m) = centre_rows(v[0].tanh());
            let (c2, m2) = centre_rows(c * m.unsqueeze(1));
            c2.exp().sum() + m2.sum()
        },
        [x],
    );
}

/// h_t = tanh(w·h_{t−1} + x_t) for three steps from h_0 = 1, with the state detached after the
/// first step; the loss is h_3.
fn truncated_recurrence<'t>(
    w: Var<'t, f64>,
    xs: [f64; 3],
    detach_after_first: bool,
) -> Var<'t, f64> {
    let tape = w.tape();
    let mut h = tape.constant(Tensor::from_vec(vec![1.0], [1]));
    for (t, &x) in xs.iter().enumerate() {
        h = (h * w + x).tanh();
        if t == 0 && detach_after_first {
            h = h.detach();
        }
    }
    h.sum()
}

#[test]
fn detach_cuts_an_unrolled_recurrence_where_asked() {
    let (w, xs): (f64, [f64; 3]) = (0.7, [0.3, -0.2, 0.5]);
    let h1 = (w * 1.0 + xs[0]).tanh();
    let h2 = (w * h1 + xs[1]).tanh();
    let h3 = (w * h2 + xs[2]).tanh();
    // By hand, with h1 held constant: dh2/dw = (1 − h2²)·h1, dh3/dw = (1 − h3²)(h2 + w·dh2/dw).
    let dh2 = (1.0 - h2 * h2) * h1;
    let truncated = (1.0 - h3 * h3) * (h2 + w * dh2);
    // Without the cut, h1 depends on w too: dh1/dw = (1 − h1²)·1.
    let dh1 = 1.0 - h1 * h1;
    let full = (1.0 - h3 * h3) * (h2 + w * (1.0 - h2 * h2) * (h1 + w * dh1));

    for (detach, expected) in [(true, truncated), (false, full)] {
        let tape = Tape::new();
        let wv = tape.var(Tensor::from_vec(vec![w], [1]));
        let loss = truncated_recurrence(wv, xs, detach);
        assert!((loss.item() - h3).abs() < 1e-15, "detach changed the value");
        let g = loss.backward().wrt(wv).unwrap().item();
        assert!(
            (g - expected).abs() < 1e-12,
            "detach = {detach}: gradient {g}, by hand {expected}"
        );
    }
    assert!(
        (truncated - full).abs() > 1e-3,
        "the test cannot tell the two apart"
    );
}
