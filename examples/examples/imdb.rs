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
use std::path::PathBuf;
use std::process::ExitCode;

use autodiff_core::Tensor;
use examples::cli::{Arg, CliError, Flags, parse_or_exit};
use examples::{
    Digest, MultiHotMlp, Reviews, ReviewsError, data_dir, output_dir, read_acl_part,
    read_labelled_sentences,
};
use nn::Activation;
use nn::data::{SparseRows, Tokenizer, multi_hot_sparse};
use nn::history_plot::plot_loss_and_metric;
use nn::losses::Loss;
use nn::metrics::Metric;
use nn::optim::Optimizer;
use nn::train::{FitOptions, Model, Validation};

const WORDS: usize = 10_000;

/// Seeded shuffle, so training batches and splits mix both labels.
fn shuffled(mut reviews: Reviews, seed: u64) -> Reviews {
    use rand::SeedableRng;
    use rand::seq::SliceRandom;
    reviews.shuffle(&mut rand::rngs::StdRng::seed_from_u64(seed));
    reviews
}

/// (train, validation, test) reviews and a description of where they came from.
fn load(data: Option<PathBuf>) -> Result<(Reviews, Reviews, Reviews, String), ReviewsError> {
    match data {
        None => {
            let path = data_dir().join("text/pang_lee_polarity.cor");
            let all = shuffled(read_labelled_sentences(&path)?, 1);
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
