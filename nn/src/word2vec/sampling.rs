//! The two random draws of training: subsampling of frequent words and negative sampling.

/// Keep-thresholds for the subsampling of frequent words, with the original tool's formula.
///
/// With `t = sample * train_words`, a word seen `c` times is kept with probability
/// `p = (sqrt(c / t) + 1) * t / c` (capped at 1). The threshold is `p * 2^32`, compared against a
/// 32-bit random draw, as gensim stores it.
pub fn keep_thresholds(counts: &[u64], sample: f64) -> Vec<u32> {
    let train_words: u64 = counts.iter().sum();
    let t = sample * train_words as f64;
    counts
        .iter()
        .map(|&c| {
            if sample <= 0.0 || c == 0 {
                return u32::MAX;
            }
            let c = c as f64;
            let p = ((c / t).sqrt() + 1.0) * t / c;
            (p * 4_294_967_296.0).min(u32::MAX as f64) as u32
        })
        .collect()
}

/// The unigram^0.75 table of negative sampling, as a Walker/Vose alias table.
///
/// Word `w` must be drawn with probability `count(w)^power / Σ count^power` (power 0.75 in the
/// original). The original fills 1e8 slots with word indices in those proportions and reads one
/// uniform slot; here slot `i` of `V` holds a threshold `prob[i]` and an `alias[i]`: draw `i`
/// uniformly, keep it with probability `prob[i]`, else take `alias[i]`. The law is the same, and
/// exact rather than rounded to 1e-8, but the table is `V` entries (a few hundred kB, in cache)
/// instead of 400 MB (a cache miss on every draw, which profiling showed to dominate training).
#[derive(Debug, Clone)]
pub struct UnigramTable {
    /// `(keep threshold as a fraction of 2^32, alias)` per slot, together for one cache line.
    slots: Vec<(u32, u32)>,
}

impl UnigramTable {
    /// Builds the table for `counts` raised to `power`.
    pub fn new(counts: &[u64], power: f64) -> Self {
        let n = counts.len();
        let weights: Vec<f64> = counts.iter().map(|&c| (c as f64).powf(power)).collect();
        let total: f64 = weights.iter().sum();
        let mut scaled: Vec<f64> = weights.iter().map(|w| w * n as f64 / total).collect();
        let mut slots: Vec<(u32, u32)> = (0..n as u32).map(|i| (u32::MAX, i)).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) =
            (0..n).partition(|&i| scaled[i] < 1.0);
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            slots[s] = (threshold(scaled[s]), l as u32);
            scaled[l] += scaled[s] - 1.0;
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        // What is left has (up to rounding) probability 1 of keeping its own slot.
        UnigramTable { slots }
    }

    /// A word, from two independent uniform 32-bit draws (slot, then keep-or-alias).
    #[inline]
    pub fn draw(&self, slot_random: u32, keep_random: u32) -> u32 {
        // Lemire's multiply-shift maps a 32-bit draw onto 0..len without a division.
        let i = ((slot_random as u64 * self.slots.len() as u64) >> 32) as usize;
        let (keep, alias) = self.slots[i];
        // Keep-or-alias is a coin flip: a conditional move beats a mispredicted branch.
        std::hint::select_unpredictable(keep_random < keep, i as u32, alias)
    }

    /// The exact probability of drawing each word (for checking the table).
    pub fn probabilities(&self) -> Vec<f64> {
        let n = self.slots.len() as f64;
        let mut p = vec![0.0; self.slots.len()];
        for (i, &(keep, alias)) in self.slots.iter().enumerate() {
            let k = if keep == u32::MAX {
                1.0
            } else {
                keep as f64 / 4_294_967_296.0
            };
            p[i] += k / n;
            p[alias as usize] += (1.0 - k) / n;
        }
        p
    }

    /// The `(keep threshold, alias)` slots, for inspection.
    pub fn slots(&self) -> &[(u32, u32)] {
        &self.slots
    }
}

fn threshold(p: f64) -> u32 {
    (p * 4_294_967_296.0).clamp(0.0, u32::MAX as f64) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subsampling_probabilities_match_hand_computation() {
        // sample * train_words = 0.001 * 1000 = 1.
        // c = 900: (sqrt(900) + 1) / 900 = 31 / 900; c = 81: 10 / 81; c = 19: (sqrt(19) + 1) / 19.
        let k = keep_thresholds(&[900, 81, 19], 0.001);
        let p = |x: u32| x as f64 / 4_294_967_296.0;
        assert!((p(k[0]) - 31.0 / 900.0).abs() < 1e-9);
        assert!((p(k[1]) - 10.0 / 81.0).abs() < 1e-9);
        assert!((p(k[2]) - (19f64.sqrt() + 1.0) / 19.0).abs() < 1e-9);
        // A rare word (p > 1) and sample = 0 always keep.
        assert_eq!(keep_thresholds(&[999, 1], 0.001)[1], u32::MAX);
        assert_eq!(keep_thresholds(&[5, 5], 0.0), [u32::MAX, u32::MAX]);
    }

    #[test]
    fn unigram_table_matches_hand_computation() {
        // 16^0.75 = 8 and 1^0.75 = 1, so P = 8/9, 1/9. Scaled by V = 2: 16/9 and 2/9.
        // Slot 1 keeps word 1 with 2/9 and otherwise gives word 0; slot 0 always gives word 0:
        // P(0) = 1/2 + 1/2 * 7/9 = 8/9.
        let t = UnigramTable::new(&[16, 1], 0.75);
        assert_eq!(t.slots()[0], (u32::MAX, 0));
        assert_eq!(t.slots()[1], (threshold(2.0 / 9.0), 0));
        // 81^0.75 = 27, 16^0.75 = 8, 1: shares 27/36, 8/36, 1/36.
        let t = UnigramTable::new(&[81, 16, 1], 0.75);
        for (p, want) in t
            .probabilities()
            .iter()
            .zip([27.0 / 36.0, 8.0 / 36.0, 1.0 / 36.0])
        {
            assert!((p - want).abs() < 1e-9, "{p} vs {want}");
        }
        // Slot 2 (scaled 3/36 * 3 = 1/12) keeps word 2 with 1/12, else word 0.
        assert_eq!(t.slots()[2], (threshold(1.0 / 12.0), 0));
        assert_eq!(t.draw(u32::MAX, 0), 2);
        assert_eq!(t.draw(u32::MAX, u32::MAX - 1), 0);
        assert_eq!(t.draw(0, 0), 0);
    }
}
