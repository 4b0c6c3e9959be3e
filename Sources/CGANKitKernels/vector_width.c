// The vector-width choice of the GEMM kernels: see vector_width.h.
#include "CGANKitKernels.h"
#include "vector_width.h"

#include <time.h>

#define GK_WIDTH_ROUNDS 8          /* timed runs of each width (the best counts) */
#define GK_YMM_MARGIN 0.97         /* ymm runs only when its best time is under 97 % of zmm's */

/// The calling thread's forced width (gk_force_vector_width); 0: none.
static _Thread_local int forcedWidth = 0;

double gk_seconds_now(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)now.tv_sec + 1e-9 * (double)now.tv_nsec;
}

void gk_choose_vector_width(gk_vector_choice *choice, gk_timed_product product, void *context, double flops) {
    double best[2] = {1e30, 1e30};
    product(context, 0);  // first touches of the operands and both code paths, not timed
    product(context, 1);
    for (int round = 0; round < GK_WIDTH_ROUNDS; round++) {
        for (int zmm = 0; zmm < 2; zmm++) {
            double seconds = product(context, zmm);
            if (seconds < best[zmm]) best[zmm] = seconds;
        }
    }
    choice->rates[0] = flops / best[0] / 1e9;
    choice->rates[1] = flops / best[1] / 1e9;
    choice->bits = best[0] < GK_YMM_MARGIN * best[1] ? 256 : 512;
}

int gk_vector_width_of(gk_vector_choice *choice, void (*choose)(void), double *rate256, double *rate512) {
    pthread_once(&choice->once, choose);
    if (rate256) *rate256 = choice->rates[0];
    if (rate512) *rate512 = choice->rates[1];
    return forcedWidth != 0 ? forcedWidth : choice->bits;
}

int gk_force_vector_width(int bits) {
    int previous = forcedWidth;
    forcedWidth = bits == 256 || bits == 512 ? bits : 0;
    return previous;
}
