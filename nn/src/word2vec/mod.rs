//! word2vec (Mikolov et al. 2013): skip-gram and CBOW word vectors, trained with negative
//! sampling or hierarchical softmax, Hogwild-parallel over a corpus streamed from disk, as the
//! original C tool and gensim do; then similarity queries, analogies, the two standard
//! benchmarks, the original tool's file formats, and a PCA picture of chosen words.
//!
//! # Training
//!
//! The corpus is a text file of whitespace-separated words, one sentence per line (lines longer
//! than 10 000 words are split, as in gensim). It is never loaded whole: [`Vocab::from_corpus`]
//! counts words in one streaming pass, and [`train`] gives each thread a byte range of the file
//! that it streams once per epoch. Per word, the window is shrunk at random to `1..=window`;
//! frequent words are subsampled with the original formula; the learning rate falls linearly
//! by each thread's progress through the epoch, as gensim's `corpus_file` mode does
//! ([`AlphaDecay::PerThread`]), or from `alpha` to `alpha * 1e-4` over all epochs as the
//! original does ([`AlphaDecay::Global`]). [`TrainConfig::default`] has the original tool's
//! other defaults (CBOW, 100 dimensions, window 5, negative 5, sample 1e-3, 5 epochs).
//!
//! # Example
//!
//! ```no_run
//! use std::path::Path;
//! use nn::word2vec::{self, Format, TrainConfig, Vocab, VocabConfig};
//!
//! # fn main() -> Result<(), word2vec::Word2VecError> {
//! let corpus = Path::new("examples/data/text/enwiki_sample.txt");
//! let vocab = Vocab::from_corpus(corpus, &VocabConfig::default())?;
//! let config = TrainConfig { cbow: false, sample: 1e-4, threads: 2, ..TrainConfig::default() };
//! let trained = word2vec::train(corpus, &vocab, &config)?;
//! let kv = &trained.vectors;
//! println!("{:.0} words/s", trained.stats.words_per_sec());
//! for (word, cos) in kv.most_similar("france", 5)? {
//!     println!("{word} {cos:.3}");
//! }
//! // king - man + woman, among the 30 000 most frequent words.
//! let queen = kv.restrict(30_000).most_similar_by(&["king", "woman"], &["man"], 1)?;
//! println!("{queen:?}");
//! word2vec::save(kv, Path::new("vectors.bin"), Format::Binary)?;
//! let again = word2vec::load(Path::new("vectors.bin"), Format::Binary)?;
//! assert_eq!(again.len(), kv.len());
//! # Ok(())
//! # }
//! ```
//!
//! Saved files load in gensim with
//! `KeyedVectors.load_word2vec_format("vectors.bin", binary=True)`, and files gensim saves with
//! `save_word2vec_format` load here.
//!
//! # Where this differs from the original tool
//!
//! - No `</s>` token: line ends separate sentences but are not words (as gensim does), so saved
//!   files have no `</s>` row.
//! - Negative samples are drawn from an alias table with the exact unigram^0.75 law instead of
//!   the original's 1e8-slot approximation of it (same law, in cache; see [`UnigramTable`]).
//! - Sentences are split at 10 000 words (gensim's limit) rather than the original's 1 000.
//! - Initial input vectors are uniform in [−1/size, 1/size), gensim's range, twice the
//!   original's (it scored better on the shipped sample; see examples/bench/word2vec_results.md).
//! - Vocabulary ties are ordered by first appearance (the original's order of ties is
//!   unspecified).
//! - With more than one thread, Hogwild updates make runs differ slightly even with one seed, as
//!   in the original and gensim; with one thread a seed gives the same vectors every time.
//!
//! The command-line front end, with the original tool's flags, is
//! `cargo run --release --example word2vec -- -train FILE -output FILE ...`.

mod config;
mod corpus;
mod error;
mod eval;
mod fastmath;
mod hogwild;
mod huffman;
mod io;
mod keyed_vectors;
mod pca;
mod sampling;
mod similarity;
mod stats;
mod train;
mod vocab;

pub use config::{AlphaDecay, TrainConfig};
pub use corpus::{MAX_SENTENCE_LEN, MAX_WORD_BYTES, Token, WordReader};
pub use error::Word2VecError;
pub use eval::{
    AnalogyReport, AnalogySection, SectionScore, WordPair, WordSimReport, evaluate_analogies,
    evaluate_word_pairs, read_analogies, read_word_pairs,
};
pub use huffman::HuffmanTree;
pub use io::{Format, load, save};
pub use keyed_vectors::KeyedVectors;
pub use pca::pca_2d;
pub use sampling::{UnigramTable, keep_thresholds};
pub use similarity::Restricted;
pub use stats::{pearson, spearman};
pub use train::{TrainStats, Trained, train};
pub use vocab::{Vocab, VocabConfig};
