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
