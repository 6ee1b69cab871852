//! IMDB movie-review sentiment, the course's first binary classifier: reviews become multi-hot
//! rows over the 10,000 most frequent training words, and a 16-16-1 network (sigmoid output,
//! binary cross-entropy, RMSprop) learns positive vs negative.
//!
//! The first layer reads the multi-hot rows in sparse form (25,000 dense rows of 10,000 floats
//! would take 1 GB), and `Model::fit` trains on those sparse rows as on dense ones.
//!
//! - `cargo run --release --example imdb -- --data DIR` reads the Large Movie Review Dataset
//!   layout (`DIR/train/{pos,neg}/*.txt`, `DIR/test/{pos,neg}/*.txt`); 10,000 training reviews
//!   are held out for validation as in the course.
//! - without `--data` it runs on the 200 shipped review sentences (Pang & Lee), says so, and
//!   holds out 50 for the test and 30 for validation: far too little data for a good score.

use std::error::Error;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use autodiff_core::Tensor;
use examples::cli::{Arg, CliError, Flags, parse_or_exit};
use examples::{Digest, MultiHotMlp, data_dir, output_dir};
use nn::Activation;
use nn::data::{SparseRows, Tokenizer, multi_hot_sparse};
use nn::history_plot::plot_loss_and_metric;
use nn::losses::Loss;
use nn::metrics::Metric;
use nn::optim::Optimizer;
use nn::train::{FitOptions, Model, Validation};

const WORDS: usize = 10_000;

/// Labelled texts: (text, 1 for positive, 0 for negative).
type Reviews = Vec<(String, f32)>;

/// A file or folder of the data set that could not be read.
#[derive(Debug)]
enum LoadError {
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    BadLine {
        path: PathBuf,
        line: usize,
    },
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            LoadError::BadLine { path, line } => {
                write!(
                    f,
                    "{}:{line}: expected `__label__pos` or `__label__neg` then the text",
                    path.display()
                )
            }
        }
    }
}

impl Error for LoadError {}

fn io_error(path: &Path) -> impl FnOnce(std::io::Error) -> LoadError + '_ {
    move |source| LoadError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The reviews of `DIR/part/{pos,neg}`, sorted by file name for a stable order.
fn read_acl_part(dir: &Path, part: &str) -> Result<Reviews, LoadError> {
    let mut out = Vec::new();
    for (label, value) in [("pos", 1.0), ("neg", 0.0)] {
        let folder = dir.join(part).join(label);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .map_err(io_error(&folder))?
            .map(|e| e.map(|e| e.path()).map_err(io_error(&folder)))
            .collect::<Result<_, _>>()?;
        files.retain(|p| p.extension().is_some_and(|e| e == "txt"));
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file).map_err(io_error(&file))?;
            out.push((text.replace("<br />", " "), value));
        }
    }
    Ok(out)
}

/// The shipped `__label__pos text` lines.
fn read_sentences(path: &Path) -> Result<Reviews, LoadError> {
    let text = std::fs::read_to_string(path).map_err(io_error(path))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, line)| {
            let bad = || LoadError::BadLine {
                path: path.to_path_buf(),
                line: i + 1,
            };
            let (label, rest) = line.split_once(' ').ok_or_else(bad)?;
            let value = match label {
                "__label__pos" => 1.0,
                "__label__neg" => 0.0,
                _ => return Err(bad()),
            };
            Ok((rest.to_string(), value))
        })
        .collect()
}

/// Seeded shuffle, so training batches and splits mix both labels.
fn shuffled(mut reviews: Reviews, seed: u64) -> Reviews {
    use rand::SeedableRng;
    use rand::seq::SliceRandom;
    reviews.shuffle(&mut rand::rngs::StdRng::seed_from_u64(seed));
    reviews
}

/// (train, validation, test) reviews and a description of where they came from.
fn load(data: Option<PathBuf>) -> Result<(Reviews, Reviews, Reviews, String), LoadError> {
    match data {
        None => {
            let path = data_dir().join("text/pang_lee_polarity.cor");
            let all = shuffled(read_sentences(&path)?, 1);
            let (test, rest) = all.split_at(50);
            let (val, train) = rest.split_at(30);
            let note = format!(
                "no --data DIR given: running on the {} shipped review sentences of {} \
                 (not the IMDB data set; expect a weak score)",
                all.len(),
                path.display()
            );
            Ok((train.to_vec(), val.to_vec(), test.to_vec(), note))
        }
        Some(dir) => {
            let dir = dir.as_path();
            let train = shuffled(read_acl_part(dir, "train")?, 1);
            let test = read_acl_part(dir, "test")?;
            let n_val = 10_000.min(train.len() / 2);
            let (val, train) = train.split_at(n_val);
            let note = format!("aclImdb from {}", dir.display());
            Ok((train.to_vec(), val.to_vec(), test, note))
        }
    }
}

fn vectorize(tok: &Tokenizer, reviews: &Reviews) -> (SparseRows<f32>, Tensor<f32>) {
    let seqs = tok.texts_to_sequences(reviews.iter().map(|(t, _)| t.as_str()));
    let labels = reviews.iter().map(|(_, y)| *y).collect();
    (
        multi_hot_sparse(&seqs, WORDS),
        Tensor::from_vec(labels, [reviews.len(), 1]),
    )
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("imdb: {e}");
            ExitCode::FAILURE
        }
    }
}

/// `--data DIR`, the aclImdb folder, if given.
fn data_arg(flags: &mut Flags) -> Result<Option<PathBuf>, CliError> {
    let mut data = None;
    while let Some(arg) = flags.next_arg()? {
        match arg {
            Arg::Flag(name) if name == "data" => data = Some(flags.value()?),
            _ => return Err(flags.unexpected()),
        }
    }
    Ok(data)
}

fn run() -> Result<(), Box<dyn Error>> {
    let data = parse_or_exit("usage: imdb [--data DIR]   (the aclImdb folder)", data_arg);
    let (train, val, test, note) = load(data)?;
    println!("{note}");
    println!(
        "{} training, {} validation, {} test reviews",
        train.len(),
        val.len(),
        test.len()
    );
    let tok = Tokenizer::fit(train.iter().map(|(t, _)| t.as_str()), WORDS);
    let ((x, y), (vx, vy), (tx, ty)) = (
        vectorize(&tok, &train),
        vectorize(&tok, &val),
        vectorize(&tok, &test),
    );

    let mut model = Model::new(
        MultiHotMlp::new(WORDS, Activation::Sigmoid, 1),
        Loss::BinaryCrossentropy { from_logits: false },
        Optimizer::rmsprop(1e-3),
        vec![Metric::binary_accuracy("acc")],
    );
    let options = FitOptions {
        epochs: 20,
        batch_size: 512,
        validation: Validation::Data(&vx, &vy),
        ..FitOptions::default()
    };
    let history = model.fit(&x, &y, &options, &mut [])?;
    println!("{history}");
    let test = model.evaluate(&tx, &ty, 512)?;
    println!(
        "test loss {:.4}, test accuracy {:.2} %",
        test[0].1,
        100.0 * test[1].1
    );
    Digest::new()
        .history("history", &history)
        .model("weights", &model)
        .tensor("predictions", &model.predict(&tx, 256)?)
        .print();
    let out = output_dir("imdb");
    plot_loss_and_metric(&history, "acc", &out)?;
    println!("plots in {}", out.display());
    Ok(())
}
