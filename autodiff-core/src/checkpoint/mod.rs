//! Saving and loading a [`Module`]'s parameters in the safetensors format, each tensor named by
//! its dotted path (`encoder.layers.0.weight`), so files move freely between this crate and
//! Python's `safetensors` (`safetensors.torch.load_file`, `safetensors.numpy.save_file`).
//!
//! ```
//! use autodiff_core::{checkpoint, Module, Param, Tensor};
//!
//! let layers = vec![Param::new(Tensor::from_vec(vec![1.0_f32, 2.0], [2]))];
//! let dir = tempfile::tempdir().unwrap();
//! let file = dir.path().join("doc.safetensors");
//! checkpoint::save(&layers, &file).unwrap();
//!
//! let mut restored = vec![Param::new(Tensor::<f32>::zeros([2]))];
//! checkpoint::load(&mut restored, &file).unwrap();
//! assert_eq!(restored[0].value().data(), &[1.0, 2.0]);
//! ```

mod error;

pub use error::CheckpointError;

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};

use crate::{Float, Module, ParamPath, Tensor};

/// Writes every parameter of `module` to `file` in safetensors format.
///
/// The write is atomic: the data goes to a temporary file in the same directory, which is then
/// renamed over `file`, so a crash never leaves a half-written checkpoint behind.
pub fn save<T: Float, M: Module<T> + ?Sized>(
    module: &M,
    file: impl AsRef<Path>,
) -> Result<(), CheckpointError> {
    let file = file.as_ref();
    let mut tensors: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::new();
    module.visit(&mut ParamPath::new(), &mut |path, param| {
        let value = param.value();
        tensors.push((
            path.to_string(),
            value.dims().to_vec(),
            to_le_bytes(value.data()),
        ));
    });
    let views = tensors.iter().map(|(name, dims, bytes)| {
        let view = TensorView::new(dtype::<T>(), dims.clone(), bytes)
            .expect("a tensor's byte length always matches its shape");
        (name.as_str(), view)
    });
    let bytes = safetensors::serialize(views, None).map_err(|e| CheckpointError::Corrupt {
        file: file.to_path_buf(),
        reason: e.to_string(),
    })?;
    write_atomically(file, &bytes)
}

/// Reads `file` into the parameters of `module`, matching tensors to parameters by dotted path.
///
/// Every tensor is checked before any parameter changes: a missing, extra or mis-shaped tensor,
/// a wrong dtype, or a truncated or corrupt file returns an error naming the file and the
/// tensor, and leaves `module` as it was.
pub fn load<T: Float, M: Module<T> + ?Sized>(
    module: &mut M,
    file: impl AsRef<Path>,
) -> Result<(), CheckpointError> {
    let file = file.as_ref();
    let bytes = std::fs::read(file).map_err(|source| CheckpointError::Io {
        file: file.to_path_buf(),
        source,
    })?;
    let mut values = read_tensors::<T, M>(module, file, &bytes)?;
    module.visit_mut(&mut ParamPath::new(), &mut |path, param| {
        if let Some(value) = values.remove(path.as_str()) {
            param.set(value);
        }
    });
    Ok(())
}

/// Parses and checks the file against the module's parameters: the new value of each.
fn read_tensors<T: Float, M: Module<T> + ?Sized>(
    module: &M,
    file: &Path,
    bytes: &[u8],
) -> Result<HashMap<String, Tensor<T>>, CheckpointError> {
    let archive = SafeTensors::deserialize(bytes).map_err(|e| CheckpointError::Corrupt {
        file: file.to_path_buf(),
        reason: e.to_string(),
    })?;
    let mut expected: Vec<(String, Vec<usize>)> = Vec::new();
    module.visit(&mut ParamPath::new(), &mut |path, param| {
        expected.push((path.to_string(), param.value().dims().to_vec()));
    });
    let mut values = HashMap::with_capacity(expected.len());
    for (name, dims) in expected {
        let Ok(view) = archive.tensor(&name) else {
            return Err(CheckpointError::Missing {
                file: file.to_path_buf(),
                tensor: name,
            });
        };
        if view.dtype() != dtype::<T>() {
            return Err(CheckpointError::Dtype {
                file: file.to_path_buf(),
                tensor: name,
                expected: dtype::<T>().to_string(),
                found: view.dtype().to_string(),
            });
        }
        if view.shape() != dims.as_slice() {
            return Err(CheckpointError::Shape {
                file: file.to_path_buf(),
                tensor: name,
                expected: dims,
                found: view.shape().to_vec(),
            });
        }
        let tensor = Tensor::from_vec(from_le_bytes(view.data()), dims.as_slice());
        values.insert(name, tensor);
    }
    if let Some(extra) = archive
        .names()
        .into_iter()
        .find(|n| !values.contains_key(*n))
    {
        return Err(CheckpointError::Unexpected {
            file: file.to_path_buf(),
            tensor: extra.to_string(),
        });
    }
    Ok(values)
}

/// The safetensors dtype of `T`.
fn dtype<T: Float>() -> Dtype {
    if T::DTYPE == "f32" {
        Dtype::F32
    } else {
        Dtype::F64
    }
}

/// Little-endian bytes of the elements, in `T`'s own width.
fn to_le_bytes<T: Float>(data: &[T]) -> Vec<u8> {
    if T::DTYPE == "f32" {
        data.iter()
            .flat_map(|x| x.to_f32().unwrap_or(f32::NAN).to_le_bytes())
            .collect()
    } else {
        data.iter()
            .flat_map(|x| x.to_f64().unwrap_or(f64::NAN).to_le_bytes())
            .collect()
    }
}

/// Elements from little-endian bytes of `T`'s width (the caller checked dtype and length).
fn from_le_bytes<T: Float>(bytes: &[u8]) -> Vec<T> {
    if T::DTYPE == "f32" {
        bytes
            .chunks_exact(4)
            .map(|b| T::lit(f64::from(f32::from_le_bytes([b[0], b[1], b[2], b[3]]))))
            .collect()
    } else {
        bytes
            .chunks_exact(8)
            .map(|b| T::lit(f64::from_le_bytes(b.try_into().unwrap_or([0; 8]))))
            .collect()
    }
}

/// Writes `bytes` to a temporary file beside `file`, then renames it over `file`.
fn write_atomically(file: &Path, bytes: &[u8]) -> Result<(), CheckpointError> {
    crate::atomic_file::write_atomically(file, |out| out.write_all(bytes)).map_err(|source| {
        CheckpointError::Io {
            file: file.to_path_buf(),
            source,
        }
    })
}

#[cfg(test)]
mod tests;
