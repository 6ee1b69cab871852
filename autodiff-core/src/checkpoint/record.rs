//! [`Record`] and [`RecordFile`]: a safetensors file of named tensors of several element types
//! (a module's parameters, buffers and generator states under a prefix, `F64`, `I64` and `U8`
//! arrays) with a few text fields in its metadata: what a training checkpoint is made of.
//!
//! Every read is checked: a missing tensor, a wrong dtype or shape, or a module that does not
//! match the file is a [`CheckpointError`] naming the file and the tensor.
//!
//! ```
//! use autodiff_core::checkpoint::{Record, RecordFile};
//! use autodiff_core::{Param, Tensor};
//! let dir = tempfile::tempdir().unwrap();
//! let file = dir.path().join("state.safetensors");
//! let mut record = Record::new();
//! record.put_module("model", &Param::new(Tensor::from_vec(vec![1.5_f32], [1])));
//! record.put_i64s("epoch", &[3]);
//! record.set_meta("format", "example/1");
//! record.save(&file).unwrap();
//!
//! let read = RecordFile::open(&file).unwrap();
//! let mut p = Param::new(Tensor::<f32>::zeros([1]));
//! read.load_module("model", &mut p).unwrap();
//! assert_eq!((p.value().item(), read.i64s("epoch").unwrap()), (1.5, vec![3]));
//! assert_eq!(read.meta("format"), Some("example/1"));
//! ```

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use safetensors::tensor::TensorView;
use safetensors::{Dtype, SafeTensors};

use super::encoding::{count_from_le_bytes, dtype, from_le_bytes, to_le_bytes};
use super::{CheckpointError, Stored, write_atomically};
use crate::{BufferRef, Float, Module, ParamPath, RNG_STATE_LEN, Tensor};

/// Named tensors and text fields, written to one file by [`Record::save`].
#[derive(Clone, Default)]
pub struct Record {
    tensors: Vec<Stored>,
    metadata: HashMap<String, String>,
}

/// `prefix.path`, or `path` alone under an empty prefix.
fn full_name(prefix: &str, path: &str) -> String {
    match (prefix.is_empty(), path.is_empty()) {
        (true, _) => path.to_string(),
        (false, true) => prefix.to_string(),
        (false, false) => format!("{prefix}.{path}"),
    }
}

impl Record {
    /// An empty record.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets a text field of the file's metadata.
    pub fn set_meta(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.metadata.insert(key.into(), value.into());
    }

    /// Every parameter and buffer of `module` under `prefix` (`prefix.layers.0.w`), random
    /// generators included (as 49-byte `U8` tensors): what [`RecordFile::load_module`] reads.
    pub fn put_module<T: Float, M: Module<T> + ?Sized>(&mut self, prefix: &str, module: &M) {
        module.visit(&mut ParamPath::new(), &mut |path, param| {
            self.put_tensor(&full_name(prefix, path.as_str()), param.value())
        });
        module.visit_buffers(&mut ParamPath::new(), &mut |path, buffer| {
            let name = full_name(prefix, path.as_str());
            match buffer {
                BufferRef::Tensor(buffer) => self.put_tensor(&name, &buffer.value()),
                BufferRef::Counter(counter) => self.push(
                    name,
                    Dtype::I64,
                    Vec::new(),
                    counter.get().to_le_bytes().to_vec(),
                ),
                BufferRef::Rng(rng) => self.put_bytes(&name, &rng.state()),
            }
        });
    }

    /// A tensor in its own element type and shape.
    pub fn put_tensor<T: Float>(&mut self, name: &str, value: &Tensor<T>) {
        let bytes = to_le_bytes(value.data());
        self.push(name.to_string(), dtype::<T>(), value.dims().to_vec(), bytes);
    }

    /// A one-dimensional `F64` tensor.
    pub fn put_f64s(&mut self, name: &str, values: &[f64]) {
        let bytes = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.push(name.to_string(), Dtype::F64, vec![values.len()], bytes);
    }

    /// A one-dimensional `I64` tensor.
    pub fn put_i64s(&mut self, name: &str, values: &[i64]) {
        let bytes = values.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.push(name.to_string(), Dtype::I64, vec![values.len()], bytes);
    }

    /// A one-dimensional `U8` tensor (text, a generator's state).
    pub fn put_bytes(&mut self, name: &str, bytes: &[u8]) {
        self.push(
            name.to_string(),
            Dtype::U8,
            vec![bytes.len()],
            bytes.to_vec(),
        );
    }

    fn push(&mut self, name: String, dtype: Dtype, dims: Vec<usize>, bytes: Vec<u8>) {
        self.tensors.retain(|t| t.name != name);
        self.tensors.push(Stored {
            name,
            dtype,
            dims,
            bytes,
        });
    }

    /// Writes the record to `file` atomically (a temporary file beside it, then a rename): a
    /// crash leaves the previous file or the new one, never a part.
    pub fn save(&self, file: impl AsRef<Path>) -> Result<(), CheckpointError> {
        let file = file.as_ref();
        write_atomically(file, &self.to_bytes(file)?)
    }

    /// The bytes [`Record::save`] writes (a safetensors file), for sending a record elsewhere
    /// than to a file; `file` names it in the error.
    pub fn to_bytes(&self, file: &Path) -> Result<Vec<u8>, CheckpointError> {
        let views = self.tensors.iter().map(|t| {
            let view = TensorView::new(t.dtype, t.dims.clone(), &t.bytes)
                .expect("a tensor's byte length always matches its shape");
            (t.name.as_str(), view)
        });
        let metadata = Some(self.metadata.clone()).filter(|m| !m.is_empty());
        safetensors::serialize(views, metadata).map_err(|e| CheckpointError::Corrupt {
            file: file.to_path_buf(),
            reason: e.to_string(),
        })
    }
}

/// A file written by [`Record::save`], parsed and checked as a whole when opened.
pub struct RecordFile {
    file: PathBuf,
    tensors: HashMap<String, Stored>,
    metadata: HashMap<String, String>,
}

impl RecordFile {
    /// Reads and parses `file`; a truncated or corrupt file is an error.
    pub fn open(file: impl AsRef<Path>) -> Result<Self, CheckpointError> {
        let file = file.as_ref().to_path_buf();
        let bytes = std::fs::read(&file).map_err(|source| CheckpointError::Io {
            file: file.clone(),
            source,
        })?;
        Self::from_bytes(file, &bytes)
    }

    /// Parses `bytes` as [`RecordFile::open`] parses a file's contents (a record received from
    /// elsewhere); `file` names it in errors. Truncated or corrupt bytes are an error.
    pub fn from_bytes(file: impl AsRef<Path>, bytes: &[u8]) -> Result<Self, CheckpointError> {
        let file = file.as_ref().to_path_buf();
        let corrupt = |e: safetensors::SafeTensorError| CheckpointError::Corrupt {
            file: file.clone(),
            reason: e.to_string(),
        };
        let archive = SafeTensors::deserialize(bytes).map_err(corrupt)?;
        let (_, header) = SafeTensors::read_metadata(bytes).map_err(corrupt)?;
        let tensors = archive
            .iter()
            .map(|(name, view)| {
                let stored = Stored {
                    name: name.to_string(),
                    dtype: view.dtype(),
                    dims: view.shape().to_vec(),
                    bytes: view.data().to_vec(),
                };
                (name.to_string(), stored)
            })
            .collect();
        Ok(RecordFile {
            metadata: header.metadata().clone().unwrap_or_default(),
            file,
            tensors,
        })
    }

    /// The file it was read from.
    pub fn file(&self) -> &Path {
        &self.file
    }

    /// A text field of the metadata.
    pub fn meta(&self, key: &str) -> Option<&str> {
        self.metadata.get(key).map(String::as_str)
    }

    /// Whether the file holds a tensor `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.tensors.contains_key(name)
    }

    /// The tensor `name`, checked to have `dtype` and, when given, shape `dims`.
    fn get(
        &self,
        name: &str,
        dtype: Dtype,
        dims: Option<&[usize]>,
    ) -> Result<&Stored, CheckpointError> {
        let stored = self
            .tensors
            .get(name)
            .ok_or_else(|| CheckpointError::Missing {
                file: self.file.clone(),
                tensor: name.to_string(),
            })?;
        if stored.dtype != dtype {
            return Err(CheckpointError::Dtype {
                file: self.file.clone(),
                tensor: name.to_string(),
                expected: dtype.to_string(),
                found: stored.dtype.to_string(),
            });
        }
        let one_dimensional = [stored.dims.iter().product()];
        let expected = dims.unwrap_or(&one_dimensional);
        if stored.dims != expected {
            return Err(CheckpointError::Shape {
                file: self.file.clone(),
                tensor: name.to_string(),
                expected: expected.to_vec(),
                found: stored.dims.clone(),
            });
        }
        Ok(stored)
    }

    /// A tensor of element type `T` and shape `dims`.
    pub fn tensor<T: Float>(
        &self,
        name: &str,
        dims: &[usize],
    ) -> Result<Tensor<T>, CheckpointError> {
        let stored = self.get(name, dtype::<T>(), Some(dims))?;
        Ok(Tensor::from_vec(from_le_bytes(&stored.bytes), dims))
    }

    /// A tensor of element type `T`, whatever its shape.
    pub fn tensor_of_any_shape<T: Float>(&self, name: &str) -> Result<Tensor<T>, CheckpointError> {
        let dims = self
            .tensors
            .get(name)
            .map(|s| s.dims.clone())
            .unwrap_or_default();
        self.tensor(name, &dims)
    }

    /// A one-dimensional `F64` tensor.
    pub fn f64s(&self, name: &str) -> Result<Vec<f64>, CheckpointError> {
        let stored = self.get(name, Dtype::F64, None)?;
        Ok(stored
            .bytes
            .chunks_exact(8)
            .map(|b| f64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
            .collect())
    }

    /// A one-dimensional `I64` tensor.
    pub fn i64s(&self, name: &str) -> Result<Vec<i64>, CheckpointError> {
        let stored = self.get(name, Dtype::I64, None)?;
        Ok(stored
            .bytes
            .chunks_exact(8)
            .map(count_from_le_bytes)
            .collect())
    }

    /// A one-dimensional `U8` tensor.
    pub fn bytes(&self, name: &str) -> Result<&[u8], CheckpointError> {
        Ok(&self.get(name, Dtype::U8, None)?.bytes)
    }

    /// Checks that the tensors under `prefix` are exactly `module`'s parameters, buffers and
    /// generators, with their shapes and dtypes, then loads them. On any difference the error
    /// names the first tensor that differs (missing, unexpected, shape, dtype) and `module` is
    /// left as it was.
    pub fn load_module<T: Float, M: Module<T> + ?Sized>(
        &self,
        prefix: &str,
        module: &mut M,
    ) -> Result<(), CheckpointError> {
        let mut params = Vec::new();
        module.visit(&mut ParamPath::new(), &mut |path, param| {
            let name = full_name(prefix, path.as_str());
            params.push(self.tensor::<T>(&name, param.value().dims()));
        });
        let mut buffers = Vec::new();
        let mut names: Vec<String> = Vec::new();
        module.visit_buffers(&mut ParamPath::new(), &mut |path, buffer| {
            let name = full_name(prefix, path.as_str());
            buffers.push(self.buffer(&name, buffer));
            names.push(name);
        });
        let params = params.into_iter().collect::<Result<Vec<_>, _>>()?;
        let buffers = buffers.into_iter().collect::<Result<Vec<_>, _>>()?;
        module.visit(&mut ParamPath::new(), &mut |path, _| {
            names.push(full_name(prefix, path.as_str()))
        });
        let inside =
            |n: &str| prefix.is_empty() || n == prefix || n.starts_with(&format!("{prefix}."));
        if let Some(extra) = self
            .tensors
            .keys()
            .filter(|n| inside(n))
            .find(|n| !names.contains(n))
        {
            return Err(CheckpointError::Unexpected {
                file: self.file.clone(),
                tensor: extra.clone(),
            });
        }
        let mut params = params.into_iter();
        module.visit_mut(&mut ParamPath::new(), &mut |_, param| {
            if let Some(value) = params.next() {
                param.set(value);
            }
        });
        let mut buffers = buffers.into_iter();
        module.visit_buffers(
            &mut ParamPath::new(),
            &mut |_, buffer| match (buffer, buffers.next()) {
                (BufferRef::Tensor(b), Some(Loaded::Tensor(v))) => b.set(v),
                (BufferRef::Counter(c), Some(Loaded::Count(n))) => c.set(n),
                (BufferRef::Rng(r), Some(Loaded::Rng(state))) => r.set_state(&state),
                _ => {}
            },
        );
        Ok(())
    }
}

impl RecordFile {
    /// The checked value for `buffer`, stored under `name`.
    fn buffer<T: Float>(
        &self,
        name: &str,
        buffer: BufferRef<'_, T>,
    ) -> Result<Loaded<T>, CheckpointError> {
        Ok(match buffer {
            BufferRef::Tensor(b) => Loaded::Tensor(self.tensor::<T>(name, b.value().dims())?),
            BufferRef::Counter(_) => {
                let stored = self.get(name, Dtype::I64, Some(&[]))?;
                Loaded::Count(count_from_le_bytes(&stored.bytes))
            }
            BufferRef::Rng(_) => {
                let stored = self.get(name, Dtype::U8, Some(&[RNG_STATE_LEN]))?;
                let mut state = [0; RNG_STATE_LEN];
                state.copy_from_slice(&stored.bytes);
                Loaded::Rng(state)
            }
        })
    }
}

/// A checked value for one buffer.
enum Loaded<T: Float> {
    Tensor(Tensor<T>),
    Count(i64),
    Rng([u8; RNG_STATE_LEN]),
}
