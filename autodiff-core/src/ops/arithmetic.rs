//! `+ − × ÷` with NumPy broadcasting, negation, and the same with a scalar on either side.
//!
//! Derivatives: d(a+b) = da + db; d(a−b) = da − db; d(a·b) = b·da + a·db;
//! d(a/b) = da/b − (a/b)·db/b. A gradient that reaches a broadcast input is summed back to the
//! input's shape by [`BackwardCx::accumulate`].

use std::ops::{Add, Div, Mul, Neg, Sub};

use crate::pool;
use crate::tape::Op;
use crate::tensor::for_each_strided;
use crate::{BackwardCx, Float, Shape, Tensor, Var};

impl<T: Float> Tensor<T> {
    /// Elementwise `f(a, b)` of two tensors of the same shape.
    ///
    /// # Panics
    /// If the shapes differ.
    pub fn zip_map(&self, other: &Self, f: impl Fn(T, T) -> T) -> Self {
        assert!(
            self.same_shape(other),
            "zip_map: shapes {} and {} differ",
            self.shape(),
            other.shape()
        );
        let mut data = pool::with_capacity(self.numel());
        data.extend(self.data().iter().zip(other.data()).map(|(&a, &b)| f(a, b)));
        Tensor::from_parts(self.shape(), data)
    }

    /// Elementwise `f(a, b)` with NumPy broadcasting; `op` names the operation in shape errors.
    ///
    /// # Panics
    /// If the shapes do not broadcast.
    pub fn broadcast_map(&self, other: &Self, op: &str, f: impl Fn(T, T) -> T) -> Self {
        if self.same_shape(other) {
            return self.zip_map(other, f);
        }
        let shape = Shape::broadcast(op, &self.shape(), &other.shape());
        if other.numel() == 1 && shape == self.shape() {
            let b = other.data()[0];
            return self.map(|a| f(a, b));
        }
        if self.numel() == 1 && shape == other.shape() {
            let a = self.data()[0];
            return other.map(|b| f(a, b));
        }
        let strides = [
            self.shape().broadcast_strides(op, &shape),
            other.shape().broadcast_strides(op, &shape),
        ];
        let (a, b) = (self.data(), other.data());
        let mut data = pool::with_capacity(shape.numel());
        for_each_strided(&shape, strides, |_, [i, j]| data.push(f(a[i], b[j])));
        Tensor::from_parts(shape, data)
    }

    /// Adds `other` (same shape) into `self` in place.
    pub fn add_assign(&mut self, other: &Self) {
        assert!(
            self.same_shape(other),
            "add_assign: shapes {} and {} differ",
            self.shape(),
            other.shape()
        );
        for (a, &b) in self.data_mut().iter_mut().zip(other.data()) {
            *a += b;
        }
    }

    /// Adds `factor · other` (same shape) into `self` in place.
    pub fn add_scaled(&mut self, other: &Self, factor: T) {
        assert!(
            self.same_shape(other),
            "add_scaled: shapes {} and {} differ",
            self.shape(),
            other.shape()
        );
        if factor == T::one() {
            return self.add_assign(other);
        }
        for (a, &b) in self.data_mut().iter_mut().zip(other.data()) {
            *a += factor * b;
        }
    }

    /// `self + other` with broadcasting.
    pub fn add(&self, other: &Self) -> Self {
        self.broadcast_map(other, "add", |a, b| a + b)
    }

    /// `self − other` with broadcasting.
    pub fn sub(&self, other: &Self) -> Self {
        self.broadcast_map(other, "sub", |a, b| a - b)
    }

    /// `self ⊙ other` with broadcasting.
    pub fn mul(&self, other: &Self) -> Self {
        self.broadcast_map(other, "mul", |a, b| a * b)
    }

    /// `self ÷ other` with broadcasting.
    pub fn div(&self, other: &Self) -> Self {
        self.broadcast_map(other, "div", |a, b| a / b)
    }

    /// `−self`.
    pub fn neg(&self) -> Self {
        self.map(|a| -a)
    }

    /// `self · s`.
    pub fn scale(&self, s: T) -> Self {
        self.map(|a| a * s)
    }
}

impl<'t, T: Float> Var<'t, T> {
    /// The tape's value of `f` on two inputs.
    #[track_caller]
    fn binary(
        self,
        other: Self,
        op: &str,
        f: impl FnOnce(&Tensor<T>, &Tensor<T>) -> Tensor<T>,
    ) -> Tensor<T> {
        self.tape.with_values(op, [self, other], |[a, b]| f(a, b))
    }

    /// `self · s` for a scalar `s`.
    #[track_caller]
    pub fn scale(self, s: T) -> Self {
        self.tape.record_with(
            "scale",
            [self],
            |[a]| a.map_data(|x| x * s),
            || Op::Linear([s, T::zero()]),
        )
    }

    /// `self + s` for a scalar `s`.
    #[track_caller]
    pub fn add_scalar(self, s: T) -> Self {
        self.tape.record_with(
            "add_scalar",
            [self],
            |[a]| a.map_data(|x| x + s),
            || Op::Linear([T::one(), T::zero()]),
        )
    }

    /// `s ÷ self` for a scalar `s`; d/dx (s/x) = −(s/x)/x.
    #[track_caller]
    pub fn rdiv_scalar(self, s: T) -> Self {
        let value = self.with_value(|a| a.map(|x| s / x));
        self.tape.record(value, &[self], |cx: &mut BackwardCx<T>| {
            let (g, x, y) = (cx.grad_output(), cx.input(0), cx.output());
            let mut grad = g.zip_map(y, |g, y| -g * y);
            for (d, &x) in grad.data_mut().iter_mut().zip(x.data()) {
                *d /= x;
            }
            cx.accumulate(0, grad);
        })
    }
}

impl<'t, T: Float> Add for Var<'t, T> {
    type Output = Var<'t, T>;

    /// `self + other` with broadcasting.
    #[track_caller]
    fn add(self, other: Self) -> Self {
        let value = self.binary(other, "add", Tensor::add);
        self.tape.record_op(
            || "add",
            value,
            &[self, other],
            || Op::Linear([T::one(), T::one()]),
        )
    }
}

impl<'t, T: Float> Sub for Var<'t, T> {
    type Output = Var<'t, T>;

    /// `self − other` with broadcasting.
    #[track_caller]
    fn sub(self, other: Self) -> Self {
        let value = self.binary(other, "sub", Tensor::sub);
        self.tape.record_op(
            || "sub",
            value,
            &[self, other],
            || Op::Linear([T::one(), -T::one()]),
        )
    }
}

impl<'t, T: Float> Mul for Var<'t, T> {
    type Output = Var<'t, T>;

    /// `self ⊙ other` with broadcasting.
    #[track_caller]
    fn mul(self, other: Self) -> Self {
        let same_shapes = self
            .tape
            .with_values("mul", [self, other], |[a, b]| a.same_shape(b));
        if same_shapes {
            return self.tape.record_with(
                "mul",
                [self, other],
                |[a, b]| a.zip_data(b, |a, b| a * b),
                || Op::Product,
            );
        }
        let value = self.binary(other, "mul", Tensor::mul);
        self.tape
            .record(value, &[self, other], |cx: &mut BackwardCx<T>| {
                let (g, a, b) = (cx.grad_output(), cx.input(0), cx.input(1));
                if cx.needs_grad(0) {
                    cx.accumulate(0, g.broadcast_map(b, "mul", |g, b| g * b));
                }
                if cx.needs_grad(1) {
                    cx.accumulate(1, g.broadcast_map(a, "mul", |g, a| g * a));
                }
            })
    }
}

impl<'t, T: Float> Div for Var<'t, T> {
    type Output = Var<'t, T>;

    /// `self ÷ other` with broadcasting.
    #[track_caller]
    fn div(self, other: Self) -> Self {
        let value = self.binary(other, "div", Tensor::div);
        self.tape
            .record(value, &[self, other], |cx: &mut BackwardCx<T>| {
                let (g, b, y) = (cx.grad_output(), cx.input(1), cx.output());
                let g_over_b = g.broadcast_map(b, "div", |g, b| g / b);
                if cx.needs_grad(1) {
                    cx.accumulate(1, g_over_b.zip_map(y, |gb, y| -gb * y));
                }
                cx.accumulate(0, g_over_b);
            })
    }
}

impl<'t, T: Float> Neg for Var<'t, T> {
    type Output = Var<'t, T>;

    /// `−self`.
    #[track_caller]
    fn neg(self) -> Self {
        self.scale(-T::one())
    }
}

macro_rules! scalar_operators {
    ($($t:ty),*) => {$(
        impl<'t> Add<$t> for Var<'t, $t> {
            type Output = Var<'t, $t>;
            #[track_caller]
            fn add(self, s: $t) -> Self::Output { self.add_scalar(s) }
        }
        impl<'t> Sub<$t> for Var<'t, $t> {
            type Output = Var<'t, $t>;
            #[track_caller]
            fn sub(self, s: $t) -> Self::Output { self.add_scalar(-s) }
        }
        impl<'t> Mul<$t> for Var<'t, $t> {
            type Output = Var<'t, $t>;
            #[track_caller]
            fn mul(self, s: $t) -> Self::Output { self.scale(s) }
        }
        impl<'t> Div<$t> for Var<'t, $t> {
            type Output = Var<'t, $t>;
            #[track_caller]
            fn div(self, s: $t) -> Self::Output { self.scale(1.0 / s) }
        }
        impl<'t> Add<Var<'t, $t>> for $t {
            type Output = Var<'t, $t>;
            #[track_caller]
            fn add(self, v: Var<'t, $t>) -> Self::Output { v.add_scalar(self) }
        }
        impl<'t> Sub<Var<'t, $t>> for $t {
            type Output = Var<'t, $t>;
            #[track_caller]
            fn sub(self, v: Var<'t, $t>) -> Self::Output { v.scale(-1.0).add_scalar(self) }
        }
        impl<'t> Mul<Var<'t, $t>> for $t {
            type Output = Var<'t, $t>;
            #[track_caller]
            fn mul(self, v: Var<'t, $t>) -> Self::Output { v.scale(self) }
        }
        impl<'t> Div<Var<'t, $t>> for $t {
            type Output = Var<'t, $t>;
            #[track_caller]
            fn div(self, v: Var<'t, $t>) -> Self::Output { v.rdiv_scalar(self) }
        }
    )*};
}
scalar_operators!(f32, f64);

#[cfg(test)]
mod tests {
    use crate::{Tape, Tensor};

    #[test]
    fn broadcast_add_and_its_gradient_sum_back() {
        let tape = Tape::new();
        let a = tape.var(Tensor::from_vec(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0], [2, 3]));
        let b = tape.var(Tensor::from_vec(vec![10.0, 20.0, 30.0], [3]));
        let y = a + b;
        assert_eq!(y.value().data(), &[11.0, 22.0, 33.0, 14.0, 25.0, 36.0]);
        let g = y.sum().backward();
        assert_eq!(g.wrt(b).unwrap().data(), &[2.0, 2.0, 2.0]);
        assert_eq!(g.wrt(a).unwrap().data(), &[1.0; 6]);
    }

    #[test]
    fn a_value_used_twice_accumulates() {
        let tape = Tape::new();
        let x = tape.var(Tensor::from_vec(vec![3.0_f64], [1]));
        let g = (x * x + x).sum().backward();
        assert_eq!(g.wrt(x).unwrap().data(), &[7.0]);
    }

    #[test]
    fn scalar_on_either_side() {
        let tape = Tape::new();
        let x = tape.var(Tensor::from_vec(vec![2.0_f32], [1]));
        let y = (1.0 - x) * 3.0 + 6.0 / x - x / 2.0;
        assert_eq!(y.item(), -3.0 + 3.0 - 1.0);
        let g = y.sum().backward();
        assert_eq!(g.wrt(x).unwrap().data(), &[-3.0 - 1.5 - 0.5]);
    }

    #[test]
    #[should_panic(expected = "mul: shapes [2, 3] and [2] do not broadcast")]
    fn mismatched_shapes_panic_with_op_and_shapes() {
        let tape = Tape::<f32>::new();
        let _ = tape.var(Tensor::zeros([2, 3])) * tape.var(Tensor::zeros([2]));
    }
}
