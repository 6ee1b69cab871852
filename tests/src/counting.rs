//! A global allocator that counts this thread's allocations, for the tests that pin how many
//! heap allocations a steady training step makes. A test binary installs it with
//! `#[global_allocator] static GLOBAL: tests::CountingAllocator = tests::CountingAllocator;`
//! and reads [`allocations_by`] (how many) or [`largest_allocation_by`] (how big). Counted per
//! thread, so tests running in parallel do not mix. [`live_bytes`] is the one process-wide
//! count (memory allocated on one thread may be freed on another).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicIsize, Ordering};

/// The system allocator, counting each allocation and reallocation of the calling thread.
pub struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

/// Bytes allocated and not yet freed, by every thread.
static LIVE: AtomicIsize = AtomicIsize::new(0);

/// Counts one allocation or reallocation of `size` bytes on this thread.
fn record(size: usize) {
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
    let _ = LARGEST.try_with(|n| n.set(n.get().max(size)));
}

// SAFETY: forwards every call unchanged to the system allocator, which upholds the contract;
// counting touches only const thread-local cells and an atomic, which never allocate.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: forwarded from the caller.
        let block = unsafe { System.alloc(layout) };
        if !block.is_null() {
            LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        }
        block
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: forwarded from the caller.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(new_size);
        // SAFETY: forwarded from the caller.
        let moved = unsafe { System.realloc(ptr, layout, new_size) };
        if !moved.is_null() {
            LIVE.fetch_add(
                new_size as isize - layout.size() as isize,
                Ordering::Relaxed,
            );
        }
        moved
    }
}

/// How many allocations `f` made on this thread (meaningful only where [`CountingAllocator`]
/// is the global allocator).
pub fn allocations_by(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

/// What `f` returned, and the size in bytes of the largest single allocation (or reallocation)
/// it made on this thread (meaningful only where [`CountingAllocator`] is the global
/// allocator): a reader that honours a forged length field shows up here at once.
pub fn largest_allocation_by<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let outer = LARGEST.with(|n| n.replace(0));
    let result = f();
    let largest = LARGEST.with(|n| n.replace(outer.max(n.get())));
    (result, largest)
}

/// Bytes allocated and not yet freed by the whole process since it started (meaningful only
/// where [`CountingAllocator`] is the global allocator).
pub fn live_bytes() -> isize {
    LIVE.load(Ordering::Relaxed)
}
