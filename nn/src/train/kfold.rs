//! K-fold cross-validation, as the course does for Boston housing: split the rows into k folds,
//! train a fresh model on k − 1 of them and validate on the one left out, k times; report every
//! fold's [`History`] and their per-epoch mean.

use autodiff_core::{Float, Module, Tensor};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::model::check_rows;
use super::{Batchable, Feed, FitError, FitOptions, History, Model, Validation};

/// Why rows cannot be split into `k` folds (scikit-learn raises the same two).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum KFoldError {
    /// Fewer than two folds leave nothing to validate on, or nothing to train on.
    #[error("K-fold needs k ≥ 2 folds, got k = {k} (for {n} rows)")]
    TooFewFolds {
        /// The folds asked for.
        k: usize,
        /// The rows to split.
        n: usize,
    },
    /// More folds than rows would leave a fold empty.
    #[error("K-fold: k = {k} folds but only {n} rows (each fold needs at least one row)")]
    MoreFoldsThanRows {
        /// The folds asked for.
        k: usize,
        /// The rows to split.
        n: usize,
    },
}

/// One fold's `(training rows, validation rows)`.
pub type Fold = (Vec<usize>, Vec<usize>);

/// How to split rows into folds (scikit-learn's `KFold`: contiguous folds, the first
/// `n % k` one row larger, optionally after a seeded shuffle).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KFold {
    /// The number of folds (at least 2).
    pub k: usize,
    /// Shuffle the rows before splitting.
    pub shuffle: bool,
    /// Seed of the shuffle.
    pub seed: u64,
}

/// The result of [`KFold::cross_validate`].
#[derive(Clone, Debug)]
pub struct CrossValidation {
    /// Each fold's history.
    pub folds: Vec<History>,
    /// The per-epoch mean over folds.
    pub mean: History,
}

impl KFold {
    /// `(training rows, validation rows)` of every fold, for `n` rows; an error if `k < 2` or
    /// `k > n`.
    ///
    /// ```
    /// use nn::train::{KFold, KFoldError};
    /// let folds = KFold { k: 3, shuffle: false, seed: 0 }.splits(7).unwrap();
    /// assert_eq!(folds[0].1, [0, 1, 2]);
    /// assert_eq!(folds[2], (vec![0, 1, 2, 3, 4], vec![5, 6]));
    /// let too_many = KFold { k: 8, shuffle: false, seed: 0 }.splits(7);
    /// assert_eq!(too_many, Err(KFoldError::MoreFoldsThanRows { k: 8, n: 7 }));
    /// ```
    pub fn splits(&self, n: usize) -> Result<Vec<Fold>, KFoldError> {
        let k = self.k;
        check_folds(k, n)?;
        let mut order: Vec<usize> = (0..n).collect();
        if self.shuffle {
            order.shuffle(&mut StdRng::seed_from_u64(self.seed));
        }
        Ok(contiguous_folds(&order, k))
    }

    /// Trains `build(fold)` on each fold's training rows, validating on its held-out rows.
    /// `options.validation` is replaced by the fold. The inputs may be of any [`Batchable`] type
    /// the network reads (see [`Feed`]); the targets are dense. Fails before training if `x` and `y` differ
    /// in rows or the rows cannot be split into `k` folds.
    pub fn cross_validate<T: Float, X: Feed<T, N>, N: Module<T>>(
        &self,
        x: &X,
        y: &Tensor<T>,
        build: impl FnMut(usize) -> Model<T, N>,
        options: &FitOptions<'_, T, X>,
    ) -> Result<CrossValidation, FitError> {
        let splits = self.splits(check_rows("training", x, y)?)?;
        validate_folds(x, y, splits, build, options)
    }
}

/// Whether `n` rows can be split into `k` folds.
pub(super) fn check_folds(k: usize, n: usize) -> Result<(), KFoldError> {
    if k < 2 {
        return Err(KFoldError::TooFewFolds { k, n });
    }
    if k > n {
        return Err(KFoldError::MoreFoldsThanRows { k, n });
    }
    Ok(())
}

/// `order` cut into `k` contiguous folds, the first `order.len() % k` one row larger: each
/// fold's `(the other rows, its rows)`. Needs `2 ≤ k ≤ order.len()`.
pub(super) fn contiguous_folds(order: &[usize], k: usize) -> Vec<Fold> {
    let n = order.len();
    let mut start = 0;
    (0..k)
        .map(|f| {
            let len = n / k + usize::from(f < n % k);
            let val = order[start..start + len].to_vec();
            let train = order[..start]
                .iter()
                .chain(&order[start + len..])
                .copied()
                .collect();
            start += len;
            (train, val)
        })
        .collect()
}

/// Trains `build(f)` on the training rows of fold `f` of `splits`, validating on its held-out
/// rows (replacing `options.validation`); every fold's history and their per-epoch mean.
pub(super) fn validate_folds<T: Float, X: Feed<T, N>, N: Module<T>>(
    x: &X,
    y: &Tensor<T>,
    splits: Vec<Fold>,
    mut build: impl FnMut(usize) -> Model<T, N>,
    options: &FitOptions<'_, T, X>,
) -> Result<CrossValidation, FitError> {
    let mut folds = Vec::with_capacity(splits.len());
    for (f, (train, val)) in splits.into_iter().enumerate() {
        let (tx, ty) = (x.select_rows(&train), y.select_rows(&train));
        let (vx, vy) = (x.select_rows(&val), y.select_rows(&val));
        let opts = FitOptions {
            validation: Validation::Data(&vx, &vy),
            ..options.clone()
        };
        folds.push(build(f).fit(&tx, &ty, &opts, &mut [])?);
    }
    let mean = History::mean(&folds);
    Ok(CrossValidation { folds, mean })
}
