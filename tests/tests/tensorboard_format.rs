//! Our TensorBoard event files against one written by TensorBoard's own Python writer
//! (`tests/fixtures/make_tensorboard_events.py`), and the `TensorBoard` callback's logs of a
//! real `fit`: framing, CRCs, protobuf bytes, what a crash leaves, and every logged value.

use std::path::{Path, PathBuf};

use nn::losses::Loss;
use nn::metrics::Metric;
use nn::optim::Optimizer;
use nn::tensorboard::{
    Event, EventWhat, HistogramProto, Summary, SummaryValue, SummaryWriter, TensorBoard,
    UpdateFreq, Value, read_event_file, read_records, scalar_summary, text_summary,
};
use nn::train::{FitOptions, History, Model, Validation};
use nn::{Activation, Dense, Module, Sequential, Tensor};
use prost::Message;

fn fixture() -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/tensorboard_events.tfevents");
    std::fs::read(path).expect("the fixture is committed")
}

/// The three events the Python script writes, built with our messages.
fn python_events() -> Vec<Event> {
    let histo = HistogramProto {
        min: -1.0,
        max: 2.0,
        num: 4.0,
        sum: 2.5,
        sum_squares: 6.25,
        bucket_limit: vec![0.5, 2.0],
        bucket: vec![2.0, 2.0],
    };
    let histogram = Summary {
        value: vec![SummaryValue {
            tag: "dense.weight/histogram".into(),
            metadata: None,
            value: Some(Value::Histo(histo)),
        }],
    };
    let event = |wall_time, step, summary| Event {
        wall_time,
        step,
        what: Some(EventWhat::Summary(summary)),
    };
    vec![
        event(1700000001.5, 3, scalar_summary("epoch_loss", 0.25)),
        event(1700000002.25, 7, histogram),
        event(
            1700000003.0,
            0,
            text_summary("notes", "hello **TensorBoard**"),
        ),
    ]
}

#[test]
fn tensorboards_own_file_passes_our_crc_checks_and_decodes_to_our_messages() {
    let bytes = fixture();
    let read = read_records(&bytes).unwrap();
    assert_eq!((read.records.len(), read.incomplete_tail), (4, 0));
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("events.out.tfevents.python");
    std::fs::write(&copy, &bytes).unwrap();
    let events = read_event_file(&copy).unwrap();
    assert_eq!(
        events[0].what,
        Some(EventWhat::FileVersion("brain.Event:2".into()))
    );
    assert_eq!(events[1..], python_events()[..]);
}

#[test]
fn our_writer_writes_tensorboards_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let mut writer = SummaryWriter::create(dir.path()).unwrap();
    for event in python_events() {
        writer.write_event(&event).unwrap();
    }
    writer.flush().unwrap();
    let ours = std::fs::read(writer.path()).unwrap();
    let theirs = fixture();
    let (ours, theirs) = (read_records(&ours).unwrap(), read_records(&theirs).unwrap());
    // Record 0 holds each writer's own clock and (for Python) its name; the rest match byte for
    // byte, framing and CRCs included.
    assert_eq!(ours.records.len(), theirs.records.len());
    for (i, (a, b)) in ours.records.iter().zip(&theirs.records).enumerate().skip(1) {
        assert_eq!(a, b, "record {i}");
    }
    let version = Event::decode(ours.records[0]).unwrap();
    assert_eq!(
        version.what,
        Some(EventWhat::FileVersion("brain.Event:2".into()))
    );
}

/// A two-layer classifier trained for `epochs` with a TensorBoard callback under `log_dir`.
fn fit_with_tensorboard(log_dir: &Path, epochs: usize) -> (History, Sequential<f32>) {
    let x = Tensor::<f32>::normal([120, 3], 0.0, 1.0, 1);
    let y = Tensor::from_fn([120, 1], |i| f32::from(u8::from(x.get(&[i, 0]) > 0.0)));
    let net = Sequential::new()
        .add(Dense::new(3, 4).activation(Activation::Relu).seed(2))
        .add(Dense::new(4, 1).activation(Activation::Sigmoid).seed(3));
    let loss = Loss::BinaryCrossentropy { from_logits: false };
    let metrics = vec![Metric::binary_accuracy("acc")];
    let mut model = Model::new(net, loss, Optimizer::adam(0.01), metrics);
    let options = FitOptions {
        epochs,
        batch_size: 25,
        validation: Validation::Split(0.25),
        verbose: false,
        ..FitOptions::default()
    };
    let mut board = TensorBoard::new(log_dir)
        .histogram_freq(2)
        .update_freq(UpdateFreq::Batches(2));
    let history = model.fit(&x, &y, &options, &mut [&mut board]).unwrap();
    (history, model.net)
}

/// The only event file in `dir`.
fn event_file(dir: &Path) -> PathBuf {
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(files[0].to_string_lossy().contains("tfevents"));
    files[0].clone()
}

/// `(tag, step, value)` of every scalar in `events`.
fn scalars(events: &[Event]) -> Vec<(String, i64, f32)> {
    summaries(events)
        .filter_map(|(step, v)| match v.value {
            Some(Value::SimpleValue(x)) => Some((v.tag.clone(), step, x)),
            _ => None,
        })
        .collect()
}

fn summaries(events: &[Event]) -> impl Iterator<Item = (i64, &SummaryValue)> {
    events.iter().flat_map(|e| match &e.what {
        Some(EventWhat::Summary(s)) => s.value.iter().map(|v| (e.step, v)).collect(),
        _ => Vec::new(),
    })
}

#[test]
fn the_callback_logs_every_history_value_and_histograms_of_every_parameter() {
    let dir = tempfile::tempdir().unwrap();
    let epochs = 5;
    let (history, net) = fit_with_tensorboard(dir.path(), epochs);
    let train = read_event_file(event_file(&dir.path().join("train"))).unwrap();
    let validation = read_event_file(event_file(&dir.path().join("validation"))).unwrap();
    let (train_scalars, val_scalars) = (scalars(&train), scalars(&validation));
    let epoch_values = |scalars: &[(String, i64, f32)], tag: &str| -> Vec<f32> {
        let mut found: Vec<(i64, f32)> = scalars
            .iter()
            .filter(|(t, _, _)| t == tag)
            .map(|&(_, s, v)| (s, v))
            .collect();
        found.sort_by_key(|&(s, _)| s);
        assert_eq!(
            found.iter().map(|&(s, _)| s).collect::<Vec<_>>(),
            (0..epochs as i64).collect::<Vec<_>>(),
            "{tag}"
        );
        found.into_iter().map(|(_, v)| v).collect()
    };
    for key in history.keys() {
        let (scalars, name) = match key.strip_prefix("val_") {
            Some(name) => (&val_scalars, name),
            None => (&train_scalars, key),
        };
        let expected: Vec<f32> = history
            .get(key)
            .unwrap()
            .iter()
            .map(|&v| v as f32)
            .collect();
        assert_eq!(
            epoch_values(scalars, &format!("epoch_{name}")),
            expected,
            "{key}"
        );
    }
    assert_eq!(
        epoch_values(&train_scalars, "epoch_learning_rate"),
        [0.01; 5]
    );
    // 90 training rows in batches of 25: 4 steps an epoch, 20 in all, logged every 2nd.
    let batch_steps: Vec<i64> = train_scalars
        .iter()
        .filter(|(t, _, _)| t == "batch_loss")
        .map(|&(_, s, _)| s)
        .collect();
    assert_eq!(batch_steps, (1..=10).map(|i| 2 * i).collect::<Vec<_>>());

    // Epochs 0, 2 and 4: a weight and a gradient histogram per parameter, with all its values.
    let params = net.named_params();
    assert_eq!(params.len(), 4);
    for (path, p) in &params {
        for suffix in ["histogram", "gradient"] {
            let tag = format!("{path}/{suffix}");
            let found: Vec<(i64, f64)> = summaries(&train)
                .filter(|(_, v)| v.tag == tag)
                .map(|(step, v)| match &v.value {
                    Some(Value::Histo(h)) => (step, h.num),
                    other => panic!("{tag}: not a histogram: {other:?}"),
                })
                .collect();
            let n = p.value().numel() as f64;
            assert_eq!(found, [(0, n), (2, n), (4, n)], "{tag}");
        }
    }
    assert!(summaries(&validation).all(|(_, v)| matches!(v.value, Some(Value::SimpleValue(_)))));
}

#[test]
fn a_file_cut_mid_record_keeps_every_complete_record() {
    let dir = tempfile::tempdir().unwrap();
    fit_with_tensorboard(dir.path(), 2);
    let path = event_file(&dir.path().join("train"));
    let bytes = std::fs::read(&path).unwrap();
    let whole = read_records(&bytes).unwrap();
    assert_eq!(whole.incomplete_tail, 0);
    let n = whole.records.len();
    let mut end = 0;
    for (i, record) in whole.records.iter().enumerate() {
        let start = end;
        end += 16 + record.len();
        // Cut inside record i (in its header, its data and its final CRC): records 0..i survive.
        for cut in [start + 5, start + 12 + record.len() / 2, end - 1] {
            std::fs::write(&path, &bytes[..cut]).unwrap();
            let events = read_event_file(&path).unwrap();
            assert_eq!(events.len(), i, "cut at byte {cut} of {}", bytes.len());
            let read = read_records(&bytes[..cut]).unwrap();
            assert_eq!(read.records[..], whole.records[..i]);
            assert_eq!(read.incomplete_tail, cut - start);
        }
    }
    assert!(n > 10, "{n} records");
}

#[test]
fn gradient_histograms_come_from_the_last_batch_of_the_epoch() {
    use nn::train::{BatchEnd, Callback};
    use nn::{Param, Tape};
    let dir = tempfile::tempdir().unwrap();
    let mut weight = Param::new(Tensor::from_vec(vec![1.0_f64, 2.0, 3.0], [3]));
    let mut board = TensorBoard::new(dir.path()).histogram_freq(1);
    Callback::<f64>::on_train_begin(&mut board, &mut weight).unwrap();
    let logs = vec![("loss".to_string(), 1.0)];
    for (batch, scale) in [(0, 1.0), (1, 10.0)] {
        let tape = Tape::new();
        // d(scale · Σ w)/dw = scale for every weight.
        let grads = (tape.param(&weight).sum() * scale).backward();
        let end = BatchEnd {
            epoch: 0,
            batch,
            batches: 2,
            step: batch as u64 + 1,
            logs: &logs,
            grads: &grads,
            loss: 0.5,
            learning_rate: 0.1,
        };
        board.on_train_batch_end(&end, &weight).unwrap();
    }
    board.on_epoch_end(0, &logs, &mut weight).unwrap();
    board.on_train_end(&mut weight).unwrap();
    let train = read_event_file(event_file(&dir.path().join("train"))).unwrap();
    let sums: Vec<(String, f64)> = summaries(&train)
        .filter_map(|(_, v)| match &v.value {
            Some(Value::Histo(h)) => Some((v.tag.clone(), h.sum)),
            _ => None,
        })
        .collect();
    assert_eq!(
        sums,
        [
            ("/gradient".to_string(), 30.0),
            ("/histogram".to_string(), 6.0)
        ]
    );
}
