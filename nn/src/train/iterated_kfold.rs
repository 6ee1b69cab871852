//! Iterated K-fold validation with shuffling (Chollet, *Deep Learning with Python*, §4.2.1):
//! K-fold cross-validation repeated P times, the rows shuffled afresh before each repetition,
//! so the score — the mean of the P × K validation histories — depends less on one particular
//! partition. It costs P × K trainings; the book suggests it when data is scarce. scikit-learn
//! calls it `RepeatedKFold`.

use autodiff_core::{Float, Module, Tensor};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

use super::kfold::{check_folds, contiguous_folds, validate_folds};
use super::model::check_rows;
use super::{CrossValidation, Feed, FitError, FitOptions, Fold, KFoldError, Model};

/// `iterations` rounds of `k`-fold cross-validation, each on a new seeded shuffle of the rows.
///
/// ```
/// use nn::train::IteratedKFold;
/// let rounds = IteratedKFold { k: 3, iterations: 2, seed: 7 }.splits(10).unwrap();
/// assert_eq!((rounds.len(), rounds[0].len()), (2, 3));
/// for folds in &rounds {
///     // within a round, every row is held out exactly once
///     let mut held_out: Vec<usize> = folds.iter().flat_map(|(_, val)| val.clone()).collect();
///     held_out.sort();
///     assert_eq!(held_out, (0..10).collect::<Vec<_>>());
/// }
/// assert_ne!(rounds[0], rounds[1]); // a new shuffle each round
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IteratedKFold {
    /// The folds of each round (at least 2).
    pub k: usize,
    /// How many rounds (P); 0 rounds train nothing.
    pub iterations: usize,
    /// Seed of the shuffles: the same seed gives the same rounds.
    pub seed: u64,
}

impl IteratedKFold {
    /// The folds of every round, `[round][fold] = (training rows, validation rows)`, for `n`
    /// rows. Round `p` cuts the `p`-th permutation drawn from one generator seeded with `seed`
    /// into `k` contiguous folds (the first `n % k` one row larger, as [`KFold`](super::KFold)).
    /// An error if `k < 2` or `k > n`.
    pub fn splits(&self, n: usize) -> Result<Vec<Vec<Fold>>, KFoldError> {
        check_folds(self.k, n)?;
        let mut rng = StdRng::seed_from_u64(self.seed);
        let rounds = (0..self.iterations)
            .map(|_| {
                let mut order: Vec<usize> = (0..n).collect();
                order.shuffle(&mut rng);
                contiguous_folds(&order, self.k)
            })
            .collect();
        Ok(rounds)
    }

    /// Trains `build(i)` for each of the P × K folds (`i = round · k + fold`) on its training
    /// rows, validating on its held-out rows (`options.validation` is replaced). The result's
    /// `folds` are in that order, and its `mean` is their per-epoch mean: the iterated score.
    /// Fails before training if `x` and `y` differ in rows or the rows cannot be split.
    pub fn cross_validate<T: Float, X: Feed<T, N>, N: Module<T>>(
        &self,
        x: &X,
        y: &Tensor<T>,
        build: impl FnMut(usize) -> Model<T, N>,
        options: &FitOptions<'_, T, X>,
    ) -> Result<CrossValidation, FitError> {
        let rounds = self.splits(check_rows("training", x, y)?)?;
        validate_folds(x, y, rounds.into_iter().flatten().collect(), build, options)
    }
}
