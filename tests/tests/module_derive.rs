//! `#[derive(Module)]`: paths, containers, generics, aliases, skipped fields, training mode, and
//! checkpoints of derived modules.

use std::cell::Cell;

use nn::{Float, Module, Param, ParamPath, Tensor, checkpoint};

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
