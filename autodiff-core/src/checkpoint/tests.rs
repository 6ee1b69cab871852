//! Round trips and every kind of bad file, each leaving the module unchanged.

use super::*;
use crate::Param;

/// A temporary folder, removed on drop.
struct Scratch(tempfile::TempDir);

impl Scratch {
    fn new() -> Self {
        Scratch(tempfile::tempdir().unwrap())
    }
    fn file(&self, name: &str) -> std::path::PathBuf {
        self.0.path().join(name)
    }
}

fn model() -> Vec<Param<f64>> {
    vec![
        Param::new(Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [2, 3])),
        Param::new(Tensor::from_vec(vec![0.5, -0.5], [2])),
    ]
}

fn zeros() -> Vec<Param<f64>> {
    vec![
        Param::new(Tensor::zeros([2, 3])),
        Param::new(Tensor::zeros([2])),
    ]
}

fn values(m: &[Param<f64>]) -> Vec<Vec<f64>> {
    m.iter().map(|p| p.value().data().to_vec()).collect()
}

#[test]
fn round_trip_restores_every_value_and_leaves_no_temporary() {
    let dir = Scratch::new();
    let file = dir.file("m.safetensors");
    save(&model(), &file).unwrap();
    let mut restored = zeros();
    load(&mut restored, &file).unwrap();
    assert_eq!(values(&restored), values(&model()));
    let entries: Vec<_> = std::fs::read_dir(dir.0.path()).unwrap().collect();
    assert_eq!(entries.len(), 1, "only the checkpoint remains");
}

#[test]
fn f32_round_trip() {
    let dir = Scratch::new();
    let file = dir.file("m.safetensors");
    let m = vec![Param::new(Tensor::from_vec(
        vec![0.1_f32, 1e-30, -3.5],
        [3],
    ))];
    save(&m, &file).unwrap();
    let mut r = vec![Param::new(Tensor::<f32>::zeros([3]))];
    load(&mut r, &file).unwrap();
    assert_eq!(r[0].value().data(), m[0].value().data());
}

fn expect_error(
    file: &Path,
    mut module: Vec<Param<f64>>,
    check: impl Fn(&CheckpointError) -> bool,
) -> String {
    let before = values(&module);
    let err = load(&mut module, file).unwrap_err();
    assert!(check(&err), "unexpected error: {err:?}");
    assert_eq!(values(&module), before, "module changed by a failed load");
    err.to_string()
}

#[test]
fn missing_extra_and_misshaped_tensors_are_named() {
    let dir = Scratch::new();
    let file = dir.file("m.safetensors");
    save(&model()[..1].to_vec(), &file).unwrap();
    let msg = expect_error(
        &file,
        zeros(),
        |e| matches!(e, CheckpointError::Missing { tensor, .. } if tensor == "1"),
    );
    assert!(msg.contains("`1` is missing"), "{msg}");

    save(&model(), &file).unwrap();
    expect_error(
        &file,
        zeros()[..1].to_vec(),
        |e| matches!(e, CheckpointError::Unexpected { tensor, .. } if tensor == "1"),
    );

    let wrong = vec![
        Param::new(Tensor::zeros([3, 2])),
        Param::new(Tensor::zeros([2])),
    ];
    let msg = expect_error(
        &file,
        wrong,
        |e| matches!(e, CheckpointError::Shape { tensor, found, .. } if tensor == "0" && found == &[2, 3]),
    );
    assert!(msg.contains("[2, 3]") && msg.contains("[3, 2]"), "{msg}");
}

#[test]
fn wrong_dtype_is_an_error() {
    let dir = Scratch::new();
    let file = dir.file("m.safetensors");
    save(&vec![Param::new(Tensor::<f32>::zeros([2, 3]))], &file).unwrap();
    let msg = expect_error(
        &file,
        zeros()[..1].to_vec(),
        |e| matches!(e, CheckpointError::Dtype { tensor, .. } if tensor == "0"),
    );
    assert!(msg.contains("F32") && msg.contains("F64"), "{msg}");
}

#[test]
fn truncated_corrupt_and_absent_files_are_errors() {
    let dir = Scratch::new();
    let file = dir.file("m.safetensors");
    save(&model(), &file).unwrap();
    let bytes = std::fs::read(&file).unwrap();
    for cut in [0, 4, 8, 20, bytes.len() / 2, bytes.len() - 1] {
        std::fs::write(&file, &bytes[..cut]).unwrap();
        expect_error(&file, zeros(), |e| {
            matches!(e, CheckpointError::Corrupt { .. })
        });
    }
    let mut garbage = bytes.clone();
    garbage[8..16].copy_from_slice(b"not json");
    std::fs::write(&file, &garbage).unwrap();
    expect_error(&file, zeros(), |e| {
        matches!(e, CheckpointError::Corrupt { .. })
    });
    let mut huge = bytes;
    huge[..8].copy_from_slice(&u64::MAX.to_le_bytes());
    std::fs::write(&file, &huge).unwrap();
    expect_error(&file, zeros(), |e| {
        matches!(e, CheckpointError::Corrupt { .. })
    });
    expect_error(&dir.file("absent"), zeros(), |e| {
        matches!(e, CheckpointError::Io { .. })
    });
}

#[test]
fn saving_into_a_missing_directory_is_an_io_error() {
    let dir = Scratch::new();
    let err = save(&model(), dir.file("no/such/dir/m.safetensors")).unwrap_err();
    assert!(matches!(err, CheckpointError::Io { .. }), "{err:?}");
}

/// A batch-norm-like module: a parameter, a float buffer and a counter side by side.
#[derive(Clone)]
struct Norm {
    weight: Param<f64>,
    running_mean: crate::Buffer<f64>,
    batches: crate::StepCounter,
}

impl Module<f64> for Norm {
    fn visit<'a>(&'a self, path: &mut ParamPath, f: &mut dyn FnMut(&ParamPath, &'a Param<f64>)) {
        path.push("weight");
        f(path, &self.weight);
        path.pop();
    }

    fn visit_mut(&mut self, path: &mut ParamPath, f: &mut dyn FnMut(&ParamPath, &mut Param<f64>)) {
        path.push("weight");
        f(path, &mut self.weight);
        path.pop();
    }

    fn visit_buffers<'a>(
        &'a self,
        path: &mut ParamPath,
        f: &mut dyn FnMut(&ParamPath, BufferRef<'a, f64>),
    ) {
        path.push("running_mean");
        self.running_mean.visit_buffers(path, f);
        path.pop();
        path.push("batches");
        Module::<f64>::visit_buffers(&self.batches, path, f);
        path.pop();
    }
}

fn norm(weight: f64, mean: [f64; 2], batches: i64) -> Norm {
    let n = Norm {
        weight: Param::new(Tensor::from_vec(vec![weight], [1])),
        running_mean: crate::Buffer::new(Tensor::from_vec(mean.to_vec(), [2])),
        batches: crate::StepCounter::new(),
    };
    n.batches.set(batches);
    n
}

fn state(n: &Norm) -> (Vec<f64>, Vec<f64>, i64) {
    (
        n.weight.value().data().to_vec(),
        n.running_mean.value().data().to_vec(),
        n.batches.get(),
    )
}

#[test]
fn buffers_and_counters_round_trip_beside_parameters() {
    let dir = Scratch::new();
    let file = dir.file("norm.safetensors");
    let saved = norm(2.0, [0.25, -1.5], 7);
    save(&saved, &file).unwrap();
    let bytes = std::fs::read(&file).unwrap();
    let archive = SafeTensors::deserialize(&bytes).unwrap();
    let batches = archive.tensor("batches").unwrap();
    assert_eq!((batches.dtype(), batches.shape()), (Dtype::I64, &[][..]));
    assert_eq!(archive.tensor("running_mean").unwrap().dtype(), Dtype::F64);

    let mut restored = norm(0.0, [0.0, 0.0], 0);
    load(&mut restored, &file).unwrap();
    assert_eq!(state(&restored), state(&saved));
}

#[test]
fn bad_buffers_are_refused_and_nothing_changes() {
    let dir = Scratch::new();
    let file = dir.file("norm.safetensors");
    let expect = |file: &Path, check: &dyn Fn(&CheckpointError) -> bool| {
        let mut n = norm(0.0, [0.0, 0.0], 0);
        let err = load(&mut n, file).unwrap_err();
        assert!(check(&err), "unexpected error: {err:?}");
        assert_eq!(
            state(&n),
            (vec![0.0], vec![0.0, 0.0], 0),
            "changed by a failed load"
        );
        err.to_string()
    };

    let write = |tensors: Vec<Stored>| {
        let views = tensors.iter().map(|t| {
            let view = TensorView::new(t.dtype, t.dims.clone(), &t.bytes).unwrap();
            (t.name.clone(), view)
        });
        std::fs::write(&file, safetensors::serialize(views, None).unwrap()).unwrap();
    };
    let at = |name: &str| {
        let mut p = ParamPath::new();
        p.push(name);
        p
    };
    let weight = Stored::tensor(&at("weight"), &Tensor::<f64>::ones([1]));
    let mean = Stored::tensor(&at("running_mean"), &Tensor::<f64>::ones([2]));
    let count = Stored::count(&at("batches"), 3);

    write(vec![weight.clone(), count.clone()]);
    expect(
        &file,
        &|e| matches!(e, CheckpointError::Missing { tensor, .. } if tensor == "running_mean"),
    );

    let short_mean = Stored::tensor(&at("running_mean"), &Tensor::<f64>::ones([3]));
    write(vec![weight.clone(), short_mean, count.clone()]);
    expect(
        &file,
        &|e| matches!(e, CheckpointError::Shape { tensor, found, .. } if tensor == "running_mean" && found == &[3]),
    );

    // A counter saved as a float (or a float buffer saved as an integer) is a dtype error.
    let float_count = Stored::tensor(&at("batches"), &Tensor::<f64>::scalar(3.0));
    write(vec![weight.clone(), mean.clone(), float_count]);
    let msg = expect(
        &file,
        &|e| matches!(e, CheckpointError::Dtype { tensor, .. } if tensor == "batches"),
    );
    assert!(msg.contains("I64") && msg.contains("F64"), "{msg}");

    let extra = Stored::count(&at("num_batches_tracked"), 1);
    write(vec![weight, mean, count, extra]);
    expect(
        &file,
        &|e| matches!(e, CheckpointError::Unexpected { tensor, .. } if tensor == "num_batches_tracked"),
    );
}
