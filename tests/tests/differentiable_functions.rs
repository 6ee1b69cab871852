//! `#[differentiable]` functions written as their paper formulas, each VJP checked against
//! central differences in f64 at many points, and a few values against closed forms.

use nn::{Float, differentiable};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

const SELU_ALPHA: f64 = 1.673_263_242_354_377_3;
const SELU_SCALE: f64 = 1.050_700_987_355_480_5;

/// Swish (Ramachandran et al.): x σ(x).
#[differentiable]
fn swish<T: Float>(x: T) -> T {
    x * sigmoid(x)
}

/// GELU, tanh approximation (Hendrycks & Gimpel).
#[differentiable]
fn gelu_tanh<T: Float>(x: T) -> T {
    let inner = (2.0 / std::f64::consts::PI).sqrt() * (x + 0.044715 * x.powi(3));
    0.5 * x * (1.0 + inner.tanh())
}

/// GELU, exact: x Φ(x) with the error function.
#[differentiable]
fn gelu_erf<T: Float>(x: T) -> T {
    0.5 * x * (1.0 + erf(x / std::f64::consts::SQRT_2))
}

/// Softplus written out: ln(1 + eˣ).
#[differentiable]
fn softplus_formula<T: Float>(x: T) -> T {
    (1.0 + x.exp()).ln()
}

/// ELU with α = 1.
#[differentiable]
fn elu<T: Float>(x: T) -> T {
    if x > 0.0 { x } else { x.exp() - 1.0 }
}

/// SELU, with its constants named.
#[differentiable]
fn selu<T: Float>(x: T) -> T {
    let negative = SELU_ALPHA * (exp(x) - 1.0);
    SELU_SCALE * if x > 0 { x } else { negative }
}

/// Mish: x tanh(softplus(x)).
#[differentiable]
fn mish<T: Float>(x: T) -> T {
    x * tanh(softplus(x))
}

/// Two inputs: a smooth, non-symmetric function of both.
#[differentiable]
fn two_inputs<T: Float>(a: T, b: T) -> T {
    let s = a * b;
    s * sin(a) / (1.0 + b * b) + s
}

/// An LSTM cell's pointwise step: gates i, f, g, o and the previous cell state in, new cell
/// state and hidden state out.
#[differentiable]
fn lstm_step<T: Float>(i: T, f: T, g: T, o: T, c_prev: T) -> (T, T) {
    let c = sigmoid(f) * c_prev + sigmoid(i) * tanh(g);
    let h = sigmoid(o) * tanh(c);
    (c, h)
}

/// Huber loss of a residual: three pieces with `else if`.
#[differentiable]
fn huber<T: Float>(r: T) -> T {
    if r > 1.0 {
        r - 0.5
    } else if r < -1.0 {
        -r - 0.5
    } else {
        let half = 0.5;
        half * r * r
    }
}

/// A nested call, twice on the same value (computed once).
#[differentiable]
fn swish_squared<T: Float>(x: T) -> T {
    swish(x) * swish(x) + gelu_tanh(x)
}

/// A nested call of a multi-output function, destructured.
#[differentiable]
fn lstm_product<T: Float>(a: T, b: T) -> T {
    let (c, h) = lstm_step(a, b, a * b, b - a, 0.3);
    c * h + c
}

/// powf with both base and exponent differentiated; max, min and relu.
#[differentiable]
fn power_mix<T: Float>(x: T, y: T) -> T {
    let base = x * x + 0.5;
    base.powf(y) + max(x, y) * min(x, y) + relu(x - y) + abs(y) / sqrt(base)
}

/// A tuple-valued `if` whose condition combines comparisons.
#[differentiable]
fn branchy_pair<T: Float>(x: T, y: T) -> (T, T) {
    let (a, b) = if x > y && !(x > 3.0) {
        (x * y, cos(x))
    } else {
        (y, x * x)
    };
    (a + b, a * b - ln(1.0 + y * y))
}

/// A plain f64 function (no type parameter).
#[differentiable]
fn plain_f64(x: f64, y: f64) -> f64 {
    let r = sqrt(x * x + y * y + 1.0);
    r * cos(x) - y.powi(-2)
}

/// A plain f32 function.
#[differentiable]
fn plain_f32(x: f32) -> f32 {
    x.tanh() * 2 - x.sigmoid()
}

/// Visibility, a where-clause, a block, `_` patterns and an unused output of a nested call.
#[differentiable]
pub fn odds_and_ends<T>(x: T, y: T) -> T
where
    T: Float,
{
    let (c, _) = lstm_step(x, y, -1, 2.5e-1, x * y);
    let (_, alias) = (c, y);
    let inner = {
        let z = alias - 3;
        z * z
    };
    c / inner + std::f64::consts::PI * x
}

type Scalar = fn(&[f64]) -> Vec<f64>;
type Vjp = fn(&[f64], &[f64]) -> Vec<f64>;

/// Compares the VJP with central differences of `Σ seedₖ fₖ` at `points` random points.
fn check(name: &str, inputs: usize, outputs: usize, range: (f64, f64), f: Scalar, vjp: Vjp) {
    let mut rng = StdRng::seed_from_u64(7);
    let h = 1e-6;
    for _ in 0..200 {
        let x: Vec<f64> = (0..inputs)
            .map(|_| rng.random_range(range.0..range.1))
            .collect();
        let seeds: Vec<f64> = (0..outputs).map(|_| rng.random_range(-1.0..1.0)).collect();
        let analytic = vjp(&x, &seeds);
        assert_eq!(analytic.len(), inputs);
        let weighted = |x: &[f64]| f(x).iter().zip(&seeds).map(|(y, s)| y * s).sum::<f64>();
        for j in 0..inputs {
            let (mut plus, mut minus) = (x.clone(), x.clone());
            plus[j] += h;
            minus[j] -= h;
            let numeric = (weighted(&plus) - weighted(&minus)) / (2.0 * h);
            let error = (analytic[j] - numeric).abs();
            assert!(
                error <= 1e-6 + 1e-5 * numeric.abs(),
                "{name}: d/d input {j} at {x:?} with seeds {seeds:?}: analytic {} vs numeric {numeric}",
                analytic[j]
            );
        }
    }
}

#[test]
fn activations_match_finite_differences() {
    let r = (-4.0, 4.0);
    check(
        "swish",
        1,
        1,
        r,
        |x| vec![swish(x[0])],
        |x, d| vec![swish_vjp(x[0], d[0])],
    );
    check(
        "gelu_tanh",
        1,
        1,
        r,
        |x| vec![gelu_tanh(x[0])],
        |x, d| vec![gelu_tanh_vjp(x[0], d[0])],
    );
    check(
        "gelu_erf",
        1,
        1,
        r,
        |x| vec![gelu_erf(x[0])],
        |x, d| vec![gelu_erf_vjp(x[0], d[0])],
    );
    check(
        "softplus",
        1,
        1,
        r,
        |x| vec![softplus_formula(x[0])],
        |x, d| vec![softplus_formula_vjp(x[0], d[0])],
    );
    check(
        "elu",
        1,
        1,
        r,
        |x| vec![elu(x[0])],
        |x, d| vec![elu_vjp(x[0], d[0])],
    );
    check(
        "selu",
        1,
        1,
        r,
        |x| vec![selu(x[0])],
        |x, d| vec![selu_vjp(x[0], d[0])],
    );
    check(
        "mish",
        1,
        1,
        r,
        |x| vec![mish(x[0])],
        |x, d| vec![mish_vjp(x[0], d[0])],
    );
    check(
        "huber",
        1,
        1,
        r,
        |x| vec![huber(x[0])],
        |x, d| vec![huber_vjp(x[0], d[0])],
    );
    check(
        "swish_squared",
        1,
        1,
        r,
        |x| vec![swish_squared(x[0])],
        |x, d| vec![swish_squared_vjp(x[0], d[0])],
    );
}

#[test]
fn several_inputs_and_outputs_match_finite_differences() {
    check(
        "two_inputs",
        2,
        1,
        (-3.0, 3.0),
        |x| vec![two_inputs(x[0], x[1])],
        |x, d| {
            let (ga, gb) = two_inputs_vjp(x[0], x[1], d[0]);
            vec![ga, gb]
        },
    );
    check(
        "lstm_step",
        5,
        2,
        (-3.0, 3.0),
        |x| {
            let (c, h) = lstm_step(x[0], x[1], x[2], x[3], x[4]);
            vec![c, h]
        },
        |x, d| {
            let (gi, gf, gg, go, gc) = lstm_step_vjp(x[0], x[1], x[2], x[3], x[4], d[0], d[1]);
            vec![gi, gf, gg, go, gc]
        },
    );
    check(
        "lstm_product",
        2,
        1,
        (-2.0, 2.0),
        |x| vec![lstm_product(x[0], x[1])],
        |x, d| {
            let (ga, gb) = lstm_product_vjp(x[0], x[1], d[0]);
            vec![ga, gb]
        },
    );
    check(
        "power_mix",
        2,
        1,
        (0.1, 3.0),
        |x| vec![power_mix(x[0], x[1])],
        |x, d| {
            let (gx, gy) = power_mix_vjp(x[0], x[1], d[0]);
            vec![gx, gy]
        },
    );
    check(
        "branchy_pair",
        2,
        2,
        (-4.0, 4.0),
        |x| {
            let (a, b) = branchy_pair(x[0], x[1]);
            vec![a, b]
        },
        |x, d| {
            let (gx, gy) = branchy_pair_vjp(x[0], x[1], d[0], d[1]);
            vec![gx, gy]
        },
    );
    check(
        "plain_f64",
        2,
        1,
        (0.2, 3.0),
        |x| vec![plain_f64(x[0], x[1])],
        |x, d| {
            let (gx, gy) = plain_f64_vjp(x[0], x[1], d[0]);
            vec![gx, gy]
        },
    );
}

#[test]
fn kept_functions_compute_the_formulas() {
    let sigmoid = |x: f64| 1.0 / (1.0 + (-x).exp());
    for x in [-2.5, -0.3, 0.0, 0.7, 3.1] {
        let close = |a: f64, b: f64| assert!((a - b).abs() < 1e-12, "{a} vs {b}");
        close(swish(x), x * sigmoid(x));
        close(mish(x), x * (1.0 + x.exp()).ln().tanh());
        close(elu(x), if x > 0.0 { x } else { x.exp() - 1.0 });
        close(
            huber(x),
            if x.abs() > 1.0 {
                x.abs() - 0.5
            } else {
                0.5 * x * x
            },
        );
        let (c, h) = lstm_step(x, 0.2, -x, 0.4, 0.5);
        let want_c = sigmoid(0.2) * 0.5 + sigmoid(x) * (-x).tanh();
        close(c, want_c);
        close(h, sigmoid(0.4) * want_c.tanh());
    }
    // At x = y = 1 every kink is hit: relu(x − y) at 0 (derivative 0, as PyTorch) and a tie of
    // max(x, y)·min(x, y) (½ of each factor's derivative to each side). By hand, with base 1.5:
    // ∂/∂x = y·baseʸ⁻¹·2x + (½·min + max·½) + 0 − |y|·x·base^(−3/2) = 2 + 1 + 0 − 1.5^(−3/2),
    // ∂/∂y = baseʸ·ln(base) + (½·min + max·½) − 0 + 1/√base = 1.5·ln 1.5 + 1 + 1/√1.5.
    let (gx, gy) = power_mix_vjp(1.0, 1.0, 1.0);
    let want_x = 3.0 - 1.5_f64.powf(-1.5);
    let want_y = 1.5 * 1.5_f64.ln() + 1.0 + 1.0 / 1.5_f64.sqrt();
    assert!((gx - want_x).abs() < 1e-15, "{gx} vs {want_x}");
    assert!((gy - want_y).abs() < 1e-15, "{gy} vs {want_y}");
    let f32_grad = plain_f32_vjp(0.5, 1.0);
    let s = 1.0 / (1.0 + (-0.5_f32).exp());
    assert!((f32_grad - (2.0 * (1.0 - 0.5_f32.tanh().powi(2)) - s * (1.0 - s))).abs() < 1e-6);
}
