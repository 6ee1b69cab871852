//! The vocabulary: words counted in one streaming pass over the corpus, kept if they occur at
//! least `min_count` times, sorted by falling frequency (ties in order of first appearance, as
//! gensim does), optionally cut to the `max_size` most frequent.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::path::Path;

use super::corpus::{Token, open_at};
use super::error::Word2VecError;

/// FxHash (rustc's hasher): word lookups sit in the training loop, where SipHash costs too much.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let v = u64::from_le_bytes(c.try_into().unwrap_or([0; 8]));
            self.0 = (self.0.rotate_left(5) ^ v).wrapping_mul(K);
        }
        for &b in chunks.remainder() {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(K);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A `HashMap` keyed by word bytes with [`FxHasher`].
pub type WordMap<V> = HashMap<Box<[u8]>, V, BuildHasherDefault<FxHasher>>;

/// How the vocabulary is built.
#[derive(Debug, Clone)]
pub struct VocabConfig {
    /// Words occurring fewer times are dropped (`-min-count`, default 5).
    pub min_count: u64,
    /// Keep at most this many of the most frequent words (`None`: no limit).
    pub max_size: Option<usize>,
    /// While counting, when more distinct words than this are held, drop the rarest ones, raising
    /// the cut-off by one each time, as the original tool does (bounds memory on huge corpora).
    pub prune_at: usize,
}

impl Default for VocabConfig {
    fn default() -> Self {
        VocabConfig {
            min_count: 5,
            max_size: None,
            prune_at: 21_000_000,
        }
    }
}

/// Words with their corpus counts, most frequent first.
#[derive(Debug, Clone)]
pub struct Vocab {
    words: Vec<String>,
    counts: Vec<u64>,
    index: WordMap<u32>,
    corpus_words: u64,
}

impl Vocab {
    /// Counts the words of the corpus file at `path` in one streaming pass.
    pub fn from_corpus(path: &Path, config: &VocabConfig) -> Result<Self, Word2VecError> {
        let mut reader = open_at(path, 0)?;
        let mut counts: WordMap<(u64, u64)> = WordMap::default();
        let mut word = Vec::new();
        let mut total = 0u64;
        let mut min_reduce = 1;
        loop {
            match reader
                .next_token(&mut word)
                .map_err(|e| Word2VecError::io(path, e))?
            {
                Token::Word => {
                    match counts.get_mut(word.as_slice()) {
                        Some(c) => c.0 += 1,
                        None => {
                            counts.insert(word.as_slice().into(), (1, total));
                        }
                    }
                    total += 1;
                    if counts.len() > config.prune_at {
                        counts.retain(|_, c| c.0 > min_reduce);
                        min_reduce += 1;
                    }
                }
                Token::EndOfLine => {}
                Token::End => break,
            }
        }
        let mut entries: Vec<_> = counts.into_iter().collect();
        entries.sort_by_key(|(_, (count, first))| (std::cmp::Reverse(*count), *first));
        let words = entries
            .into_iter()
            .map(|(w, (c, _))| (String::from_utf8_lossy(&w).into_owned(), c));
        Self::from_counts(words, total, config)
    }

    /// Builds a vocabulary from `(word, count)` pairs already in frequency order (ties as given);
    /// `corpus_words` is the number of words in the whole corpus, out-of-vocabulary ones included.
    pub fn from_counts(
        words: impl IntoIterator<Item = (String, u64)>,
        corpus_words: u64,
        config: &VocabConfig,
    ) -> Result<Self, Word2VecError> {
        let mut kept: Vec<(String, u64)> = words
            .into_iter()
            .filter(|(_, c)| *c >= config.min_count)
            .collect();
        kept.sort_by_key(|(_, c)| std::cmp::Reverse(*c));
        if let Some(max) = config.max_size {
            kept.truncate(max);
        }
        if kept.is_empty() {
            return Err(Word2VecError::EmptyVocabulary {
                min_count: config.min_count,
            });
        }
        if kept.len() > u32::MAX as usize {
            return Err(Word2VecError::Config(
                "vocabulary larger than 2^32 words".into(),
            ));
        }
        let mut index = WordMap::default();
        for (i, (w, _)) in kept.iter().enumerate() {
            index.insert(w.as_bytes().into(), i as u32);
        }
        let (words, counts) = kept.into_iter().unzip();
        Ok(Vocab {
            words,
            counts,
            index,
            corpus_words,
        })
    }

    /// Number of words in the vocabulary.
    pub fn len(&self) -> usize {
        self.words.len()
    }

    /// Whether the vocabulary is empty (never true for one built by this module).
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// The words, most frequent first.
    pub fn words(&self) -> &[String] {
        &self.words
    }

    /// The counts, in the order of [`Vocab::words`].
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// The index of a word given as bytes.
    pub fn index_of(&self, word: &[u8]) -> Option<u32> {
        self.index.get(word).copied()
    }

    /// Total occurrences of the vocabulary's words in the corpus.
    pub fn train_words(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Total words in the corpus, out-of-vocabulary words included.
    pub fn corpus_words(&self) -> u64 {
        self.corpus_words
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_sorts_and_cuts() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.txt");
        // a:4 b:2 c:3 d:1 e:2 (b before e)
        std::fs::write(&path, "a b c a\nc d a\nb e e a c\n").unwrap();
        let config = VocabConfig {
            min_count: 2,
            ..VocabConfig::default()
        };
        let v = Vocab::from_corpus(&path, &config).unwrap();
        assert_eq!(v.words(), ["a", "c", "b", "e"]);
        assert_eq!(v.counts(), [4, 3, 2, 2]);
        assert_eq!(v.train_words(), 11);
        assert_eq!(v.corpus_words(), 12);
        assert_eq!(v.index_of(b"e"), Some(3));
        assert_eq!(v.index_of(b"d"), None);
        let small = VocabConfig {
            min_count: 1,
            max_size: Some(2),
            ..VocabConfig::default()
        };
        assert_eq!(
            Vocab::from_corpus(&path, &small).unwrap().words(),
            ["a", "c"]
        );
        let none = VocabConfig {
            min_count: 5,
            ..VocabConfig::default()
        };
        assert!(matches!(
            Vocab::from_corpus(&path, &none),
            Err(Word2VecError::EmptyVocabulary { min_count: 5 })
        ));
        assert!(matches!(
            Vocab::from_corpus(&dir.path().join("missing.txt"), &config),
            Err(Word2VecError::Io { .. })
        ));
    }

    #[test]
    fn pruning_drops_rare_words_while_counting() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.txt");
        std::fs::write(&path, "a a a b c d a e").unwrap();
        let config = VocabConfig {
            min_count: 1,
            max_size: None,
            prune_at: 3,
        };
        // After "c" there are 3 distinct words; "d" makes 4 > 3: b, c, d (count 1) are dropped.
        let v = Vocab::from_corpus(&path, &config).unwrap();
        assert_eq!(v.words(), ["a", "e"]);
        assert_eq!(v.counts(), [4, 1]);
    }
}
