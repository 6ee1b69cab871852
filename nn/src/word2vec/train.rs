//! The training loop: Hogwild threads, each streaming its own byte range of the corpus file, as
//! the original tool does; skip-gram or CBOW; negative sampling and/or hierarchical softmax.
//!
//! Per centre word `w` and context word `c` (skip-gram: input `l1 = syn0[c]`; CBOW: `l1` is the
//! mean or sum of the context rows), each output row `v` with label `y` (1 for `w`, 0 for a
//! negative sample; for hierarchical softmax `y = 1 - code` at each inner node) is updated by
//! `g = alpha * (y - sigmoid(l1 · v))`, `v += g * l1`, and the error `e += g * v` is added to the
//! input row(s) at the end.

use std::path::Path;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

use super::config::{AlphaDecay, TrainConfig};
use super::corpus::{MAX_SENTENCE_LEN, Token, WordReader, open_at};
use super::error::Word2VecError;
use super::fastmath::{Kernels, Lcg, MAX_EXP, SigmoidTable, axpy, dot};
use super::hogwild::HogwildMatrix;
use super::huffman::HuffmanTree;
use super::keyed_vectors::KeyedVectors;
use super::sampling::{UnigramTable, keep_thresholds};
use super::vocab::Vocab;

/// Words processed between two updates of the learning rate and the progress bar.
const REPORT_EVERY: u64 = 10_000;

/// What a training run did and how fast.
#[derive(Debug, Clone, Copy)]
pub struct TrainStats {
    /// Corpus words read over all epochs, out-of-vocabulary and subsampled words included.
    pub corpus_words: u64,
    /// Words actually trained on (in the vocabulary and kept by subsampling).
    pub effective_words: u64,
    /// Wall-clock seconds of training (after the vocabulary was built).
    pub seconds: f64,
    /// The learning rate the threads ended with (the highest of them): near the floor with
    /// [`AlphaDecay::Global`], about `alpha * (1 - 1/threads) / epochs` with
    /// [`AlphaDecay::PerThread`].
    pub final_alpha: f32,
}

impl TrainStats {
    /// Raw corpus words per second of training: the measure comparable across tools.
    pub fn words_per_sec(&self) -> f64 {
        self.corpus_words as f64 / self.seconds.max(1e-9)
    }
}

/// The trained vectors with the run's statistics.
#[derive(Debug, Clone)]
pub struct Trained {
    /// One vector per vocabulary word, most frequent first.
    pub vectors: KeyedVectors,
    /// How the run went.
    pub stats: TrainStats,
}

/// Everything the threads share; the weight matrices are updated Hogwild-style.
struct Shared<'a> {
    kernels: Kernels,
    config: &'a TrainConfig,
    vocab: &'a Vocab,
    path: &'a Path,
    syn0: HogwildMatrix<'a>,
    syn1: HogwildMatrix<'a>,
    syn1neg: HogwildMatrix<'a>,
    huffman: Option<HuffmanTree>,
    table: Option<UnigramTable>,
    keep: Vec<u32>,
    sigmoid: SigmoidTable,
    total_words: u64,
    done: AtomicU64,
    effective: AtomicU64,
    /// Bits of the highest final learning rate (positive floats order as their bits do).
    final_alpha: AtomicU32,
    start_alpha: f32,
    min_alpha: f32,
    progress: ProgressBar,
    started: Instant,
}

/// Trains word vectors for `vocab` on the corpus file at `corpus` (the file the vocabulary was
/// counted on: it is streamed again, once per epoch and thread, never held in memory).
pub fn train(corpus: &Path, vocab: &Vocab, config: &TrainConfig) -> Result<Trained, Word2VecError> {
    train_with(Kernels::detected(), corpus, vocab, config)
}

/// [`train`] with the training loop compiled for `kernels`.
fn train_with(
    kernels: Kernels,
    corpus: &Path,
    vocab: &Vocab,
    config: &TrainConfig,
) -> Result<Trained, Word2VecError> {
    config.validate()?;
    let file_len = std::fs::metadata(corpus)
        .map_err(|e| Word2VecError::io(corpus, e))?
        .len();
    let (v, dim) = (vocab.len(), config.dim);
    let mut rng = StdRng::seed_from_u64(config.seed);
    // gensim's initial range, uniform in [-1/dim, 1/dim): twice the original tool's. On the
    // shipped sample it scores as gensim does at one thread, where the original's range scored
    // 0.015 lower on WordSim353 (examples/bench/word2vec_results.md).
    let mut syn0: Vec<f32> = (0..v * dim)
        .map(|_| (2.0 * rng.random::<f32>() - 1.0) / dim as f32)
        .collect();
    let mut syn1 = vec![0.0f32; if config.hs { v.max(2) * dim } else { dim }];
    let mut syn1neg = vec![0.0f32; if config.negative > 0 { v * dim } else { dim }];
    let total_words = vocab.corpus_words() * config.epochs as u64;
    let progress = if config.progress {
        ProgressBar::with_draw_target(Some(total_words), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    progress.set_style(
        ProgressStyle::with_template(
            "{elapsed_precise} [{wide_bar}] {percent:>3}% {human_pos}/{human_len} words {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let start_alpha = config.start_alpha();
    let shared = Shared {
        kernels,
        config,
        vocab,
        path: corpus,
        syn0: HogwildMatrix::new(&mut syn0, dim),
        syn1: HogwildMatrix::new(&mut syn1, dim),
        syn1neg: HogwildMatrix::new(&mut syn1neg, dim),
        huffman: config.hs.then(|| HuffmanTree::new(vocab.counts())),
        table: (config.negative > 0).then(|| UnigramTable::new(vocab.counts(), 0.75)),
        keep: keep_thresholds(vocab.counts(), config.sample),
        sigmoid: SigmoidTable::default(),
        total_words,
        done: AtomicU64::new(0),
        effective: AtomicU64::new(0),
        final_alpha: AtomicU32::new(0),
        start_alpha,
        min_alpha: start_alpha * config.min_alpha_ratio,
        progress,
        started: Instant::now(),
    };
    let threads = config.threads as u64;
    let results: Vec<Result<(), Word2VecError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|t| {
                let shared = &shared;
                let range = (file_len * t / threads, file_len * (t + 1) / threads);
                std::thread::Builder::new()
                    .name(format!("word2vec-{t}"))
                    .spawn_scoped(scope, move || Worker::new(shared, t).run(range))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| match h {
                Ok(h) => h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
                Err(e) => Err(Word2VecError::Config(format!("cannot start a thread: {e}"))),
            })
            .collect()
    });
    let seconds = shared.started.elapsed().as_secs_f64();
    shared.progress.finish_and_clear();
    results.into_iter().collect::<Result<(), _>>()?;
    let stats = TrainStats {
        corpus_words: shared.done.load(Ordering::Relaxed),
        effective_words: shared.effective.load(Ordering::Relaxed),
        seconds,
        final_alpha: f32::from_bits(shared.final_alpha.load(Ordering::Relaxed)),
    };
    drop(shared);
    let vectors = KeyedVectors::new(vocab.words().to_vec(), syn0, dim)?;
    Ok(Trained { vectors, stats })
}

/// One training thread's state: its random stream, learning rate, place in the run and scratch
/// rows.
struct Worker<'s, 'a> {
    s: &'s Shared<'a>,
    rng: Lcg,
    alpha: f32,
    epoch: usize,
    epoch_words: u64,
    neu1: Vec<f32>,
    neu1e: Vec<f32>,
    /// This thread's copy of the input row being trained (skip-gram) or added up (CBOW).
    l1: Vec<f32>,
    /// This thread's copy of the output row being updated.
    l2: Vec<f32>,
    /// The output rows (and labels) of one negative-sampling update: the word's, then the
    /// negative samples'.
    targets: Vec<(u32, f32)>,
}

impl<'s, 'a> Worker<'s, 'a> {
    fn new(s: &'s Shared<'a>, thread: u64) -> Self {
        Worker {
            s,
            rng: Lcg::new(s.config.seed.wrapping_add(thread)),
            alpha: s.start_alpha,
            epoch: 0,
            epoch_words: 0,
            neu1: vec![0.0; s.config.dim],
            neu1e: vec![0.0; s.config.dim],
            l1: vec![0.0; s.config.dim],
            l2: vec![0.0; s.config.dim],
            targets: Vec::with_capacity(s.config.negative + 1),
        }
    }

    /// Trains on the bytes `start..end` of the corpus, once per epoch.
    fn run(mut self, (start, end): (u64, u64)) -> Result<(), Word2VecError> {
        let mut sentence = Vec::with_capacity(MAX_SENTENCE_LEN);
        let mut word = Vec::new();
        let mut pending = 0u64;
        let mut effective = 0u64;
        for epoch in 0..self.s.config.epochs {
            self.epoch = epoch;
            self.epoch_words = 0;
            // Per-thread progress restarts at this epoch's share: the rate drops now, not at
            // the first report 10,000 words in (as gensim starts each epoch's rate afresh).
            self.alpha = self.scheduled_alpha(self.s.done.load(Ordering::Relaxed));
            let mut reader = open_at(self.s.path, start)?;
            loop {
                let (raw, more) = self
                    .read_sentence(&mut reader, end, &mut sentence, &mut word)
                    .map_err(|e| Word2VecError::io(self.s.path, e))?;
                self.train_sentence(&sentence);
                effective += sentence.len() as u64;
                pending += raw;
                if pending >= REPORT_EVERY || !more {
                    self.report(pending);
                    pending = 0;
                }
                if !more {
                    break;
                }
            }
        }
        self.s.effective.fetch_add(effective, Ordering::Relaxed);
        self.s
            .final_alpha
            .fetch_max(self.alpha.to_bits(), Ordering::Relaxed);
        Ok(())
    }

    /// Adds `words` to the shared count, then decays the learning rate and redraws the bar.
    fn report(&mut self, words: u64) {
        let s = self.s;
        let done = s.done.fetch_add(words, Ordering::Relaxed) + words;
        self.epoch_words += words;
        self.alpha = self.scheduled_alpha(done);
        if !s.progress.is_hidden() {
            let rate = done as f64 / s.started.elapsed().as_secs_f64().max(1e-9);
            s.progress.set_position(done);
            s.progress
                .set_message(format!("{:.0}k words/s  lr {:.6}", rate / 1e3, self.alpha));
        }
    }

    /// The learning rate for this thread's place in the run, all threads having read `done`
    /// words (see [`AlphaDecay`]).
    fn scheduled_alpha(&self, done: u64) -> f32 {
        let s = self.s;
        let progress = match s.config.alpha_decay {
            AlphaDecay::Global => done as f64 / (s.total_words + 1) as f64,
            AlphaDecay::PerThread => per_thread_progress(
                self.epoch,
                self.epoch_words,
                s.vocab.corpus_words(),
                s.config.epochs,
            ),
        };
        decayed_alpha(s.start_alpha, s.min_alpha, progress)
    }

    /// Reads the next sentence (up to a line end or `MAX_SENTENCE_LEN` words) into `sentence`,
    /// dropping unknown words and subsampling frequent ones. Returns the number of corpus words
    /// read and whether this thread's byte range has more.
    fn read_sentence<R: std::io::BufRead>(
        &mut self,
        reader: &mut WordReader<R>,
        end: u64,
        sentence: &mut Vec<u32>,
        word: &mut Vec<u8>,
    ) -> std::io::Result<(u64, bool)> {
        sentence.clear();
        let mut raw = 0u64;
        loop {
            match reader.next_token(word)? {
                Token::End => return Ok((raw, false)),
                Token::EndOfLine => {
                    if reader.offset() > end {
                        return Ok((raw, false));
                    }
                    if raw > 0 {
                        return Ok((raw, true));
                    }
                }
                Token::Word => {
                    // A word starting at or after `end` belongs to the next thread's range.
                    if reader.offset() - word.len() as u64 >= end {
                        return Ok((raw, false));
                    }
                    raw += 1;
                    if let Some(w) = self.s.vocab.index_of(word) {
                        let keep = self.s.keep[w as usize];
                        if keep == u32::MAX || self.rng.next_u32() <= keep {
                            sentence.push(w);
                        }
                    }
                    if raw as usize >= MAX_SENTENCE_LEN {
                        return Ok((raw, true));
                    }
                }
            }
        }
    }

    /// Trains on one sentence with the copy of the loop `kernels` names.
    fn train_sentence(&mut self, sentence: &[u32]) {
        match self.s.kernels {
            // SAFETY: `Kernels::Avx2Fma` exists only if this CPU has AVX2 and FMA.
            #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
            Kernels::Avx2Fma => unsafe { self.train_sentence_avx2(sentence) },
            Kernels::Portable => self.train_sentence_kernel(sentence),
        }
    }

    /// [`Worker::train_sentence_kernel`] compiled for AVX2 and FMA: 8-lane dot products and
    /// updates instead of SSE2's 4, with the same results (Rust never fuses a separate
    /// multiply and add).
    #[cfg(any(target_arch = "x86", target_arch = "x86_64"))]
    #[target_feature(enable = "avx2,fma")]
    fn train_sentence_avx2(&mut self, sentence: &[u32]) {
        self.train_sentence_kernel(sentence)
    }

    /// The loop over one sentence's windows, inlined (with everything it calls) into each
    /// compiled copy.
    #[inline(always)]
    fn train_sentence_kernel(&mut self, sentence: &[u32]) {
        let window = self.s.config.window;
        let n = sentence.len();
        for i in 0..n {
            // The original's random window shrink: reach `window - b` with b uniform in 0..window.
            let reach = window - ((self.rng.next_u32() as u64 * window as u64) >> 32) as usize;
            let (lo, hi) = (i.saturating_sub(reach), (i + reach).min(n - 1));
            if self.s.config.cbow {
                self.cbow(sentence, i, lo, hi);
            } else {
                for j in lo..=hi {
                    if j != i {
                        self.skip_gram(sentence[i], sentence[j]);
                    }
                }
            }
        }
    }

    /// Skip-gram: the context word's input vector predicts the centre word.
    #[inline(always)]
    fn skip_gram(&mut self, word: u32, context: u32) {
        self.s.syn0.read(context as usize, &mut self.l1);
        self.neu1e.fill(0.0);
        learn(
            self.s,
            &mut self.rng,
            self.alpha,
            &self.l1,
            &mut self.neu1e,
            &mut self.l2,
            &mut self.targets,
            word,
        );
        self.s.syn0.add(context as usize, &self.neu1e);
    }

    /// CBOW: the mean (or sum) of the context input vectors predicts the centre word.
    #[inline(always)]
    fn cbow(&mut self, sentence: &[u32], i: usize, lo: usize, hi: usize) {
        let count = hi - lo;
        if count == 0 {
            return;
        }
        self.neu1.fill(0.0);
        for j in (lo..=hi).filter(|&j| j != i) {
            self.s.syn0.read(sentence[j] as usize, &mut self.l1);
            axpy(1.0, &self.l1, &mut self.neu1);
        }
        if self.s.config.cbow_mean {
            let inv = 1.0 / count as f32;
            self.neu1.iter_mut().for_each(|x| *x *= inv);
        }
        self.neu1e.fill(0.0);
        learn(
            self.s,
            &mut self.rng,
            self.alpha,
            &self.neu1,
            &mut self.neu1e,
            &mut self.l2,
            &mut self.targets,
            sentence[i],
        );
        for j in (lo..=hi).filter(|&j| j != i) {
            self.s.syn0.add(sentence[j] as usize, &self.neu1e);
        }
    }
}

/// gensim's `corpus_file` progress: epochs done plus this thread's words in the current epoch
/// over the corpus's words, over all epochs.
fn per_thread_progress(epoch: usize, epoch_words: u64, corpus_words: u64, epochs: usize) -> f64 {
    (epoch as f64 + epoch_words as f64 / corpus_words.max(1) as f64) / epochs as f64
}

/// The learning rate `progress` (0 to 1) of the way along the linear decay from `start` to the
/// floor `min`.
fn decayed_alpha(start: f32, min: f32, progress: f64) -> f32 {
    (start * (1.0 - progress as f32)).max(min)
}

/// Updates the output rows for predicting `word` from `l1` and accumulates the input error;
/// each output row is copied into `l2`, updated there and stored back. The negative samples are
/// drawn first (into `targets`), so that all their rows are fetched at once.
#[inline(always)]
fn learn(
    s: &Shared,
    rng: &mut Lcg,
    alpha: f32,
    l1: &[f32],
    neu1e: &mut [f32],
    l2: &mut [f32],
    targets: &mut Vec<(u32, f32)>,
    word: u32,
) {
    if let Some(tree) = &s.huffman {
        let (codes, points) = tree.path(word as usize);
        for (&code, &point) in codes.iter().zip(points) {
            s.syn1.read(point as usize, l2);
            let f = dot(l1, l2);
            if f <= -MAX_EXP || f >= MAX_EXP {
                continue;
            }
            let g = (1.0 - code as f32 - s.sigmoid.get(f)) * alpha;
            axpy(g, l2, neu1e);
            s.syn1.write_axpy(point as usize, l2, g, l1);
        }
    }
    if let Some(table) = &s.table {
        targets.clear();
        targets.push((word, 1.0));
        for _ in 0..s.config.negative {
            let t = table.draw(rng.next_u32(), rng.next_u32());
            if t != word {
                targets.push((t, 0.0));
            }
        }
        for &(target, _) in targets.iter() {
            s.syn1neg.prefetch(target as usize);
        }
        for &(target, label) in targets.iter() {
            s.syn1neg.read(target as usize, l2);
            let f = dot(l1, l2);
            let g = if f > MAX_EXP {
                (label - 1.0) * alpha
            } else if f < -MAX_EXP {
                label * alpha
            } else {
                (label - s.sigmoid.get(f)) * alpha
            };
            axpy(g, l2, neu1e);
            s.syn1neg.write_axpy(target as usize, l2, g, l1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::word2vec::vocab::VocabConfig;

    /// A corpus file of [`topics`] in a temporary folder (removed on drop) and its vocabulary.
    struct Topics {
        _dir: tempfile::TempDir,
        path: std::path::PathBuf,
        vocab: Vocab,
    }

    impl Topics {
        fn new() -> Self {
            let dir = tempfile::tempdir().unwrap();
            let path = topics(dir.path());
            let vocab = Vocab::from_corpus(&path, &VocabConfig::default()).unwrap();
            Topics {
                _dir: dir,
                path,
                vocab,
            }
        }
    }

    /// Two topics: `cat`/`dog` appear with pet words, `car`/`truck` with road words.
    fn topics(dir: &Path) -> std::path::PathBuf {
        let pets = ["feed", "pet", "fur", "vet", "paw"];
        let road = ["drive", "wheel", "fuel", "road", "engine"];
        let mut text = String::new();
        for i in 0..600 {
            let (ctx, w) = if i % 2 == 0 {
                (pets, ["cat", "dog"][i / 2 % 2])
            } else {
                (road, ["car", "truck"][i / 2 % 2])
            };
            let a = ctx[i % 5];
            let b = ctx[(i / 5 + 2) % 5];
            text.push_str(&format!("{a} {w} {b}\n"));
        }
        let path = dir.join("topics.txt");
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn words_sharing_contexts_end_up_closer() {
        let Topics { path, vocab, .. } = &Topics::new();
        let base = TrainConfig {
            dim: 16,
            window: 2,
            sample: 0.0,
            threads: 1,
            epochs: 10,
            cbow: false,
            progress: false,
            ..TrainConfig::default()
        };
        let configs = [
            base.clone(),
            TrainConfig {
                hs: true,
                negative: 0,
                ..base.clone()
            },
            TrainConfig {
                cbow: true,
                ..base.clone()
            },
            TrainConfig {
                cbow: true,
                cbow_mean: false,
                alpha: Some(0.01),
                ..base.clone()
            },
            TrainConfig {
                threads: 2,
                ..base.clone()
            },
        ];
        for config in configs {
            let t = train(path, vocab, &config).unwrap();
            // Every corpus word is read exactly once per epoch, however the file is split.
            assert_eq!(t.stats.corpus_words, 1800 * config.epochs as u64);
            let kv = &t.vectors;
            let s = |a, b| kv.similarity(a, b).unwrap();
            assert!(s("cat", "dog") > s("cat", "car") + 0.2, "{config:?}");
            assert!(s("car", "truck") > s("truck", "dog") + 0.2, "{config:?}");
        }
    }

    #[test]
    fn one_thread_and_one_seed_give_the_same_vectors() {
        let Topics { path, vocab, .. } = &Topics::new();
        let config = TrainConfig {
            threads: 1,
            epochs: 1,
            progress: false,
            ..TrainConfig::default()
        };
        let a = train(path, vocab, &config).unwrap().vectors;
        let b = train(path, vocab, &config).unwrap().vectors;
        let c = train(path, vocab, &TrainConfig { seed: 2, ..config })
            .unwrap()
            .vectors;
        assert_eq!(a.vectors(), b.vectors());
        assert_ne!(a.vectors(), c.vectors());
    }

    #[test]
    fn every_compiled_copy_of_the_loop_gives_the_same_vectors() {
        let Topics { path, vocab, .. } = &Topics::new();
        for cbow in [false, true] {
            let config = TrainConfig {
                threads: 1,
                epochs: 1,
                progress: false,
                cbow,
                ..TrainConfig::default()
            };
            let portable = train_with(Kernels::Portable, path, vocab, &config).unwrap();
            for kernels in Kernels::available().into_iter().skip(1) {
                let got = train_with(kernels, path, vocab, &config).unwrap();
                assert_eq!(
                    got.vectors.vectors(),
                    portable.vectors.vectors(),
                    "{kernels:?}, cbow {cbow}"
                );
            }
        }
    }

    #[test]
    fn the_learning_rate_decays_by_the_chosen_progress() {
        let Topics { path, vocab, .. } = &Topics::new();
        let config = TrainConfig {
            threads: 2,
            epochs: 5,
            alpha: Some(0.1),
            progress: false,
            ..TrainConfig::default()
        };
        // One thread, so that no other thread is still reading when it ends: the last report
        // leaves 1/9,001 of the 9,000 words' way to go.
        let one_thread = TrainConfig {
            threads: 1,
            alpha_decay: AlphaDecay::Global,
            ..config.clone()
        };
        let global = train(path, vocab, &one_thread).unwrap().stats;
        assert!(global.final_alpha < 0.1 * 2e-4, "{}", global.final_alpha);
        let per_thread = TrainConfig {
            alpha_decay: AlphaDecay::PerThread,
            ..config
        };
        let stats = train(path, vocab, &per_thread).unwrap().stats;
        // Each thread reads about half of each epoch: it ends (4 + 1/2) / 5 of the way down.
        let expected = 0.1 * (1.0 - 4.5 / 5.0);
        assert!(
            (stats.final_alpha - expected).abs() < 0.1 * 0.02,
            "{} vs {expected}",
            stats.final_alpha
        );
    }

    #[test]
    fn per_thread_progress_restarts_each_epoch_at_its_share() {
        // gensim's get_alpha at an epoch's start, and half-way through a 2-thread share.
        assert_eq!(per_thread_progress(0, 0, 1000, 5), 0.0);
        assert_eq!(per_thread_progress(3, 0, 1000, 5), 0.6);
        assert_eq!(per_thread_progress(3, 500, 1000, 5), 0.7);
        assert_eq!(decayed_alpha(0.1, 1e-5, 0.6), 0.1 * (1.0 - 0.6));
        assert_eq!(decayed_alpha(0.1, 1e-5, 1.0), 1e-5);
    }

    #[test]
    fn bad_config_and_missing_file_are_errors() {
        let vocab = Vocab::from_counts([("a".to_string(), 5)], 5, &VocabConfig::default()).unwrap();
        let config = TrainConfig {
            negative: 0,
            hs: false,
            ..TrainConfig::default()
        };
        assert!(matches!(
            train(Path::new("/nonexistent"), &vocab, &config),
            Err(Word2VecError::Config(_))
        ));
        let config = TrainConfig {
            progress: false,
            ..TrainConfig::default()
        };
        assert!(matches!(
            train(Path::new("/nonexistent"), &vocab, &config),
            Err(Word2VecError::Io { .. })
        ));
    }
}
