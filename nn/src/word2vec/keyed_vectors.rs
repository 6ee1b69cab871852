//! Word vectors looked up by word, as gensim's `KeyedVectors`: the result of training or loading.

use std::collections::HashMap;

use super::error::Word2VecError;
use super::similarity::Restricted;

/// Words, their vectors (row-major, one row per word, in vocabulary order: most frequent first
/// when they come from training) and the same vectors scaled to unit length for cosine queries.
#[derive(Debug, Clone)]
pub struct KeyedVectors {
    words: Vec<String>,
    index: HashMap<String, usize>,
    vectors: Vec<f32>,
    unit: Vec<f32>,
    dim: usize,
}

impl KeyedVectors {
    /// Wraps `vectors` (`words.len() * dim` values); fails on a length mismatch or a repeated word.
    pub fn new(words: Vec<String>, vectors: Vec<f32>, dim: usize) -> Result<Self, Word2VecError> {
        if dim == 0 || vectors.len() != words.len() * dim {
            return Err(Word2VecError::Config(format!(
                "{} values cannot be {} vectors of dimension {dim}",
                vectors.len(),
                words.len()
            )));
        }
        let mut index = HashMap::with_capacity(words.len());
        for (i, w) in words.iter().enumerate() {
            if index.insert(w.clone(), i).is_some() {
                return Err(Word2VecError::Config(format!("word {w:?} appears twice")));
            }
        }
        let mut unit = vectors.clone();
        for row in unit.chunks_exact_mut(dim) {
            let norm = row.iter().map(|x| x * x).sum::<f32>().sqrt();
            if norm > 0.0 {
                row.iter_mut().for_each(|x| *x /= norm);
            }
        }
        Ok(KeyedVectors {
            words,
            index,
            vectors,
            unit,
            dim,
        })
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether there are no words.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Vector dimension.
    pub fn dim(&self) -> usize {
        self.dim
    }

    /// The words in order.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// All vectors, row-major.
    pub fn vectors(&self) -> &[f32] {
        &self.vectors
    }

    /// The position of `word`, if known.
    pub fn index_of(&self, word: &str) -> Option<usize> {
        self.index.get(word).copied()
    }

    /// The vector of `word`, if known.
    pub fn get(&self, word: &str) -> Option<&[f32]> {
        self.index_of(word).map(|i| self.row(i))
    }

    /// The vector at position `i`.
    pub fn row(&self, i: usize) -> &[f32] {
        &self.vectors[i * self.dim..(i + 1) * self.dim]
    }

    /// The unit-length vector at position `i`.
    pub fn unit_row(&self, i: usize) -> &[f32] {
        &self.unit[i * self.dim..(i + 1) * self.dim]
    }

    /// A view whose queries see only the `n` first (most frequent) words, like gensim's
    /// `restrict_vocab`.
    pub fn restrict(&self, n: usize) -> Restricted<'_> {
        Restricted::new(self, n)
    }

    /// The `n` words closest to `word` by cosine similarity, best first.
    pub fn most_similar(&self, word: &str, n: usize) -> Result<Vec<(String, f32)>, Word2VecError> {
        self.restrict(self.len()).most_similar(word, n)
    }

    /// 3CosAdd: the `n` words closest to the normalised sum of the `positive` unit vectors minus
    /// the `negative` ones (`king - man + woman`), query words excluded.
    pub fn most_similar_by(
        &self,
        positive: &[&str],
        negative: &[&str],
        n: usize,
    ) -> Result<Vec<(String, f32)>, Word2VecError> {
        self.restrict(self.len())
            .most_similar_by(positive, negative, n)
    }

    /// 3CosMul (Levy and Goldberg 2014): ranks by the product of shifted cosines to `positive`
    /// over the product of those to `negative`, query words excluded.
    pub fn most_similar_cosmul(
        &self,
        positive: &[&str],
        negative: &[&str],
        n: usize,
    ) -> Result<Vec<(String, f32)>, Word2VecError> {
        self.restrict(self.len())
            .most_similar_cosmul(positive, negative, n)
    }

    /// Cosine similarity of two words.
    pub fn similarity(&self, a: &str, b: &str) -> Result<f32, Word2VecError> {
        self.restrict(self.len()).similarity(a, b)
    }

    /// The word of `words` furthest from their mean direction.
    pub fn doesnt_match(&self, words: &[&str]) -> Result<String, Word2VecError> {
        self.restrict(self.len()).doesnt_match(words)
    }
}
