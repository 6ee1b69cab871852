//! Training settings, with the original tool's flags and defaults.

use super::error::Word2VecError;

/// How to train; [`Default`] gives the original `word2vec` tool's defaults.
#[derive(Debug, Clone)]
pub struct TrainConfig {
    /// Vector dimension (`-size`, default 100).
    pub dim: usize,
    /// Maximal context window on each side (`-window`, default 5); the window used for each word
    /// is drawn uniformly from `1..=window`.
    pub window: usize,
    /// Subsampling threshold (`-sample`, default 1e-3; 0 disables).
    pub sample: f64,
    /// Train with hierarchical softmax (`-hs`, default off).
    pub hs: bool,
    /// Number of negative samples (`-negative`, default 5; 0 disables negative sampling).
    pub negative: usize,
    /// Worker threads (`-threads`, default 12).
    pub threads: usize,
    /// Passes over the corpus (`-iter`, default 5).
    pub epochs: usize,
    /// Starting learning rate (`-alpha`); `None` means 0.05 for CBOW and 0.025 for skip-gram.
    pub alpha: Option<f32>,
    /// The learning rate decays linearly to `alpha * min_alpha_ratio` (the original's 1e-4).
    pub min_alpha_ratio: f32,
    /// What the linear decay of the learning rate is measured against (`-alpha-decay`).
    pub alpha_decay: AlphaDecay,
    /// CBOW (`-cbow 1`, the default) or skip-gram (`-cbow 0`).
    pub cbow: bool,
    /// CBOW averages the context vectors (true, as the original) or sums them.
    pub cbow_mean: bool,
    /// Seed of the initial vectors and of each thread's random stream.
    pub seed: u64,
    /// Show a progress bar on standard error (it stays quiet when that is not a terminal).
    pub progress: bool,
}

/// How training progress, which drives the learning rate's linear decay, is counted.
///
/// ```
/// use nn::word2vec::AlphaDecay;
/// assert_eq!("per-thread".parse::<AlphaDecay>(), Ok(AlphaDecay::PerThread));
/// assert!("linear".parse::<AlphaDecay>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlphaDecay {
    /// Words read by all threads together, out of the whole run: the rate falls steadily from
    /// its start to its floor. The original tool's schedule, and gensim's when it trains from an
    /// iterable (`-alpha-decay global`).
    Global,
    /// Words read by this thread in the current epoch, out of the corpus, added to the epochs
    /// done: gensim's schedule in `corpus_file` mode when it is given the corpus's word count
    /// (`-alpha-decay per-thread`). With `T` threads each thread reads `1/T` of the corpus per
    /// epoch, so within an epoch the rate falls only `1/T` of that epoch's step, drops at the
    /// next epoch's start, and ends at `alpha * (1 - 1/T) / epochs` instead of at the floor: a
    /// higher mean rate, which helps vectors that are far from converged (small corpora, few
    /// epochs). The default: at 2 threads it scored better than [`AlphaDecay::Global`] on
    /// every seed measured (the README's word2vec section).
    PerThread,
}

impl std::str::FromStr for AlphaDecay {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "global" => Ok(AlphaDecay::Global),
            "per-thread" => Ok(AlphaDecay::PerThread),
            _ => Err(format!("{s:?} is not global or per-thread")),
        }
    }
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            dim: 100,
            window: 5,
            sample: 1e-3,
            hs: false,
            negative: 5,
            threads: 12,
            epochs: 5,
            alpha: None,
            min_alpha_ratio: 1e-4,
            alpha_decay: AlphaDecay::PerThread,
            cbow: true,
            cbow_mean: true,
            seed: 1,
            progress: true,
        }
    }
}

impl TrainConfig {
    /// The starting learning rate actually used.
    pub fn start_alpha(&self) -> f32 {
        self.alpha.unwrap_or(if self.cbow { 0.05 } else { 0.025 })
    }

    /// Checks that every value is in range.
    pub fn validate(&self) -> Result<(), Word2VecError> {
        let bad = |m: &str| Err(Word2VecError::Config(m.into()));
        if self.dim == 0 {
            return bad("size must be at least 1");
        }
        if self.window == 0 {
            return bad("window must be at least 1");
        }
        if self.threads == 0 {
            return bad("threads must be at least 1");
        }
        if self.epochs == 0 {
            return bad("iter must be at least 1");
        }
        if !self.hs && self.negative == 0 {
            return bad("need hierarchical softmax (hs 1) or negative sampling (negative > 0)");
        }
        if !(self.sample >= 0.0 && self.sample.is_finite()) {
            return bad("sample must be a finite number >= 0");
        }
        let a = self.start_alpha();
        if !(a > 0.0 && a.is_finite()) {
            return bad("alpha must be a finite number > 0");
        }
        if !(0.0..=1.0).contains(&self.min_alpha_ratio) {
            return bad("min_alpha_ratio must be in [0, 1]");
        }
        Ok(())
    }
}
