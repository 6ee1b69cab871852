//! Train/validation/test splits of row indices, and a batching iterator.
//!
//! ```
//! use nn::data::{Batches, train_val_test_split};
//! let split = train_val_test_split(10, 0.2, 0.2, Some(1));
//! assert_eq!((split.train.len(), split.val.len(), split.test.len()), (6, 2, 2));
//! let sizes: Vec<usize> = Batches::new(10, 4, None).map(|b| b.len()).collect();
//! assert_eq!(sizes, [4, 4, 2]);
//! ```

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// Row indices of a three-way split.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Split {
    /// Training rows.
    pub train: Vec<usize>,
    /// Validation rows.
    pub val: Vec<usize>,
    /// Test rows.
    pub test: Vec<usize>,
}

/// Splits `n` rows into train, validation and test parts (fractions rounded to whole rows),
/// after a shuffle when `seed` is given; otherwise the test rows are the last ones and the
/// validation rows the ones before them.
///
/// # Panics
/// If the fractions are negative or add up to more than 1.
pub fn train_val_test_split(n: usize, val: f64, test: f64, seed: Option<u64>) -> Split {
    assert!(
        val >= 0.0 && test >= 0.0 && val + test <= 1.0,
        "split: fractions {val} and {test}"
    );
    let mut order: Vec<usize> = (0..n).collect();
    if let Some(seed) = seed {
        order.shuffle(&mut StdRng::seed_from_u64(seed));
    }
    let n_test = (n as f64 * test).round() as usize;
    let n_val = ((n as f64 * val).round() as usize).min(n - n_test);
    let n_train = n - n_test - n_val;
    Split {
        train: order[..n_train].to_vec(),
        val: order[n_train..n_train + n_val].to_vec(),
        test: order[n_train + n_val..].to_vec(),
    }
}

/// The row indices of successive mini-batches, shuffled once when seeded.
pub struct Batches {
    order: Vec<usize>,
    batch: usize,
    next: usize,
}

impl Batches {
    /// Batches of `batch` rows (the last one smaller) over `n` rows.
    pub fn new(n: usize, batch: usize, shuffle_seed: Option<u64>) -> Self {
        let mut order: Vec<usize> = (0..n).collect();
        if let Some(seed) = shuffle_seed {
            order.shuffle(&mut StdRng::seed_from_u64(seed));
        }
        Batches {
            order,
            batch: batch.max(1),
            next: 0,
        }
    }
}

impl Iterator for Batches {
    type Item = Vec<usize>;

    fn next(&mut self) -> Option<Vec<usize>> {
        if self.next >= self.order.len() {
            return None;
        }
        let end = (self.next + self.batch).min(self.order.len());
        let out = self.order[self.next..end].to_vec();
        self.next = end;
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_partition_the_rows() {
        let s = train_val_test_split(101, 0.1, 0.2, Some(3));
        let mut all: Vec<usize> = [s.train.clone(), s.val.clone(), s.test.clone()].concat();
        all.sort();
        assert_eq!(all, (0..101).collect::<Vec<_>>());
        assert_eq!((s.val.len(), s.test.len()), (10, 20));
        let fixed = train_val_test_split(10, 0.2, 0.3, None);
        assert_eq!((fixed.val, fixed.test), (vec![5, 6], vec![7, 8, 9]));
        let mut seen: Vec<usize> = Batches::new(7, 3, Some(1)).flatten().collect();
        seen.sort();
        assert_eq!(seen, (0..7).collect::<Vec<_>>());
    }
}
