//! `#[derive(Module)]`: paths, containers, generics, aliases, skipped fields, training mode,
//! buffers, parameter counts, and checkpoints of derived modules.

use std::cell::Cell;

use nn::optim::Optimizer;
use nn::{
    Buffer, BufferRef, Float, Module, Param, ParamPath, StepCounter, Tape, Tensor, Var, checkpoint,
};

/// A hand-written leaf module that remembers its training mode (like dropout).
struct Dropout {
    training: bool,
}

impl<T: Float> Module<T> for Dropout {
    fn visit<'a>(&'a self, _: &mut ParamPath, _: &mut dyn FnMut(&ParamPath, &'a Param<T>)) {}
    fn visit_mut(&mut self, _: &mut ParamPath, _: &mut dyn FnMut(&ParamPath, &mut Param<T>)) {}
    fn set_training(&mut self, training: bool) {
        self.training = training;
    }
}

#[derive(Module)]
struct Dense<T: Float> {
    weight: Param<T>,
    bias: Option<Param<T>>,
    #[module(skip)]
    units: usize,
}

/// A type alias: the derive classifies by type, not by spelling.
type Weight = Param<f32>;

/// Re-exported under another name.
mod reexport {
    pub use nn::Param as Tensorish;
}

#[derive(Module)]
#[module(float = f32)]
struct Encoder {
    layers: Vec<Dense<f32>>,
    gain: Weight,
    scale: reexport::Tensorish<f32>,
    head: Box<Dense<f32>>,
    pair: [Param<f32>; 2],
    dropout: Dropout,
    #[module(skip)]
    name: String,
    #[module(skip)]
    calls: Cell<u32>,
}

/// A tuple struct: paths "0", "1".
#[derive(Module)]
struct Pair<T: Float>(Param<T>, Dense<T>);

/// Generic over a sub-module type, with a where-clause: the sub-module gets a `Module<T>` bound.
#[derive(Module)]
struct Residual<M, T>
where
    T: Float,
{
    inner: M,
    skip_weight: Param<T>,
}

/// Generic over the sub-module only; the element type is fixed by the attribute.
#[derive(Module)]
#[module(float = f64)]
struct Wrapper<M: Send> {
    inner: Vec<M>,
}

/// An empty module (all configuration).
#[derive(Module)]
#[module(float = f32)]
struct Config {
    #[module(skip)]
    _size: usize,
}

fn dense<T: Float>(rows: usize, cols: usize, bias: bool) -> Dense<T> {
    Dense {
        weight: Param::new(Tensor::from_fn([rows, cols], |i| T::lit(i as f64 + 1.0))),
        bias: bias.then(|| Param::new(Tensor::zeros([cols]))),
        units: cols,
    }
}

fn encoder() -> Encoder {
    Encoder {
        layers: vec![dense(2, 3, true), dense(3, 1, false)],
        gain: Param::new(Tensor::ones([1])),
        scale: Param::new(Tensor::ones([2])),
        head: Box::new(dense(1, 1, true)),
        pair: [
            Param::new(Tensor::zeros([1])),
            Param::new(Tensor::zeros([2])),
        ],
        dropout: Dropout { training: true },
        name: "enc".into(),
        calls: Cell::new(0),
    }
}

fn names<T: Float>(m: &impl Module<T>) -> Vec<String> {
    m.named_params().into_iter().map(|(n, _)| n).collect()
}

#[test]
fn dotted_paths_follow_fields_containers_and_indices() {
    let e = encoder();
    assert_eq!(
        names(&e),
        [
            "layers.0.weight",
            "layers.0.bias",
            "layers.1.weight",
            "gain",
            "scale",
            "head.weight",
            "head.bias",
            "pair.0",
            "pair.1"
        ]
    );
    assert_eq!(e.num_params(), 6 + 3 + 3 + 1 + 2 + 1 + 1 + 1 + 2);
    assert_eq!(
        (e.name.as_str(), e.calls.get(), e.layers[0].units),
        ("enc", 0, 3)
    );
}

#[test]
fn tuple_and_generic_structs() {
    let p = Pair::<f64>(Param::new(Tensor::zeros([2])), dense(1, 2, true));
    assert_eq!(names(&p), ["0", "1.weight", "1.bias"]);
    let r = Residual {
        inner: Pair::<f64>(Param::new(Tensor::zeros([1])), dense(1, 1, false)),
        skip_weight: Param::new(Tensor::zeros([1])),
    };
    assert_eq!(names(&r), ["inner.0", "inner.1.weight", "skip_weight"]);
    let w = Wrapper {
        inner: vec![dense::<f64>(1, 1, false)],
    };
    assert_eq!(names(&w), ["inner.0.weight"]);
    let c = Config { _size: 3 };
    assert_eq!(Module::<f32>::num_params(&c), 0);
}

#[test]
fn visit_mut_reaches_every_parameter() {
    let mut e = encoder();
    e.visit_mut(&mut ParamPath::new(), &mut |path, p| {
        let v = if path.as_str().starts_with("layers.1") {
            7.0
        } else {
            1.0
        };
        p.update(|t| t.data_mut().iter_mut().for_each(|x| *x = v));
    });
    assert_eq!(e.layers[1].weight.value().data(), &[7.0, 7.0, 7.0]);
    assert_eq!(e.head.weight.value().data(), &[1.0]);
}

#[test]
fn training_mode_propagates() {
    let mut e = encoder();
    e.set_training(false);
    assert!(!e.dropout.training);
    e.set_training(true);
    assert!(e.dropout.training);
}

#[test]
fn derived_modules_round_trip_through_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("encoder.safetensors");
    let e = encoder();
    checkpoint::save(&e, &file).unwrap();
    let mut restored = encoder();
    restored.visit_mut(&mut ParamPath::new(), &mut |_, p| {
        p.update(|t| t.data_mut().fill(0.0))
    });
    checkpoint::load(&mut restored, &file).unwrap();
    let values = |m: &Encoder| -> Vec<Vec<f32>> {
        m.named_params()
            .iter()
            .map(|(_, p)| p.value().data().to_vec())
            .collect()
    };
    assert_eq!(values(&restored), values(&e));

    // A module of another structure is refused, naming the tensor, and left unchanged.
    let mut other = Pair::<f32>(Param::new(Tensor::zeros([2])), dense(1, 2, true));
    let err = checkpoint::load(&mut other, &file).unwrap_err();
    assert!(err.to_string().contains("`0`"), "{err}");
    assert_eq!(other.1.weight.value().data(), &[1.0, 2.0]);
}

/// Batch-norm-like state: a trained scale beside running statistics and a batch count.
#[derive(Module)]
struct Norm<T: Float> {
    weight: Param<T>,
    running_mean: Buffer<T>,
    num_batches_tracked: StepCounter,
    #[module(skip)]
    momentum: f64,
}

impl<T: Float> Norm<T> {
    fn new(features: usize) -> Self {
        Norm {
            weight: Param::new(Tensor::ones([features])),
            running_mean: Buffer::new(Tensor::zeros([features])),
            num_batches_tracked: StepCounter::new(),
            momentum: 0.5,
        }
    }

    /// `x · weight − running_mean`, updating the running mean towards `x`'s through `&self`.
    fn forward<'t>(&self, tape: &'t Tape<T>, x: &Tensor<T>) -> Var<'t, T> {
        let m = T::lit(self.momentum);
        self.running_mean.update(|r| {
            for (r, x) in r.data_mut().iter_mut().zip(x.data()) {
                *r = (T::one() - m) * *r + m * *x;
            }
        });
        self.num_batches_tracked.increment();
        tape.constant(x.clone()) * tape.param(&self.weight) - self.running_mean.on(tape)
    }
}

/// A buffer through an alias: classified by the trait, not by its spelling.
type Statistic = Buffer<f32>;

#[derive(Module)]
#[module(float = f32)]
struct Block {
    dense: Dense<f32>,
    bn: Norm<f32>,
    extra: Vec<Statistic>,
}

#[derive(Module)]
#[module(float = f32)]
struct Net {
    block: Block,
    head: Option<Box<Norm<f32>>>,
}

fn net() -> Net {
    Net {
        block: Block {
            dense: dense(2, 2, true),
            bn: Norm::new(2),
            extra: vec![Buffer::new(Tensor::zeros([3]))],
        },
        head: Some(Box::new(Norm::new(1))),
    }
}

fn buffer_names<T: Float>(m: &impl Module<T>) -> Vec<String> {
    m.named_buffers().into_iter().map(|(n, _)| n).collect()
}

#[test]
fn buffers_get_dotted_names_apart_from_parameters() {
    let n = net();
    assert_eq!(
        buffer_names(&n),
        [
            "block.bn.running_mean",
            "block.bn.num_batches_tracked",
            "block.extra.0",
            "head.running_mean",
            "head.num_batches_tracked"
        ]
    );
    assert_eq!(
        names(&n),
        [
            "block.dense.weight",
            "block.dense.bias",
            "block.bn.weight",
            "head.weight"
        ]
    );
    let (_, first) = &n.named_buffers()[0];
    assert!(matches!(first, BufferRef::Tensor(b) if std::ptr::eq(*b, &n.block.bn.running_mean)));
    // Modules without buffers (every other test struct) have none.
    assert!(buffer_names(&encoder()).is_empty());
}

#[test]
fn counts_split_trainable_from_frozen_parameters_and_buffers() {
    let mut n = net();
    // Parameters: dense 4 + 2, bn.weight 2, head.weight 1. Buffers: 2 + 1, 3, 1 + 1.
    assert_eq!(n.num_params(), 9);
    assert_eq!(n.num_trainable_params(), 9);
    assert_eq!(n.num_non_trainable_params(), 8);
    n.block.dense.weight.set_trainable(false);
    assert_eq!(n.num_params(), 9, "frozen parameters are still parameters");
    assert_eq!(n.num_trainable_params(), 5);
    assert_eq!(n.num_non_trainable_params(), 12);
}

#[test]
fn a_forward_through_a_shared_reference_updates_buffers_from_several_threads() {
    let norm = Norm::<f64>::new(2);
    let x = Tensor::from_vec(vec![4.0, -2.0], [2]);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let tape = Tape::new();
                norm.forward(&tape, &x).sum().item()
            });
        }
    });
    assert_eq!(norm.num_batches_tracked.get(), 2);
    // Twice halfway towards x from 0: 3/4 of x.
    assert_eq!(norm.running_mean.value().data(), &[3.0, -1.5]);
}

#[test]
fn an_optimizer_step_leaves_buffers_unchanged() {
    let mut norm = Norm::<f64>::new(2);
    let x = Tensor::from_vec(vec![4.0, -2.0], [2]);
    let grads = {
        let tape = Tape::new();
        norm.forward(&tape, &x).powi(2).sum().backward()
    };
    let mean_before = norm.running_mean.value().data().to_vec();
    let weight_before = norm.weight.value().data().to_vec();
    let mut opt = Optimizer::adamw(0.1);
    opt.step(&mut norm, &grads);
    assert_ne!(
        norm.weight.value().data(),
        &weight_before[..],
        "the parameter moved"
    );
    assert_eq!(norm.running_mean.value().data(), &mean_before[..]);
    assert_eq!(norm.num_batches_tracked.get(), 1);
}

#[test]
fn buffers_round_trip_through_checkpoints_beside_parameters() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("net.safetensors");
    let saved = net();
    let x = Tensor::from_vec(vec![1.0, 3.0], [2]);
    for _ in 0..3 {
        saved.block.bn.forward(&Tape::new(), &x);
    }
    saved.block.extra[0].set(Tensor::from_vec(vec![7.0, 8.0, 9.0], [3]));
    checkpoint::save(&saved, &file).unwrap();

    let mut restored = net();
    checkpoint::load(&mut restored, &file).unwrap();
    let state = |n: &Net| -> Vec<(String, Vec<f32>)> {
        n.named_buffers()
            .into_iter()
            .map(|(name, b)| match b {
                BufferRef::Tensor(b) => (name, b.value().data().to_vec()),
                BufferRef::Counter(c) => (name, vec![c.get() as f32]),
                BufferRef::Rng(r) => (name, r.state().iter().map(|&b| f32::from(b)).collect()),
            })
            .collect()
    };
    assert_eq!(state(&restored), state(&saved));
    assert_eq!(restored.block.bn.num_batches_tracked.get(), 3);
    assert_eq!(
        restored.block.bn.running_mean.value().data(),
        &[0.875, 2.625]
    );

    // A buffer the module lacks is refused by name, and nothing is loaded.
    let mut fewer = net();
    fewer.block.extra.clear();
    let err = checkpoint::load(&mut fewer, &file).unwrap_err();
    assert!(
        matches!(&err, checkpoint::CheckpointError::Unexpected { tensor, .. } if tensor == "block.extra.0"),
        "{err}"
    );
    assert_eq!(fewer.block.bn.num_batches_tracked.get(), 0);
}

/// `block`'s parts at the top level, beside `head`: a flattened field adds no path segment.
#[derive(Module)]
#[module(float = f32)]
struct FlatNet {
    #[module(flatten)]
    block: Block,
    head: Norm<f32>,
    #[module(flatten)]
    dropout: Dropout,
}

#[test]
fn a_flattened_field_adds_no_path_segment_and_still_takes_the_training_mode() {
    let mut n = FlatNet {
        block: net().block,
        head: Norm::new(1),
        dropout: Dropout { training: true },
    };
    assert_eq!(
        names(&n),
        ["dense.weight", "dense.bias", "bn.weight", "head.weight"]
    );
    assert_eq!(
        buffer_names(&n),
        [
            "bn.running_mean",
            "bn.num_batches_tracked",
            "extra.0",
            "head.running_mean",
            "head.num_batches_tracked"
        ]
    );
    let mut visited = Vec::new();
    n.visit_mut(&mut ParamPath::new(), &mut |path, _| {
        visited.push(path.to_string())
    });
    assert_eq!(visited, names(&n));
    n.set_training(false);
    assert!(!n.dropout.training);
}
