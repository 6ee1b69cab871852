//! The per-epoch progress bar (indicatif): batches done and the running loss and metrics. It
//! draws only when stdout is a terminal, so logs and pipes stay clean.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// A bar for one epoch, hidden when stdout is not a terminal or `verbose` is off.
pub(crate) struct EpochBar {
    bar: ProgressBar,
}

impl EpochBar {
    pub(crate) fn new(epoch: usize, epochs: usize, batches: usize, verbose: bool) -> Self {
        let target = if verbose && std::io::stdout().is_terminal() {
            ProgressDrawTarget::stdout()
        } else {
            ProgressDrawTarget::hidden()
        };
        let bar = ProgressBar::with_draw_target(Some(batches as u64), target);
        let style = ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> ");
        bar.set_style(style);
        bar.set_prefix(format!("Epoch {}/{epochs}", epoch + 1));
        EpochBar { bar }
    }

    /// Advances one batch, showing the running values.
    pub(crate) fn tick(&self, running: &[(String, f64)]) {
        self.bar.inc(1);
        self.bar.set_message(format_logs(running));
    }

    /// Leaves the bar on screen with the epoch's final logs.
    pub(crate) fn finish(&self, logs: &[(String, f64)]) {
        self.bar.finish_with_message(format_logs(logs));
    }
}

fn format_logs(logs: &[(String, f64)]) -> String {
    logs.iter()
        .map(|(k, v)| format!("{k}: {v:.4}"))
        .collect::<Vec<_>>()
        .join(" - ")
}
