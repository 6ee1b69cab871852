//! Anomaly detection: a NaN or infinity made in the forward or only in the backward pass is
//! reported with the op's name, its shapes and the line that recorded it; off, nothing is checked.

use std::panic::{AssertUnwindSafe, catch_unwind};

use autodiff_core::{Tape, Tensor, detect_anomaly, is_anomaly_detection_enabled};

/// The panic message of `f`, which must panic.
fn panic_message(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("no anomaly was reported");
    match payload.downcast::<String>() {
        Ok(s) => *s,
        Err(p) => p.downcast_ref::<&str>().unwrap().to_string(),
    }
}

#[test]
fn a_nan_made_in_the_forward_pass_names_the_op_and_its_line() {
    let _on = detect_anomaly();
    let tape = Tape::new();
    let x = tape.var(Tensor::from_vec(vec![1.0_f64, -2.0, 3.0], [3]));
    let y = x * 2.0;
    let line = line!() + 1;
    let ln = || y.ln();
    let message = panic_message(|| {
        let _ = ln();
    });
    let at = format!("{}:{line}:", file!());
    assert!(message.contains("forward of `ln`"), "{message}");
    assert!(message.contains(&at), "{message} does not name {at}");
    assert!(message.contains("NaN at element 1"), "{message}");
    assert!(
        message.contains("(output shape [3]; input shapes [3];"),
        "{message}"
    );
    assert!(message.contains("every input is finite"), "{message}");
}

#[test]
fn an_infinity_made_only_in_the_backward_pass_names_the_op_that_made_it() {
    let _on = detect_anomaly();
    let tape = Tape::new();
    let x = tape.var(Tensor::from_vec(vec![4.0_f64, 0.0], [2]));
    let line = line!() + 1;
    let root = x.sqrt();
    // Forward values are finite (√0 = 0); d√x/dx = 1/(2√x) is infinite at 0.
    let loss = (root * 3.0).sum();
    let message = panic_message(|| drop(loss.backward()));
    let at = format!("{}:{line}:", file!());
    assert!(message.contains("backward of `sqrt`"), "{message}");
    assert!(message.contains(&at), "{message} does not name {at}");
    assert!(message.contains("infinity at element 1"), "{message}");
    assert!(message.contains("gradient of its input 0"), "{message}");
    assert!(
        message.contains("(output shape [2]; input shapes [2])"),
        "{message}"
    );
}

#[test]
fn a_custom_op_is_named_after_the_function_that_records_it() {
    use autodiff_core::{BackwardCx, Var};
    fn reciprocal<'t>(x: Var<'t, f64>) -> Var<'t, f64> {
        let y = x.with_value(|v| v.map(|a| 1.0 / a));
        x.tape().record(y, &[x], |cx: &mut BackwardCx<f64>| {
            let g = cx.grad_output().zip_map(cx.output(), |g, y| -g * y * y);
            cx.accumulate(0, g);
        })
    }
    let _on = detect_anomaly();
    let tape = Tape::new();
    let x = tape.var(Tensor::from_vec(vec![0.0_f64], [1]));
    let message = panic_message(|| {
        let _ = reciprocal(x);
    });
    assert!(message.contains("forward of `reciprocal`"), "{message}");
    assert!(message.contains(file!()), "{message}");
}

#[test]
fn off_by_default_nothing_is_checked() {
    assert!(!is_anomaly_detection_enabled());
    let tape = Tape::new();
    let x = tape.var(Tensor::from_vec(vec![-1.0_f64, 0.0], [2]));
    let y = x.ln() + x.sqrt();
    assert!(y.value().data()[0].is_nan());
    let grads = y.sum().backward();
    assert!(grads.wrt(x).unwrap().data()[1].is_infinite());
}

#[test]
fn the_guard_restores_the_mode_and_a_cleared_tape_takes_it_up() {
    let mut tape = Tape::<f64>::new();
    {
        let _on = detect_anomaly();
        assert!(is_anomaly_detection_enabled());
        tape.clear();
        let x = tape.var(Tensor::from_vec(vec![-1.0], [1]));
        let message = panic_message(|| {
            let _ = x.sqrt();
        });
        assert!(message.contains("forward of `sqrt`"), "{message}");
    }
    assert!(!is_anomaly_detection_enabled());
    tape.clear();
    let x = tape.var(Tensor::from_vec(vec![-1.0], [1]));
    assert!(x.sqrt().item().is_nan());
}

#[test]
fn a_fused_nn_op_names_the_line_that_called_it() {
    use nn::fused::{Conv2dOptions, conv2d, linear};
    let _on = detect_anomaly();
    let tape = Tape::new();
    // Finite inputs whose product overflows: the forward makes an infinity.
    let x = tape.var(Tensor::from_vec(vec![1e308_f64], [1, 1]));
    let w = tape.var(Tensor::from_vec(vec![10.0_f64], [1, 1]));
    let line = line!() + 1;
    let op = || linear(x, w, None);
    let message = panic_message(|| {
        let _ = op();
    });
    let at = format!("{}:{line}:", file!());
    assert!(message.contains("forward of `linear`"), "{message}");
    assert!(message.contains(&at), "{message} does not name {at}");

    // conv2d records through a private helper: the location still passes through it.
    let image = tape.var(Tensor::from_vec(vec![1e308_f64], [1, 1, 1, 1]));
    let kernel = tape.var(Tensor::from_vec(vec![10.0_f64], [1, 1, 1, 1]));
    let line = line!() + 1;
    let op = || conv2d(image, kernel, None, Conv2dOptions::default());
    let message = panic_message(|| {
        let _ = op();
    });
    let at = format!("{}:{line}:", file!());
    assert!(message.contains("forward of `conv2d"), "{message}");
    assert!(message.contains(&at), "{message} does not name {at}");
}
