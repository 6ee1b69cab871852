//! Feature scaling fitted on training data only, then applied unchanged to validation and
//! test data (fitting on all data leaks the test set into training).
//!
//! - standardization: (x − μ) / σ per column, σ the population standard deviation (NumPy's
//!   `std()`, as the course uses); a constant column is left centred, not divided by 0;
//! - min-max: (x − min) / (max − min) per column, into [0, 1] on the training data.
//!
//! ```
//! use autodiff_core::Tensor;
//! use nn::data::Standardizer;
//! let train = Tensor::from_vec(vec![1.0_f32, 10.0, 3.0, 30.0], [2, 2]);
//! let scaler = Standardizer::fit(&train);
//! assert_eq!(scaler.transform(&train).data(), &[-1.0, -1.0, 1.0, 1.0]);
//! let test = Tensor::from_vec(vec![2.0, 50.0], [1, 2]);
//! assert_eq!(scaler.transform(&test).data(), &[0.0, 3.0]);
//! ```

use autodiff_core::{Float, Tensor};

/// Per-column (x − offset) / scale.
fn affine<T: Float>(x: &Tensor<T>, offset: &[f64], scale: &[f64]) -> Tensor<T> {
    let cols = offset.len();
    assert!(
        x.dims().last() == Some(&cols),
        "scaler: fitted on {cols} columns, given {}",
        x.shape()
    );
    let mut out = x.clone();
    for (k, v) in out.data_mut().iter_mut().enumerate() {
        let c = k % cols;
        *v = T::lit((v.to_f64().unwrap() - offset[c]) / scale[c]);
    }
    out
}

/// Per-column statistics of a `[rows, cols]` tensor, skipping NaN.
fn columns<T: Float>(x: &Tensor<T>) -> Vec<Vec<f64>> {
    let cols = *x.dims().last().expect("scaler: a scalar has no columns");
    let mut out = vec![Vec::new(); cols];
    for (k, v) in x.data().iter().enumerate() {
        let v = v.to_f64().unwrap();
        if !v.is_nan() {
            out[k % cols].push(v);
        }
    }
    out
}

/// Standardization fitted on training data.
#[derive(Clone, Debug, PartialEq)]
pub struct Standardizer {
    /// Per-column means.
    pub mean: Vec<f64>,
    /// Per-column (population) standard deviations, 1 for constant columns.
    pub std: Vec<f64>,
}

impl Standardizer {
    /// Fits the column means and standard deviations of `train` (`[rows, cols]`).
    pub fn fit<T: Float>(train: &Tensor<T>) -> Self {
        let (mut mean, mut std) = (Vec::new(), Vec::new());
        for col in columns(train) {
            let n = col.len().max(1) as f64;
            let m = col.iter().sum::<f64>() / n;
            let s = (col.iter().map(|v| (v - m).powi(2)).sum::<f64>() / n).sqrt();
            mean.push(m);
            std.push(if s > 0.0 { s } else { 1.0 });
        }
        Standardizer { mean, std }
    }

    /// (x − μ) / σ with the fitted statistics.
    ///
    /// # Panics
    /// If `x` does not have the fitted number of columns.
    pub fn transform<T: Float>(&self, x: &Tensor<T>) -> Tensor<T> {
        affine(x, &self.mean, &self.std)
    }
}

/// Min-max scaling fitted on training data.
#[derive(Clone, Debug, PartialEq)]
pub struct MinMaxScaler {
    /// Per-column minima.
    pub min: Vec<f64>,
    /// Per-column ranges (max − min), 1 for constant columns.
    pub range: Vec<f64>,
}

impl MinMaxScaler {
    /// Fits the column minima and ranges of `train`.
    pub fn fit<T: Float>(train: &Tensor<T>) -> Self {
        let (mut min, mut range) = (Vec::new(), Vec::new());
        for col in columns(train) {
            let lo = col.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = col.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            min.push(if lo.is_finite() { lo } else { 0.0 });
            range.push(if hi > lo { hi - lo } else { 1.0 });
        }
        MinMaxScaler { min, range }
    }

    /// (x − min) / (max − min) with the fitted statistics.
    ///
    /// # Panics
    /// If `x` does not have the fitted number of columns.
    pub fn transform<T: Float>(&self, x: &Tensor<T>) -> Tensor<T> {
        affine(x, &self.min, &self.range)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fitted_on_train_only() {
        let train = Tensor::from_vec(vec![0.0_f64, 5.0, 10.0, 5.0], [2, 2]);
        let test = Tensor::from_vec(vec![20.0, 5.0], [1, 2]);
        let mm = MinMaxScaler::fit(&train);
        assert_eq!(mm.transform(&test).data(), &[2.0, 0.0]);
        let st = Standardizer::fit(&train);
        assert_eq!(
            (st.mean.clone(), st.std.clone()),
            (vec![5.0, 5.0], vec![5.0, 1.0])
        );
        assert_eq!(st.transform(&test).data(), &[3.0, 0.0]);
    }
}
