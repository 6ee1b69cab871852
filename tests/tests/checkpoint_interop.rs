//! Checkpoints written by Python's `safetensors` load into a derived module, in f32 and f64,
//! with buffers laid out as PyTorch's batch norm state dict, and ours is the same file Python
//! writes (fixtures made by `tests/fixtures/make_python_checkpoint.py`).

use nn::{Buffer, Float, Module, Param, StepCounter, Tensor, checkpoint};

#[derive(Module)]
struct Dense<T: Float> {
    weight: Param<T>,
    bias: Param<T>,
}

#[derive(Module)]
struct Net<T: Float> {
    encoder: Vec<Dense<T>>,
    head: Dense<T>,
}

fn dense<T: Float>(rows: usize, cols: usize) -> Dense<T> {
    Dense {
        weight: Param::new(Tensor::zeros([rows, cols])),
        bias: Param::new(Tensor::zeros([cols])),
    }
}

fn net<T: Float>() -> Net<T> {
    Net {
        encoder: vec![dense(3, 4), dense(4, 2)],
        head: dense(2, 1),
    }
}

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// weight[i, j] = i + j/8 and bias[j] = −j, as the script wrote them.
fn check_values<T: Float>(net: &Net<T>) {
    for (name, p) in net.named_params() {
        let v = p.value();
        let want: Vec<f64> = if name.ends_with("weight") {
            let cols = v.dims()[1];
            (0..v.numel())
                .map(|k| (k / cols) as f64 + (k % cols) as f64 / 8.0)
                .collect()
        } else {
            (0..v.numel()).map(|j| -(j as f64)).collect()
        };
        let got: Vec<f64> = v.data().iter().map(|x| x.to_f64().unwrap()).collect();
        assert_eq!(got, want, "{name}");
    }
}

#[test]
fn python_f32_file_loads() {
    let mut n = net::<f32>();
    checkpoint::load(&mut n, fixture("python_checkpoint.safetensors")).unwrap();
    check_values(&n);
}

#[test]
fn python_f64_file_loads() {
    let mut n = net::<f64>();
    checkpoint::load(&mut n, fixture("python_checkpoint_f64.safetensors")).unwrap();
    check_values(&n);
}

#[test]
fn python_file_into_the_wrong_dtype_is_refused() {
    let mut n = net::<f64>();
    let err = checkpoint::load(&mut n, fixture("python_checkpoint.safetensors")).unwrap_err();
    assert!(
        matches!(err, checkpoint::CheckpointError::Dtype { .. }),
        "{err}"
    );
    assert!(n.head.weight.value().data().iter().all(|&x| x == 0.0));
}

/// The state of PyTorch's `BatchNorm1d`, under its names.
#[derive(Module)]
struct BatchNormState<T: Float> {
    weight: Param<T>,
    bias: Param<T>,
    running_mean: Buffer<T>,
    running_var: Buffer<T>,
    num_batches_tracked: StepCounter,
}

#[derive(Module)]
struct Block<T: Float> {
    dense: Dense<T>,
    bn: BatchNormState<T>,
}

#[derive(Module)]
struct Normed<T: Float> {
    block: Block<T>,
}

fn normed() -> Normed<f32> {
    let zeros = || Tensor::zeros([2]);
    Normed {
        block: Block {
            dense: dense(3, 2),
            bn: BatchNormState {
                weight: Param::new(zeros()),
                bias: Param::new(zeros()),
                running_mean: Buffer::new(zeros()),
                running_var: Buffer::new(zeros()),
                num_batches_tracked: StepCounter::new(),
            },
        },
    }
}

#[test]
fn python_file_with_buffers_loads() {
    let mut n = normed();
    checkpoint::load(&mut n, fixture("python_checkpoint_buffers.safetensors")).unwrap();
    let bn = &n.block.bn;
    assert_eq!(
        n.block.dense.weight.value().data(),
        &[0.0, 0.125, 1.0, 1.125, 2.0, 2.125]
    );
    assert_eq!(n.block.dense.bias.value().data(), &[0.0, -1.0]);
    assert_eq!(bn.weight.value().data(), &[0.0, 0.125]);
    assert_eq!(bn.bias.value().data(), &[0.0, -1.0]);
    assert_eq!(bn.running_mean.value().data(), &[0.0, 0.25]);
    assert_eq!(bn.running_var.value().data(), &[1.0, 1.5]);
    assert_eq!(bn.num_batches_tracked.get(), 12);
}

/// Saving the loaded module writes Python's file byte for byte (same names, dtypes, shapes,
/// data and header), so Python's `safetensors` opens ours as its own.
#[test]
fn our_file_with_buffers_is_byte_for_byte_pythons() {
    let python = fixture("python_checkpoint_buffers.safetensors");
    let mut n = normed();
    checkpoint::load(&mut n, &python).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let ours = dir.path().join("ours.safetensors");
    checkpoint::save(&n, &ours).unwrap();
    let same = std::fs::read(&ours).unwrap() == std::fs::read(&python).unwrap();
    assert!(
        same,
        "checkpoint::save no longer writes what Python's safetensors writes"
    );
}
