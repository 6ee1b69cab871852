//! Training does not leak: the heap bytes a 2,000-step `Model::fit` holds after step 2,000 are
//! within 1 % of those after step 100, once the tensor pool, the tape and the optimizer's state
//! have reached their steady size. Counted by a process-wide live-bytes counter in the counting
//! global allocator, so this binary holds one test, which runs the networks one after another
//! (a second test thread would free its pool into the count when it ends).

use autodiff_core::{Float, Module, Tensor};
use nn::losses::Loss;
use nn::optim::Optimizer;
use nn::recurrent::{LstmCell, Recurrent};
use nn::train::{
    BatchEnd, Callback, CallbackError, Control, Feed, FitOptions, Logs, Model, StopReason,
};
use nn::{Activation, Dense, Sequential};

#[global_allocator]
static GLOBAL: tests::CountingAllocator = tests::CountingAllocator;

/// The step after warm-up and the last step.
const WARM: u64 = 100;
const STEPS: usize = 2_000;
const BATCH: usize = 8;

/// Records the live bytes after step [`WARM`] and after the last step.
#[derive(Default)]
struct LiveBytes {
    warm: Option<isize>,
    last: Option<isize>,
}

impl<T: Float> Callback<T> for LiveBytes {
    fn on_train_batch_end(
        &mut self,
        batch: &BatchEnd<'_, T>,
        _model: &dyn Module<T>,
    ) -> Result<Option<StopReason>, CallbackError> {
        if batch.step == WARM {
            self.warm = Some(tests::live_bytes());
        }
        if batch.step == STEPS as u64 {
            self.last = Some(tests::live_bytes());
        }
        Ok(None)
    }

    fn on_epoch_end(
        &mut self,
        _epoch: usize,
        _logs: &Logs,
        _model: &mut dyn Module<T>,
    ) -> Result<Control, CallbackError> {
        Ok(Control::Continue)
    }
}

/// Fits the net `make()` builds for one epoch of [`STEPS`] batches of its data and asserts that
/// the bytes the run holds (its data, model, optimizer state, tape and pool: everything live
/// beyond what was before `make`) after the last step are within 1 % of those after step
/// [`WARM`].
fn assert_flat<N: Module<f32>>(what: &str, make: impl FnOnce() -> (N, Tensor<f32>, Tensor<f32>))
where
    Tensor<f32>: Feed<f32, N>,
{
    let before = tests::live_bytes();
    let (net, x, y) = make();
    let mut model = Model::new(net, Loss::MeanSquaredError, Optimizer::adam(1e-3), vec![]);
    let options = FitOptions {
        epochs: 1,
        batch_size: BATCH,
        verbose: false,
        ..FitOptions::default()
    };
    let mut live = LiveBytes::default();
    model.fit(&x, &y, &options, &mut [&mut live]).unwrap();
    let warm = live.warm.unwrap() - before;
    let last = live.last.unwrap() - before;
    let change = (last - warm) as f64 / warm as f64;
    println!(
        "{what}: {warm} bytes live after step {WARM}, {last} after step {STEPS} ({:+.3} %)",
        100.0 * change
    );
    assert!(
        change.abs() < 0.01,
        "{what}: the run held {warm} bytes after step {WARM} and {last} after step {STEPS}"
    );
}

#[test]
fn training_holds_the_same_memory_from_step_100_to_2000() {
    assert_flat("dense 16-32-1", || {
        let x = Tensor::<f32>::normal([STEPS * BATCH, 16], 0.0, 1.0, 1);
        let y = x.narrow(1, 0, 1).map(f32::sin);
        let net = Sequential::new()
            .add(Dense::new(16, 32).activation(Activation::Relu).seed(2))
            .add(Dense::new(32, 1).seed(3));
        (net, x, y)
    });
    assert_flat("LSTM 3-8 → dense 1", || {
        let rows = STEPS * BATCH;
        let x = Tensor::<f32>::normal([rows, 6, 3], 0.0, 1.0, 4);
        let y = x.narrow(1, 0, 1).narrow(2, 0, 1).reshape([rows, 1]);
        let net = Sequential::new()
            .add(Recurrent::<f32, LstmCell>::new(3, 8).seed(5).output_only())
            .add(Dense::new(8, 1).seed(6));
        (net, x, y)
    });
}
