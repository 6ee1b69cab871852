//! Branch-free `f32` tanh and e^x (x ≤ 0) that the compiler can vectorise: [`Float::tanh_fast`]
//! for `f32`, and the row kernels of `nn`'s recurrent cells inline the same functions into their
//! `#[target_feature]` loops (the standard library's `tanhf` is a call into libm, about 6 ns a value, and blocks
//! vectorisation of the elementwise loop). `f64` keeps the standard library's function, so
//! gradient checks see the exact one.
//!
//! Method: an odd polynomial for |x| < 0.625, where (1 − e)/(1 + e) would cancel; above it,
//! (1 − e)/(1 + e) with e = e^−2|x| from a Cephes-style range reduction (x = n·ln 2 + r, eʳ by
//! a degree-6 polynomial, 2ⁿ from its bits), given x's sign.
//!
//! Accuracy, measured by the test `within_two_ulp_of_the_correctly_rounded_tanh` on every 16th
//! `f32` bit pattern of either sign (2.7·10⁸ values): at most 2 ulp from the correctly rounded
//! result, and exactly ±1 wherever that rounds to ±1.
//!
//! [`Float::tanh_fast`]: crate::Float::tanh_fast

/// 1.5·2²³: adding it rounds an f32 below 2²² in magnitude to an integer, which then sits in
/// the low mantissa bits (no float-to-int conversion, which plain SSE2 cannot vectorise).
const ROUNDER: f32 = 12_582_912.0;

/// eˣ for x ≤ 0, flushed to 0 from −87.3 down (where f32's normal range ends).
#[inline(always)]
pub fn exp_nonpositive(x: f32) -> f32 {
    let flushed = x < -87.3;
    let x = x.max(-87.3);
    let shifted = x * std::f32::consts::LOG2_E + ROUNDER;
    let n = shifted - ROUNDER;
    // ln 2 split in two so that n·ln 2 is exact to f32 precision.
    let r = x - n * 0.693_359_4 + n * 2.121_944_4e-4;
    let mut p = 1.987_569_1e-4_f32;
    p = p * r + 1.398_199_9e-3;
    p = p * r + 8.333_452e-3;
    p = p * r + 4.166_579_6e-2;
    p = p * r + 0.166_666_65;
    p = p * r + 0.5;
    let er = p * r * r + r + 1.0;
    let exponent = shifted.to_bits().wrapping_sub(ROUNDER.to_bits()) as i32 + 127;
    let scale = f32::from_bits((exponent.max(0) as u32) << 23);
    if flushed { 0.0 } else { er * scale }
}

/// tanh x, within 2 ulp (see the module's documentation). NaN in, NaN out.
#[inline(always)]
pub fn tanh(x: f32) -> f32 {
    let a = x.abs();
    let z = x * x;
    let mut p = -5.704_988_7e-3_f32;
    p = p * z + 2.063_909e-2;
    p = p * z - 5.373_971_6e-2;
    p = p * z + 0.133_314_42;
    p = p * z - 0.333_332_8;
    let small = p * z * a + a;
    let e = exp_nonpositive(-2.0 * a);
    let large = (1.0 - e) / (1.0 + e);
    // The sign applied last, so that tanh(−0) is −0; NaN passed through (the range reduction
    // would clamp it to a number).
    let y = (if a < 0.625 { small } else { large }).copysign(x);
    if x.is_nan() { x } else { y }
}

#[cfg(test)]
mod tests {
    use super::tanh;

    /// The distance in representable f32 values between two finite values of one sign.
    fn ulps(a: f32, b: f32) -> u32 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs() as u32
    }

    #[test]
    fn within_two_ulp_of_the_correctly_rounded_tanh() {
        let mut worst = (0, 0.0_f32);
        // Every 16th bit pattern of the positive finite f32s, and their negatives.
        for bits in (0..f32::INFINITY.to_bits()).step_by(16) {
            for x in [f32::from_bits(bits), -f32::from_bits(bits)] {
                let want = (x as f64).tanh() as f32;
                let error = ulps(tanh(x), want);
                if error > worst.0 {
                    worst = (error, x);
                }
            }
        }
        eprintln!("fast_f32::tanh: at most {} ulp, at {:e}", worst.0, worst.1);
        assert!(worst.0 <= 2, "{} ulp at {:e}", worst.0, worst.1);
    }

    #[test]
    fn edges() {
        assert_eq!(tanh(0.0).to_bits(), 0.0_f32.to_bits());
        assert_eq!(tanh(-0.0).to_bits(), (-0.0_f32).to_bits());
        assert_eq!(tanh(1e-30), 1e-30);
        assert_eq!([tanh(9.0), tanh(-9.0)], [1.0, -1.0]);
        assert_eq!([tanh(f32::INFINITY), tanh(f32::NEG_INFINITY)], [1.0, -1.0]);
        assert!(tanh(f32::NAN).is_nan());
    }
}
