//! Every kind of shape error panics with the op's name and both shapes.

use autodiff_core::{Tape, Tensor, Var};

fn zeros(dims: &[usize]) -> Tensor<f32> {
    Tensor::zeros(dims)
}

#[test]
#[should_panic(expected = "matmul: [32, 10] × [12, 4]: inner dimensions 10 and 12 differ")]
fn matmul_inner_dimensions() {
    let tape = Tape::new();
    let _ = tape.var(zeros(&[32, 10])).matmul(tape.var(zeros(&[12, 4])));
}

#[test]
#[should_panic(expected = "matmul: [] × [4, 2]: the left operand is a scalar")]
fn matmul_scalar() {
    zeros(&[]).matmul(&zeros(&[4, 2]));
}

#[test]
#[should_panic(
    expected = "matmul: [3, 2, 4] × [2, 4, 5]: batch dimensions [3] and [2] do not broadcast"
)]
fn matmul_batches_that_do_not_broadcast() {
    let tape = Tape::new();
    let _ = tape
        .var(zeros(&[3, 2, 4]))
        .matmul(tape.var(zeros(&[2, 4, 5])));
}

#[test]
#[should_panic(expected = "add: shapes [2, 3] and [2] do not broadcast")]
fn broadcasting() {
    let tape = Tape::new();
    let _ = tape.var(zeros(&[2, 3])) + tape.var(zeros(&[2]));
}

#[test]
#[should_panic(expected = "where: shapes [2] and [3] do not broadcast")]
fn where_broadcasting() {
    let tape = Tape::new();
    let m = tape.constant(zeros(&[2]));
    let _ = Var::where_(m, tape.var(zeros(&[2])), tape.var(zeros(&[3])));
}

#[test]
#[should_panic(expected = "reshape: cannot view shape [2, 3] (6 elements) as [5] (5 elements)")]
fn reshape_count() {
    let tape = Tape::new();
    let _ = tape.var(zeros(&[2, 3])).reshape([5]);
}

#[test]
#[should_panic(expected = "concat: shapes [2, 3] and [2, 4] differ outside axis 0")]
fn concat_other_axes() {
    let tape = Tape::new();
    let _ = Var::concat(&[tape.var(zeros(&[2, 3])), tape.var(zeros(&[2, 4]))], 0);
}

#[test]
#[should_panic(expected = "narrow: range 2..5 exceeds axis 1 of shape [2, 3]")]
fn narrow_range() {
    zeros(&[2, 3]).narrow(1, 2, 3);
}

#[test]
#[should_panic(expected = "softmax: axis 2 is out of range for shape [2, 3]")]
fn axis_out_of_range() {
    let tape = Tape::new();
    let _ = tape.var(zeros(&[2, 3])).softmax(2);
}

#[test]
#[should_panic(expected = "broadcast_to: shape [3] cannot be broadcast to [2, 4]")]
fn broadcast_to_target() {
    zeros(&[3]).broadcast_to([2, 4]);
}

#[test]
#[should_panic(expected = "backward: output has shape [2]; call backward_with(seed)")]
fn backward_needs_a_scalar() {
    let tape = Tape::new();
    let _ = tape.var(zeros(&[2])).exp().backward();
}

#[test]
#[should_panic(expected = "from_vec: 5 values do not fill shape [2, 3] (6 elements)")]
fn from_vec_count() {
    Tensor::<f32>::from_vec(vec![0.0; 5], [2, 3]);
}

#[test]
fn try_from_vec_returns_a_typed_error() {
    let err = Tensor::<f32>::try_from_vec(vec![0.0; 5], [2, 3]).unwrap_err();
    assert_eq!(err.len, 5);
    assert_eq!(
        err.to_string(),
        "5 values do not fill shape [2, 3] (6 elements)"
    );
}

#[test]
#[should_panic(expected = "linear: input [8, 5], kernel [4, 3]: the input's last axis must be 4")]
fn dense_with_the_wrong_input_width() {
    use nn::{Dense, Layer};
    let tape = Tape::new();
    let _ = Dense::<f32>::new(4, 3).forward(tape.constant(zeros(&[8, 5])));
}

#[test]
#[should_panic(expected = "binary_crossentropy: prediction [8, 1] and target [8] differ in shape")]
fn loss_with_mismatched_shapes() {
    let tape = Tape::new();
    let _ = nn::losses::binary_crossentropy(tape.var(zeros(&[8, 1])), tape.constant(zeros(&[8])));
}
