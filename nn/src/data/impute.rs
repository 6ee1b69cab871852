//! Missing values (NaN): an [`Imputer`] fitted on training data fills them per column, with an
//! optional 0/1 indicator column per feature that had missing values; [`augment_missing`] is
//! the course's trick for test data with missing features the training data never lacks: copy
//! some training samples with those features dropped, so the network learns to cope.
//!
//! ```
//! use autodiff_core::Tensor;
//! use nn::data::{Imputer, Strategy};
//! let train = Tensor::from_vec(vec![1.0_f32, f32::NAN, 3.0, 4.0, 5.0, 8.0], [3, 2]);
//! let imputer = Imputer::fit(&train, Strategy::Mean, true);
//! let filled = imputer.transform(&train);
//! assert_eq!(filled.dims(), &[3, 3]); // two features and one indicator
//! assert_eq!(filled.data(), &[1.0, 6.0, 1.0, 3.0, 4.0, 0.0, 5.0, 8.0, 0.0]);
//! ```

use autodiff_core::{Float, Tensor};
use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// What to fill a missing value with (scikit-learn's `SimpleImputer` strategies).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Strategy {
    /// The column's mean.
    Mean,
    /// The column's median.
    Median,
    /// The column's most frequent value (the smallest on ties).
    MostFrequent,
    /// A fixed value.
    Constant(f64),
}

/// Per-column fill values fitted on training data, and which columns get an indicator.
#[derive(Clone, Debug, PartialEq)]
pub struct Imputer {
    /// The value each column's missing entries become.
    pub fill: Vec<f64>,
    /// Columns that get a missing-value indicator (those with a NaN in the training data).
    pub indicator: Vec<usize>,
}

impl Imputer {
    /// Fits fill values on `train` (`[rows, cols]`, NaN where missing); with `add_indicator`,
    /// every column that has a missing value in `train` gets a 0/1 indicator column.
    pub fn fit<T: Float>(train: &Tensor<T>, strategy: Strategy, add_indicator: bool) -> Self {
        let cols = *train
            .dims()
            .last()
            .expect("Imputer: a scalar has no columns");
        let mut present = vec![Vec::new(); cols];
        let mut has_missing = vec![false; cols];
        for (k, v) in train.data().iter().enumerate() {
            let v = v.to_f64().unwrap();
            if v.is_nan() {
                has_missing[k % cols] = true;
            } else {
                present[k % cols].push(v);
            }
        }
        let fill = present
            .into_iter()
            .map(|mut col| fill_value(&mut col, strategy))
            .collect();
        let indicator = (0..cols)
            .filter(|&c| add_indicator && has_missing[c])
            .collect();
        Imputer { fill, indicator }
    }

    /// `x` with missing values filled, followed by the indicator columns.
    ///
    /// # Panics
    /// If `x` does not have the fitted number of columns.
    pub fn transform<T: Float>(&self, x: &Tensor<T>) -> Tensor<T> {
        let cols = self.fill.len();
        assert!(
            x.dims().last() == Some(&cols),
            "Imputer: fitted on {cols} columns, given {}",
            x.shape()
        );
        let rows = x.numel() / cols.max(1);
        let width = cols + self.indicator.len();
        let mut out = Vec::with_capacity(rows * width);
        for row in x.data().chunks(cols.max(1)) {
            out.extend(
                row.iter()
                    .zip(&self.fill)
                    .map(|(&v, &f)| if v.is_nan() { T::lit(f) } else { v }),
            );
            out.extend(
                self.indicator
                    .iter()
                    .map(|&c| if row[c].is_nan() { T::one() } else { T::zero() }),
            );
        }
        Tensor::from_vec(out, [rows, width])
    }
}

fn fill_value(col: &mut [f64], strategy: Strategy) -> f64 {
    if col.is_empty() {
        return match strategy {
            Strategy::Constant(c) => c,
            _ => 0.0,
        };
    }
    col.sort_by(f64::total_cmp);
    match strategy {
        Strategy::Mean => col.iter().sum::<f64>() / col.len() as f64,
        Strategy::Median => {
            let m = col.len() / 2;
            if col.len() % 2 == 1 {
                col[m]
            } else {
                0.5 * (col[m - 1] + col[m])
            }
        }
        Strategy::MostFrequent => {
            let (mut best, mut best_count, mut k) = (col[0], 0, 0);
            while k < col.len() {
                let run = col[k..].iter().take_while(|&&v| v == col[k]).count();
                if run > best_count {
                    (best, best_count) = (col[k], run);
                }
                k += run;
            }
            best
        }
        Strategy::Constant(c) => c,
    }
}

/// Appends `copies` copies of randomly chosen rows of `x` (and their targets) in which the
/// `features` columns are missing (NaN), for an [`Imputer`] to fill: the course's augmentation
/// for test data with features the training data always has.
///
/// # Panics
/// If a feature index is out of range or `x` and `y` have different numbers of rows.
pub fn augment_missing<T: Float>(
    x: &Tensor<T>,
    y: &Tensor<T>,
    features: &[usize],
    copies: usize,
    seed: u64,
) -> (Tensor<T>, Tensor<T>) {
    let (rows, cols) = (x.dims()[0], x.numel() / x.dims()[0].max(1));
    assert!(
        features.iter().all(|&f| f < cols),
        "augment_missing: feature out of range"
    );
    assert!(
        y.dims().first() == Some(&rows),
        "augment_missing: {} rows but targets {}",
        rows,
        y.shape()
    );
    let mut order: Vec<usize> = (0..rows).collect();
    order.shuffle(&mut StdRng::seed_from_u64(seed));
    let picked: Vec<usize> = order.iter().cycle().take(copies).copied().collect();
    let mut extra = x.index_select(0, &picked);
    for row in extra.data_mut().chunks_mut(cols.max(1)) {
        features.iter().for_each(|&f| row[f] = T::nan());
    }
    let x = Tensor::concat(&[x, &extra], 0);
    let y = Tensor::concat(&[y, &y.index_select(0, &picked)], 0);
    (x, y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_strategy() {
        let nan = f64::NAN;
        let train = Tensor::from_vec(vec![1.0, 2.0, 2.0, 9.0, nan], [5, 1]);
        let fill = |s| Imputer::fit(&train, s, false).fill[0];
        assert_eq!(fill(Strategy::Mean), 3.5);
        assert_eq!(fill(Strategy::Median), 2.0);
        assert_eq!(fill(Strategy::MostFrequent), 2.0);
        assert_eq!(fill(Strategy::Constant(-1.0)), -1.0);
        // fitted on train only: a test NaN gets the train fill
        let test = Tensor::from_vec(vec![nan], [1, 1]);
        assert_eq!(
            Imputer::fit(&train, Strategy::Mean, false)
                .transform(&test)
                .data(),
            &[3.5]
        );
    }

    #[test]
    fn augmentation_copies_rows_with_features_dropped() {
        let x = Tensor::from_vec(vec![1.0_f32, 2.0, 3.0, 4.0], [2, 2]);
        let y = Tensor::from_vec(vec![0.0, 1.0], [2, 1]);
        let (ax, ay) = augment_missing(&x, &y, &[1], 3, 0);
        assert_eq!((ax.dims(), ay.dims()), (&[5, 2][..], &[5, 1][..]));
        for r in 2..5 {
            assert!(ax.get(&[r, 1]).is_nan());
            let original = if ax.get(&[r, 0]) == 1.0 { 0.0 } else { 1.0 };
            assert_eq!(ay.get(&[r, 0]), original);
        }
    }
}
