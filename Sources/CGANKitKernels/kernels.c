// Instantiates kernels_body.h for each instruction set and dispatches at run
// time; see include/CGANKitKernels.h.
#include "CGANKitKernels.h"

#define GK_NAME(name) gk_##name##_baseline
#define GK_TARGET
#include "kernels_body.h"
#include "batchnorm_body.h"
#undef GK_NAME
#undef GK_TARGET

#if defined(__x86_64__)
#define GK_NAME(name) gk_##name##_avx2
#define GK_TARGET __attribute__((target("avx2,fma")))
#include "kernels_body.h"
#include "batchnorm_body.h"
#undef GK_NAME
#undef GK_TARGET

#define GK_NAME(name) gk_##name##_avx512
#define GK_TARGET __attribute__((target("avx512f,avx512vl,avx512dq,avx2,fma")))
#include "kernels_body.h"
#include "batchnorm_body.h"
#undef GK_NAME
#undef GK_TARGET
#endif

enum { levelUnknown = 0, levelBaseline = GK_LEVEL_BASELINE, levelAVX2 = GK_LEVEL_AVX2, levelAVX512 = GK_LEVEL_AVX512 };
static int supported = levelUnknown;
/// The calling thread's cap (gk_force_level); 0: none. Per thread, so a test that
/// forces a level does not change what tests running beside it compute.
static _Thread_local int forcedLevel = 0;

/// The best level this CPU supports (computed once; a race computes the same value twice).
int gk_supported_level(void) {
    int known = __atomic_load_n(&supported, __ATOMIC_RELAXED);
    if (known != levelUnknown) return known;
    int best = levelBaseline;
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq")) {
        best = levelAVX512;
    } else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        best = levelAVX2;
    }
#endif
    __atomic_store_n(&supported, best, __ATOMIC_RELAXED);
    return best;
}

/// The level the calling thread's kernels run: the supported one, capped by gk_force_level.
static int currentLevel(void) {
    int best = gk_supported_level();
    int cap = forcedLevel;
    return cap != 0 && cap < best ? cap : best;
}

int gk_force_level(int level) {
    int previous = forcedLevel;
    forcedLevel = level;
    return previous;
}

int gk_forced_level(void) { return forcedLevel; }

const char *gk_kernel_level(void) {
    switch (currentLevel()) {
    case levelAVX512: return "AVX-512";
    case levelAVX2: return "AVX2+FMA";
    default: return "baseline";
    }
}

int gk_uses_avx512(void) { return currentLevel() == levelAVX512; }

#if defined(__x86_64__)
#define GK_DISPATCH(name, ...)                                                                                         \
    switch (currentLevel()) {                                                                                          \
    case levelAVX512: gk_##name##_avx512(__VA_ARGS__); return;                                                         \
    case levelAVX2: gk_##name##_avx2(__VA_ARGS__); return;                                                             \
    default: gk_##name##_baseline(__VA_ARGS__); return;                                                                \
    }
#else
#define GK_DISPATCH(name, ...) gk_##name##_baseline(__VA_ARGS__);
#endif

void gk_adam_update(float *p, const float *g, float *m, float *v, size_t n, float beta1, float beta2,
                    float stepSize, float correction2, float epsilon, float l2, float shrink) {
    GK_DISPATCH(adam_update, p, g, m, v, n, beta1, beta2, stepSize, correction2, epsilon, l2, shrink)
}
void gk_dropout_forward(const float *x, float *y, float *mask, size_t n, uint64_t *state, uint64_t threshold,
                        float scale) {
    GK_DISPATCH(dropout_forward, x, y, mask, n, state, threshold, scale)
}
void gk_leaky_relu(const float *x, float *y, size_t n, float alpha) { GK_DISPATCH(leaky_relu, x, y, n, alpha) }
void gk_leaky_relu_backward(const float *x, const float *dy, float *dx, size_t n, float alpha) {
    GK_DISPATCH(leaky_relu_backward, x, dy, dx, n, alpha)
}
void gk_relu(const float *x, float *y, size_t n) { GK_DISPATCH(relu, x, y, n) }
void gk_relu_backward(const float *x, const float *dy, float *dx, size_t n) { GK_DISPATCH(relu_backward, x, dy, dx, n) }
void gk_tanh(const float *x, float *y, size_t n) { GK_DISPATCH(tanh, x, y, n) }
void gk_tanh_backward(const float *y, const float *dy, float *dx, size_t n) { GK_DISPATCH(tanh_backward, y, dy, dx, n) }
void gk_add_row_bias(float *y, const float *bias, size_t rows, size_t columns) {
    GK_DISPATCH(add_row_bias, y, bias, rows, columns)
}
void gk_add_column_sums(const float *x, size_t rows, size_t columns, float *sums) {
    GK_DISPATCH(add_column_sums, x, rows, columns, sums)
}

void gk_bn_statistics(const float *x, size_t batch, size_t channels, size_t spatial, size_t c0, size_t c1,
                      float *mean, float *variance) {
    GK_DISPATCH(bn_statistics, x, batch, channels, spatial, c0, c1, mean, variance)
}
void gk_bn_normalize(const float *x, float *y, size_t batch, size_t channels, size_t spatial, size_t c0, size_t c1,
                     const float *mean, const float *scale, const float *shift) {
    GK_DISPATCH(bn_normalize, x, y, batch, channels, spatial, c0, c1, mean, scale, shift)
}
void gk_bn_gradient_sums(const float *dy, const float *x, size_t batch, size_t channels, size_t spatial, size_t c0,
                         size_t c1, const float *mean, const float *invstd, float *sumDy, float *sumDyXhat) {
    GK_DISPATCH(bn_gradient_sums, dy, x, batch, channels, spatial, c0, c1, mean, invstd, sumDy, sumDyXhat)
}
void gk_bn_input_gradient(const float *dy, const float *x, float *dx, size_t batch, size_t channels, size_t spatial,
                          size_t c0, size_t c1, const float *mean, const float *dyScale, const float *centeredScale,
                          const float *shift) {
    GK_DISPATCH(bn_input_gradient, dy, x, dx, batch, channels, spatial, c0, c1, mean, dyScale, centeredScale, shift)
}
