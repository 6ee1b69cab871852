//! A character-level language model on the shipped Wikipedia sample: Embedding → a recurrent
//! layer → Dense over the alphabet, trained by full backpropagation through time on windows of
//! 64 characters to predict each next character, then sampled one character at a time with a
//! temperature (the layer run step by step, its state carried from step to step).
//!
//! The training loop is written by hand (the tape, the loss, the optimizer), as PyTorch users
//! write theirs; `Model::fit` is a convenience, never a requirement.
//!
//! `cargo run --release --example char_rnn -- [--cell rnn|lstm|peephole|coupled|gru] [--steps N]`

use std::error::Error;
use std::sync::Arc;

use autodiff_core::{Tape, Tensor, Var};
use examples::cli::{Arg, parse_or_exit};
use examples::{CharCorpus, Digest, data_dir};
use nn::data::TokenIds;
use nn::layers::{Embedding, TokenInput};
use nn::losses::sparse_categorical_crossentropy_from_logits;
use nn::optim::{Clipping, Optimizer};
use nn::recurrent::{
    Cell, CoupledLstmCell, GruCell, LstmCell, PeepholeLstmCell, Recurrent, SimpleRnnCell,
};
use nn::{Dense, Layer, Module};
use rand::rngs::StdRng;
use rand::{RngExt, SeedableRng};

/// Characters of the sample used for training (the first articles).
const TEXT_CHARS: usize = 300_000;
const BATCH: usize = 32;
const WINDOW: usize = 64;
const EMBED: usize = 32;
const HIDDEN: usize = 128;

const USAGE: &str = "usage: char_rnn [--cell rnn|lstm|peephole|coupled|gru] [--steps N]
  --cell   the recurrent layer (default lstm)
  --steps  training steps of 32 windows of 64 characters (default 600)";

/// `BATCH` random windows of `corpus` and the same windows shifted by one character (the
/// targets).
fn batch(corpus: &CharCorpus, rng: &mut StdRng) -> (Arc<TokenIds>, Tensor<f32>) {
    let mut xs = Vec::with_capacity(BATCH * WINDOW);
    let mut ys = Vec::with_capacity(BATCH * WINDOW);
    for _ in 0..BATCH {
        let start = rng.random_range(0..corpus.ids.len() - WINDOW - 1);
        xs.extend_from_slice(&corpus.ids[start..start + WINDOW]);
        ys.extend(
            corpus.ids[start + 1..start + WINDOW + 1]
                .iter()
                .map(|&id| id as f32),
        );
    }
    (
        Arc::new(TokenIds::new(xs, &[BATCH, WINDOW])),
        Tensor::from_vec(ys, [BATCH * WINDOW]),
    )
}

/// Embedding → recurrent layer (every step's output) → Dense over the alphabet.
#[derive(Module)]
#[module(float = f32)]
struct CharModel<C: Cell> {
    embedding: Embedding<f32>,
    rnn: Recurrent<f32, C>,
    head: Dense<f32>,
}

impl<C: Cell> CharModel<C> {
    fn new(cell: C, vocab: usize) -> Self {
        CharModel {
            embedding: Embedding::new(vocab, EMBED).seed(1),
            rnn: Recurrent::with_cell(cell, EMBED, HIDDEN)
                .return_sequences(true)
                .seed(2),
            head: Dense::new(HIDDEN, vocab).seed(3),
        }
    }

    /// Logits `[batch · time, vocab]` and the final states, from the states `initial` (none:
    /// zeros).
    fn run<'t>(
        &self,
        tape: &'t Tape<f32>,
        ids: Arc<TokenIds>,
        initial: &[Var<'t, f32>],
    ) -> (Var<'t, f32>, Vec<Var<'t, f32>>) {
        let rows = ids.dims().iter().product::<usize>();
        let embedded = self.embedding.forward(TokenInput::new(tape, ids));
        let out = if initial.is_empty() {
            self.rnn.forward(embedded)
        } else {
            self.rnn.forward_from(embedded, initial)
        };
        let logits = self.head.forward(out.output);
        let states = std::iter::once(out.h).chain(out.c).collect();
        (logits.reshape([rows, self.embedding.vocab_size()]), states)
    }
}

/// `count` characters sampled after `prompt` at `temperature`.
fn sample<C: Cell>(
    model: &CharModel<C>,
    corpus: &CharCorpus,
    prompt: &str,
    count: usize,
    temperature: f32,
    rng: &mut StdRng,
) -> String {
    let mut out = String::from(prompt);
    let mut ids: Vec<u32> = prompt
        .chars()
        .filter_map(|c| corpus.alphabet.binary_search(&c).ok().map(|i| i as u32))
        .collect();
    let mut states: Vec<Tensor<f32>> = Vec::new();
    for _ in 0..count {
        let tape = Tape::no_grad();
        let len = ids.len();
        let input = Arc::new(TokenIds::new(std::mem::take(&mut ids), &[1, len]));
        let initial: Vec<_> = states.iter().map(|s| tape.constant(s.clone())).collect();
        let (logits, last) = model.run(&tape, input, &initial);
        states = last.iter().map(Var::value).collect();
        let logits = logits.value();
        let row = &logits.data()[(len - 1) * corpus.alphabet.len()..];
        let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let weights: Vec<f32> = row
            .iter()
            .map(|&l| ((l - max) / temperature).exp())
            .collect();
        let mut pick = rng.random::<f32>() * weights.iter().sum::<f32>();
        let next = weights
            .iter()
            .position(|&w| {
                pick -= w;
                pick <= 0.0
            })
            .unwrap_or(weights.len() - 1);
        out.push(corpus.alphabet[next]);
        ids.push(next as u32);
    }
    out
}

/// Trains the model with `cell` for `steps` steps, then samples from it.
fn train<C: Cell>(cell: C, steps: usize, corpus: &CharCorpus) {
    let vocab = corpus.alphabet.len();
    let mut model = CharModel::new(cell, vocab);
    let mut optimizer = Optimizer::adam(3e-3).clipping(Clipping {
        global_norm: Some(5.0),
        ..Clipping::default()
    });
    let mut rng = StdRng::seed_from_u64(0);
    let mut tape = Tape::new();
    let start = std::time::Instant::now();
    let mut losses = Vec::with_capacity(steps);
    for step in 1..=steps {
        let (xs, ys) = batch(corpus, &mut rng);
        let (loss, grads) = {
            let (logits, _) = model.run(&tape, xs, &[]);
            let loss = sparse_categorical_crossentropy_from_logits(logits, tape.constant(ys));
            (loss.item(), loss.backward())
        };
        tape.clear();
        optimizer.step(&mut model, &grads);
        losses.push(f64::from(loss));
        if step == 1 || step % 100 == 0 || step == steps {
            println!(
                "step {step:>5}  loss {loss:.4}  ({:.1} s)",
                start.elapsed().as_secs_f64()
            );
        }
    }
    println!(
        "uniform guessing would score ln {vocab} = {:.4}",
        (vocab as f64).ln()
    );
    let mut digest = Digest::new();
    digest.values("losses", &losses).module("weights", &model);
    for temperature in [0.5, 1.0] {
        let text = sample(
            &model,
            corpus,
            "the history of ",
            200,
            temperature,
            &mut rng,
        );
        println!("\ntemperature {temperature}:\n{text}");
        digest.text(&format!("sample_t{temperature}"), &text);
    }
    digest.print();
}

fn main() -> Result<(), Box<dyn Error>> {
    let (cell, steps) = parse_or_exit(USAGE, |flags| {
        let (mut cell, mut steps) = (String::from("lstm"), 600);
        while let Some(arg) = flags.next_arg()? {
            match arg {
                Arg::Flag(name) if name == "cell" => cell = flags.value()?,
                Arg::Flag(name) if name == "steps" => steps = flags.positive()?,
                _ => return Err(flags.unexpected()),
            }
        }
        Ok((cell, steps))
    });
    // `batch` draws a window and its target, one character further: the fewest it can use.
    let corpus = CharCorpus::read(
        &data_dir().join("text/enwiki_sample.txt"),
        TEXT_CHARS,
        WINDOW + 2,
    )?;
    println!(
        "{} characters, an alphabet of {}; cell {cell}, {steps} steps of {BATCH} × {WINDOW}",
        corpus.ids.len(),
        corpus.alphabet.len()
    );
    match cell.as_str() {
        "rnn" => train(SimpleRnnCell, steps, &corpus),
        "lstm" => train(LstmCell, steps, &corpus),
        "peephole" => train(PeepholeLstmCell, steps, &corpus),
        "coupled" => train(CoupledLstmCell, steps, &corpus),
        "gru" => train(GruCell::default(), steps, &corpus),
        other => return Err(format!("unknown cell {other:?}\n{USAGE}").into()),
    }
    Ok(())
}
