//! Small numeric kernels of the training loop: the original tool's random generator and sigmoid
//! table, a dot product written so that the compiler vectorises it, and the choice, made at
//! run time, of the vector instructions the loop is compiled for.

/// Which compiled copy of the training loop runs. A crate that depends on ours is built for
/// plain x86-64 (SSE2), so the loop is also compiled for AVX2 and FMA, and chosen when the CPU
/// has them.
///
/// Invariant: `Avx2Fma` exists only if this CPU supports it (it comes from
/// [`Kernels::detected`] or [`Kernels::available`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kernels {
    /// Whatever the build targets.
    Portable,
    /// AVX2 and FMA.
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    Avx2Fma,
}

impl Kernels {
    /// The widest copy this CPU runs.
    pub(super) fn detected() -> Kernels {
        *Kernels::available().last().unwrap()
    }

    /// Every copy this CPU runs, `Portable` first.
    pub(super) fn available() -> Vec<Kernels> {
        let mut kernels = vec![Kernels::Portable];
        #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
        if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
            kernels.push(Kernels::Avx2Fma);
        }
        kernels
    }
}

/// The linear congruential generator of the original tool and gensim: one multiply-add per draw.
#[derive(Debug, Clone)]
pub struct Lcg(u64);

impl Lcg {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Self {
        Lcg(seed)
    }

    /// The next raw 64-bit state.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(25_214_903_917).wrapping_add(11);
        self.0
    }

    /// A 32-bit draw: the high half of the state (the low bits of an LCG are weak).
    #[inline]
    pub fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
}

/// Arguments beyond ±`MAX_EXP` saturate the sigmoid, as in the original tool.
pub const MAX_EXP: f32 = 6.0;
const EXP_TABLE_SIZE: usize = 1000;

/// The original tool's precomputed sigmoid on [-MAX_EXP, MAX_EXP] in 1000 steps.
#[derive(Debug, Clone)]
pub struct SigmoidTable(Vec<f32>);

impl Default for SigmoidTable {
    fn default() -> Self {
        SigmoidTable(
            (0..EXP_TABLE_SIZE)
                .map(|i| {
                    let x = (i as f32 / EXP_TABLE_SIZE as f32 * 2.0 - 1.0) * MAX_EXP;
                    let e = x.exp();
                    e / (e + 1.0)
                })
                .collect(),
        )
    }
}

impl SigmoidTable {
    /// sigmoid(x) for `-MAX_EXP < x < MAX_EXP` (the caller handles the saturated ends).
    #[inline]
    pub fn get(&self, x: f32) -> f32 {
        let i = ((x + MAX_EXP) * (EXP_TABLE_SIZE as f32 / MAX_EXP / 2.0)) as usize;
        self.0[i.min(EXP_TABLE_SIZE - 1)]
    }
}

/// Dot product over fixed blocks of 16 with 16 independent partial sums, so the loop compiles to
/// SIMD lanes (a single running sum would force sequential float additions).
#[inline(always)]
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    let n = a.len().min(b.len());
    let (ca, ra) = a[..n].as_chunks::<16>();
    let (cb, rb) = b[..n].as_chunks::<16>();
    let mut acc = [0.0f32; 16];
    for (x, y) in ca.iter().zip(cb) {
        for k in 0..16 {
            acc[k] += x[k] * y[k];
        }
    }
    let mut s: f32 = acc.iter().sum();
    for (x, y) in ra.iter().zip(rb) {
        s += x * y;
    }
    s
}

/// `y += a * x`.
#[inline(always)]
pub fn axpy(a: f32, x: &[f32], y: &mut [f32]) {
    for (yi, xi) in y.iter_mut().zip(x) {
        *yi += a * xi;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kernels_agree_with_plain_maths() {
        let a: Vec<f32> = (0..19).map(|i| i as f32 * 0.5).collect();
        let b: Vec<f32> = (0..19).map(|i| 1.0 - i as f32 * 0.1).collect();
        let plain: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        assert!((dot(&a, &b) - plain).abs() < 1e-4);
        let mut y = b.clone();
        axpy(2.0, &a, &mut y);
        assert_eq!(y[3], b[3] + 2.0 * a[3]);
        let s = SigmoidTable::default();
        for x in [-5.9f32, -1.0, 0.0, 0.3, 5.9] {
            assert!((s.get(x) - 1.0 / (1.0 + (-x).exp())).abs() < 0.01);
        }
        let mut r = Lcg::new(1);
        assert_eq!(r.next_u64(), 25_214_903_928);
    }
}
