//! A user-defined layer: a highway block (Srivastava et al., 2015) whose gating and activation are
//! one fused op written with `#[differentiable]`, wired into training, saving and loading with
//! `#[derive(Module)]`.
//!
//! ```text
//! y = t ⊙ swish(h) + (1 − t) ⊙ x,   h = x·W_h + b_h,   t = σ(x·W_t + b_t)
//! ```
//!
//! The example gradient-checks the model in f64, trains it in f32 with a hand-written loop
//! (tape + plain SGD through `visit_mut` and `Gradients::param`) to fit `sin(x₀)·cos(x₁)`, then
//! saves it as safetensors and loads it back into a fresh model with identical outputs.
//!
//! Run with `cargo run --release --example custom_layer`.

use nn::{
    Float, Module, Param, ParamPath, Tape, Tensor, Var, checkpoint, differentiable, gradcheck,
};

/// Swish: x σ(x).
#[differentiable]
fn swish<T: Float>(x: T) -> T {
    x * sigmoid(x)
}

/// The highway combination of the pre-activations `h` and `t` with the carried input `x`.
#[differentiable]
fn highway<T: Float>(h: T, t: T, x: T) -> T {
    let gate = sigmoid(t);
    gate * swish(h) + (1.0 - gate) * x
}

/// One highway block of constant width.
#[derive(Module)]
struct Highway<T: Float> {
    w_h: Param<T>,
    b_h: Param<T>,
    w_t: Param<T>,
    b_t: Param<T>,
    #[module(skip)]
    width: usize,
}

impl<T: Float> Highway<T> {
    fn new(width: usize, seed: u64) -> Self {
        let scale = T::lit(1.0 / (width as f64).sqrt());
        Highway {
            w_h: Param::new(Tensor::uniform([width, width], -scale, scale, seed)),
            b_h: Param::new(Tensor::zeros([width])),
            w_t: Param::new(Tensor::uniform([width, width], -scale, scale, seed + 1)),
            // A negative gate bias starts the block close to the identity, as the paper advises.
            b_t: Param::new(Tensor::full([width], T::lit(-1.0))),
            width,
        }
    }

    fn forward<'t>(&self, tape: &'t Tape<T>, x: Var<'t, T>) -> Var<'t, T> {
        assert_eq!(x.dims()[1], self.width, "highway: input width");
        let h = x.matmul(tape.param(&self.w_h)) + tape.param(&self.b_h);
        let t = x.matmul(tape.param(&self.w_t)) + tape.param(&self.b_t);
        highway_op(h, t, x) // one fused node; the bias rows broadcast over the batch
    }
}

/// Input projection, a stack of highway blocks, and a linear readout.
#[derive(Module)]
struct Model<T: Float> {
    input: Param<T>,
    blocks: Vec<Highway<T>>,
    readout: Param<T>,
}

impl<T: Float> Model<T> {
    fn new(inputs: usize, width: usize, depth: usize, seed: u64) -> Self {
        let s = T::lit(1.0 / (inputs as f64).sqrt());
        Model {
            input: Param::new(Tensor::uniform([inputs, width], -s, s, seed)),
            blocks: (0..depth)
                .map(|k| Highway::new(width, seed + 10 * (k as u64 + 1)))
                .collect(),
            readout: Param::new(Tensor::uniform([width, 1], -s, s, seed + 99)),
        }
    }

    fn forward<'t>(&self, tape: &'t Tape<T>, x: Var<'t, T>) -> Var<'t, T> {
        let mut h = x.matmul(tape.param(&self.input));
        for block in &self.blocks {
            h = block.forward(tape, h);
        }
        h.matmul(tape.param(&self.readout))
    }
}

/// The regression task: y = sin(x₀)·cos(x₁) on [-2, 2]².
fn dataset(n: usize) -> (Tensor<f32>, Tensor<f32>) {
    let x = Tensor::<f32>::uniform([n, 2], -2.0, 2.0, 7);
    let y = Tensor::from_fn([n, 1], |i| {
        let (a, b) = (x.data()[2 * i], x.data()[2 * i + 1]);
        a.sin() * b.cos()
    });
    (x, y)
}

/// Gradient checks in f64: the fused op alone (with broadcasting), the model with respect to
/// its input (gradcheck), and every parameter gradient against central differences.
fn check_gradients() {
    let h = Tensor::uniform([3, 4], -2.0, 2.0, 1);
    let t = Tensor::uniform([4], -2.0, 2.0, 2);
    let x = Tensor::uniform([3, 1], -2.0, 2.0, 3);
    gradcheck(|v| highway_op(v[0], v[1], v[2]), &[h, t, x]).expect("highway op");

    let model = Model::<f64>::new(2, 4, 2, 11);
    let input = Tensor::uniform([5, 2], -2.0, 2.0, 4);
    gradcheck(
        |v| model.forward(v[0].tape(), v[0]),
        std::slice::from_ref(&input),
    )
    .expect("model input");

    let loss = |m: &Model<f64>| {
        let tape = Tape::no_grad();
        m.forward(&tape, tape.constant(input.clone()))
            .powi(2)
            .sum()
            .item()
    };
    let tape = Tape::new();
    let grads = model
        .forward(&tape, tape.constant(input.clone()))
        .powi(2)
        .sum()
        .backward();
    let mut perturbed = Model::<f64>::new(2, 4, 2, 11);
    let mut worst: f64 = 0.0;
    let mut checked = 0;
    for (name, param) in model.named_params() {
        let analytic = grads.param(param).expect("every parameter is used");
        for e in 0..param.value().numel() {
            let mut at = |delta: f64| {
                perturbed.visit_mut(&mut ParamPath::new(), &mut |path, p| {
                    if path.as_str() == name {
                        p.update(|v| v.data_mut()[e] += delta);
                    }
                });
                loss(&perturbed)
            };
            let plus = at(1e-6);
            let minus = at(-2e-6);
            at(1e-6);
            let numeric = (plus - minus) / 2e-6;
            worst = worst.max((analytic.data()[e] - numeric).abs() / (1.0 + numeric.abs()));
            checked += 1;
        }
    }
    assert!(
        worst < 1e-6,
        "parameter gradients: worst relative error {worst:e}"
    );
    println!(
        "gradcheck (f64): fused op and model input pass; {checked} parameter gradients \
         within {worst:.1e} of central differences"
    );
}

/// One SGD step: every parameter moves against its gradient.
fn sgd(model: &mut Model<f32>, grads: &nn::autodiff_core::Gradients<f32>, lr: f32) {
    model.visit_mut(&mut ParamPath::new(), &mut |_, p| {
        if let Some(g) = grads.param(p) {
            let g = g.clone();
            p.update(|v| {
                v.data_mut()
                    .iter_mut()
                    .zip(g.data())
                    .for_each(|(w, g)| *w -= lr * g)
            });
        }
    });
}

fn mse<'t>(prediction: Var<'t, f32>, target: Var<'t, f32>) -> Var<'t, f32> {
    (prediction - target).powi(2).mean()
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    examples::cli::no_options("usage: custom_layer   (no options)");
    check_gradients();

    let (x, y) = dataset(256);
    let mut model = Model::<f32>::new(2, 16, 3, 42);
    println!(
        "model: {} parameters: {:?}",
        model.num_params(),
        names(&model)
    );
    let mut tape = Tape::new();
    let mut first = None;
    let mut last = 0.0;
    let mut losses = Vec::new();
    for step in 0..=600 {
        let (loss, grads) = {
            let loss = mse(
                model.forward(&tape, tape.constant(x.clone())),
                tape.constant(y.clone()),
            );
            (loss.item(), loss.backward())
        };
        sgd(&mut model, &grads, 0.1);
        drop(grads);
        tape.clear();
        first.get_or_insert(loss);
        last = loss;
        losses.push(f64::from(loss));
        if step % 100 == 0 {
            println!("step {step:4}  loss {loss:.5}");
        }
    }
    let first = first.unwrap_or(last);
    assert!(
        last < first / 4.0,
        "the loss should fall: {first} -> {last}"
    );
    println!("loss fell from {first:.5} to {last:.5}");

    // A temporary folder, removed when `dir` is dropped (also on an early error return).
    let dir = tempfile::tempdir()?;
    let file = dir.path().join("custom_layer.safetensors");
    checkpoint::save(&model, &file)?;
    let bytes = std::fs::metadata(&file)?.len();
    let mut restored = Model::<f32>::new(2, 16, 3, 1234);
    checkpoint::load(&mut restored, &file)?;
    let predict = |m: &Model<f32>| {
        let tape = Tape::no_grad();
        m.forward(&tape, tape.constant(x.clone())).value()
    };
    let (before, after) = (predict(&model), predict(&restored));
    let identical = before.data() == after.data();
    assert!(identical, "the loaded model must compute the same outputs");
    println!(
        "saved and loaded {} tensors ({bytes} bytes of safetensors): outputs identical = {identical}",
        model.named_params().len(),
    );
    examples::Digest::new()
        .values("losses", &losses)
        .module("weights", &model)
        .tensor("predictions", &before)
        .print();
    Ok(())
}

fn names<T: Float>(m: &impl Module<T>) -> Vec<String> {
    m.named_params()
        .into_iter()
        .map(|(n, _)| n)
        .take(5)
        .chain(["...".into()])
        .collect()
}
