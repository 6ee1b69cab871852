//! Checkpoints written by Python's `safetensors` load into a derived module, in f32 and f64
//! (fixtures made by `tests/fixtures/make_python_checkpoint.py`).

use nn::{Float, Module, Param, Tensor, checkpoint};

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
