//! `--digest`: every example can print a fingerprint of its run — its History, its final weights
//! and buffers, its predictions — as lines `digest NAME HASH`, so two runs with the same seeds can
//! be compared bit for bit (`examples/determinism.sh` does, for every example). The flag is taken
//! by the shared command line ([`crate::cli::Flags`]) like `--help`, so no example parses it.
//!
//! Each hash is 64-bit FNV-1a over the exact bit patterns (an `f32` widened to `f64`, which is
//! exact), so a difference in the last bit of one weight changes it; it is a fingerprint for
//! comparing runs, not a checksum against tampering.
//!
//! ```
//! use examples::Digest;
//! use nn::Tensor;
//! let mut a = Digest::new();
//! a.tensor("x", &Tensor::<f32>::from_vec(vec![1.0, 2.0], [2]));
//! let mut b = Digest::new();
//! b.tensor("x", &Tensor::<f32>::from_vec(vec![1.0, 2.0 + f32::EPSILON * 2.0], [2]));
//! assert_ne!(a.lines(), b.lines());
//! ```

use std::sync::atomic::{AtomicBool, Ordering};

use autodiff_core::{BufferRef, Float, Module, Tensor};
use nn::train::{History, Model};

/// Whether `--digest` was on this process's command line.
static REQUESTED: AtomicBool = AtomicBool::new(false);

/// Records that `--digest` was given (called by the shared command line).
pub(crate) fn request() {
    REQUESTED.store(true, Ordering::Relaxed);
}

/// `args` without `--digest`, recording whether it was there: for an example with a parser of
/// its own (word2vec's one-dash flags) instead of [`crate::cli::Flags`].
pub fn take_flag(args: Vec<String>) -> Vec<String> {
    let (digest, rest): (Vec<String>, Vec<String>) =
        args.into_iter().partition(|a| a == "--digest");
    if !digest.is_empty() {
        request();
    }
    rest
}

/// Whether `--digest` was given, so [`Digest::print`] will print.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::Relaxed)
}

/// 64-bit FNV-1a, fed bytes and numbers.
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    fn number(&mut self, value: f64) {
        self.bytes(&value.to_bits().to_le_bytes());
    }

    fn count(&mut self, n: usize) {
        self.bytes(&(n as u64).to_le_bytes());
    }
}

/// The named fingerprints of one run, in the order they were added.
#[derive(Debug, Default)]
pub struct Digest {
    lines: Vec<(String, u64)>,
}

impl Digest {
    /// No fingerprints yet.
    pub fn new() -> Self {
        Digest::default()
    }

    /// Fingerprints `history`: every key in order with all its values, and why it stopped.
    pub fn history(&mut self, name: &str, history: &History) -> &mut Self {
        let mut h = Fnv::new();
        for key in history.keys() {
            h.bytes(key.as_bytes());
            let values = history.get(key).unwrap_or_default();
            h.count(values.len());
            values.iter().for_each(|&v| h.number(v));
        }
        h.bytes(format!("{:?}", history.stopped).as_bytes());
        self.push(name, h)
    }

    /// Fingerprints every parameter and buffer of `module` (a generator by its state), one line
    /// each (`NAME.PATH`).
    pub fn module<T: Float>(&mut self, name: &str, module: &impl Module<T>) -> &mut Self {
        for (path, param) in module.named_params() {
            self.tensor(&format!("{name}.{path}"), param.value());
        }
        for (path, buffer) in module.named_buffers() {
            let mut h = Fnv::new();
            match buffer {
                BufferRef::Tensor(b) => hash_tensor(&mut h, &b.value()),
                BufferRef::Counter(c) => h.bytes(&c.get().to_le_bytes()),
                BufferRef::Rng(rng) => h.bytes(&rng.state()),
            }
            self.push(&format!("{name}.{path}"), h);
        }
        self
    }

    /// Fingerprints a trained model's network ([`Digest::module`]).
    pub fn model<T: Float, N: Module<T>>(&mut self, name: &str, model: &Model<T, N>) -> &mut Self {
        self.module(name, &model.net)
    }

    /// Fingerprints a tensor: its shape and every element.
    pub fn tensor<T: Float>(&mut self, name: &str, tensor: &Tensor<T>) -> &mut Self {
        let mut h = Fnv::new();
        hash_tensor(&mut h, tensor);
        self.push(name, h)
    }

    /// Fingerprints a list of numbers (`f32` or `f64`).
    pub fn values<V: Copy + Into<f64>>(&mut self, name: &str, values: &[V]) -> &mut Self {
        let mut h = Fnv::new();
        h.count(values.len());
        values.iter().for_each(|&v| h.number(v.into()));
        self.push(name, h)
    }

    /// Fingerprints a text (generated samples, neighbour lists).
    pub fn text(&mut self, name: &str, text: &str) -> &mut Self {
        let mut h = Fnv::new();
        h.bytes(text.as_bytes());
        self.push(name, h)
    }

    /// The lines [`Digest::print`] prints: `digest NAME HASH`, HASH in 16 hex digits.
    pub fn lines(&self) -> Vec<String> {
        self.lines
            .iter()
            .map(|(name, hash)| format!("digest {name} {hash:016x}"))
            .collect()
    }

    /// Prints [`Digest::lines`] to standard output if `--digest` was given, else nothing.
    pub fn print(&self) {
        if requested() {
            self.lines().iter().for_each(|line| println!("{line}"));
        }
    }

    fn push(&mut self, name: &str, h: Fnv) -> &mut Self {
        self.lines.push((name.to_string(), h.0));
        self
    }
}

fn hash_tensor<T: Float>(h: &mut Fnv, tensor: &Tensor<T>) {
    h.count(tensor.dims().len());
    tensor.dims().iter().for_each(|&d| h.count(d));
    for v in tensor.data() {
        h.number(v.to_f64().unwrap_or(f64::NAN));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv_matches_the_reference_vectors() {
        // From the FNV reference (Fowler, Noll, Vo): FNV-1a 64 of "" and of "a".
        let mut h = Fnv::new();
        assert_eq!(h.0, 0xcbf2_9ce4_8422_2325);
        h.bytes(b"a");
        assert_eq!(h.0, 0xaf63_dc4c_8601_ec8c);
    }

    #[test]
    fn a_history_digest_sees_every_value_and_key() {
        let digest = |logs: &[(&str, f64)]| {
            let mut history = History::default();
            history.push(
                &logs
                    .iter()
                    .map(|(k, v)| (k.to_string(), *v))
                    .collect::<Vec<_>>(),
            );
            Digest::new().history("h", &history).lines()
        };
        let base = digest(&[("loss", 0.5), ("acc", 0.9)]);
        assert_eq!(base, digest(&[("loss", 0.5), ("acc", 0.9)]));
        assert_ne!(base, digest(&[("loss", 0.5), ("acc", 0.9 + 1e-16)]));
        assert_ne!(base, digest(&[("loss", 0.5), ("val", 0.9)]));
    }

    #[test]
    fn a_tensor_digest_sees_the_shape() {
        let t = Tensor::<f32>::ones([2, 3]);
        let a = Digest::new().tensor("t", &t).lines();
        let b = Digest::new().tensor("t", &t.reshape([3, 2])).lines();
        assert_ne!(a, b);
    }
}
