//! Memory between a run's stages: after the check, the memory its tasks
//! freed is handed back to the system before the reports are built.
//!
//! Why: glibc's allocator gives each thread that allocates at once an
//! arena of its own; the check's tasks run on every runtime thread, the
//! rows and reports are built on others, so the check's freed memory
//! stays in arenas the reports never reuse and the peak is the check's
//! memory plus the reports'. `malloc_trim` returns the free pages of
//! every arena (measured on scenario 4, a million occurrences: the
//! writing stage's peak 291 MB without it, 235 MB with it; BENCHMARKS.md).
//!
//! Never frees or moves anything the run holds; elsewhere than on glibc
//! it does nothing.

/// Hands the heap's free pages back to the system (glibc only).
pub(super) fn release_free_pages() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: `malloc_trim` takes no pointer and only walks glibc's own
    // arenas under their locks; glibc documents it as thread-safe
    // (MT-Safe in malloc_trim(3)), so it may run beside other threads.
    unsafe {
        libc::malloc_trim(0);
    }
}
