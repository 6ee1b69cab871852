//! Turning labels and texts into tensors, as the course does for IMDB and Reuters:
//! - one-hot: label c → a row with 1 at c;
//! - multi-hot: a sequence of word indices → a row with 1 at every index present
//!   (dense, or as [`SparseRows`] for the sparse dense layer);
//! - [`Tokenizer`]: a word index by frequency (1 = most frequent, as Keras's `Tokenizer`),
//!   keeping words ranked below `num_words`.
//!
//! ```
//! use nn::data::{Tokenizer, multi_hot};
//! let tok = Tokenizer::fit(["the cat sat", "the dog"], 10);
//! assert_eq!(tok.word_index["the"], 1);
//! let seqs = tok.texts_to_sequences(["the dog barked"]);
//! let x = multi_hot::<f32>(&seqs, 10);
//! assert_eq!(x.get(&[0, 1]), 1.0);
//! ```

use std::collections::HashMap;

use autodiff_core::{Float, Tensor};

use super::SparseRows;

/// `[labels.len(), classes]` rows with a 1 at each label.
///
/// # Panics
/// If a label is not below `classes`.
pub fn one_hot<T: Float>(labels: &[usize], classes: usize) -> Tensor<T> {
    let mut t = Tensor::zeros([labels.len(), classes]);
    for (i, &l) in labels.iter().enumerate() {
        assert!(l < classes, "one_hot: label {l} is not below {classes}");
        t.data_mut()[i * classes + l] = T::one();
    }
    t
}

/// `[sequences.len(), dim]` rows with a 1 at every index in the sequence (indices ≥ `dim` are
/// ignored, as Keras's `num_words` does).
pub fn multi_hot<T: Float>(sequences: &[Vec<usize>], dim: usize) -> Tensor<T> {
    multi_hot_sparse(sequences, dim).to_dense()
}

/// Multi-hot rows kept sparse: only the ones are stored.
pub fn multi_hot_sparse<T: Float>(sequences: &[Vec<usize>], dim: usize) -> SparseRows<T> {
    SparseRows::from_rows(
        dim,
        sequences.iter().map(|s| {
            let mut idx: Vec<usize> = s.iter().copied().filter(|&i| i < dim).collect();
            idx.sort_unstable();
            idx.dedup();
            idx.into_iter().map(|i| (i, T::one()))
        }),
    )
}

/// A word index by frequency, fitted on training texts.
#[derive(Clone, Debug, PartialEq)]
pub struct Tokenizer {
    /// Word → rank (1 = most frequent; ties by first appearance).
    pub word_index: HashMap<String, usize>,
    /// Only ranks below this are kept by [`Tokenizer::texts_to_sequences`].
    pub num_words: usize,
}

/// Lower-cased words, punctuation (Keras's default filters) treated as space.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| c.is_whitespace() || (c.is_ascii_punctuation() && c != '\''))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

impl Tokenizer {
    /// Ranks the words of `texts` by frequency, keeping ranks below `num_words`.
    pub fn fit<'a>(texts: impl IntoIterator<Item = &'a str>, num_words: usize) -> Self {
        let mut counts: Vec<(String, usize)> = Vec::new();
        let mut position: HashMap<String, usize> = HashMap::new();
        for text in texts {
            for w in words(text) {
                let k = *position.entry(w.clone()).or_insert_with(|| {
                    counts.push((w, 0));
                    counts.len() - 1
                });
                counts[k].1 += 1;
            }
        }
        // a stable sort keeps first appearance as the tie-break
        counts.sort_by_key(|c| std::cmp::Reverse(c.1));
        let word_index = counts
            .into_iter()
            .enumerate()
            .map(|(i, (w, _))| (w, i + 1))
            .collect();
        Tokenizer {
            word_index,
            num_words,
        }
    }

    /// Each text as the ranks of its known words below `num_words`.
    pub fn texts_to_sequences<'a>(
        &self,
        texts: impl IntoIterator<Item = &'a str>,
    ) -> Vec<Vec<usize>> {
        texts
            .into_iter()
            .map(|t| {
                words(t)
                    .filter_map(|w| self.word_index.get(&w).copied())
                    .filter(|&i| i < self.num_words)
                    .collect()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokenizer_keeps_the_top_words_and_vectors_mark_them() {
        let tok = Tokenizer::fit(["b a b, c! a b", "d"], 3);
        assert_eq!(
            (
                tok.word_index["b"],
                tok.word_index["a"],
                tok.word_index["c"]
            ),
            (1, 2, 3)
        );
        assert_eq!(tok.texts_to_sequences(["A b c d e"]), vec![vec![2, 1]]);
        let x = multi_hot::<f64>(&[vec![1, 1, 4], vec![]], 3);
        assert_eq!(x.data(), &[0.0, 1.0, 0.0, 0.0, 0.0, 0.0]);
        assert_eq!(
            one_hot::<f32>(&[2, 0], 3).data(),
            &[0.0, 0.0, 1.0, 1.0, 0.0, 0.0]
        );
    }
}
