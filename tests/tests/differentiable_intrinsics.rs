//! The one derivative table: every intrinsic of a `#[differentiable]` body gives the same value
//! and derivative as the `Var` op of the same name, at ordinary points and at the edges (0, ±0,
//! negative inputs, tiny and huge magnitudes, overflow). Both `#[differentiable]` backward
//! paths are compared: the op's (which reads the saved outputs) and `NAME_vjp` (which
//! recomputes them).

use nn::{Float, Tape, Tensor, Var, differentiable};

/// Ordinary points and edges, for every function of one input.
const POINTS: [f64; 17] = [
    0.0, -0.0, 1e-300, -1e-300, 0.3, -0.3, 1.0, -1.0, 2.5, -2.5, 40.0, -40.0, 1e3, -1e3, 1e300,
    -1e300, 0.5,
];

/// Equal, or both NaN (0 and −0 count as equal).
fn same(a: f64, b: f64) -> bool {
    a == b || (a.is_nan() && b.is_nan())
}

/// The value and the gradient of `Σ f(x)` with respect to each input, at `inputs`.
fn value_and_grads(
    inputs: &[Tensor<f64>],
    f: impl for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64>,
) -> (Tensor<f64>, Vec<Tensor<f64>>) {
    let tape = Tape::new();
    let vars: Vec<Var<f64>> = inputs.iter().map(|t| tape.var(t.clone())).collect();
    let y = f(&vars);
    let grads = y.sum().backward();
    let grads = vars
        .iter()
        .map(|&v| grads.wrt(v).unwrap().clone())
        .collect();
    (y.value(), grads)
}

/// Compares, at the elements of `inputs`, the `Var` op with the `#[differentiable]` op (value
/// and gradients), and with its VJP (gradients, seed 1).
fn compare(
    name: &str,
    inputs: &[Tensor<f64>],
    var_op: impl for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64>,
    fused_op: impl for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64>,
    vjp: impl Fn(&[f64]) -> Vec<f64>,
) {
    let (want, want_grads) = value_and_grads(inputs, var_op);
    let (got, got_grads) = value_and_grads(inputs, fused_op);
    for e in 0..want.numel() {
        let at: Vec<f64> = inputs.iter().map(|t| t.data()[e]).collect();
        let (w, g) = (want.data()[e], got.data()[e]);
        assert!(same(w, g), "{name} at {at:?}: value {g}, Var op {w}");
        let from_vjp = vjp(&at);
        for (i, want_grad) in want_grads.iter().enumerate() {
            let (w, g, v) = (want_grad.data()[e], got_grads[i].data()[e], from_vjp[i]);
            assert!(
                same(w, g) && same(w, v),
                "{name} at {at:?}: ∂/∂ input {i}: op {g}, vjp {v}, Var op {w}"
            );
        }
    }
}

fn points() -> Tensor<f64> {
    Tensor::from_vec(POINTS.to_vec(), [POINTS.len()])
}

macro_rules! unary_intrinsics {
    ($($name:ident: $fused:ident $fused_op:ident $fused_vjp:ident;)*) => {
        $(
            #[differentiable]
            fn $fused<T: Float>(x: T) -> T {
                $name(x)
            }
        )*

        #[test]
        fn unary_intrinsics_match_the_var_ops() {
            $(
                compare(
                    stringify!($name),
                    &[points()],
                    |v| v[0].$name(),
                    |v| $fused_op(v[0]),
                    |x| vec![$fused_vjp(x[0], 1.0)],
                );
            )*
        }
    };
}

unary_intrinsics! {
    exp: f_exp f_exp_op f_exp_vjp;
    ln: f_ln f_ln_op f_ln_vjp;
    sqrt: f_sqrt f_sqrt_op f_sqrt_vjp;
    tanh: f_tanh f_tanh_op f_tanh_vjp;
    sigmoid: f_sigmoid f_sigmoid_op f_sigmoid_vjp;
    relu: f_relu f_relu_op f_relu_vjp;
    abs: f_abs f_abs_op f_abs_vjp;
    sin: f_sin f_sin_op f_sin_vjp;
    cos: f_cos f_cos_op f_cos_vjp;
    softplus: f_softplus f_softplus_op f_softplus_vjp;
    erf: f_erf f_erf_op f_erf_vjp;
}

/// xᴺ for a fixed integer N.
#[differentiable]
fn f_powi<T: Float, const N: i32>(x: T) -> T {
    x.powi(N)
}

fn compare_powi<const N: i32>() {
    compare(
        &format!("powi({N})"),
        &[points()],
        |v| v[0].powi(N),
        |v| f_powi_op::<f64, N>(v[0]),
        |x| vec![f_powi_vjp::<f64, N>(x[0], 1.0)],
    );
}

#[test]
fn powi_matches_the_var_op_for_every_exponent_sign() {
    compare_powi::<0>();
    compare_powi::<1>();
    compare_powi::<2>();
    compare_powi::<3>();
    compare_powi::<-1>();
    compare_powi::<-2>();
    // x⁰ is constant: its derivative is 0 even at 0, on both paths.
    assert_eq!(f_powi_vjp::<f64, 0>(0.0, 1.0), 0.0);
}

/// xᵖ with both operands differentiated.
#[differentiable]
fn f_powf<T: Float>(x: T, p: T) -> T {
    x.powf(p)
}

#[test]
fn powf_matches_the_var_op_in_its_base() {
    // NaN equals NaN in `compare`, so the edge that once was NaN on both paths is pinned here.
    assert_eq!(f_powf_vjp(0.0_f64, 0.0, 1.0).0, 0.0, "d(x⁰)/dx at 0");
    for p in [0.0, 0.5, 1.0, 2.0, 3.5, -1.0, -2.5] {
        compare(
            &format!("powf(·, {p})"),
            &[points()],
            |v| v[0].powf(p),
            |v| f_powf_op(v[0], v[0].tape().constant(Tensor::scalar(p))),
            |x| vec![f_powf_vjp(x[0], p, 1.0).0],
        );
    }
}

/// max and min of two inputs.
#[differentiable]
fn f_max<T: Float>(a: T, b: T) -> T {
    max(a, b)
}

#[differentiable]
fn f_min<T: Float>(a: T, b: T) -> T {
    min(a, b)
}

#[test]
fn max_and_min_match_the_var_ops_including_ties() {
    let n = POINTS.len();
    let a = Tensor::from_vec(POINTS.iter().flat_map(|&x| vec![x; n]).collect(), [n * n]);
    let b = Tensor::from_vec(POINTS.repeat(n), [n * n]);
    let pair = |x: &[f64], f: fn(f64, f64, f64) -> (f64, f64)| {
        let (da, db) = f(x[0], x[1], 1.0);
        vec![da, db]
    };
    compare(
        "max",
        &[a.clone(), b.clone()],
        |v| v[0].maximum(v[1]),
        |v| f_max_op(v[0], v[1]),
        |x| pair(x, f_max_vjp),
    );
    compare(
        "min",
        &[a, b],
        |v| v[0].minimum(v[1]),
        |v| f_min_op(v[0], v[1]),
        |x| pair(x, f_min_vjp),
    );
}
