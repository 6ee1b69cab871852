//! The passes over the output gradient `[n, o, positions]` before the products: masking it by
//! the fused ReLU, and its per-channel sums (the bias gradient), each split over images on the
//! threads of [`super::parallel`].

use autodiff_core::{Float, Tensor};

use super::geometry::Geometry;
use super::parallel::{for_pieces, map_ranges};

/// Partial sums a channel's sum keeps, so the loop vectorises (a single running sum is a chain
/// of dependent additions the compiler may not reorder; measured 4–5 % of a convnet's step).
const LANES: usize = 8;

/// The output gradient where the ReLU passed its input (output > 0), 0 elsewhere, in a pooled
/// buffer.
pub(super) fn relu_masked<T: Float>(g: &Geometry, dy: &[T], y: &[T]) -> Tensor<T> {
    let mut masked = Tensor::empty([dy.len()]);
    for_pieces(masked.data_mut(), g.o * g.positions(), |first, piece| {
        let start = first * g.o * g.positions();
        let (dy, y) = (&dy[start..][..piece.len()], &y[start..][..piece.len()]);
        for ((m, &d), &v) in piece.iter_mut().zip(dy).zip(y) {
            *m = if v > T::zero() { d } else { T::zero() };
        }
    });
    masked
}

/// Σ over images and positions of `dy`, per output channel.
pub(super) fn channel_sums<T: Float>(g: &Geometry, dy: &[T]) -> Vec<T> {
    let (o, p) = (g.o, g.positions());
    let partials = map_ranges(g.n, o * p, |images| {
        let mut sums = vec![T::zero(); o];
        if p > 0 {
            let rows = dy[images.start * o * p..images.end * o * p].chunks_exact(p);
            for (row, channel) in rows.enumerate() {
                sums[row % o] += lane_sum(channel);
            }
        }
        sums
    });
    let mut partials = partials.into_iter();
    let first = partials.next().unwrap_or_else(|| vec![T::zero(); o]);
    partials.fold(first, |mut total, partial| {
        total.iter_mut().zip(partial).for_each(|(t, v)| *t += v);
        total
    })
}

/// Σ xᵢ in [`LANES`] partial sums.
fn lane_sum<T: Float>(x: &[T]) -> T {
    let chunks = x.chunks_exact(LANES);
    let tail = chunks.remainder().iter().fold(T::zero(), |s, &v| s + v);
    let mut sums = [T::zero(); LANES];
    for chunk in chunks {
        for (s, &v) in sums.iter_mut().zip(chunk) {
            *s += v;
        }
    }
    sums.iter().fold(tail, |s, &v| s + v)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fused::Conv2dOptions;

    fn geometry(n: usize, o: usize, side: usize) -> Geometry {
        let x = [n, 1, side + 2, side + 2];
        Geometry::new(x.into(), [o, 1, 3, 3].into(), Conv2dOptions::default())
    }

    #[test]
    fn lane_sums_equal_the_plain_sum_at_every_length_around_the_lanes() {
        for len in 0..3 * LANES + 2 {
            let x: Vec<f64> = (0..len).map(|i| (i as f64 - 5.0) * 0.25).collect();
            assert_eq!(lane_sum(&x), x.iter().sum::<f64>(), "length {len}");
        }
    }

    #[test]
    fn channel_sums_add_every_image_and_position_of_a_channel() {
        // 40 images of 3 channels of 25 positions: enough to split over threads.
        for (n, o, side) in [(40, 3, 5), (1, 2, 1), (0, 2, 3), (700, 2, 9)] {
            let g = geometry(n, o, side);
            let dy: Vec<f64> = (0..n * o * side * side).map(|i| (i % 7) as f64).collect();
            let mut want = vec![0.0; o];
            for (row, channel) in dy.chunks_exact(side * side).enumerate() {
                want[row % o] += channel.iter().sum::<f64>();
            }
            assert_eq!(channel_sums(&g, &dy), want, "{n} images, {o} channels");
        }
    }

    #[test]
    fn the_mask_keeps_the_gradient_where_the_output_is_positive() {
        for (n, o, side) in [(2, 3, 2), (700, 2, 9)] {
            let g = geometry(n, o, side);
            let len = n * o * side * side;
            let dy: Vec<f64> = (0..len).map(|i| i as f64 + 1.0).collect();
            let y: Vec<f64> = (0..len).map(|i| (i % 3) as f64 - 1.0).collect();
            let masked = relu_masked(&g, &dy, &y);
            for (i, &m) in masked.data().iter().enumerate() {
                assert_eq!(m, if y[i] > 0.0 { dy[i] } else { 0.0 }, "element {i}");
            }
        }
    }
}
