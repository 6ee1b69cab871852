//! A global allocator that counts this thread's allocations, for the tests that pin how many
//! heap allocations a steady training step makes. A test binary installs it with
//! `#[global_allocator] static GLOBAL: tests::CountingAllocator = tests::CountingAllocator;`
//! and reads [`allocations_by`] (or [`largest_allocation_by`]). Counted per thread, so tests running in parallel do not mix.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The system allocator, counting each allocation and reallocation of the calling thread, and
/// keeping the largest size asked for.
pub struct CountingAllocator;

thread_local! {
    static ALLOCATIONS: Cell<usize> = const { Cell::new(0) };
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

/// Counts one allocation of `bytes` on this thread.
fn count(bytes: usize) {
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
    let _ = LARGEST.try_with(|n| n.set(n.get().max(bytes)));
}

// SAFETY: forwards to the system allocator; counting touches only a const thread-local cell.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(layout.size());
        // SAFETY: forwarded from the caller.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded from the caller.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count(new_size);
        // SAFETY: forwarded from the caller.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// How many allocations `f` made on this thread (meaningful only where [`CountingAllocator`]
/// is the global allocator).
pub fn allocations_by(f: impl FnOnce()) -> usize {
    let before = ALLOCATIONS.with(Cell::get);
    f();
    ALLOCATIONS.with(Cell::get) - before
}

/// The largest allocation `f` made on this thread, in bytes (a reallocation counting its new
/// size; 0 if none; meaningful only where [`CountingAllocator`] is the global allocator).
pub fn largest_allocation_by(f: impl FnOnce()) -> usize {
    let before = LARGEST.with(|n| n.replace(0));
    f();
    LARGEST.with(|n| n.replace(n.get().max(before)))
}
