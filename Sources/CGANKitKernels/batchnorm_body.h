// BatchNorm kernels, compiled per instruction set by kernels.c (see kernels_body.h).
//
// x, y, dy, dx: [N, C, S] (S = spatial positions per channel, 1 for [N, C]);
// channel c's values are N rows of S contiguous floats, row n at (n·C + c)·S.
// Each function handles channels c0 ..< c1 only (callers split channels over
// threads) and writes per-channel results at index c of its [C] arrays.
// Sums run in double, in an order fixed by (N, C, S) alone: for S == 1 the
// loops run along rows, vectorized across channels; otherwise along each
// channel's rows with GK_LANES partial sums combined in lane order.

#ifndef GK_BN_BLOCK
#define GK_BN_BLOCK 64  /* channels per block when S == 1 */
#define GK_LANES 8      /* partial sums per channel when S > 1 */
#endif

/// Σ over channel c of f(value) in double: the shared traversal of the reductions below.
#define GK_CHANNEL_SUM(result, c, VALUE_EXPR)                                                                          \
    do {                                                                                                               \
        double lanes[GK_LANES] = {0};                                                                                  \
        for (size_t n = 0; n < batch; n++) {                                                                           \
            size_t base = (n * channels + (c)) * spatial;                                                              \
            size_t s = 0;                                                                                              \
            for (; s + GK_LANES <= spatial; s += GK_LANES)                                                             \
                for (size_t l = 0; l < GK_LANES; l++) { size_t i = base + s + l; lanes[l] += (VALUE_EXPR); }           \
            for (; s < spatial; s++) { size_t i = base + s; lanes[0] += (VALUE_EXPR); }                                \
        }                                                                                                              \
        double total = 0;                                                                                              \
        for (size_t l = 0; l < GK_LANES; l++) total += lanes[l];                                                       \
        (result) = total;                                                                                              \
    } while (0)

/// mean[c] and biased variance[c] (two passes, double) for c in c0 ..< c1.
GK_TARGET static void GK_NAME(bn_statistics)(const float *restrict x, size_t batch, size_t channels, size_t spatial,
                                             size_t c0, size_t c1, float *restrict mean, float *restrict variance) {
    const double count = (double)(batch * spatial);
    if (spatial == 1) {
        for (size_t b0 = c0; b0 < c1; b0 += GK_BN_BLOCK) {
            size_t width = c1 - b0 < GK_BN_BLOCK ? c1 - b0 : GK_BN_BLOCK;
            double sums[GK_BN_BLOCK] = {0}, squares[GK_BN_BLOCK] = {0}, means[GK_BN_BLOCK];
            for (size_t n = 0; n < batch; n++)
                for (size_t j = 0; j < width; j++) sums[j] += x[n * channels + b0 + j];
            for (size_t j = 0; j < width; j++) means[j] = sums[j] / count;
            for (size_t n = 0; n < batch; n++)
                for (size_t j = 0; j < width; j++) {
                    double centered = x[n * channels + b0 + j] - means[j];
                    squares[j] += centered * centered;
                }
            for (size_t j = 0; j < width; j++) {
                mean[b0 + j] = (float)means[j];
                variance[b0 + j] = (float)(squares[j] / count);
            }
        }
        return;
    }
    for (size_t c = c0; c < c1; c++) {
        double sum, squares;
        GK_CHANNEL_SUM(sum, c, (double)x[i]);
        double mu = sum / count;
        GK_CHANNEL_SUM(squares, c, ((double)x[i] - mu) * ((double)x[i] - mu));
        mean[c] = (float)mu;
        variance[c] = (float)(squares / count);
    }
}

/// y = (x − mean[c])·scale[c] + shift[c] (shift NULL: 0) for c in c0 ..< c1.
GK_TARGET static void GK_NAME(bn_normalize)(const float *restrict x, float *restrict y, size_t batch, size_t channels,
                                            size_t spatial, size_t c0, size_t c1, const float *restrict mean,
                                            const float *restrict scale, const float *restrict shift) {
    if (spatial == 1) {
        for (size_t n = 0; n < batch; n++) {
            const float *in = x + n * channels;
            float *out = y + n * channels;
            for (size_t c = c0; c < c1; c++) out[c] = (in[c] - mean[c]) * scale[c] + (shift ? shift[c] : 0.0f);
        }
        return;
    }
    for (size_t c = c0; c < c1; c++) {
        float mu = mean[c], k = scale[c], b = shift ? shift[c] : 0.0f;
        for (size_t n = 0; n < batch; n++) {
            const float *in = x + (n * channels + c) * spatial;
            float *out = y + (n * channels + c) * spatial;
            for (size_t s = 0; s < spatial; s++) out[s] = (in[s] - mu) * k + b;
        }
    }
}

/// sumDy[c] = Σ dy and sumDyXhat[c] = invstd[c]·Σ dy·(x − mean[c]) (double) for c in c0 ..< c1.
GK_TARGET static void GK_NAME(bn_gradient_sums)(const float *restrict dy, const float *restrict x, size_t batch,
                                                size_t channels, size_t spatial, size_t c0, size_t c1,
                                                const float *restrict mean, const float *restrict invstd,
                                                float *restrict sumDy, float *restrict sumDyXhat) {
    if (spatial == 1) {
        for (size_t b0 = c0; b0 < c1; b0 += GK_BN_BLOCK) {
            size_t width = c1 - b0 < GK_BN_BLOCK ? c1 - b0 : GK_BN_BLOCK;
            double g[GK_BN_BLOCK] = {0}, gx[GK_BN_BLOCK] = {0};
            for (size_t n = 0; n < batch; n++)
                for (size_t j = 0; j < width; j++) {
                    size_t i = n * channels + b0 + j;
                    g[j] += dy[i];
                    gx[j] += (double)dy[i] * (double)(x[i] - mean[b0 + j]);
                }
            for (size_t j = 0; j < width; j++) {
                sumDy[b0 + j] = (float)g[j];
                sumDyXhat[b0 + j] = (float)(gx[j] * invstd[b0 + j]);
            }
        }
        return;
    }
    for (size_t c = c0; c < c1; c++) {
        float mu = mean[c];
        double g, gx;
        GK_CHANNEL_SUM(g, c, (double)dy[i]);
        GK_CHANNEL_SUM(gx, c, (double)dy[i] * (double)(x[i] - mu));
        sumDy[c] = (float)g;
        sumDyXhat[c] = (float)(gx * invstd[c]);
    }
}

/// dx = dyScale[c]·dy + centeredScale[c]·(x − mean[c]) + shift[c] for c in c0 ..< c1.
GK_TARGET static void GK_NAME(bn_input_gradient)(const float *restrict dy, const float *restrict x,
                                                 float *restrict dx, size_t batch, size_t channels, size_t spatial,
                                                 size_t c0, size_t c1, const float *restrict mean,
                                                 const float *restrict dyScale, const float *restrict centeredScale,
                                                 const float *restrict shift) {
    if (spatial == 1) {
        for (size_t n = 0; n < batch; n++) {
            size_t row = n * channels;
            for (size_t c = c0; c < c1; c++)
                dx[row + c] = dyScale[c] * dy[row + c] + centeredScale[c] * (x[row + c] - mean[c]) + shift[c];
        }
        return;
    }
    for (size_t c = c0; c < c1; c++) {
        float mu = mean[c], k = dyScale[c], b = centeredScale[c], d = shift[c];
        for (size_t n = 0; n < batch; n++) {
            size_t base = (n * channels + c) * spatial;
            for (size_t s = 0; s < spatial; s++) dx[base + s] = k * dy[base + s] + b * (x[base + s] - mu) + d;
        }
    }
}
