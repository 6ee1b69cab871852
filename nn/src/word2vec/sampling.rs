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

/// The unigram table of negative sampling: word `w` fills a share of the slots proportional to
/// `count(w)^power` (power 0.75 in the original), so a uniform slot is a draw from that law.
#[derive(Debug, Clone)]
pub struct UnigramTable {
    table: Vec<u32>,
}

impl UnigramTable {
    /// Builds a table of `size` slots. Slot `a` holds the word whose cumulative-probability
    /// interval contains `(a + 0.5) / size` (the original fills the same way, one slot later).
    pub fn new(counts: &[u64], power: f64, size: usize) -> Self {
        let weights: Vec<f64> = counts.iter().map(|&c| (c as f64).powf(power)).collect();
        let total: f64 = weights.iter().sum();
        let mut table = Vec::with_capacity(size);
        let mut word = 0usize;
        let mut cumulative = weights.first().copied().unwrap_or(0.0) / total;
        for a in 0..size {
            let x = (a as f64 + 0.5) / size as f64;
            while x > cumulative && word + 1 < counts.len() {
                word += 1;
                cumulative += weights[word] / total;
            }
            table.push(word as u32);
        }
        UnigramTable { table }
    }

    /// The word in slot `random % size`.
    #[inline]
    pub fn draw(&self, random: u64) -> u32 {
        let i = (random % self.table.len() as u64) as usize;
        self.table[i]
    }

    /// The slots, for inspection.
    pub fn slots(&self) -> &[u32] {
        &self.table
    }
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
        // 16^0.75 = 8 and 1^0.75 = 1: 8/9 of the slots for word 0, 1/9 for word 1.
        let t = UnigramTable::new(&[16, 1], 0.75, 9);
        assert_eq!(t.slots(), [0, 0, 0, 0, 0, 0, 0, 0, 1]);
        // 81^0.75 = 27, 16^0.75 = 8, 1: shares 27/36, 8/36, 1/36 of 36 slots.
        let t = UnigramTable::new(&[81, 16, 1], 0.75, 36);
        let n = |w| t.slots().iter().filter(|&&x| x == w).count();
        assert_eq!((n(0), n(1), n(2)), (27, 8, 1));
        assert_eq!(t.draw(36 + 35), 2);
    }
}
