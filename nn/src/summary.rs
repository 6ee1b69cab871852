//! [`Summary`]: Keras's `model.summary()` — each layer's name and type, output shape and
//! parameter count, then the total, trainable and non-trainable parameters.
//!
//! The output shapes come from running the model once on a zero batch of the given input shape
//! (batch size 1, on a scratch tape that records no gradient), so any layer type works without
//! declaring how it changes shapes. The batch axis is printed as `None`, as Keras does; the
//! input shape is given without it, as Keras's `input_shape`. The pass runs in the model's
//! current mode (inference, outside `fit`).
//!
//! The table is Keras 2's (`tf.keras` before 2.9): columns 29, 26 and 10 characters wide, a
//! rule between layers, totals with thousands separators. Two deliberate differences: a column
//! widens to fit a longer name or shape instead of cutting it, and lines carry no trailing
//! spaces. Layer names are Keras's: the type in snake case, numbered from the second of a kind
//! (`dense`, `dense_1`).
//!
//! ```
//! use nn::{Activation, Dense, Dropout, Sequential, Summary};
//! let net = Sequential::<f32>::new()
//!     .add(Dense::new(10, 16).activation(Activation::Relu))
//!     .add(Dropout::new(0.5, 0))
//!     .add(Dense::new(16, 1).activation(Activation::Sigmoid));
//! let table = net.summary(&[10]);
//! assert!(table.contains("dense_1 (Dense)              (None, 1)                 17\n"));
//! assert!(table.contains("Total params: 193\n"));
//! println!("{table}");
//! ```

use std::collections::HashMap;
use std::fmt::Write;

use autodiff_core::{Float, Module, Tape, Tensor, Var};

use crate::data::TokenIds;
use crate::layers::{Embedding, SequentialFrom, TokenInput};
use crate::train::Model;
use crate::{Dense, Layer, Sequential};

/// One layer's row of a summary.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LayerSummary {
    /// The layer's type without its path or parameters (`Dense`).
    pub kind: String,
    /// The output's shape for a batch of one.
    pub output_shape: Vec<usize>,
    /// Its parameters and buffers (Keras's "Param #": trainable or not).
    pub params: usize,
}

impl LayerSummary {
    /// The row of `layer` (whose type is `type_name`), given its output.
    fn of<T: Float, M: Module<T> + ?Sized>(type_name: &str, layer: &M, output: Var<'_, T>) -> Self {
        LayerSummary {
            kind: short_type_name(type_name).to_string(),
            output_shape: output.dims(),
            params: layer.num_trainable_params() + layer.num_non_trainable_params(),
        }
    }
}

/// A model that can describe its layers as Keras's `summary()` does. Implemented for
/// [`Sequential`] and for a [`SequentialFrom`] whose first layer is a [`TraceZeros`]; a model of
/// your own implements [`Summary::layer_summaries`] and gets the table.
pub trait Summary<T: Float>: Module<T> {
    /// The name in the table's first line (Keras's `model.name`).
    fn summary_name(&self) -> &str {
        "model"
    }

    /// Each layer's row for inputs of shape `input_shape` (without the batch axis), traced on a
    /// zero batch of one.
    fn layer_summaries(&self, input_shape: &[usize]) -> Vec<LayerSummary>;

    /// The table, as Keras prints it (see the module docs).
    fn summary(&self, input_shape: &[usize]) -> String {
        format_summary(
            self.summary_name(),
            &self.layer_summaries(input_shape),
            self.num_trainable_params(),
            self.num_non_trainable_params(),
        )
    }
}

/// A layer that can run on a zero batch of the input it reads, shaped `[1] + input_shape`:
/// what lets a [`SequentialFrom`] starting with it be summarised.
pub trait TraceZeros<T: Float>: Module<T> {
    /// The layer's output for that zero batch, on `tape`.
    fn trace_zeros<'t>(&self, tape: &'t Tape<T>, input_shape: &[usize]) -> Var<'t, T>;
}

/// A batch of token id 0.
impl<T: Float> TraceZeros<T> for Embedding<T> {
    fn trace_zeros<'t>(&self, tape: &'t Tape<T>, input_shape: &[usize]) -> Var<'t, T> {
        self.forward(TokenInput::new(
            tape,
            TokenIds::zeros(&batch_of_one(input_shape)),
        ))
    }
}

/// A dense batch of zeros (the same shapes as sparse rows give).
impl<T: Float> TraceZeros<T> for Dense<T> {
    fn trace_zeros<'t>(&self, tape: &'t Tape<T>, input_shape: &[usize]) -> Var<'t, T> {
        self.forward(tape.constant(Tensor::zeros(batch_of_one(input_shape).as_slice())))
    }
}

impl<T: Float> Summary<T> for Sequential<T> {
    fn summary_name(&self) -> &str {
        "sequential"
    }

    fn layer_summaries(&self, input_shape: &[usize]) -> Vec<LayerSummary> {
        let tape = Tape::no_grad();
        let x = tape.constant(Tensor::zeros(batch_of_one(input_shape).as_slice()));
        dense_rows(self.layers(), x)
    }
}

impl<T: Float, F: TraceZeros<T> + 'static> Summary<T> for SequentialFrom<T, F> {
    fn summary_name(&self) -> &str {
        "sequential"
    }

    fn layer_summaries(&self, input_shape: &[usize]) -> Vec<LayerSummary> {
        let tape = Tape::no_grad();
        let h = self.first().trace_zeros(&tape, input_shape);
        let first = LayerSummary::of(std::any::type_name::<F>(), self.first(), h);
        std::iter::once(first)
            .chain(dense_rows(self.rest(), h))
            .collect()
    }
}

/// Keras's `model.summary()` on a compiled model: its network's table.
impl<T: Float, N: Summary<T>> Model<T, N> {
    /// The network's summary for inputs of shape `input_shape` (see [`Summary`]).
    pub fn summary(&self, input_shape: &[usize]) -> String {
        self.net.summary(input_shape)
    }
}

/// The rows of dense layers applied in turn to `x`.
fn dense_rows<'t, T: Float>(
    layers: &[Box<dyn crate::layers::AnyLayer<T>>],
    mut x: Var<'t, T>,
) -> Vec<LayerSummary> {
    layers
        .iter()
        .map(|layer| {
            let layer = layer.as_ref();
            x = layer.forward(x);
            LayerSummary::of(layer.type_name(), layer, x)
        })
        .collect()
}

fn batch_of_one(input_shape: &[usize]) -> Vec<usize> {
    std::iter::once(1)
        .chain(input_shape.iter().copied())
        .collect()
}

/// `nn::layers::dense::Dense<f32>` → `Dense`.
fn short_type_name(name: &str) -> &str {
    let path = name.split('<').next().unwrap_or(name);
    path.rsplit("::").next().unwrap_or(path)
}

/// Keras's layer name for a type: `GlobalAveragePooling1d` → `global_average_pooling1d`.
fn snake_case(kind: &str) -> String {
    let mut out = String::new();
    let mut previous_lower = false;
    for c in kind.chars() {
        if c.is_uppercase() && previous_lower {
            out.push('_');
        }
        previous_lower = c.is_lowercase() || c.is_ascii_digit();
        out.extend(c.to_lowercase());
    }
    out
}

/// A shape with its batch axis as `None`, as a Python tuple: `(None, 16)`, `(None,)`.
fn keras_shape(dims: &[usize]) -> String {
    let mut parts = vec!["None".to_string()];
    parts.extend(dims.iter().skip(1).map(usize::to_string));
    if parts.len() == 1 {
        return "(None,)".to_string();
    }
    format!("({})", parts.join(", "))
}

/// `160305` → `160,305`.
fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The table of `rows` with the model's totals.
fn format_summary(
    name: &str,
    rows: &[LayerSummary],
    trainable: usize,
    non_trainable: usize,
) -> String {
    let mut counts: HashMap<String, usize> = HashMap::new();
    let cells: Vec<[String; 3]> = rows
        .iter()
        .map(|row| {
            let base = snake_case(&row.kind);
            let seen = counts.entry(base.clone()).or_default();
            let layer_name = match *seen {
                0 => base,
                k => format!("{base}_{k}"),
            };
            *seen += 1;
            [
                format!("{layer_name} ({})", row.kind),
                keras_shape(&row.output_shape),
                row.params.to_string(),
            ]
        })
        .collect();
    let header = ["Layer (type)", "Output Shape", "Param #"].map(String::from);
    // Keras's widths, widened where a cell (plus one space) does not fit.
    let mut widths = [29, 26, 10];
    for cell in cells.iter().chain([&header]) {
        for (w, text) in widths.iter_mut().zip(cell) {
            *w = (*w).max(text.chars().count() + 1);
        }
    }
    let width: usize = widths.iter().sum();
    let line = |cells: &[String; 3]| {
        let mut text = String::new();
        for (w, cell) in widths.iter().zip(cells) {
            text.push_str(&format!("{cell:<w$}"));
        }
        text.trim_end().to_string()
    };
    let (rule, double) = ("_".repeat(width), "=".repeat(width));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Model: \"{name}\"\n{rule}\n{}\n{double}",
        line(&header)
    );
    for (i, cell) in cells.iter().enumerate() {
        let separator = if i + 1 == cells.len() { &double } else { &rule };
        let _ = writeln!(out, "{}\n{separator}", line(cell));
    }
    if cells.is_empty() {
        let _ = writeln!(out, "{double}");
    }
    let _ = writeln!(
        out,
        "Total params: {}\nTrainable params: {}\nNon-trainable params: {}\n{rule}",
        thousands(trainable + non_trainable),
        thousands(trainable),
        thousands(non_trainable)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_shapes_and_numbers_as_keras_writes_them() {
        assert_eq!(short_type_name("nn::layers::dense::Dense<f32>"), "Dense");
        assert_eq!(
            snake_case("GlobalAveragePooling1d"),
            "global_average_pooling1d"
        );
        assert_eq!(snake_case("Conv2d"), "conv2d");
        assert_eq!(keras_shape(&[1, 16]), "(None, 16)");
        assert_eq!(keras_shape(&[1]), "(None,)");
        assert_eq!(thousands(160305), "160,305");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(999), "999");
    }
}
