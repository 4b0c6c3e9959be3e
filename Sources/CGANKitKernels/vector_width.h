// Which vector width a GEMM kernel runs at on an AVX-512 CPU (internal to the
// kernels; see gk_sgemm_vector_width in CGANKitKernels.h).
//
// Both widths of a kernel run each element's sum in the same order with the
// same FMAs, so they give the same bits and the choice only changes the speed.
// Which is faster depends on the CPU, not on the instruction set: a Zen 4 core
// splits a zmm FMA into two ymm halves, some Intel cores lower their clock for
// zmm, others have two full zmm FMA units. So each kernel times both widths on
// one product of its typical shape, once, at first use (a few milliseconds), and
// keeps ymm only when it was clearly faster (by 3 %); else zmm.
#ifndef GK_VECTOR_WIDTH_H
#define GK_VECTOR_WIDTH_H

#include <pthread.h>

/// Seconds of one run of a kernel's timed product at zmm (1) or ymm (0) width.
typedef double (*gk_timed_product)(void *context, int zmm);

/// One kernel's choice, made once.
typedef struct {
    pthread_once_t once;
    int bits;          /* 256 or 512 */
    double rates[2];   /* GFLOP/s measured at 256 and 512 bits */
} gk_vector_choice;

#define GK_VECTOR_CHOICE_INIT {PTHREAD_ONCE_INIT, 512, {0, 0}}

/// Monotonic time in seconds.
double gk_seconds_now(void);

/// Times `product` at both widths, alternately, keeps the best time of each and
/// stores the choice and the rates (`flops` per product) in `choice`.
void gk_choose_vector_width(gk_vector_choice *choice, gk_timed_product product, void *context, double flops);

/// The width the calling thread runs: the one gk_force_vector_width set, else
/// `choice`'s (running `choose` first if no thread has yet). rate256/rate512 may be NULL.
int gk_vector_width_of(gk_vector_choice *choice, void (*choose)(void), double *rate256, double *rate512);

#endif
