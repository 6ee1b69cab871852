//! Vectors for TensorBoard's embedding projector (PCA, t-SNE and UMAP in the browser):
//! `tensors.tsv` (one vector a line, tab-separated), `metadata.tsv` (one label a line, in the
//! same order) and `projector_config.pbtxt`, which points the projector at both. Each file is
//! written atomically (temporary file, then rename).

use std::io::Write;
use std::path::Path;

use autodiff_core::atomic_file::write_atomically;

use super::writer::WriteError;

/// Writes `labels.len()` vectors of `dim` numbers (`vectors`, row after row) with their labels
/// into `dir` for the projector, under `tensor_name`. Tabs and line breaks in a label become
/// spaces, so each stays one TSV cell. Open with `tensorboard --logdir DIR`, tab "Projector".
///
/// ```
/// use nn::tensorboard::write_projector;
/// let dir = tempfile::tempdir().unwrap();
/// write_projector(dir.path(), "words", &["king", "queen"], &[1.0, 0.5, 0.9, 0.6], 2).unwrap();
/// let tensors = std::fs::read_to_string(dir.path().join("tensors.tsv")).unwrap();
/// assert_eq!(tensors, "1\t0.5\n0.9\t0.6\n");
/// ```
///
/// # Panics
/// If `vectors` does not hold `dim` numbers per label (a programmer error, as a shape mismatch).
pub fn write_projector(
    dir: &Path,
    tensor_name: &str,
    labels: &[impl AsRef<str>],
    vectors: &[f32],
    dim: usize,
) -> Result<(), WriteError> {
    assert_eq!(
        vectors.len(),
        labels.len() * dim,
        "write_projector: {} labels of dimension {dim} need {} numbers, got {}",
        labels.len(),
        labels.len() * dim,
        vectors.len()
    );
    std::fs::create_dir_all(dir).map_err(|source| WriteError {
        path: dir.to_path_buf(),
        source,
    })?;
    write(dir, "tensors.tsv", |out| {
        for row in vectors.chunks(dim.max(1)) {
            let cells: Vec<String> = row.iter().map(f32::to_string).collect();
            writeln!(out, "{}", cells.join("\t"))?;
        }
        Ok(())
    })?;
    write(dir, "metadata.tsv", |out| {
        for label in labels {
            writeln!(out, "{}", label.as_ref().replace(['\t', '\n', '\r'], " "))?;
        }
        Ok(())
    })?;
    let name = tensor_name.replace(['\\', '"'], "_");
    write(dir, "projector_config.pbtxt", |out| {
        writeln!(out, "embeddings {{")?;
        writeln!(out, "  tensor_name: \"{name}\"")?;
        writeln!(out, "  tensor_path: \"tensors.tsv\"")?;
        writeln!(out, "  metadata_path: \"metadata.tsv\"")?;
        writeln!(out, "}}")
    })
}

fn write(
    dir: &Path,
    name: &str,
    fill: impl FnOnce(&mut std::io::BufWriter<std::fs::File>) -> std::io::Result<()>,
) -> Result<(), WriteError> {
    let path = dir.join(name);
    write_atomically(&path, fill).map_err(|source| WriteError { path, source })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_files_with_one_line_per_label() {
        let dir = tempfile::tempdir().unwrap();
        let labels = ["a\tb", "c"];
        write_projector(
            dir.path(),
            "w2v",
            &labels,
            &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
            3,
        )
        .unwrap();
        let read = |n| std::fs::read_to_string(dir.path().join(n)).unwrap();
        assert_eq!(read("tensors.tsv"), "1\t2\t3\n4\t5\t6\n");
        assert_eq!(read("metadata.tsv"), "a b\nc\n");
        assert!(read("projector_config.pbtxt").contains("tensor_name: \"w2v\""));
    }
}
