//! σ, tanh and e^x for x ≤ 0 (a softmax's shifted logits) over whole rows, in place. For `f32`
//! the vectorisable polynomials of `autodiff_core::fast_f32` (the same tanh as
//! `Float::tanh_fast`), compiled three times
//! (plain, AVX2 + FMA, AVX-512F) and picked once at run time: a user's crate is built for plain
//! x86-64, so `#[target_feature]` copies behind detection are what give it wide vectors. For
//! `f64` (gradient checks, fixtures) the standard library's exact functions.
//!
//! Measured accuracy of the `f32` versions against `f64` over 2·10⁶ points in [−100, 100]
//! (test `activations_are_accurate`, the same at every level): σ within 1.95e-7 relative, tanh
//! within 1.45e-7 relative (about 1.6 and 1.2 ulp), both exactly saturated (1, −1) where f32
//! rounds to it; σ is flushed to 0 below −87.3, an absolute error under 1.2e-38.

use std::any::TypeId;
use std::sync::OnceLock;

use autodiff_core::Float;
use autodiff_core::fast_f32::{exp_nonpositive, tanh};

/// `x ← σ(x)` elementwise.
pub fn sigmoid_in_place<T: Float>(x: &mut [T]) {
    match as_f32(x) {
        Some(x) => dispatch(Kernel::Sigmoid, x),
        None => x
            .iter_mut()
            .for_each(|v| *v = T::one() / (T::one() + (-*v).exp())),
    }
}

/// `x ← tanh(x)` elementwise.
pub fn tanh_in_place<T: Float>(x: &mut [T]) {
    match as_f32(x) {
        Some(x) => dispatch(Kernel::Tanh, x),
        None => x.iter_mut().for_each(|v| *v = v.tanh()),
    }
}

/// `x ← eˣ` elementwise, for `x ≤ 0` (flushed to 0 from −87.3 down in `f32`).
pub fn exp_nonpositive_in_place<T: Float>(x: &mut [T]) {
    match as_f32(x) {
        Some(x) => dispatch(Kernel::ExpNonpositive, x),
        None => x.iter_mut().for_each(|v| *v = v.exp()),
    }
}

/// `x` as `f32`s when `T` is `f32`.
fn as_f32<T: Float>(x: &mut [T]) -> Option<&mut [f32]> {
    // SAFETY: T is f32 (same type, so same layout and validity), checked just before.
    (TypeId::of::<T>() == TypeId::of::<f32>())
        .then(|| unsafe { &mut *(x as *mut [T] as *mut [f32]) })
}

#[derive(Clone, Copy)]
enum Kernel {
    Sigmoid,
    Tanh,
    ExpNonpositive,
}

/// The vector instructions this CPU has, detected once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Level {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx2Fma,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

fn level() -> Level {
    static LEVEL: OnceLock<Level> = OnceLock::new();
    *LEVEL.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        {
            let avx2 = is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma");
            if avx2 && is_x86_feature_detected!("avx512f") {
                return Level::Avx512;
            }
            if avx2 {
                return Level::Avx2Fma;
            }
        }
        Level::Portable
    })
}

/// `f()`, called from inside a function compiled for the widest vector instructions this CPU
/// has, so that the loops of an `#[inline(always)]` `f` are vectorised for them (a cell's
/// pointwise backward over a row: in a plain x86-64 build, 4 lanes without this, 16 with it).
#[inline(always)]
pub fn vectorised<R>(f: impl FnOnce() -> R) -> R {
    match level() {
        // SAFETY: `level` returns a level only if this CPU has its features.
        #[cfg(target_arch = "x86_64")]
        Level::Avx512 => unsafe { call_avx512(f) },
        // SAFETY: as above.
        #[cfg(target_arch = "x86_64")]
        Level::Avx2Fma => unsafe { call_avx2(f) },
        Level::Portable => f(),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
fn call_avx512<R>(f: impl FnOnce() -> R) -> R {
    f()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn call_avx2<R>(f: impl FnOnce() -> R) -> R {
    f()
}

fn dispatch(kernel: Kernel, x: &mut [f32]) {
    match level() {
        // SAFETY: `level` returns a level only if this CPU has its features.
        #[cfg(target_arch = "x86_64")]
        Level::Avx512 => unsafe { run_avx512(kernel, x) },
        // SAFETY: as above.
        #[cfg(target_arch = "x86_64")]
        Level::Avx2Fma => unsafe { run_avx2(kernel, x) },
        Level::Portable => run(kernel, x),
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f,avx2,fma")]
fn run_avx512(kernel: Kernel, x: &mut [f32]) {
    run(kernel, x)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn run_avx2(kernel: Kernel, x: &mut [f32]) {
    run(kernel, x)
}

/// The loops, inlined into each `#[target_feature]` copy so each is vectorised for its level.
#[inline(always)]
fn run(kernel: Kernel, x: &mut [f32]) {
    match kernel {
        Kernel::Sigmoid => x.iter_mut().for_each(|v| *v = sigmoid(*v)),
        Kernel::Tanh => x.iter_mut().for_each(|v| *v = tanh(*v)),
        Kernel::ExpNonpositive => x.iter_mut().for_each(|v| *v = exp_nonpositive(*v)),
    }
}

/// σ(x) = 1 / (1 + e^−|x|) for x ≥ 0, e^−|x| / (1 + e^−|x|) below: never 1 − (something near 1).
#[inline(always)]
fn sigmoid(x: f32) -> f32 {
    let e = exp_nonpositive(-x.abs());
    let r = 1.0 / (1.0 + e);
    if x >= 0.0 { r } else { e * r }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Points spread over [−100, 100], denser near 0, plus the edges.
    fn points() -> Vec<f32> {
        let mut xs: Vec<f32> = (0..1_000_000)
            .map(|k| {
                let u = k as f64 / 1e6;
                (100.0 * u * u * u) as f32
            })
            .collect();
        xs.extend([0.625, 0.624_999_9, 87.3, 88.0, 1e-30, 0.0]);
        let negated: Vec<f32> = xs.iter().map(|x| -x).collect();
        xs.extend(negated);
        xs
    }

    fn max_relative_error(
        kernel: Kernel,
        level: Level,
        xs: &[f32],
        exact: impl Fn(f64) -> f64,
    ) -> (f64, f32) {
        let mut ys = xs.to_vec();
        match level {
            Level::Portable => run(kernel, &mut ys),
            // SAFETY: only called for levels this CPU has.
            #[cfg(target_arch = "x86_64")]
            Level::Avx2Fma => unsafe { run_avx2(kernel, &mut ys) },
            // SAFETY: as above.
            #[cfg(target_arch = "x86_64")]
            Level::Avx512 => unsafe { run_avx512(kernel, &mut ys) },
        }
        let mut worst = (0.0, 0.0);
        for (&x, &y) in xs.iter().zip(&ys) {
            let want = exact(x as f64);
            // Near and below f32's normal range (1.2e-38) only an absolute error makes sense.
            let error = (y as f64 - want).abs() / want.abs().max(1e-30);
            if error > worst.0 {
                worst = (error, x);
            }
        }
        worst
    }

    fn levels() -> Vec<Level> {
        let mut levels = vec![Level::Portable];
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                levels.push(Level::Avx2Fma);
            }
            if level() == Level::Avx512 {
                levels.push(Level::Avx512);
            }
        }
        levels
    }

    #[test]
    fn activations_are_accurate() {
        for level in levels() {
            let xs = points();
            let (s, at) =
                max_relative_error(Kernel::Sigmoid, level, &xs, |x| 1.0 / (1.0 + (-x).exp()));
            assert!(s < 2.5e-7, "sigmoid: relative error {s:e} at {at}");
            let (t, at) = max_relative_error(Kernel::Tanh, level, &xs, f64::tanh);
            assert!(t < 2.5e-7, "tanh: relative error {t:e} at {at}");
            let nonpositive: Vec<f32> = xs.into_iter().filter(|&x| x <= 0.0).collect();
            let (e, at) = max_relative_error(Kernel::ExpNonpositive, level, &nonpositive, f64::exp);
            eprintln!("{level:?}: max relative error sigmoid {s:e}, tanh {t:e}, exp {e:e}");
            assert!(e < 2.5e-7, "exp: relative error {e:e} at {at}");
        }
    }

    #[test]
    fn activations_saturate_exactly() {
        let mut x = [-100.0_f32, 100.0, -20.0, 20.0];
        let mut y = x;
        sigmoid_in_place(&mut x);
        tanh_in_place(&mut y);
        assert_eq!(x[1], 1.0);
        assert!(x[0] >= 0.0 && x[0] < 1e-37);
        assert_eq!(y, [-1.0, 1.0, -1.0, 1.0]);
    }

    #[test]
    fn f64_rows_use_the_exact_functions() {
        let mut x = [0.3_f64, -2.0];
        sigmoid_in_place(&mut x);
        assert_eq!(
            x,
            [1.0 / (1.0 + (-0.3_f64).exp()), 1.0 / (1.0 + 2.0_f64.exp())]
        );
    }
}
