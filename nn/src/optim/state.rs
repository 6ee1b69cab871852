//! An [`Optimizer`]'s state in a training checkpoint: the iteration count (the position of a
//! learning-rate [`Schedule`](super::Schedule)), the current rate of a constant schedule (which
//! callbacks may have changed), and every parameter's slots (momenta, moments) under the
//! parameter's dotted path, `optimizer.slots.PATH.K` for slot `K`.
//!
//! A [`Rule`](super::Rule) keeps no state of its own (it updates through `&self`): everything
//! it remembers is in the slots this saves, so a user's rule takes part in checkpoints
//! without writing anything.

use autodiff_core::checkpoint::{CheckpointError, Record, RecordFile};
use autodiff_core::{Float, Module, ParamPath};

use super::{Optimizer, Schedule};

impl<T: Float> Optimizer<T> {
    /// Adds this optimizer's state for the parameters of `model` to `record`.
    pub fn save_state<M: Module<T> + ?Sized>(&self, model: &M, record: &mut Record) {
        record.put_i64s("optimizer.iterations", &[self.iterations as i64]);
        record.put_f64s("optimizer.learning_rate", &[self.learning_rate()]);
        model.visit(&mut ParamPath::new(), &mut |path, param| {
            for (k, slot) in self
                .state
                .get(&param.id())
                .into_iter()
                .flatten()
                .enumerate()
            {
                let name = format!("optimizer.slots.{path}.{k}");
                record.put_f64s(
                    &name,
                    &slot
                        .iter()
                        .map(|v| v.to_f64().unwrap_or(f64::NAN))
                        .collect::<Vec<_>>(),
                );
            }
        });
    }

    /// Puts back the state [`Optimizer::save_state`] wrote for the same model. A parameter
    /// without slots in the file has taken no step yet. A slot of the wrong length, or a
    /// parameter with a different number of slots than this optimizer's rule keeps, is an error
    /// naming the tensor; the optimizer is left as it was.
    pub fn load_state<M: Module<T> + ?Sized>(
        &mut self,
        model: &M,
        file: &RecordFile,
    ) -> Result<(), CheckpointError> {
        let iterations = file.i64s("optimizer.iterations")?;
        let rate = file.f64s("optimizer.learning_rate")?;
        let slots = self.rule.slots();
        let mut state = std::collections::HashMap::new();
        let mut result = Ok(());
        model.visit(&mut ParamPath::new(), &mut |path, param| {
            let first = format!("optimizer.slots.{path}.0");
            if result.is_err() || (slots > 0 && !file.contains(&first)) {
                return;
            }
            let numel = param.value().numel();
            let read = (0..slots)
                .map(|k| {
                    let name = format!("optimizer.slots.{path}.{k}");
                    let values = file.f64s(&name)?;
                    if values.len() != numel {
                        return Err(CheckpointError::Shape {
                            file: file.file().to_path_buf(),
                            tensor: name,
                            expected: vec![numel],
                            found: vec![values.len()],
                        });
                    }
                    Ok(values.into_iter().map(T::lit).collect())
                })
                .collect::<Result<Vec<Vec<T>>, _>>();
            let extra = format!("optimizer.slots.{path}.{slots}");
            match read {
                Ok(_) if file.contains(&extra) => {
                    result = Err(CheckpointError::Unexpected {
                        file: file.file().to_path_buf(),
                        tensor: extra,
                    })
                }
                Ok(values) if slots > 0 => {
                    state.insert(param.id(), values);
                }
                Ok(_) => {}
                Err(e) => result = Err(e),
            }
        });
        result?;
        let (Some(&iterations), Some(&rate)) = (iterations.first(), rate.first()) else {
            return Err(CheckpointError::Missing {
                file: file.file().to_path_buf(),
                tensor: "optimizer.iterations".into(),
            });
        };
        if let Schedule::Constant(_) = self.schedule {
            self.schedule = Schedule::Constant(rate);
        }
        self.iterations = iterations as u64;
        self.state = state;
        Ok(())
    }
}
