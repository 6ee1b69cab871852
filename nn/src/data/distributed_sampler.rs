//! [`DistributedSampler`]: each process's share of every epoch's shuffled order, with PyTorch's
//! `torch.utils.data.DistributedSampler` semantics; [`shard`] is the same split of an order
//! computed elsewhere (the one `fit` shuffles).
//!
//! Every process builds the same permutation from the shared seed and the epoch, so no
//! indices travel between processes. An order of `n` rows split over `replicas` processes is
//! first made a multiple of `replicas` long (see [`UnevenTail`]), then process `rank` takes
//! positions `rank, rank + replicas, rank + 2·replicas, …`. So the `k`-th batch of `B` rows on
//! every rank together are exactly rows `k·B·replicas .. (k+1)·B·replicas` of the order: one
//! process reading that order in batches of `B·replicas` sees the same batches.
//!
//! ```
//! use nn::data::{DistributedSampler, UnevenTail};
//! // 10 rows over 3 processes: PyTorch's default pads by wrapping to 12 (4 a rank).
//! let padded: Vec<Vec<usize>> =
//!     (0..3).map(|r| DistributedSampler::new(10, 3, r).shuffle(false).indices(0)).collect();
//! assert_eq!(padded, [vec![0, 3, 6, 9], vec![1, 4, 7, 0], vec![2, 5, 8, 1]]);
//! // drop_last: 9 rows are used (3 a rank), the last one is left out this epoch.
//! let dropped = DistributedSampler::new(10, 3, 2).shuffle(false).tail(UnevenTail::Drop);
//! assert_eq!(dropped.indices(0), [2, 5, 8]);
//! ```

use rand::SeedableRng;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;

/// What happens to the rows of an order whose length is not a multiple of the process count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum UnevenTail {
    /// Repeat rows from the start of the order until every process has as many (PyTorch's
    /// default, `drop_last=False`): a few rows count twice in the epoch.
    #[default]
    Pad,
    /// Leave the last `n mod replicas` rows of the order out (`drop_last=True`); with shuffling
    /// a different few are left out each epoch.
    Drop,
}

/// Process `rank`'s share of `order` split over `replicas` processes, as the module docs
/// describe: padded or cut to a multiple of `replicas` (see [`UnevenTail`]), then every
/// `replicas`-th position from `rank`. An empty order gives an empty share.
///
/// # Panics
/// If `replicas` is 0 or `rank` is not below it.
pub fn shard(order: &[usize], replicas: usize, rank: usize, tail: UnevenTail) -> Vec<usize> {
    assert!(
        rank < replicas,
        "shard: rank {rank} is not below the number of processes {replicas}"
    );
    if order.is_empty() {
        return Vec::new();
    }
    let total = match tail {
        UnevenTail::Pad => order.len().div_ceil(replicas) * replicas,
        UnevenTail::Drop => order.len() / replicas * replicas,
    };
    (rank..total)
        .step_by(replicas)
        .map(|i| order[i % order.len()])
        .collect()
}

/// One process's rows of each epoch, the same permutation on every process (see the module
/// docs). Built with PyTorch's defaults: shuffled, seed 0, padded tail.
#[derive(Debug, Clone)]
pub struct DistributedSampler {
    len: usize,
    replicas: usize,
    rank: usize,
    shuffle: bool,
    seed: u64,
    tail: UnevenTail,
}

impl DistributedSampler {
    /// Process `rank` of `replicas` over a data set of `len` rows.
    ///
    /// # Panics
    /// If `replicas` is 0 or `rank` is not below it.
    pub fn new(len: usize, replicas: usize, rank: usize) -> Self {
        assert!(
            rank < replicas,
            "DistributedSampler: rank {rank} is not below the number of processes {replicas}"
        );
        DistributedSampler {
            len,
            replicas,
            rank,
            shuffle: true,
            seed: 0,
            tail: UnevenTail::Pad,
        }
    }

    /// Whether each epoch's order is a fresh permutation (the default) or `0..len`.
    pub fn shuffle(mut self, shuffle: bool) -> Self {
        self.shuffle = shuffle;
        self
    }

    /// The seed every process shares; epoch `e` is shuffled with `seed + e`, as PyTorch does.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Padding or dropping the rows that do not split evenly.
    pub fn tail(mut self, tail: UnevenTail) -> Self {
        self.tail = tail;
        self
    }

    /// The rows of the whole epoch before it is split: the same on every process.
    pub fn epoch_order(&self, epoch: u64) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.len).collect();
        if self.shuffle {
            order.shuffle(&mut StdRng::seed_from_u64(self.seed.wrapping_add(epoch)));
        }
        order
    }

    /// This process's rows of epoch `epoch`, in the order to read them.
    pub fn indices(&self, epoch: u64) -> Vec<usize> {
        shard(
            &self.epoch_order(epoch),
            self.replicas,
            self.rank,
            self.tail,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shares_of_an_epoch_interleave_back_into_its_order() {
        for replicas in 1..5 {
            let samplers: Vec<_> = (0..replicas)
                .map(|r| DistributedSampler::new(12, replicas, r).seed(3))
                .collect();
            let order = samplers[0].epoch_order(2);
            let shares: Vec<Vec<usize>> = samplers.iter().map(|s| s.indices(2)).collect();
            let per_rank = 12_usize.div_ceil(replicas);
            let woven: Vec<usize> = (0..per_rank * replicas)
                .map(|i| shares[i % replicas][i / replicas])
                .collect();
            let expected: Vec<usize> = (0..per_rank * replicas).map(|i| order[i % 12]).collect();
            assert_eq!(woven, expected, "{replicas} processes");
        }
    }

    #[test]
    fn every_process_gets_as_many_rows() {
        for (tail, expected) in [(UnevenTail::Pad, 4), (UnevenTail::Drop, 3)] {
            for rank in 0..3 {
                let s = DistributedSampler::new(11, 3, rank).tail(tail);
                assert_eq!(s.indices(0).len(), expected, "{tail:?} rank {rank}");
            }
        }
    }

    #[test]
    fn padding_wraps_even_when_there_are_fewer_rows_than_processes() {
        let shares: Vec<Vec<usize>> = (0..5)
            .map(|r| shard(&[7, 8], 5, r, UnevenTail::Pad))
            .collect();
        assert_eq!(shares, [[7], [8], [7], [8], [7]]);
        assert!(shard(&[7, 8], 5, 4, UnevenTail::Drop).is_empty());
        assert!(shard(&[], 2, 1, UnevenTail::Pad).is_empty());
    }

    #[test]
    fn epochs_differ_and_seeds_are_shared() {
        let a = DistributedSampler::new(50, 2, 0).seed(9);
        let b = DistributedSampler::new(50, 2, 1).seed(9);
        assert_ne!(a.epoch_order(0), a.epoch_order(1));
        assert_eq!(a.epoch_order(4), b.epoch_order(4));
        let mut both: Vec<usize> = a.indices(4).into_iter().chain(b.indices(4)).collect();
        both.sort_unstable();
        assert_eq!(both, (0..50).collect::<Vec<_>>());
    }

    #[test]
    #[should_panic(expected = "rank 2 is not below the number of processes 2")]
    fn a_rank_past_the_end_panics() {
        DistributedSampler::new(4, 2, 2);
    }
}
