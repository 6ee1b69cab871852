//! Saving and loading a [`Module`]'s parameters and buffers in the safetensors format, each
//! tensor named by its dotted path (`encoder.layers.0.weight`, `block.bn.running_mean`: one
//! namespace, as PyTorch's `state_dict`), so files move freely between this crate and Python's
//! `safetensors` (`safetensors.torch.load_file`, `safetensors.numpy.save_file`).
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

mod encoding;
mod error;
mod record;

pub use error::CheckpointError;
pub use record::{Record, RecordFile};

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;

use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};

use crate::{BufferRef, Float, Module, ParamPath, Tensor};
use encoding::{count_from_le_bytes, dtype, from_le_bytes, to_le_bytes};

/// One tensor as the file stores it.
#[derive(Clone)]
struct Stored {
    name: String,
    dtype: Dtype,
    dims: Vec<usize>,
    bytes: Vec<u8>,
}

impl Stored {
    /// A tensor of the module's element type.
    fn tensor<T: Float>(name: &ParamPath, value: &Tensor<T>) -> Self {
        Stored {
            name: name.to_string(),
            dtype: dtype::<T>(),
            dims: value.dims().to_vec(),
            bytes: to_le_bytes(value.data()),
        }
    }

    /// A count: a 0-dimensional `I64` tensor.
    fn count(name: &ParamPath, count: i64) -> Self {
        Stored {
            name: name.to_string(),
            dtype: Dtype::I64,
            dims: Vec::new(),
            bytes: count.to_le_bytes().to_vec(),
        }
    }
}

/// Writes every parameter and buffer of `module` to `file` in safetensors format: parameters
/// and [`Buffer`](crate::Buffer)s in the module's element type, each
/// [`StepCounter`](crate::StepCounter) as a 0-dimensional `I64` tensor. Random generators
/// ([`SeededRng`](crate::SeededRng)) are training state, not weights: they are left out (a
/// training checkpoint saves them).
///
/// The write is atomic: the data goes to a temporary file in the same directory, which is then
/// renamed over `file`, so a crash never leaves a half-written checkpoint behind.
pub fn save<T: Float, M: Module<T> + ?Sized>(
    module: &M,
    file: impl AsRef<Path>,
) -> Result<(), CheckpointError> {
    let file = file.as_ref();
    let mut tensors: Vec<Stored> = Vec::new();
    module.visit(&mut ParamPath::new(), &mut |path, param| {
        tensors.push(Stored::tensor(path, param.value()))
    });
    module.visit_buffers(&mut ParamPath::new(), &mut |path, buffer| match buffer {
        BufferRef::Tensor(buffer) => tensors.push(Stored::tensor(path, &buffer.value())),
        BufferRef::Counter(counter) => tensors.push(Stored::count(path, counter.get())),
        BufferRef::Rng(_) => {}
    });
    let views = tensors.iter().map(|t| {
        let view = TensorView::new(t.dtype, t.dims.clone(), &t.bytes)
            .expect("a tensor's byte length always matches its shape");
        (t.name.as_str(), view)
    });
    let bytes = safetensors::serialize(views, None).map_err(|e| CheckpointError::Corrupt {
        file: file.to_path_buf(),
        reason: e.to_string(),
    })?;
    write_atomically(file, &bytes)
}

/// Reads `file` into the parameters and buffers of `module`, matching tensors by dotted path.
///
/// Every tensor is checked before anything changes: a missing, extra or mis-shaped tensor, a
/// wrong dtype, or a truncated or corrupt file returns an error naming the file and the tensor,
/// and leaves `module` as it was.
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
        if let Some(Loaded::Tensor(value)) = values.remove(path.as_str()) {
            param.set(value);
        }
    });
    module.visit_buffers(&mut ParamPath::new(), &mut |path, buffer| match (
        buffer,
        values.remove(path.as_str()),
    ) {
        (BufferRef::Tensor(buffer), Some(Loaded::Tensor(value))) => buffer.set(value),
        (BufferRef::Counter(counter), Some(Loaded::Count(count))) => counter.set(count),
        _ => {}
    });
    Ok(())
}

/// A checked value from the file, for one parameter or buffer.
enum Loaded<T: Float> {
    Tensor(Tensor<T>),
    Count(i64),
}

/// Parses and checks the file against the module's parameters and buffers: the new value of
/// each.
fn read_tensors<T: Float, M: Module<T> + ?Sized>(
    module: &M,
    file: &Path,
    bytes: &[u8],
) -> Result<HashMap<String, Loaded<T>>, CheckpointError> {
    let archive = SafeTensors::deserialize(bytes).map_err(|e| CheckpointError::Corrupt {
        file: file.to_path_buf(),
        reason: e.to_string(),
    })?;
    let mut expected: Vec<(String, Dtype, Vec<usize>)> = Vec::new();
    module.visit(&mut ParamPath::new(), &mut |path, param| {
        expected.push((
            path.to_string(),
            dtype::<T>(),
            param.value().dims().to_vec(),
        ));
    });
    module.visit_buffers(&mut ParamPath::new(), &mut |path, buffer| {
        let (dtype, dims) = match buffer {
            BufferRef::Tensor(buffer) => (dtype::<T>(), buffer.value().dims().to_vec()),
            BufferRef::Counter(_) => (Dtype::I64, Vec::new()),
            BufferRef::Rng(_) => return,
        };
        expected.push((path.to_string(), dtype, dims));
    });
    let mut values = HashMap::with_capacity(expected.len());
    for (name, dtype, dims) in expected {
        let Ok(view) = archive.tensor(&name) else {
            return Err(CheckpointError::Missing {
                file: file.to_path_buf(),
                tensor: name,
            });
        };
        if view.dtype() != dtype {
            return Err(CheckpointError::Dtype {
                file: file.to_path_buf(),
                tensor: name,
                expected: dtype.to_string(),
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
        let value = if dtype == Dtype::I64 {
            Loaded::Count(count_from_le_bytes(view.data()))
        } else {
            Loaded::Tensor(Tensor::from_vec(
                from_le_bytes(view.data()),
                dims.as_slice(),
            ))
        };
        values.insert(name, value);
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
