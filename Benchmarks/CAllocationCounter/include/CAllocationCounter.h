// Counts heap allocations in the gankit-bench process (Linux/glibc only).
//
// allocation_counter.c defines malloc, calloc, realloc, posix_memalign,
// aligned_alloc, memalign and valloc. Linked into an executable, these
// definitions take precedence over glibc's for every library in the process
// (the Swift runtime, Foundation, Dispatch, the BLAS library), count each call
// and forward to glibc's allocator (__libc_malloc and friends). Elsewhere the
// functions below exist but always report 0 and `gankit_allocation_counting_available` is 0.
#ifndef CALLOCATIONCOUNTER_H
#define CALLOCATIONCOUNTER_H

#include <stdint.h>

/// Allocation calls (malloc, calloc, realloc, the aligned variants) since the process started.
uint64_t gankit_allocation_count(void);
/// 1 when the counting allocator is active in this build, 0 otherwise.
int gankit_allocation_counting_available(void);

#endif
