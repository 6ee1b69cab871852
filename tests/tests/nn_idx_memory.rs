//! The IDX reader never allocates what a forged header declares: the largest single allocation
//! made while reading a file that claims 2²⁸ pixels but holds 3 stays far below 2²⁸ bytes,
//! plain or gzip.
//!
//! Measured per thread by a global allocator that records the largest request, so tests
//! running in parallel do not mix.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write;

use nn::data::{IdxError, read_idx_images};

struct LargestRequest;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

fn record(size: usize) {
    let _ = LARGEST.try_with(|l| l.set(l.get().max(size)));
}

// SAFETY: forwards to the system allocator; recording touches only a const thread-local cell.
unsafe impl GlobalAlloc for LargestRequest {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: forwarded from the caller.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        record(layout.size());
        // SAFETY: forwarded from the caller.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded from the caller.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        record(new_size);
        // SAFETY: forwarded from the caller.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: LargestRequest = LargestRequest;

/// A header declaring 2⁸ images of 2¹⁰ × 2¹⁰ bytes, and 3 bytes of data.
fn forged() -> Vec<u8> {
    let mut bytes = vec![0, 0, 0x08, 3];
    for d in [1u32 << 8, 1 << 10, 1 << 10] {
        bytes.extend_from_slice(&d.to_be_bytes());
    }
    bytes.extend_from_slice(&[1, 2, 3]);
    bytes
}

#[test]
fn a_forged_size_is_never_allocated() {
    let dir = tempfile::tempdir().unwrap();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&forged()).unwrap();
    let files = [("plain", forged()), ("gzip", gz.finish().unwrap())];
    for (name, bytes) in files {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        LARGEST.with(|l| l.set(0));
        let err = read_idx_images(&path).unwrap_err();
        let largest = LARGEST.with(Cell::get);
        assert!(
            matches!(err, IdxError::Truncated { position: 19, .. }),
            "{name}: {err}"
        );
        assert!(
            largest < 1 << 20,
            "{name}: an allocation of {largest} bytes"
        );
    }
}
