//! Which vector instructions the hand-written kernels use, chosen once at run time.
//!
//! A crate that depends on ours is compiled for the target's baseline (SSE2 on x86-64), not for
//! the CPU it runs on. So every hand-written kernel is compiled several times, each copy inside
//! a `#[target_feature]` function, and calls the copy that [`Simd::detected`] picks.

use std::sync::OnceLock;

/// A set of vector instructions a kernel may be compiled for.
///
/// Invariant: a value other than [`Simd::Portable`] exists only if this CPU supports it (it
/// comes from [`Simd::detected`] or [`Simd::available`]), which is what makes calling the
/// `#[target_feature]` kernel of that level sound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Simd {
    /// Whatever the build targets: plain x86-64 is SSE2, without FMA.
    Portable,
    /// 256-bit AVX2 vectors and fused multiply-adds.
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    Avx2Fma,
    /// 512-bit AVX-512F vectors (which include FMA) and 32 vector registers.
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    Avx512,
}

impl Simd {
    /// The widest level this CPU supports, detected on the first call.
    pub(crate) fn detected() -> Simd {
        static LEVEL: OnceLock<Simd> = OnceLock::new();
        *LEVEL.get_or_init(|| *Simd::available().last().unwrap())
    }

    /// Every level this CPU supports, narrowest first (always starting with `Portable`).
    pub(crate) fn available() -> Vec<Simd> {
        let mut levels = vec![Simd::Portable];
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        {
            if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                levels.push(Simd::Avx2Fma);
            }
            if is_x86_feature_detected!("avx512f")
                && is_x86_feature_detected!("avx2")
                && is_x86_feature_detected!("fma")
            {
                levels.push(Simd::Avx512);
            }
        }
        levels
    }
}
