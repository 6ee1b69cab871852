//! Matrix products with NumPy's `matmul` rules: the last two dimensions are the matrices, the
//! leading (batch) dimensions broadcast against each other, and a 1-D operand is a row vector on
//! the left or a column vector on the right whose dimension is dropped from the result.
//!
//! Derivatives of C = A·B: dA = dC·Bᵀ and dB = Aᵀ·dC. A transposed operand is passed to gemm as
//! swapped strides, so no transpose is ever copied; a matrix that broadcasting shares between
//! several products gets the sum of their gradients. An input's empty gradient slot is written
//! with β = 0, never zero-filled first.

use super::gemm;
use crate::pool;
use crate::{BackwardCx, Float, MAX_RANK, Shape, Tensor, Var};

/// The sizes of a product: a batch of `[m, k] · [k, n]` matrix products, with the matrices of A
/// and B each output matrix reads found through broadcast strides.
#[derive(Clone, Copy)]
struct Product {
    m: usize,
    k: usize,
    n: usize,
    /// The output's batch dimensions: both operands' leading dimensions, broadcast.
    batch: Shape,
    /// Strides in matrices with which A's and B's matrices are read along `batch` (0 where
    /// broadcast).
    a_strides: [usize; MAX_RANK],
    b_strides: [usize; MAX_RANK],
    /// How many matrices A and B hold.
    a_matrices: usize,
    b_matrices: usize,
    output: Shape,
}

/// One gemm of a [`Product`]: `rows` rows of the output, starting at matrix `c` of C, from
/// matrix `a` of A (and the ones after it, when the rows span several matrices) and matrix `b`
/// of B.
#[derive(Clone, Copy)]
struct Gemm {
    rows: usize,
    a: usize,
    b: usize,
    c: usize,
    /// Whether this is the first gemm that reads A's matrices (B's matrix): the first write of
    /// their gradient, which takes the gradient's own β; later ones add to it (β = 1).
    first_of_a: bool,
    first_of_b: bool,
}

impl Gemm {
    /// The β of this gemm's write into A's gradient, whose own β is `beta`.
    fn beta_of_a<T: Float>(&self, beta: T) -> T {
        if self.first_of_a { beta } else { T::one() }
    }

    /// The β of this gemm's write into B's gradient, whose own β is `beta`.
    fn beta_of_b<T: Float>(&self, beta: T) -> T {
        if self.first_of_b { beta } else { T::one() }
    }
}

impl Product {
    fn of(a: Shape, b: Shape) -> Product {
        let fail = |why: String| -> ! { panic!("matmul: {a} × {b}: {why}") };
        // A vector is one row on the left and one column on the right.
        let (a_batch, m, ka) = match *a.dims() {
            [k] => (&[][..], 1, k),
            [ref batch @ .., m, k] => (batch, m, k),
            [] => fail("the left operand is a scalar; use `*`".into()),
        };
        let (b_batch, kb, n) = match *b.dims() {
            [k] => (&[][..], k, 1),
            [ref batch @ .., k, n] => (batch, k, n),
            [] => fail("the right operand is a scalar; use `*`".into()),
        };
        if ka != kb {
            fail(format!("inner dimensions {ka} and {kb} differ"));
        }
        let rank = a_batch.len().max(b_batch.len());
        let from_end = |dims: &[usize], i: usize| {
            dims.len()
                .checked_sub(rank - i)
                .map_or(1, |axis| dims[axis])
        };
        // Batch dimensions, then the matrix's (kept in arrays: a product allocates nothing).
        let mut dims = [0; MAX_RANK + 2];
        for (i, d) in dims[..rank].iter_mut().enumerate() {
            *d = match (from_end(a_batch, i), from_end(b_batch, i)) {
                (x, y) if x == y || y == 1 => x,
                (1, y) => y,
                _ => fail(format!(
                    "batch dimensions {a_batch:?} and {b_batch:?} do not broadcast"
                )),
            };
        }
        let batch = Shape::new(&dims[..rank]);
        let mut out_rank = rank;
        for (keep, d) in [(a.rank() > 1, m), (b.rank() > 1, n)] {
            if keep {
                dims[out_rank] = d;
                out_rank += 1;
            }
        }
        let output = &dims[..out_rank];
        let (a_batch, b_batch) = (Shape::new(a_batch), Shape::new(b_batch));
        Product {
            m,
            k: ka,
            n,
            batch,
            a_strides: a_batch.broadcast_strides("matmul", &batch),
            b_strides: b_batch.broadcast_strides("matmul", &batch),
            a_matrices: a_batch.numel(),
            b_matrices: b_batch.numel(),
            output: Shape::new(output),
        }
    }

    /// Zeroes an operand's gradient written with β = `beta` when no gemm wrote it: the gradient
    /// of a matrix broadcast to an empty batch (with a non-empty batch, every matrix of each
    /// operand is read by some gemm).
    fn zero_if_unwritten<T: Float>(&self, grad: &mut [T], beta: T) {
        if self.batch.numel() == 0 && beta.is_zero() {
            grad.fill(T::zero());
        }
    }

    /// Calls `f` for each gemm the product needs, in order of the output's matrices. When every
    /// output matrix uses the one matrix of B and its own matrix of A, that is one gemm with
    /// `batch·m` rows.
    fn for_each_gemm(&self, mut f: impl FnMut(Gemm)) {
        let count = self.batch.numel();
        if count == 0 {
            return;
        }
        if self.b_matrices == 1 && self.a_matrices == count {
            return f(Gemm {
                rows: count * self.m,
                a: 0,
                b: 0,
                c: 0,
                first_of_a: true,
                first_of_b: true,
            });
        }
        let rank = self.batch.rank();
        let mut index = [0; MAX_RANK];
        let (mut a, mut b) = (0, 0);
        // An operand's matrix is met first where the index is 0 along every axis it is
        // broadcast over (stride 0): the odometer reaches those indices before any other.
        let first = |strides: &[usize; MAX_RANK], index: &[usize; MAX_RANK]| {
            (0..rank).all(|axis| strides[axis] != 0 || index[axis] == 0)
        };
        for c in 0..count {
            f(Gemm {
                rows: self.m,
                a,
                b,
                c,
                first_of_a: first(&self.a_strides, &index),
                first_of_b: first(&self.b_strides, &index),
            });
            // Step the batch index like an odometer, keeping both operands' offsets.
            for axis in (0..rank).rev() {
                index[axis] += 1;
                a += self.a_strides[axis];
                b += self.b_strides[axis];
                if index[axis] < self.batch.dims()[axis] {
                    break;
                }
                a -= index[axis] * self.a_strides[axis];
                b -= index[axis] * self.b_strides[axis];
                index[axis] = 0;
            }
        }
    }
}

impl<T: Float> Tensor<T> {
    /// The matrix product, with NumPy's `matmul` rules: operands of rank ≥ 3 are batches of
    /// matrices whose batch dimensions broadcast (`[1, 3, 4] × [2, 4, 5]` is `[2, 3, 5]`); a
    /// 1-D operand is a row vector on the left, a column vector on the right, and its dimension
    /// is dropped from the result.
    ///
    /// ```
    /// use autodiff_core::Tensor;
    /// let a = Tensor::<f32>::ones([1, 3, 4]);
    /// let b = Tensor::<f32>::ones([2, 4, 5]);
    /// assert_eq!(a.matmul(&b).dims(), &[2, 3, 5]);
    /// let v = Tensor::<f32>::ones([4]);
    /// assert_eq!(a.matmul(&v).dims(), &[1, 3]);
    /// assert_eq!(v.matmul(&v).item(), 4.0);
    /// ```
    ///
    /// # Panics
    /// With both shapes if the inner dimensions differ, the batch dimensions do not broadcast,
    /// or an operand is a scalar.
    pub fn matmul(&self, other: &Self) -> Tensor<T> {
        let p = Product::of(self.shape(), other.shape());
        let (m, k, n) = (p.m, p.k, p.n);
        // Not zero-filled: every gemm writes its part with β = 0, and an empty batch has no
        // element (an inner dimension of 0 is written as zeros by gemm).
        let mut c = pool::unspecified(p.output.numel());
        p.for_each_gemm(|g| {
            gemm(
                (g.rows, k, n),
                (&self.data()[g.a * m * k..], [k, 1]),
                (&other.data()[g.b * k * n..], [n, 1]),
                T::zero(),
                (&mut c[g.c * m * n..], [n, 1]),
            )
        });
        Tensor::from_parts(p.output, c)
    }
}

impl<'t, T: Float> Var<'t, T> {
    /// The matrix product, with NumPy's `matmul` rules (see [`Tensor::matmul`]).
    #[track_caller]
    pub fn matmul(self, other: Self) -> Var<'t, T> {
        let value = self
            .tape
            .with_values("matmul", [self, other], |[a, b]| a.matmul(b));
        self.tape
            .record(value, &[self, other], |cx: &mut BackwardCx<T>| {
                let (a, b, dc) = (cx.input(0).data(), cx.input(1).data(), cx.grad_output());
                let p = Product::of(cx.input(0).shape(), cx.input(1).shape());
                let (m, k, n) = (p.m, p.k, p.n);
                let dc = dc.data();
                if cx.needs_grad(0) {
                    cx.write_grad(0, |da, beta| {
                        p.for_each_gemm(|g| {
                            // dA = dC · Bᵀ: B's strides swapped.
                            gemm(
                                (g.rows, n, k),
                                (&dc[g.c * m * n..], [n, 1]),
                                (&b[g.b * k * n..], [1, n]),
                                g.beta_of_a(beta),
                                (&mut da[g.a * m * k..], [k, 1]),
                            )
                        });
                        p.zero_if_unwritten(da, beta);
                    });
                }
                if cx.needs_grad(1) {
                    cx.write_grad(1, |db, beta| {
                        p.for_each_gemm(|g| {
                            // dB = Aᵀ · dC: A's strides swapped.
                            gemm(
                                (k, g.rows, n),
                                (&a[g.a * m * k..], [1, k]),
                                (&dc[g.c * m * n..], [n, 1]),
                                g.beta_of_b(beta),
                                (&mut db[g.b * k * n..], [n, 1]),
                            )
                        });
                        p.zero_if_unwritten(db, beta);
                    });
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use crate::{Tape, Tensor};

    #[test]
    fn products_of_every_batching() {
        let a = Tensor::from_vec(vec![1.0_f64, 2.0, 3.0, 4.0, 5.0, 6.0], [2, 3]);
        let b = Tensor::from_vec(vec![1.0, 0.0, 0.0, 1.0, 1.0, 1.0], [3, 2]);
        assert_eq!(a.matmul(&b).data(), &[4.0, 5.0, 10.0, 11.0]);
        let batch = Tensor::stack(&[&a, &a.scale(2.0)], 0);
        assert_eq!(
            batch.matmul(&b).data(),
            &[4.0, 5.0, 10.0, 11.0, 8.0, 10.0, 20.0, 22.0]
        );
        let bb = Tensor::stack(&[&b, &b], 0);
        assert_eq!(a.matmul(&bb).dims(), &[2, 2, 2]);
        assert_eq!(batch.matmul(&bb), batch.matmul(&b));
    }

    #[test]
    fn batch_dimensions_broadcast_as_numpy() {
        // [2, 1, 2, 3] × [3, 3, 2] → [2, 3, 2, 2]: output matrix (i, j) is A[i] · B[j].
        let a = Tensor::<f64>::normal([2, 1, 2, 3], 0.0, 1.0, 1);
        let b = Tensor::<f64>::normal([3, 3, 2], 0.0, 1.0, 2);
        let c = a.matmul(&b);
        assert_eq!(c.dims(), &[2, 3, 2, 2]);
        for i in 0..2 {
            let ai = a.index_select(0, &[i]).reshape([2, 3]);
            for j in 0..3 {
                let bj = b.index_select(0, &[j]).reshape([3, 2]);
                let cij = c
                    .index_select(0, &[i])
                    .index_select(1, &[j])
                    .reshape([2, 2]);
                assert!(cij.all_close(&ai.matmul(&bj), 1e-12, 1e-12), "({i}, {j})");
            }
        }
    }

    #[test]
    fn vectors_are_rows_on_the_left_and_columns_on_the_right() {
        let m = Tensor::from_vec(vec![1.0_f64, 2.0, 3.0, 4.0, 5.0, 6.0], [2, 3]);
        let v = Tensor::from_vec(vec![1.0, 0.0, -1.0], [3]);
        assert_eq!(m.matmul(&v).data(), &[-2.0, -2.0]);
        assert_eq!(m.matmul(&v).dims(), &[2]);
        let w = Tensor::from_vec(vec![1.0, 1.0], [2]);
        assert_eq!(w.matmul(&m).data(), &[5.0, 7.0, 9.0]);
        assert_eq!(v.matmul(&v).dims(), &[] as &[usize]);
        assert_eq!(v.matmul(&v).item(), 2.0);
    }

    #[test]
    fn a_matrix_broadcast_to_an_empty_batch_gets_a_zero_gradient() {
        let tape = Tape::new();
        let a = tape.var(Tensor::<f64>::ones([1, 2, 3]));
        let b = tape.var(Tensor::ones([0, 3, 2]));
        // a.sum() recorded first, so the product's backward meets a's slot empty.
        let a_sum = a.sum();
        let c = a.matmul(b);
        assert_eq!(c.dims(), [0, 2, 2]);
        let loss = c.sum() + a_sum;
        // A pooled buffer of a's size holding NaN: the gradient must not keep what it held.
        drop(Tensor::<f64>::full([6], f64::NAN));
        let grads = loss.backward();
        assert_eq!(grads.wrt(a).unwrap().data(), &[1.0; 6]);
        assert_eq!(grads.wrt(b).unwrap().dims(), &[0, 3, 2]);
    }

    #[test]
    fn a_product_overwrites_its_pooled_output_even_with_no_inner_dimension() {
        for (a, b) in [([2, 0], [0, 3]), ([2, 0], [0, 20])] {
            // Pooled buffers of the output's size holding NaN: none may show in the product.
            drop(Tensor::<f64>::full([6], f64::NAN));
            drop(Tensor::<f64>::full([40], f64::NAN));
            let c = Tensor::<f64>::zeros(a).matmul(&Tensor::zeros(b));
            assert!(c.data().iter().all(|&x| x == 0.0), "{a:?} × {b:?}: {c:?}");
        }
        drop(Tensor::<f64>::full([4], f64::NAN));
        let a = Tensor::from_vec(vec![1.0_f64, 2.0, 3.0, 4.0], [2, 2]);
        assert_eq!(a.matmul(&a).data(), &[7.0, 10.0, 15.0, 22.0]);
    }

    #[test]
    #[should_panic(expected = "matmul: [32, 10] × [12, 4]: inner dimensions 10 and 12 differ")]
    fn inner_mismatch_names_both_shapes() {
        Tensor::<f32>::zeros([32, 10]).matmul(&Tensor::zeros([12, 4]));
    }

    #[test]
    #[should_panic(
        expected = "matmul: [2, 3, 4] × [5, 4, 2]: batch dimensions [2] and [5] do not broadcast"
    )]
    fn batch_mismatch_names_both_shapes() {
        Tensor::<f32>::zeros([2, 3, 4]).matmul(&Tensor::zeros([5, 4, 2]));
    }
}
