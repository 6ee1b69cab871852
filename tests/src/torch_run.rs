//! A recurrent layer's output and final states in PyTorch's order, whatever layer ran: what the
//! PyTorch fixture tests compare with `nn.LSTM` / `nn.GRU`'s `(output, h_n[, c_n])`.

use autodiff_core::Var;
use nn::recurrent::{BidirectionalOutput, RecurrentOutput, StackedOutput};

/// The output and the final states, one entry per layer and direction in PyTorch's order
/// (layer 0 forward, layer 0 backward, layer 1 forward, …); `c` for LSTMs only.
pub struct TorchRun<'t> {
    /// The output sequence (or last output).
    pub output: Var<'t, f64>,
    /// The final hidden states.
    pub h: Vec<Var<'t, f64>>,
    /// The final cell states, for an LSTM.
    pub c: Option<Vec<Var<'t, f64>>>,
}

impl<'t> From<RecurrentOutput<'t, f64>> for TorchRun<'t> {
    fn from(out: RecurrentOutput<'t, f64>) -> Self {
        TorchRun {
            output: out.output,
            h: vec![out.h],
            c: out.c.map(|c| vec![c]),
        }
    }
}

impl<'t> From<BidirectionalOutput<'t, f64>> for TorchRun<'t> {
    fn from(out: BidirectionalOutput<'t, f64>) -> Self {
        let (f, b) = (out.forward, out.backward);
        TorchRun {
            output: out.output,
            h: vec![f.h, b.h],
            c: f.c.zip(b.c).map(|(f, b)| vec![f, b]),
        }
    }
}

impl<'t> From<StackedOutput<'t, f64>> for TorchRun<'t> {
    fn from(out: StackedOutput<'t, f64>) -> Self {
        TorchRun {
            output: out.output,
            h: out.h,
            c: out.c,
        }
    }
}
