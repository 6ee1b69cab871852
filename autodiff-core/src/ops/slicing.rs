//! Taking pieces apart and putting them together: narrow (a slice along an axis), concat,
//! stack, split, chunk, and index_select (gathering rows: the basis of embeddings).
//!
//! Derivatives: narrow adds the gradient into its slice of the input; concat hands each input
//! its slice of the gradient; index_select scatter-adds rows back (a row picked twice gets both).

use crate::pool;
use crate::{BackwardCx, Float, Shape, Tensor, Var};

/// Copies, for every outer index, `len` rows of `inner` elements from `src` at row `src_at`
/// (of `src_n`) to `dst` at row `dst_at` (of `dst_n`), adding if `add`.
fn copy_block<T: Float>(
    (src, src_n, src_at): (&[T], usize, usize),
    (dst, dst_n, dst_at): (&mut [T], usize, usize),
    (outer, len, inner): (usize, usize, usize),
    add: bool,
) {
    for o in 0..outer {
        let s = &src[(o * src_n + src_at) * inner..(o * src_n + src_at + len) * inner];
        let d = &mut dst[(o * dst_n + dst_at) * inner..(o * dst_n + dst_at + len) * inner];
        if add {
            d.iter_mut().zip(s).for_each(|(d, &s)| *d += s);
        } else {
            d.copy_from_slice(s);
        }
    }
}

fn check_concat<T: Float>(op: &str, parts: &[&Tensor<T>], axis: usize) -> Shape {
    assert!(!parts.is_empty(), "{op}: nothing to join");
    let first = parts[0].shape();
    first.axis(op, axis);
    let mut total = 0;
    for p in parts {
        let s = p.shape();
        assert!(
            s.rank() == first.rank() && (0..s.rank()).all(|a| a == axis || s[a] == first[a]),
            "{op}: shapes {first} and {s} differ outside axis {axis}"
        );
        total += s[axis];
    }
    first.with_dim(axis, total)
}

impl<T: Float> Tensor<T> {
    /// Elements `start..start + len` along `axis` (PyTorch's `narrow`, NumPy's slice).
    ///
    /// # Panics
    /// If the range does not fit in the axis.
    pub fn narrow(&self, axis: usize, start: usize, len: usize) -> Tensor<T> {
        let shape = self.shape();
        let (outer, n, inner) = shape.split_at_axis(shape.axis("narrow", axis));
        assert!(
            start + len <= n,
            "narrow: range {start}..{} exceeds axis {axis} of shape {shape}",
            start + len
        );
        let out_shape = shape.with_dim(axis, len);
        let mut out = pool::filled(out_shape.numel(), T::zero());
        copy_block(
            (self.data(), n, start),
            (&mut out, len, 0),
            (outer, len, inner),
            false,
        );
        Tensor::from_parts(out_shape, out)
    }

    /// The tensors joined along `axis`; all other dimensions must agree.
    pub fn concat(parts: &[&Tensor<T>], axis: usize) -> Tensor<T> {
        let shape = check_concat("concat", parts, axis);
        let (outer, n, inner) = shape.split_at_axis(axis);
        let mut out = pool::filled(shape.numel(), T::zero());
        let mut at = 0;
        for p in parts {
            let len = p.dims()[axis];
            copy_block(
                (p.data(), len, 0),
                (&mut out, n, at),
                (outer, len, inner),
                false,
            );
            at += len;
        }
        Tensor::from_parts(shape, out)
    }

    /// The tensors (of one shape) stacked along a new axis.
    pub fn stack(parts: &[&Tensor<T>], axis: usize) -> Tensor<T> {
        let expanded: Vec<Tensor<T>> = parts.iter().map(|p| p.unsqueeze(axis)).collect();
        Tensor::concat(&expanded.iter().collect::<Vec<_>>(), axis)
    }

    /// Pieces of the given lengths along `axis`.
    pub fn split(&self, axis: usize, sizes: &[usize]) -> Vec<Tensor<T>> {
        split_ranges(self.shape(), axis, sizes)
            .map(|(start, len)| self.narrow(axis, start, len))
            .collect()
    }

    /// `chunks` pieces of equal length along `axis` (the last is shorter if it does not divide).
    pub fn chunk(&self, chunks: usize, axis: usize) -> Vec<Tensor<T>> {
        self.split(axis, &chunk_sizes(self.shape(), chunks, axis))
    }

    /// The entries at `indices` along `axis`, in that order (rows of an embedding table when
    /// `axis` is 0).
    ///
    /// # Panics
    /// If an index is out of range.
    pub fn index_select(&self, axis: usize, indices: &[usize]) -> Tensor<T> {
        let shape = self.shape();
        let (outer, n, inner) = shape.split_at_axis(shape.axis("index_select", axis));
        let out_shape = shape.with_dim(axis, indices.len());
        let mut out = pool::filled(out_shape.numel(), T::zero());
        for (k, &i) in indices.iter().enumerate() {
            assert!(
                i < n,
                "index_select: index {i} is out of range for axis {axis} of shape {shape}"
            );
            copy_block(
                (self.data(), n, i),
                (&mut out, indices.len(), k),
                (outer, 1, inner),
                false,
            );
        }
        Tensor::from_parts(out_shape, out)
    }
}

fn split_ranges(
    shape: Shape,
    axis: usize,
    sizes: &[usize],
) -> impl Iterator<Item = (usize, usize)> {
    let n = shape[shape.axis("split", axis)];
    let total: usize = sizes.iter().sum();
    assert!(
        total == n,
        "split: sizes {sizes:?} add up to {total}, not axis {axis} of shape {shape}"
    );
    sizes.iter().scan(0, |start, &len| {
        let range = (*start, len);
        *start += len;
        Some(range)
    })
}

fn chunk_sizes(shape: Shape, chunks: usize, axis: usize) -> Vec<usize> {
    let n = shape[shape.axis("chunk", axis)];
    assert!(chunks > 0, "chunk: cannot cut shape {shape} into 0 chunks");
    let size = n.div_ceil(chunks);
    (0..n)
        .step_by(size.max(1))
        .map(|start| size.min(n - start))
        .collect()
}

impl<'t, T: Float> Var<'t, T> {
    /// Elements `start..start + len` along `axis`.
    #[track_caller]
    pub fn narrow(self, axis: usize, start: usize, len: usize) -> Var<'t, T> {
        let value = self.with_value(|x| x.narrow(axis, start, len));
        self.tape
            .record(value, &[self], move |cx: &mut BackwardCx<T>| {
                let g = cx.grad_output();
                let shape = cx.input(0).shape();
                let (outer, n, inner) = shape.split_at_axis(axis);
                let grad = cx.grad_mut(0);
                copy_block(
                    (g.data(), len, 0),
                    (grad.data_mut(), n, start),
                    (outer, len, inner),
                    true,
                );
            })
    }

    /// The values joined along `axis`.
    #[track_caller]
    pub fn concat(parts: &[Var<'t, T>], axis: usize) -> Var<'t, T> {
        assert!(!parts.is_empty(), "concat: nothing to join");
        let tape = parts[0].tape;
        let value = tape.with_value_list("concat", parts, |values| Tensor::concat(values, axis));
        tape.record(value, parts, move |cx: &mut BackwardCx<T>| {
            let g = cx.grad_output();
            let mut at = 0;
            for i in 0..cx.num_inputs() {
                let len = cx.input(i).dims()[axis];
                if cx.needs_grad(i) {
                    cx.accumulate(i, g.narrow(axis, at, len));
                }
                at += len;
            }
        })
    }

    /// The values (of one shape) stacked along a new axis.
    #[track_caller]
    pub fn stack(parts: &[Var<'t, T>], axis: usize) -> Var<'t, T> {
        let expanded: Vec<Var<'t, T>> = parts.iter().map(|p| p.unsqueeze(axis)).collect();
        Var::concat(&expanded, axis)
    }

    /// Pieces of the given lengths along `axis`.
    #[track_caller]
    pub fn split(self, axis: usize, sizes: &[usize]) -> Vec<Var<'t, T>> {
        split_ranges(self.shape(), axis, sizes)
            .map(|(start, len)| self.narrow(axis, start, len))
            .collect()
    }

    /// `chunks` pieces of equal length along `axis` (the last is shorter if it does not divide).
    #[track_caller]
    pub fn chunk(self, chunks: usize, axis: usize) -> Vec<Var<'t, T>> {
        self.split(axis, &chunk_sizes(self.shape(), chunks, axis))
    }

    /// The entries at `indices` along `axis`; the backward pass scatter-adds into the picked
    /// entries only.
    #[track_caller]
    pub fn index_select(self, axis: usize, indices: &[usize]) -> Var<'t, T> {
        let value = self.with_value(|x| x.index_select(axis, indices));
        let indices = indices.to_vec();
        self.tape
            .record(value, &[self], move |cx: &mut BackwardCx<T>| {
                let g = cx.grad_output();
                let (outer, n, inner) = cx.input(0).shape().split_at_axis(axis);
                let grad = cx.grad_mut(0).data_mut();
                for (k, &i) in indices.iter().enumerate() {
                    copy_block(
                        (g.data(), indices.len(), k),
                        (&mut *grad, n, i),
                        (outer, 1, inner),
                        true,
                    );
                }
            })
    }
}

#[cfg(test)]
mod tests {
    use crate::{Tape, Tensor};

    #[test]
    fn narrow_concat_split_round_trip() {
        let t = Tensor::from_fn([2, 5], |i| i as f64);
        let parts = t.split(1, &[2, 3]);
        assert_eq!(parts[0].data(), &[0.0, 1.0, 5.0, 6.0]);
        assert_eq!(Tensor::concat(&[&parts[0], &parts[1]], 1), t);
        assert_eq!(
            t.chunk(2, 1)
                .iter()
                .map(|c| c.dims()[1])
                .collect::<Vec<_>>(),
            vec![3, 2]
        );
        assert_eq!(Tensor::stack(&[&t, &t], 0).dims(), &[2, 2, 5]);
    }

    #[test]
    fn index_select_scatter_adds_repeated_rows() {
        let tape = Tape::new();
        let table = tape.var(Tensor::from_fn([3, 2], |i| i as f64));
        let rows = table.index_select(0, &[2, 0, 2]);
        assert_eq!(rows.value().data(), &[4.0, 5.0, 0.0, 1.0, 4.0, 5.0]);
        let g = rows.sum().backward();
        assert_eq!(
            g.wrt(table).unwrap().data(),
            &[1.0, 1.0, 0.0, 0.0, 2.0, 2.0]
        );
    }

    #[test]
    #[should_panic(expected = "concat: shapes [2, 3] and [3, 3] differ outside axis 1")]
    fn concat_checks_other_axes() {
        Tensor::<f32>::concat(&[&Tensor::zeros([2, 3]), &Tensor::zeros([3, 3])], 1);
    }

    #[test]
    #[should_panic(expected = "index_select: index 3 is out of range for axis 0 of shape [3, 2]")]
    fn index_select_checks_range() {
        Tensor::<f32>::zeros([3, 2]).index_select(0, &[3]);
    }
}
