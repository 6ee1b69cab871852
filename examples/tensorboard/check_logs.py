"""Loads the TensorBoard logs an example wrote with `--tensorboard DIR` through TensorBoard's
own EventAccumulator and checks them against the History and parameter sizes the example wrote
beside them (history.csv, parameters.csv):

- every History key is a scalar `epoch_KEY` (`val_KEY` in validation/) at steps 0..epochs-1,
  each value equal to the History value rounded to float32 (TensorBoard keeps 32 bits);
- `epoch_learning_rate` at every epoch; `batch_loss` at steps that are multiples of its interval;
- every parameter has a `PATH/histogram` and a `PATH/gradient` at the same epochs, each
  histogram counting exactly as many values as the parameter has (its bucket counts too).

    pip install tensorboard
    cargo run --release --example digits_mlp -- --tensorboard /tmp/digits
    python examples/tensorboard/check_logs.py /tmp/digits
"""

import csv
import os
import sys

import numpy as np
from tensorboard.backend.event_processing.event_accumulator import (
    HISTOGRAMS,
    SCALARS,
    EventAccumulator,
)


def load(run_dir):
    acc = EventAccumulator(run_dir, size_guidance={SCALARS: 0, HISTOGRAMS: 0})
    acc.Reload()
    return acc


def main(log_dir):
    with open(os.path.join(log_dir, "history.csv")) as f:
        rows = list(csv.DictReader(f))
    with open(os.path.join(log_dir, "parameters.csv")) as f:
        sizes = {r["path"]: int(r["size"]) for r in csv.DictReader(f)}
    epochs = len(rows)
    runs = {"train": load(os.path.join(log_dir, "train")), "validation": load(os.path.join(log_dir, "validation"))}
    failures = []
    checked_scalars = 0

    for key in rows[0]:
        if key == "epoch":
            continue
        run, name = ("validation", key[4:]) if key.startswith("val_") else ("train", key)
        events = runs[run].Scalars("epoch_" + name)
        steps = [e.step for e in events]
        if steps != list(range(epochs)):
            failures.append(f"{run}/epoch_{name}: steps {steps}")
            continue
        for e, row in zip(events, rows):
            expected = np.float32(float(row[key]))
            if np.float32(e.value) != expected:
                failures.append(f"{run}/epoch_{name} step {e.step}: {e.value} != {expected}")
            checked_scalars += 1

    lr = runs["train"].Scalars("epoch_learning_rate")
    if [e.step for e in lr] != list(range(epochs)):
        failures.append("epoch_learning_rate missing at some epoch")
    batch = [e.step for e in runs["train"].Scalars("batch_loss")]
    interval = batch[0] if batch else 0
    if not batch or any(s != interval * (i + 1) for i, s in enumerate(batch)):
        failures.append(f"batch_loss steps {batch[:5]}...")

    histogram_tags = set(runs["train"].Tags()["histograms"])
    checked_histograms = 0
    histogram_steps = None
    for path, size in sizes.items():
        for suffix in ("histogram", "gradient"):
            tag = f"{path}/{suffix}"
            if tag not in histogram_tags:
                failures.append(f"no histogram {tag}")
                continue
            events = runs["train"].Histograms(tag)
            steps = [e.step for e in events]
            histogram_steps = histogram_steps or steps
            if steps != histogram_steps:
                failures.append(f"{tag}: steps {steps} != {histogram_steps}")
            for e in events:
                h = e.histogram_value
                if h.num != size or sum(h.bucket) != size:
                    failures.append(f"{tag} step {e.step}: num {h.num}, buckets {sum(h.bucket)}, weights {size}")
                checked_histograms += 1

    print(
        f"{log_dir}: {epochs} epochs, {checked_scalars} epoch scalars equal to the History, "
        f"{len(lr)} learning rates, {len(batch)} batch_loss points every {interval} steps, "
        f"{checked_histograms} histograms at epochs {histogram_steps} each counting its "
        f"parameter's {len(sizes)} sizes ({sum(sizes.values())} weights in all)"
    )
    for f in failures:
        print("FAIL", f)
    checked = checked_scalars + checked_histograms
    print(f"{max(checked - len(failures), 0)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
