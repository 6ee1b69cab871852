//! Byte collectives for `fit`: [`Distributed::broadcast_bytes`] and
//! [`Distributed::gather_bytes`] (a backup read on rank 0 and every rank's part of one, a
//! failed rank's error message, gathered predictions).

use mpi::Count;
use mpi::datatype::PartitionMut;
use mpi::traits::{Communicator, Root};

use super::Distributed;

impl Distributed {
    /// Overwrites `bytes`, its length too, with those of rank `root`, on every rank.
    ///
    /// # Panics
    /// If `root` is not a rank, or the bytes are more than MPI counts in one call (2 GiB).
    pub fn broadcast_bytes(&self, root: usize, bytes: &mut Vec<u8>) {
        let _watched = self.watchdog.enter("broadcast_bytes");
        let root = self.world.process_at_rank(root as i32);
        let mut len = bytes.len() as u64;
        root.broadcast_into(&mut len);
        bytes.resize(count(len as usize) as usize, 0);
        root.broadcast_into(&mut bytes[..]);
    }

    /// Every rank's `bytes` (of any lengths), in rank order, on rank 0; an empty list on the
    /// other ranks.
    ///
    /// # Panics
    /// If the bytes of all ranks together are more than MPI counts in one call (2 GiB).
    pub fn gather_bytes(&self, bytes: &[u8]) -> Vec<Vec<u8>> {
        let _watched = self.watchdog.enter("gather_bytes");
        let root = self.world.process_at_rank(0);
        let len = count(bytes.len());
        if !self.is_root() {
            root.gather_into(&len);
            root.gather_varcount_into(bytes);
            return Vec::new();
        }
        let mut counts = vec![0 as Count; self.size()];
        root.gather_into_root(&len, &mut counts[..]);
        let displacements: Vec<Count> = counts
            .iter()
            .scan(0, |start, &n| {
                let this = *start;
                *start = count(this as usize + n as usize);
                Some(this)
            })
            .collect();
        let total: usize = counts.iter().map(|&n| n as usize).sum();
        let mut all = vec![0_u8; total];
        let mut partition = PartitionMut::new(&mut all[..], &counts[..], &displacements[..]);
        root.gather_varcount_into_root(bytes, &mut partition);
        displacements
            .iter()
            .zip(&counts)
            .map(|(&start, &n)| all[start as usize..][..n as usize].to_vec())
            .collect()
    }
}

/// `n` as an MPI count.
fn count(n: usize) -> Count {
    Count::try_from(n).expect("at most 2 GiB in one collective call")
}
