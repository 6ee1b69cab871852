//! The buffer pool behind every [`Tensor`](crate::Tensor): a dropped tensor's buffer goes back
//! to a per-thread pool, and a new tensor of a similar size takes it instead of asking the
//! system allocator. A training step of fixed shapes then allocates (almost) nothing after the
//! first: each step's values and gradients reuse the buffers the previous step dropped when its
//! tape was cleared.
//!
//! Buffers are kept in size classes (exact up to 8 elements, then four classes per power of
//! two, so a buffer is at most 25 % larger than asked), one stack per class and per element
//! type, on each thread. A thread holds at most [`limit_bytes`] (256 MiB unless changed with
//! [`set_limit_bytes`]); a buffer that would go over it is freed. [`release`] frees every
//! buffer the thread holds.
//!
//! ```
//! use autodiff_core::{pool, Tensor};
//! let held = pool::held_bytes::<f32>();
//! drop(Tensor::<f32>::zeros([1000]));
//! assert!(pool::held_bytes::<f32>() >= held + 4000);
//! pool::release::<f32>();
//! assert_eq!(pool::held_bytes::<f32>(), 0);
//! ```

use std::cell::RefCell;
use std::thread::LocalKey;

use crate::{Float, Tensor};

/// Classes 0..=8 hold exactly that many elements; above, four classes per power of two.
const EXACT: usize = 8;
const CLASSES: usize = EXACT + 1 + 4 * (usize::BITS as usize - 3);

/// One thread's free buffers of one element type, by size class.
#[doc(hidden)]
pub struct Pool<T: Float> {
    free: [Vec<Vec<T>>; CLASSES],
    held: usize,
    limit: usize,
    /// The emptied list of the last backward pass's gradients dropped on this thread, for the
    /// next pass (bookkeeping, not counted in `held`).
    gradient_list: Vec<Option<Tensor<T>>>,
}

impl<T: Float> Pool<T> {
    /// An empty pool holding at most 256 MiB (const, so a thread's pool needs no lazy start).
    pub const fn new() -> Self {
        Pool {
            free: [const { Vec::new() }; CLASSES],
            held: 0,
            limit: 256 << 20,
            gradient_list: Vec::new(),
        }
    }
}

impl<T: Float> Default for Pool<T> {
    fn default() -> Self {
        Self::new()
    }
}

/// The smallest class whose buffers hold `n` elements, and their capacity.
fn class_for(n: usize) -> (usize, usize) {
    if n <= EXACT {
        return (n, n);
    }
    // 2^e < n ≤ 2^(e+1), with e ≥ 3; classes of that octave step by 2^(e−2).
    let e = (usize::BITS - 1 - (n - 1).leading_zeros()) as usize;
    let step = 1usize << (e - 2);
    let steps = n.div_ceil(step); // 5..=8
    (
        EXACT + 1 + 4 * (e - 3) + (steps - 5),
        steps.saturating_mul(step),
    )
}

/// The largest class all of whose requests a buffer of capacity `cap` can serve.
fn class_served_by(cap: usize) -> usize {
    let (c, class_cap) = class_for(cap);
    if class_cap == cap { c } else { c - 1 }
}

#[inline]
fn with_pool<T: Float, R>(f: impl FnOnce(&mut Pool<T>) -> R) -> R {
    let key: &'static LocalKey<RefCell<Pool<T>>> = T::buffer_pool();
    let mut f = Some(f);
    match key.try_with(|p| (f.take().expect("called once"))(&mut p.borrow_mut())) {
        Ok(r) => r,
        Err(_) => with_passing_pool(f.take().expect("not called yet")),
    }
}

/// During thread teardown the pool may be gone: then buffers come from and go to the system,
/// through an empty pool dropped at once. Out of line, so the hot path's frame does not hold
/// this pool's 6 KB (measured: the stack probes for it cost more than the pool's own work).
#[cold]
#[inline(never)]
fn with_passing_pool<T: Float, R>(f: impl FnOnce(&mut Pool<T>) -> R) -> R {
    f(&mut Pool::new())
}

/// An empty buffer with room for at least `n` elements, from the pool if it has one: for
/// kernels outside this crate that fill a buffer and make a tensor of it with
/// [`Tensor::from_vec`](crate::Tensor::from_vec).
pub fn with_capacity<T: Float>(n: usize) -> Vec<T> {
    let mut v = reused_or_new(n);
    v.clear();
    v
}

/// A buffer with room for at least `n` elements, holding what it last held if it is reused.
#[inline]
fn reused_or_new<T: Float>(n: usize) -> Vec<T> {
    if n == 0 {
        return Vec::new();
    }
    let (c, cap) = class_for(n);
    // One closure returning the buffer itself (not an `Option` of it): measured, moving the
    // `Option` out of the pool's closure stalled on store forwarding.
    with_pool::<T, _>(|p| match p.free[c].pop() {
        Some(v) => {
            p.held -= v.capacity() * size_of::<T>();
            v
        }
        None => Vec::with_capacity(cap),
    })
}

/// `n` elements whose values are unspecified: what a reused buffer last held, or zeros. For
/// kernels that overwrite every element (a product with β = 0), so nothing is filled twice.
pub fn unspecified<T: Float>(n: usize) -> Vec<T> {
    let mut v = reused_or_new(n);
    // A buffer keeps the elements it last held (floats have no destructor), so only the part
    // it never held needs a value.
    v.truncate(n);
    v.resize(n, T::zero());
    v
}

/// `n` copies of `value`, in a buffer from the pool if it has one.
pub fn filled<T: Float>(n: usize, value: T) -> Vec<T> {
    let mut v = with_capacity(n);
    v.resize(n, value);
    v
}

/// A copy of `data`.
pub(crate) fn copy_of<T: Float>(data: &[T]) -> Vec<T> {
    let mut v = with_capacity(data.len());
    v.extend_from_slice(data);
    v
}

/// Takes a buffer back with its elements (for [`unspecified`]), unless the thread holds its
/// limit already.
#[inline]
pub(crate) fn give_back<T: Float>(v: Vec<T>) {
    let cap = v.capacity();
    if cap == 0 {
        return;
    }
    with_pool::<T, _>(|p| {
        let bytes = cap * size_of::<T>();
        if p.held + bytes <= p.limit {
            p.held += bytes;
            p.free[class_served_by(cap)].push(v);
        }
    });
}

/// Takes back many buffers at once, [`give_back`] for each under one look-up of the thread's
/// pool: for a tape's values at [`Tape::clear`](crate::Tape::clear) and a backward pass's
/// gradients, a thousand small buffers in a row. `buffers` runs while the pool is borrowed, so it
/// must not drop a tensor.
pub(crate) fn give_back_all<T: Float>(buffers: impl Iterator<Item = Vec<T>>) {
    with_pool::<T, _>(|p| {
        for v in buffers {
            let cap = v.capacity();
            let bytes = cap * size_of::<T>();
            if cap > 0 && p.held + bytes <= p.limit {
                p.held += bytes;
                p.free[class_served_by(cap)].push(v);
            }
        }
    });
}

/// An empty list for a backward pass's gradients: the one last given back on this thread, so a
/// training loop's passes reuse one list instead of allocating and freeing it every step.
pub(crate) fn gradient_list<T: Float>() -> Vec<Option<Tensor<T>>> {
    with_pool::<T, _>(|p| std::mem::take(&mut p.gradient_list))
}

/// Keeps an emptied gradient list for the next backward pass, unless the pool holds a larger
/// one.
pub(crate) fn give_back_gradient_list<T: Float>(list: Vec<Option<Tensor<T>>>) {
    debug_assert!(list.is_empty(), "a gradient list comes back emptied");
    with_pool::<T, _>(|p| {
        if list.capacity() > p.gradient_list.capacity() {
            p.gradient_list = list;
        }
    });
}

/// How many bytes of `T` buffers this thread's pool holds.
pub fn held_bytes<T: Float>() -> usize {
    with_pool::<T, _>(|p| p.held)
}

/// The most bytes of `T` buffers this thread's pool holds.
pub fn limit_bytes<T: Float>() -> usize {
    with_pool::<T, _>(|p| p.limit)
}

/// Sets the most bytes of `T` buffers this thread's pool may hold (0 turns pooling off), freeing
/// buffers if it holds more.
pub fn set_limit_bytes<T: Float>(limit: usize) {
    with_pool::<T, _>(|p| {
        p.limit = limit;
        while p.held > limit {
            let Some(v) = p.free.iter_mut().rev().find_map(Vec::pop) else {
                break;
            };
            p.held -= v.capacity() * size_of::<T>();
        }
    });
}

/// Frees every `T` buffer this thread's pool holds.
pub fn release<T: Float>() {
    with_pool::<T, _>(|p| {
        p.free.iter_mut().for_each(Vec::clear);
        p.held = 0;
        p.gradient_list = Vec::new();
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The capacity of class `c`'s buffers.
    fn capacity_of(c: usize) -> usize {
        if c <= EXACT {
            return c;
        }
        let (e, steps) = (3 + (c - EXACT - 1) / 4, 5 + (c - EXACT - 1) % 4);
        steps << (e - 2)
    }

    #[test]
    fn classes_cover_every_size_with_at_most_a_quarter_more() {
        for n in 1..5000 {
            let (c, cap) = class_for(n);
            assert!(
                cap >= n && cap * 4 <= n * 5 + 4 * 8,
                "n {n}: capacity {cap}"
            );
            assert_eq!(capacity_of(c), cap, "n {n}");
            assert!(c < CLASSES);
        }
        assert_eq!(
            class_for(usize::MAX).0,
            CLASSES - 1,
            "the largest size has a class"
        );
    }

    #[test]
    fn a_buffer_serves_only_requests_it_can_hold() {
        for cap in 1..5000 {
            assert!(capacity_of(class_served_by(cap)) <= cap, "capacity {cap}");
        }
    }

    #[test]
    fn a_dropped_buffer_is_reused_and_the_limit_holds() {
        release::<f64>();
        let v = filled::<f64>(100, 1.0);
        let ptr = v.as_ptr();
        give_back(v);
        let stale = unspecified::<f64>(103);
        assert_eq!(stale.as_ptr(), ptr, "a buffer of the same class is reused");
        assert_eq!(
            &stale[..100],
            &[1.0; 100],
            "an unspecified buffer is not filled again"
        );
        assert_eq!(&stale[100..], &[0.0; 3], "what it never held is zero");
        give_back(stale);
        let again = with_capacity::<f64>(97);
        assert_eq!(again.as_ptr(), ptr);
        assert!(again.is_empty());
        set_limit_bytes::<f64>(0);
        give_back(again);
        assert_eq!(held_bytes::<f64>(), 0);
        set_limit_bytes::<f64>(256 << 20);
    }
}
