// The element-wise kernels, written once and compiled for each instruction set
// by kernels.c, which defines before including this file:
//   GK_NAME(name)  the function name with the set's suffix (gk_adam_update_avx512, …)
//   GK_TARGET      the function attribute enabling the set (empty for the baseline)
// Plain loops that clang vectorizes at -O2; `__builtin_elementwise_sqrt` is
// sqrt without errno, so it vectorizes. Branch-free selects keep the loops vectorizable.

GK_TARGET static void GK_NAME(adam_update)(float *restrict p, const float *restrict g, float *restrict m,
                                           float *restrict v, size_t n, float beta1, float beta2, float stepSize,
                                           float correction2, float epsilon, float l2, float shrink) {
    const float oneMinusBeta1 = 1 - beta1, oneMinusBeta2 = 1 - beta2;
    for (size_t i = 0; i < n; i++) {
        float gi = g[i] + l2 * p[i];
        float pi = p[i] * shrink;
        float mi = beta1 * m[i] + oneMinusBeta1 * gi;
        float vi = beta2 * v[i] + oneMinusBeta2 * gi * gi;
        m[i] = mi;
        v[i] = vi;
        p[i] = pi - stepSize * (mi / (__builtin_elementwise_sqrt(vi) / correction2 + epsilon));
    }
}

GK_TARGET static void GK_NAME(leaky_relu)(const float *x, float *y, size_t n, float alpha) {
    for (size_t i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : alpha * x[i];
}

GK_TARGET static void GK_NAME(leaky_relu_backward)(const float *restrict x, const float *restrict dy,
                                                   float *restrict dx, size_t n, float alpha) {
    for (size_t i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : alpha * dy[i];
}

GK_TARGET static void GK_NAME(relu)(const float *x, float *y, size_t n) {
    for (size_t i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : 0.0f;
}

GK_TARGET static void GK_NAME(relu_backward)(const float *restrict x, const float *restrict dy, float *restrict dx,
                                             size_t n) {
    for (size_t i = 0; i < n; i++) dx[i] = x[i] > 0 ? dy[i] : 0.0f;
}

// tanh as in Cephes' tanhf: an odd polynomial for |x| < 0.625, 1 − 2/(e^{2|x|} + 1)
// above (e^t by Cephes' expf: t = n·ln2 + r, |r| ≤ ln2/2, degree-6 polynomial, 2ⁿ
// built in the exponent bits). Both branches are computed and one selected.
GK_TARGET static void GK_NAME(tanh)(const float *restrict x, float *restrict y, size_t n) {
    for (size_t i = 0; i < n; i++) {
        float xi = x[i];
        float a = xi < 0 ? -xi : xi;
        // e^(2a), with 2a clamped below expf's overflow (tanh is 1 in float there anyway).
        float t = 2 * a < 88.0f ? 2 * a : 88.0f;
        // Round to nearest by adding and subtracting 1.5·2²³ (exact for 0 ≤ t·log₂e < 2²²; no SSE2 round instruction).
        float k = (t * 1.44269504088896341f + 12582912.0f) - 12582912.0f;
        float r = t - k * 0.693359375f;
        r = r - k * -2.12194440e-4f;
        float q = 1.9875691500e-4f;
        q = q * r + 1.3981999507e-3f;
        q = q * r + 8.3334519073e-3f;
        q = q * r + 4.1665795894e-2f;
        q = q * r + 1.6666665459e-1f;
        q = q * r + 5.0000001201e-1f;
        q = q * r * r + r + 1.0f;
        int bits = ((int)k + 127) << 23;
        float scale;
        __builtin_memcpy(&scale, &bits, sizeof scale);
        float large = 1.0f - 2.0f / (q * scale + 1.0f);
        float z = xi * xi;
        float small = ((((-5.70498872745e-3f * z + 2.06390887954e-2f) * z - 5.37397155531e-2f) * z
                        + 1.33314422036e-1f) * z - 3.33332819422e-1f) * z * a + a;
        float result = a < 0.625f ? small : large;
        y[i] = xi < 0 ? -result : result;
    }
}

GK_TARGET static void GK_NAME(tanh_backward)(const float *restrict y, const float *restrict dy, float *restrict dx,
                                             size_t n) {
    for (size_t i = 0; i < n; i++) dx[i] = dy[i] * (1 - y[i] * y[i]);
}

GK_TARGET static void GK_NAME(add_row_bias)(float *restrict y, const float *restrict bias, size_t rows,
                                            size_t columns) {
    for (size_t r = 0; r < rows; r++) {
        float *row = y + r * columns;
        for (size_t c = 0; c < columns; c++) row[c] += bias[c];
    }
}

GK_TARGET static void GK_NAME(add_column_sums)(const float *restrict x, size_t rows, size_t columns,
                                               float *restrict sums) {
    for (size_t r = 0; r < rows; r++) {
        const float *row = x + r * columns;
        for (size_t c = 0; c < columns; c++) sums[c] += row[c];
    }
}

/// Dropout's forward on one xoshiro256** stream (state[0..<4], advanced in place): each
/// 64-bit draw decides two elements (bits 40–63, then bits 8–31); an odd last element
/// takes a draw of its own. The multiply runs in the same pass.
GK_TARGET static void GK_NAME(dropout_forward)(const float *restrict x, float *restrict y, float *restrict mask,
                                               size_t n, uint64_t *restrict state, uint64_t threshold, float scale) {
    uint64_t s0 = state[0], s1 = state[1], s2 = state[2], s3 = state[3];
#define GK_XOSHIRO_NEXT(draw)                                                                                          \
    {                                                                                                                  \
        uint64_t times5 = s1 * 5, t = s1 << 17;                                                                        \
        draw = (times5 << 7 | times5 >> 57) * 9;                                                                       \
        s2 ^= s0;                                                                                                      \
        s3 ^= s1;                                                                                                      \
        s1 ^= s2;                                                                                                      \
        s0 ^= s3;                                                                                                      \
        s2 ^= t;                                                                                                       \
        s3 = s3 << 45 | s3 >> 19;                                                                                      \
    }
    size_t i = 0;
    uint64_t draw;
    for (; i + 1 < n; i += 2) {
        GK_XOSHIRO_NEXT(draw)
        float first = draw >> 40 < threshold ? scale : 0.0f;
        float second = ((draw >> 8) & 0xFFFFFF) < threshold ? scale : 0.0f;
        mask[i] = first;
        mask[i + 1] = second;
        y[i] = x[i] * first;
        y[i + 1] = x[i + 1] * second;
    }
    if (i < n) {
        GK_XOSHIRO_NEXT(draw)
        mask[i] = draw >> 40 < threshold ? scale : 0.0f;
        y[i] = x[i] * mask[i];
    }
#undef GK_XOSHIRO_NEXT
    state[0] = s0; state[1] = s1; state[2] = s2; state[3] = s3;
}
