//! Cosine queries (similar words, analogies, the odd one out) over a frequency-restricted
//! vocabulary, as gensim's `restrict_vocab`.

use super::error::Word2VecError;
use super::fastmath::dot;
use super::keyed_vectors::KeyedVectors;

/// A view of [`KeyedVectors`] in which only the `limit` first (most frequent) words exist: both
/// query words and answers must be among them.
#[derive(Debug, Clone, Copy)]
pub struct Restricted<'a> {
    kv: &'a KeyedVectors,
    limit: usize,
}

impl<'a> Restricted<'a> {
    /// The first `limit` words of `kv` (all of them if `limit` is larger).
    pub fn new(kv: &'a KeyedVectors, limit: usize) -> Self {
        Restricted {
            kv,
            limit: limit.min(kv.len()),
        }
    }

    /// Number of words visible.
    pub fn len(&self) -> usize {
        self.limit
    }

    /// Whether no word is visible.
    pub fn is_empty(&self) -> bool {
        self.limit == 0
    }

    /// The position of `word` if it is within the restriction.
    pub fn index_of(&self, word: &str) -> Option<usize> {
        self.kv.index_of(word).filter(|&i| i < self.limit)
    }

    fn lookup(&self, word: &str) -> Result<usize, Word2VecError> {
        self.index_of(word)
            .ok_or_else(|| Word2VecError::UnknownWord(word.to_string()))
    }

    /// See [`KeyedVectors::most_similar`].
    pub fn most_similar(&self, word: &str, n: usize) -> Result<Vec<(String, f32)>, Word2VecError> {
        self.most_similar_by(&[word], &[], n)
    }

    /// See [`KeyedVectors::most_similar_by`].
    pub fn most_similar_by(
        &self,
        positive: &[&str],
        negative: &[&str],
        n: usize,
    ) -> Result<Vec<(String, f32)>, Word2VecError> {
        let (pos, neg) = self.query(positive, negative)?;
        let mut mean = vec![0.0f32; self.kv.dim()];
        for (&i, sign) in pos
            .iter()
            .map(|i| (i, 1.0))
            .chain(neg.iter().map(|i| (i, -1.0)))
        {
            for (m, x) in mean.iter_mut().zip(self.kv.unit_row(i)) {
                *m += sign * x;
            }
        }
        let norm = dot(&mean, &mean).sqrt();
        if norm > 0.0 {
            mean.iter_mut().for_each(|x| *x /= norm);
        }
        let scores = (0..self.limit).map(|i| dot(self.kv.unit_row(i), &mean));
        Ok(self.top(scores, &pos, &neg, n))
    }

    /// See [`KeyedVectors::most_similar_cosmul`].
    pub fn most_similar_cosmul(
        &self,
        positive: &[&str],
        negative: &[&str],
        n: usize,
    ) -> Result<Vec<(String, f32)>, Word2VecError> {
        let (pos, neg) = self.query(positive, negative)?;
        let shifted =
            |i: usize, q: usize| (1.0 + dot(self.kv.unit_row(i), self.kv.unit_row(q))) / 2.0;
        let scores = (0..self.limit).map(|i| {
            let p: f32 = pos.iter().map(|&q| shifted(i, q)).product();
            let m: f32 = neg.iter().map(|&q| shifted(i, q)).product();
            p / (m + 1e-6)
        });
        Ok(self.top(scores, &pos, &neg, n))
    }

    /// See [`KeyedVectors::similarity`].
    pub fn similarity(&self, a: &str, b: &str) -> Result<f32, Word2VecError> {
        let (a, b) = (self.lookup(a)?, self.lookup(b)?);
        Ok(dot(self.kv.unit_row(a), self.kv.unit_row(b)))
    }

    /// See [`KeyedVectors::doesnt_match`]. Unknown words are an error.
    pub fn doesnt_match(&self, words: &[&str]) -> Result<String, Word2VecError> {
        if words.len() < 2 {
            return Err(Word2VecError::TooFewWords {
                needed: 2,
                got: words.len(),
            });
        }
        let idx = words
            .iter()
            .map(|w| self.lookup(w))
            .collect::<Result<Vec<_>, _>>()?;
        let mut mean = vec![0.0f32; self.kv.dim()];
        for &i in &idx {
            for (m, x) in mean.iter_mut().zip(self.kv.unit_row(i)) {
                *m += x;
            }
        }
        let odd = idx
            .iter()
            .min_by(|&&a, &&b| {
                let (sa, sb) = (
                    dot(self.kv.unit_row(a), &mean),
                    dot(self.kv.unit_row(b), &mean),
                );
                sa.total_cmp(&sb)
            })
            .copied()
            .unwrap_or(idx[0]);
        Ok(self.kv.words()[odd].clone())
    }

    fn query(
        &self,
        positive: &[&str],
        negative: &[&str],
    ) -> Result<(Vec<usize>, Vec<usize>), Word2VecError> {
        if positive.is_empty() && negative.is_empty() {
            return Err(Word2VecError::TooFewWords { needed: 1, got: 0 });
        }
        let look = |ws: &[&str]| {
            ws.iter()
                .map(|w| self.lookup(w))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok((look(positive)?, look(negative)?))
    }

    /// The `n` best-scoring words, query words excluded, best first.
    fn top(
        &self,
        scores: impl Iterator<Item = f32>,
        pos: &[usize],
        neg: &[usize],
        n: usize,
    ) -> Vec<(String, f32)> {
        let mut all: Vec<(f32, usize)> = scores
            .enumerate()
            .filter(|(i, _)| !pos.contains(i) && !neg.contains(i))
            .map(|(i, s)| (s, i))
            .collect();
        let by_score = |a: &(f32, usize), b: &(f32, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
        if n < all.len() {
            all.select_nth_unstable_by(n, by_score);
            all.truncate(n);
        }
        all.sort_unstable_by(by_score);
        all.into_iter()
            .map(|(s, i)| (self.kv.words()[i].clone(), s))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv() -> KeyedVectors {
        let words = ["king", "queen", "man", "woman", "apple"]
            .map(String::from)
            .to_vec();
        #[rustfmt::skip]
        let v = vec![
            1.0, 1.0, 0.0,
            1.0, 0.0, 1.0,
            0.0, 1.0, 0.0,
            0.0, 0.0, 1.0,
            -1.0, 0.2, 0.2,
        ];
        KeyedVectors::new(words, v, 3).unwrap()
    }

    #[test]
    fn analogies_and_neighbours() {
        let kv = kv();
        let best = kv.most_similar_by(&["king", "woman"], &["man"], 1).unwrap();
        assert_eq!(best[0].0, "queen");
        assert_eq!(
            kv.most_similar_cosmul(&["king", "woman"], &["man"], 1)
                .unwrap()[0]
                .0,
            "queen"
        );
        let near = kv.most_similar("king", 2).unwrap();
        assert_eq!(near.len(), 2);
        assert!(near[0].1 >= near[1].1);
        assert!(near.iter().all(|(w, _)| w != "king"));
        assert!((kv.similarity("man", "woman").unwrap()).abs() < 1e-6);
        assert_eq!(
            kv.doesnt_match(&["king", "queen", "apple"]).unwrap(),
            "apple"
        );
    }

    #[test]
    fn restriction_hides_rare_words_and_errors_are_typed() {
        let kv = kv();
        let r = kv.restrict(4);
        assert!(
            r.most_similar("king", 10)
                .unwrap()
                .iter()
                .all(|(w, _)| w != "apple")
        );
        assert!(
            matches!(r.similarity("apple", "king"), Err(Word2VecError::UnknownWord(w)) if w == "apple")
        );
        assert!(matches!(
            kv.most_similar("pear", 3),
            Err(Word2VecError::UnknownWord(_))
        ));
        assert!(matches!(
            kv.doesnt_match(&["king"]),
            Err(Word2VecError::TooFewWords { .. })
        ));
        assert!(kv.most_similar_by(&[], &[], 3).is_err());
    }
}
