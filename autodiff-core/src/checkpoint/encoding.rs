//! How tensors and counters become safetensors bytes and back: little-endian, in the element
//! type's own width.

use safetensors::Dtype;

use crate::Float;

/// The safetensors dtype of `T`.
pub(super) fn dtype<T: Float>() -> Dtype {
    if T::DTYPE == "f32" {
        Dtype::F32
    } else {
        Dtype::F64
    }
}

/// Little-endian bytes of the elements, in `T`'s own width.
pub(super) fn to_le_bytes<T: Float>(data: &[T]) -> Vec<u8> {
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
pub(super) fn from_le_bytes<T: Float>(bytes: &[u8]) -> Vec<T> {
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

/// A count from the 8 little-endian bytes of a 0-dimensional `I64` tensor (the caller checked
/// dtype and shape, so the length).
pub(super) fn count_from_le_bytes(bytes: &[u8]) -> i64 {
    i64::from_le_bytes(bytes.try_into().unwrap_or([0; 8]))
}
