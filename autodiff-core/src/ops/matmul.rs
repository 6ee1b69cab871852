//! Matrix products: `[m, k] · [k, n]`, batched `[b, m, k] · [b, k, n]`, and a batch against one
//! matrix on either side, through `matrixmultiply`'s strided gemm.
//!
//! Derivatives of C = A·B: dA = dC·Bᵀ and dB = Aᵀ·dC. A transposed operand is passed to gemm as
//! swapped strides, so no transpose is ever copied; an operand shared by every batch gets the
//! sum of the batches' gradients.

use super::gemm;
use crate::pool;
use crate::{BackwardCx, Float, Shape, Tensor, Var};

/// The sizes of a product `batch × ([m, k] · [k, n])` and which operands carry the batch.
#[derive(Clone, Copy)]
struct Product {
    batch: usize,
    a_batched: bool,
    b_batched: bool,
    m: usize,
    k: usize,
    n: usize,
}

impl Product {
    fn of(a: Shape, b: Shape) -> Product {
        let fail = |why: String| -> ! { panic!("matmul: {a} × {b}: {why}") };
        let (ab, m, ka) = match *a.dims() {
            [m, k] => (None, m, k),
            [batch, m, k] => (Some(batch), m, k),
            _ => fail(format!(
                "the left operand has rank {}, not 2 or 3",
                a.rank()
            )),
        };
        let (bb, kb, n) = match *b.dims() {
            [k, n] => (None, k, n),
            [batch, k, n] => (Some(batch), k, n),
            _ => fail(format!(
                "the right operand has rank {}, not 2 or 3",
                b.rank()
            )),
        };
        if ka != kb {
            fail(format!("inner dimensions {ka} and {kb} differ"));
        }
        let batch = match (ab, bb) {
            (Some(x), Some(y)) if x != y => fail(format!("batch sizes {x} and {y} differ")),
            (x, y) => x.or(y),
        };
        Product {
            batch: batch.unwrap_or(1),
            a_batched: ab.is_some(),
            b_batched: bb.is_some(),
            m,
            k: ka,
            n,
        }
    }

    fn output_shape(&self) -> Shape {
        if self.a_batched || self.b_batched {
            Shape::new(&[self.batch, self.m, self.n])
        } else {
            Shape::new(&[self.m, self.n])
        }
    }

    /// Calls `f(rows, a_offset, b_offset, c_offset)` for each gemm the product needs. A batch
    /// against a shared right operand is one gemm with `batch·m` rows.
    fn for_each_gemm(&self, mut f: impl FnMut(usize, usize, usize, usize)) {
        let Product {
            batch,
            a_batched,
            b_batched,
            m,
            k,
            n,
        } = *self;
        if !b_batched {
            return f(batch * m, 0, 0, 0);
        }
        for i in 0..batch {
            f(
                m,
                if a_batched { i * m * k } else { 0 },
                i * k * n,
                i * m * n,
            );
        }
    }
}

impl<T: Float> Tensor<T> {
    /// The matrix product; 3-D operands are batches of matrices.
    ///
    /// # Panics
    /// With both shapes if the inner dimensions or batch sizes differ, or a rank is not 2 or 3.
    pub fn matmul(&self, other: &Self) -> Tensor<T> {
        let p = Product::of(self.shape(), other.shape());
        let (k, n) = (p.k, p.n);
        let shape = p.output_shape();
        let mut c = pool::filled(shape.numel(), T::zero());
        p.for_each_gemm(|rows, ao, bo, co| {
            gemm(
                (rows, k, n),
                (&self.data()[ao..], [k, 1]),
                (&other.data()[bo..], [n, 1]),
                T::zero(),
                (&mut c[co..], [n, 1]),
            )
        });
        Tensor::from_parts(shape, c)
    }
}

impl<'t, T: Float> Var<'t, T> {
    /// The matrix product; 3-D operands are batches of matrices.
    pub fn matmul(self, other: Self) -> Var<'t, T> {
        let value = self
            .tape
            .with_values("matmul", [self, other], |[a, b]| a.matmul(b));
        self.tape
            .record(value, &[self, other], |cx: &mut BackwardCx<T>| {
                let (a, b, g) = (cx.input(0), cx.input(1), cx.grad_output());
                let p = Product::of(a.shape(), b.shape());
                let (k, n) = (p.k, p.n);
                if cx.needs_grad(0) {
                    let da = cx.grad_mut(0).data_mut();
                    p.for_each_gemm(|rows, ao, bo, co| {
                        // dA = dC · Bᵀ: B's strides swapped.
                        gemm(
                            (rows, p.n, p.k),
                            (&g.data()[co..], [n, 1]),
                            (&b.data()[bo..], [1, n]),
                            T::one(),
                            (&mut da[ao..], [k, 1]),
                        )
                    });
                }
                if cx.needs_grad(1) {
                    let db = cx.grad_mut(1).data_mut();
                    p.for_each_gemm(|rows, ao, bo, co| {
                        // dB = Aᵀ · dC: A's strides swapped.
                        gemm(
                            (p.k, rows, p.n),
                            (&a.data()[ao..], [1, k]),
                            (&g.data()[co..], [n, 1]),
                            T::one(),
                            (&mut db[bo..], [n, 1]),
                        )
                    });
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use crate::Tensor;

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
    #[should_panic(expected = "matmul: [32, 10] × [12, 4]: inner dimensions 10 and 12 differ")]
    fn inner_mismatch_names_both_shapes() {
        Tensor::<f32>::zeros([32, 10]).matmul(&Tensor::zeros([12, 4]));
    }

    #[test]
    #[should_panic(expected = "matmul: [2, 3, 4] × [5, 4, 2]: batch sizes 2 and 5 differ")]
    fn batch_mismatch_names_both_shapes() {
        Tensor::<f32>::zeros([2, 3, 4]).matmul(&Tensor::zeros([5, 4, 2]));
    }
}
