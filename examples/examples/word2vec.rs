//! word2vec from the command line, with the original tool's flags and defaults:
//!
//! ```text
//! cargo run --release --example word2vec -- -train FILE -output FILE -cbow 0 -size 100 \
//!     -window 5 -negative 5 -hs 0 -sample 1e-4 -threads 2 -iter 5 -min-count 5 -binary 1
//! ```
//!
//! The learning rate decays by each thread's progress through the current epoch, as gensim's
//! `corpus_file` mode does (`per-thread`, the default: it scored better, see the README);
//! `-alpha-decay global` decays it by the progress of the whole run, as the original tool does
//! (see `nn::word2vec::AlphaDecay`).
//!
//! and subcommands on saved vectors (`-binary` defaults to 1 for a `.bin` file, else 0):
//!
//! ```text
//! ... --example word2vec -- similar -vectors FILE WORD [N]
//! ... --example word2vec -- analogy -vectors FILE A B C [N]        (A is to B as C is to ?)
//! ... --example word2vec -- eval -vectors FILE [-questions FILE] [-wordsim FILE]
//! ... --example word2vec -- plot -vectors FILE -output FILE.png|FILE.svg [-words w1,w2,...]
//!         [-pairs 1]    (join words 1-2, 3-4, ... with a line; on by default for the default
//!                        country,capital list)
//! ... --example word2vec -- projector -vectors FILE -output DIR [-words N]
//!         (the N most frequent words, default 10000, for TensorBoard's embedding projector:
//!          tensors.tsv, metadata.tsv, projector_config.pbtxt; open with tensorboard --logdir DIR)
//! ```
//!
//! With no arguments it trains skip-gram on the shipped Wikipedia sample, prints neighbours of a
//! few words, the analogy and WordSim353 scores, draws countries and capitals after PCA, and
//! exports the vectors for TensorBoard's projector (PCA and t-SNE in the browser).

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::str::FromStr;

use nn::plot::{Figure, PlotError};
use nn::tensorboard::{WriteError, write_projector};
use nn::word2vec::{
    self, Format, KeyedVectors, TrainConfig, Vocab, VocabConfig, Word2VecError, pca_2d,
};

/// Everything that can go wrong on the command line.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error("unknown option {0:?}")]
    UnknownFlag(String),
    #[error("option {0} needs a value")]
    MissingValue(String),
    #[error("option {flag}: {value:?} is not a valid {what}")]
    BadValue {
        flag: String,
        value: String,
        what: &'static str,
    },
    #[error("{0}")]
    Usage(String),
    #[error(transparent)]
    Word2Vec(#[from] Word2VecError),
    #[error(transparent)]
    Plot(#[from] PlotError),
    #[error(transparent)]
    TensorBoard(#[from] WriteError),
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Flags (`-name value`) and positional arguments, parsed from the command line.
struct Args {
    flags: Vec<(String, String)>,
    positional: Vec<String>,
}

impl Args {
    fn parse(args: &[String], known: &[&str]) -> Result<Self, CliError> {
        let (mut flags, mut positional) = (Vec::new(), Vec::new());
        let mut it = args.iter();
        while let Some(a) = it.next() {
            if a.starts_with('-') && a.len() > 1 && a.parse::<f64>().is_err() {
                let name = a.trim_start_matches('-');
                if !known.contains(&name) {
                    return Err(CliError::UnknownFlag(a.clone()));
                }
                let v = it.next().ok_or_else(|| CliError::MissingValue(a.clone()))?;
                flags.push((name.to_string(), v.clone()));
            } else {
                positional.push(a.clone());
            }
        }
        Ok(Args { flags, positional })
    }

    fn raw(&self, name: &str) -> Option<&str> {
        self.flags
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn get<T: FromStr>(&self, name: &str, default: T, what: &'static str) -> Result<T, CliError> {
        match self.raw(name) {
            None => Ok(default),
            Some(v) => v.parse().map_err(|_| CliError::BadValue {
                flag: format!("-{name}"),
                value: v.to_string(),
                what,
            }),
        }
    }

    fn flag01(&self, name: &str, default: bool) -> Result<bool, CliError> {
        match self.get::<u8>(name, u8::from(default), "0 or 1")? {
            0 => Ok(false),
            1 => Ok(true),
            v => Err(CliError::BadValue {
                flag: format!("-{name}"),
                value: v.to_string(),
                what: "0 or 1",
            }),
        }
    }

    fn path(&self, name: &str) -> Result<PathBuf, CliError> {
        self.raw(name)
            .map(PathBuf::from)
            .ok_or_else(|| CliError::Usage(format!("missing -{name} FILE")))
    }
}

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data/text")
}

const USAGE: &str =
    "usage: word2vec [-train FILE -output FILE ...]   (no arguments: a demo on the shipped sample)
       word2vec similar -vectors FILE WORD [N]
       word2vec analogy -vectors FILE A B C [N]   (A is to B as C is to ?)
       word2vec eval -vectors FILE [-questions FILE] [-wordsim FILE]
       word2vec plot -vectors FILE -output FILE.png|FILE.svg [-words w1,w2,...] [-pairs 0|1]

Training takes the original tool's flags, one dash each, with its defaults:
  -train FILE -output FILE -size 100 -window 5 -sample 1e-3 -hs 0 -negative 5 -threads 12
  -iter 5 -min-count 5 -max-vocab N -alpha A -alpha-decay global|per-thread -binary 0|1
  -cbow 1 -cbow-mean 1 -save-vocab FILE -seed 1 -debug 2
-binary defaults to 1 for a .bin file, else 0.
--digest (anywhere): also print hashes of the vocabulary and the trained vectors.";

impl CliError {
    /// Whether the command line itself is wrong (rather than a file or the data).
    fn is_usage(&self) -> bool {
        matches!(
            self,
            CliError::UnknownFlag(_)
                | CliError::MissingValue(_)
                | CliError::BadValue { .. }
                | CliError::Usage(_)
        )
    }
}

fn main() -> ExitCode {
    let args = examples::take_digest_flag(std::env::args().skip(1).collect());
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    let result = match args.first().map(String::as_str) {
        None => demo(),
        Some("similar") => similar(&args[1..]),
        Some("analogy") => analogy(&args[1..]),
        Some("eval") => eval(&args[1..]),
        Some("plot") => plot(&args[1..]),
        Some("projector") => projector(&args[1..]),
        Some(_) => train_cli(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_usage() => {
            eprintln!("error: {e}\n\n{USAGE}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

const TRAIN_FLAGS: &[&str] = &[
    "train",
    "output",
    "size",
    "window",
    "sample",
    "hs",
    "negative",
    "threads",
    "iter",
    "min-count",
    "max-vocab",
    "alpha",
    "alpha-decay",
    "binary",
    "cbow",
    "cbow-mean",
    "save-vocab",
    "seed",
    "debug",
];

/// Training with the original tool's flags and defaults.
fn train_cli(args: &[String]) -> Result<(), CliError> {
    let a = Args::parse(args, TRAIN_FLAGS)?;
    if !a.positional.is_empty() {
        return Err(CliError::Usage(format!(
            "unexpected argument {:?}",
            a.positional[0]
        )));
    }
    let corpus = a.path("train")?;
    let d = TrainConfig::default();
    let config = TrainConfig {
        dim: a.get("size", d.dim, "vector size")?,
        window: a.get("window", d.window, "window size")?,
        sample: a.get("sample", d.sample, "number")?,
        hs: a.flag01("hs", d.hs)?,
        negative: a.get("negative", d.negative, "count")?,
        threads: a.get("threads", d.threads, "thread count")?,
        epochs: a.get("iter", d.epochs, "epoch count")?,
        alpha: a
            .raw("alpha")
            .map(|_| a.get("alpha", 0.0, "number"))
            .transpose()?,
        alpha_decay: a.get("alpha-decay", d.alpha_decay, "decay: global or per-thread")?,
        cbow: a.flag01("cbow", d.cbow)?,
        cbow_mean: a.flag01("cbow-mean", d.cbow_mean)?,
        seed: a.get("seed", d.seed, "integer")?,
        progress: a.get::<u8>("debug", 2, "integer")? > 0,
        ..d
    };
    let vocab_config = VocabConfig {
        min_count: a.get("min-count", 5, "count")?,
        max_size: a
            .raw("max-vocab")
            .map(|_| a.get("max-vocab", 0, "count"))
            .transpose()?,
        ..VocabConfig::default()
    };
    let binary = a.flag01("binary", false)?;
    config.validate()?;
    let (kv, _) = train_and_report(&corpus, &vocab_config, &config)?;
    if let Some(vocab_path) = a.raw("save-vocab") {
        save_vocab(&corpus, &vocab_config, Path::new(vocab_path))?;
    }
    if let Some(out) = a.raw("output") {
        let format = if binary { Format::Binary } else { Format::Text };
        word2vec::save(&kv, Path::new(out), format)?;
        println!("saved {} vectors to {out}", kv.len());
    }
    Ok(())
}

fn train_and_report(
    corpus: &Path,
    vocab_config: &VocabConfig,
    config: &TrainConfig,
) -> Result<(KeyedVectors, f64), CliError> {
    let vocab = Vocab::from_corpus(corpus, vocab_config)?;
    println!(
        "vocabulary: {} words ({} corpus words, {} of them in the vocabulary)",
        vocab.len(),
        vocab.corpus_words(),
        vocab.train_words()
    );
    let cpu_before = process_cpu_seconds();
    let trained = word2vec::train(corpus, &vocab, config)?;
    if let (Some(a), Some(b)) = (cpu_before, process_cpu_seconds()) {
        println!("training used {:.2} CPU s (all threads)", b - a);
    }
    let s = trained.stats;
    println!(
        "trained in {:.2} s: {:.0} corpus words/s ({} corpus words, {} effective words after \
         subsampling, {:.0} effective words/s); final learning rate {:.6}",
        s.seconds,
        s.words_per_sec(),
        s.corpus_words,
        s.effective_words,
        s.effective_words as f64 / s.seconds,
        s.final_alpha
    );
    let kv = trained.vectors;
    examples::Digest::new()
        .text("vocabulary", &kv.words().join("\n"))
        .values("vectors", kv.vectors())
        .print();
    Ok((kv, s.words_per_sec()))
}

/// CPU seconds used so far by this process, all threads together: fields 14 and 15 (utime,
/// stime) of `/proc/self/stat`, in Linux's clock ticks of 1/100 s. `None` where that file is absent.
fn process_cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the parenthesised command name start with field 3.
    let fields: Vec<&str> = stat
        .get(stat.rfind(')')? + 1..)?
        .split_whitespace()
        .collect();
    let ticks = |i: usize| fields.get(i - 3)?.parse::<f64>().ok();
    Some((ticks(14)? + ticks(15)?) / 100.0)
}

fn save_vocab(corpus: &Path, config: &VocabConfig, path: &Path) -> Result<(), CliError> {
    use std::io::Write;
    let vocab = Vocab::from_corpus(corpus, config)?;
    nn::atomic_file::write_atomically(path, |w| {
        for (word, count) in vocab.words().iter().zip(vocab.counts()) {
            writeln!(w, "{word} {count}")?;
        }
        Ok(())
    })
    .map_err(|source| CliError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn load_vectors(a: &Args) -> Result<KeyedVectors, CliError> {
    let path = a.path("vectors")?;
    let is_bin = path.extension().is_some_and(|e| e == "bin");
    let format = if a.flag01("binary", is_bin)? {
        Format::Binary
    } else {
        Format::Text
    };
    Ok(word2vec::load(&path, format)?)
}

fn print_neighbours(title: &str, list: &[(String, f32)]) {
    let words: Vec<String> = list.iter().map(|(w, s)| format!("{w} ({s:.3})")).collect();
    println!("{title}: {}", words.join(", "));
}

fn similar(args: &[String]) -> Result<(), CliError> {
    let a = Args::parse(args, &["vectors", "binary"])?;
    let kv = load_vectors(&a)?;
    let [word, rest @ ..] = &a.positional[..] else {
        return Err(CliError::Usage(
            "usage: similar -vectors FILE WORD [N]".into(),
        ));
    };
    let n = count_arg(rest.first())?;
    print_neighbours(word, &kv.most_similar(word, n)?);
    Ok(())
}

fn analogy(args: &[String]) -> Result<(), CliError> {
    let a = Args::parse(args, &["vectors", "binary"])?;
    let kv = load_vectors(&a)?;
    let [x, y, z, rest @ ..] = &a.positional[..] else {
        return Err(CliError::Usage(
            "usage: analogy -vectors FILE A B C [N]".into(),
        ));
    };
    let n = count_arg(rest.first())?;
    let title = format!("{x} : {y} :: {z} : ?");
    print_neighbours(
        &format!("{title} 3CosAdd"),
        &kv.most_similar_by(&[y, z], &[x], n)?,
    );
    print_neighbours(
        &format!("{title} 3CosMul"),
        &kv.most_similar_cosmul(&[y, z], &[x], n)?,
    );
    Ok(())
}

fn count_arg(arg: Option<&String>) -> Result<usize, CliError> {
    arg.map_or(Ok(10), |s| {
        s.parse().map_err(|_| CliError::BadValue {
            flag: "N".into(),
            value: s.clone(),
            what: "count",
        })
    })
}

fn eval(args: &[String]) -> Result<(), CliError> {
    let a = Args::parse(args, &["vectors", "binary", "questions", "wordsim"])?;
    let kv = load_vectors(&a)?;
    let q = a
        .raw("questions")
        .map_or_else(|| data_dir().join("questions-words.txt"), PathBuf::from);
    let ws = a
        .raw("wordsim")
        .map_or_else(|| data_dir().join("wordsim353.tsv"), PathBuf::from);
    evaluate(&kv, &q, &ws)
}

fn evaluate(kv: &KeyedVectors, questions: &Path, wordsim: &Path) -> Result<(), CliError> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let sections = word2vec::read_analogies(questions)?;
    let report = word2vec::evaluate_analogies(kv, &sections, 30_000, threads);
    println!("\nAnalogies (3CosAdd, 30 000 most frequent words, question words excluded):\n");
    println!("{report}");
    let pairs = word2vec::read_word_pairs(wordsim)?;
    println!("WordSim353:\n");
    println!("{}", word2vec::evaluate_word_pairs(kv, &pairs, 300_000));
    Ok(())
}

/// The course's picture: countries and their capitals, which PCA lays out as parallel offsets.
const COUNTRIES_CAPITALS: &str = "china,beijing,russia,moscow,japan,tokyo,turkey,ankara,\
    poland,warsaw,germany,berlin,france,paris,italy,rome,greece,athens,spain,madrid,\
    portugal,lisbon,egypt,cairo";

fn plot(args: &[String]) -> Result<(), CliError> {
    let a = Args::parse(args, &["vectors", "binary", "output", "words", "pairs"])?;
    let kv = load_vectors(&a)?;
    let words = a.raw("words").unwrap_or(COUNTRIES_CAPITALS).to_string();
    let pairs = a.flag01("pairs", a.raw("words").is_none())?;
    draw_words(&kv, &words, pairs, &a.path("output")?)
}

fn projector(args: &[String]) -> Result<(), CliError> {
    let a = Args::parse(args, &["vectors", "binary", "output", "words"])?;
    let kv = load_vectors(&a)?;
    export_projector(&kv, a.get("words", 10_000, "count")?, &a.path("output")?)
}

/// Writes the `words` most frequent words' vectors (saved vectors and a trained vocabulary
/// both come most frequent first) for TensorBoard's projector, and prints how to open it.
fn export_projector(kv: &KeyedVectors, words: usize, dir: &Path) -> Result<(), CliError> {
    let n = words.min(kv.len());
    let vectors = &kv.vectors()[..n * kv.dim()];
    write_projector(dir, "word2vec", &kv.words()[..n], vectors, kv.dim())?;
    println!(
        "{n} word vectors for the embedding projector in {0}; open them with:\n  \
         tensorboard --logdir {0}   (then the Projector tab: PCA, t-SNE, UMAP)",
        dir.display()
    );
    Ok(())
}

/// Plots `words` (comma-separated) after PCA; with `pairs`, joins words 1-2, 3-4, ... by a line
/// (a pair with an unknown word is left out whole).
fn draw_words(kv: &KeyedVectors, words: &str, pairs: bool, out: &Path) -> Result<(), CliError> {
    let all: Vec<&str> = words.split(',').map(str::trim).collect();
    let known: Vec<&str> = if pairs {
        all.chunks(2)
            .filter(|p| p.len() == 2 && p.iter().all(|w| kv.get(w).is_some()))
            .flatten()
            .copied()
            .collect()
    } else {
        all.into_iter().filter(|w| kv.get(w).is_some()).collect()
    };
    if known.len() < 2 {
        return Err(CliError::Usage(
            "need at least two known words to plot".into(),
        ));
    }
    let rows: Vec<&[f32]> = known.iter().filter_map(|w| kv.get(w)).collect();
    let xy: Vec<(f64, f64)> = pca_2d(&rows)
        .into_iter()
        .map(|p| (p[0] as f64, p[1] as f64))
        .collect();
    let segments = if pairs {
        xy.chunks(2).map(|p| (p[0], p[1])).collect()
    } else {
        Vec::new()
    };
    let points = xy
        .iter()
        .zip(&known)
        .map(|(&(x, y), w)| (x, y, w.to_string()))
        .collect();
    Figure::new("word vectors, first two principal components")
        .labels("PC 1", "PC 2")
        .segments(segments)
        .labelled_points(points)
        .save(out)?;
    println!("plotted {} words to {}", known.len(), out.display());
    Ok(())
}

/// No arguments: train on the shipped sample with the benchmark flags and show the results.
fn demo() -> Result<(), CliError> {
    let corpus = data_dir().join("enwiki_sample.txt");
    // The sample holds only 453k words: 5 epochs leave the vectors far from trained
    // (WordSim353 Spearman ≈ 0.12–0.2), 15 epochs give ≈ 0.41 in about 4 s.
    println!(
        "training skip-gram on {} (flags: -cbow 0 -size 100 -window 5 -negative 5 -hs 0 \
         -sample 1e-4 -threads 2 -iter 15 -min-count 5; 15 epochs because the sample is small)",
        corpus.display()
    );
    let config = TrainConfig {
        cbow: false,
        sample: 1e-4,
        threads: 2,
        epochs: 15,
        ..TrainConfig::default()
    };
    let (kv, _) = train_and_report(&corpus, &VocabConfig::default(), &config)?;
    println!();
    for word in ["france", "king", "music", "computer", "river", "war"] {
        match kv.most_similar(word, 8) {
            Ok(list) => print_neighbours(word, &list),
            Err(e) => println!("{word}: {e}"),
        }
    }
    for (x, y, z) in [("man", "king", "woman"), ("france", "paris", "germany")] {
        if let Ok(best) = kv.most_similar_by(&[y, z], &[x], 3) {
            print_neighbours(&format!("{x} : {y} :: {z} : ?"), &best);
        }
    }
    evaluate(
        &kv,
        &data_dir().join("questions-words.txt"),
        &data_dir().join("wordsim353.tsv"),
    )?;
    let out_dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/word2vec");
    std::fs::create_dir_all(&out_dir).map_err(|source| CliError::Io {
        path: out_dir.clone(),
        source,
    })?;
    for name in ["countries.png", "countries.svg"] {
        draw_words(&kv, COUNTRIES_CAPITALS, true, &out_dir.join(name))?;
    }
    export_projector(&kv, 10_000, &out_dir.join("projector"))
}
