//! The mask's share of a run ([`SequenceMask`]): which (row, step) pairs the pointwise passes
//! skip, the zeros a padded step outputs, and the gradients passing straight through it.
//!
//! The products are left alone: they run over every row, and a padded row's results are
//! simply not used (its pre-activations' gradients are zeros, so it adds nothing to the weight
//! gradients, to `∂X` or, through the recurrent product, to the previous step).

use autodiff_core::Float;

use crate::recurrent::cell::MAX_STATES;
use crate::recurrent::mask::SequenceMask;

/// Whether row `b`'s step at time `t` runs (everything runs without a mask).
#[inline]
pub(super) fn runs(mask: Option<&SequenceMask>, b: usize, t: usize) -> bool {
    mask.is_none_or(|m| m.is_valid(b, t))
}

/// Zeros at the padded rows of time slot `tt` of a `[B, T, H]` output holding the `b` batch rows
/// from row `first` on.
pub(super) fn zero_padded_outputs<T: Float>(
    mask: Option<&SequenceMask>,
    sequence: &mut [T],
    (first, b, t, h): (usize, usize, usize, usize),
    tt: usize,
) {
    for bb in (0..b).filter(|&bb| !runs(mask, first + bb, tt)) {
        sequence[(bb * t + tt) * h..][..h].fill(T::zero());
    }
}

/// A padded step's backward for one row: no gradient for its pre-activations (`d_gates`,
/// `d_rec`: the step's rows), and its states' gradients (rows `state_row..state_row + h`) pass
/// unchanged to the states entering it.
pub(super) fn pass_through<T: Float>(
    (d_gates, d_rec): (&mut [T], Option<&mut [T]>),
    d_state: &[&mut [T]; MAX_STATES],
    d_prev: &mut [&mut [T]; MAX_STATES],
    (state_row, h): (usize, usize),
) {
    d_gates.fill(T::zero());
    if let Some(d_rec) = d_rec {
        d_rec.fill(T::zero());
    }
    for (d, from) in d_prev.iter_mut().zip(d_state) {
        if let (Some(d), Some(from)) = (
            d.get_mut(state_row..state_row + h),
            from.get(state_row..state_row + h),
        ) {
            d.copy_from_slice(from);
        }
    }
}
