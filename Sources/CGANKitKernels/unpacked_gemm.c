// Matrix products that read both operands where they lie, for the skinny
// shapes of a Dense layer (a batch of at most a few hundred rows): see
// gk_sgemm_unpacked in CGANKitKernels.h.
//
// A BLAS copies ("packs") both operands into tile order on every call. Dense
// weights change every step, so that copy is paid each time, and for a batch of
// 64 it was 15-19 % of an MLP-GAN training step in OpenBLAS. Here one operand
// is broadcast element by element from its rows (any strides) and the other is
// read as rows of vectors, so the large operand is never copied (only a shallow
// B block of at most 256 rows, see unpacked_body.h). Register tile: 6 rows by
// four vectors (24 accumulators: 64 columns in zmm, 32 in ymm); the last column
// block of a row uses as many vectors as it needs, the last one masked. Both
// widths give the same bits; the faster one on this CPU runs (vector_width.c).
#include "CGANKitKernels.h"
#include "vector_width.h"

#include <stdlib.h>

#define GK_TILE_ROWS 6
#define GK_PANEL_DEPTH 256  /* deepest B block copied into a contiguous panel (64 KiB) */

#if defined(__x86_64__)
#include <immintrin.h>

#define GK_AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,avx2,fma")))

#define GK_NAME(name) gk_unpacked_##name##_zmm
#define GK_LANES 16
#define GK_VEC __m512
#define GK_MASK __mmask16
#define GK_OP(op) _mm512_##op
#include "unpacked_body.h"
#undef GK_NAME
#undef GK_LANES
#undef GK_VEC
#undef GK_MASK
#undef GK_OP

#define GK_NAME(name) gk_unpacked_##name##_ymm
#define GK_LANES 8
#define GK_VEC __m256
#define GK_MASK __mmask8
#define GK_OP(op) _mm256_##op
#include "unpacked_body.h"
#undef GK_NAME
#undef GK_LANES
#undef GK_VEC
#undef GK_MASK
#undef GK_OP

typedef void (*gk_unpacked_kernel)(size_t, size_t, size_t, float, const float *, size_t, size_t, const float *, size_t,
                                   float, float *, size_t, int);

// The product timed to choose the width: a Dense layer's weight rows against a
// batch of 64, 256 deep (B copied into the panel, as in a training step).
enum { timedRows = 96, timedColumns = 64, timedDepth = 256, timedRepeats = 4 };

static double timeUnpacked(void *context, int zmm) {
    const float *a = context, *b = a + timedRows * timedDepth;
    float *c = (float *)b + timedDepth * timedColumns;
    gk_unpacked_kernel kernel = zmm ? gk_unpacked_sgemm_zmm : gk_unpacked_sgemm_ymm;
    double start = gk_seconds_now();
    for (int repeat = 0; repeat < timedRepeats; repeat++)
        kernel(timedRows, timedColumns, timedDepth, 1, a, timedDepth, 1, b, timedColumns, 0, c, timedColumns, 0);
    return gk_seconds_now() - start;
}

static gk_vector_choice unpackedChoice = GK_VECTOR_CHOICE_INIT;

static void chooseUnpackedWidth(void) {
    size_t operands = timedRows * timedDepth + timedDepth * timedColumns, count = operands + timedRows * timedColumns;
    float *buffers = NULL;
    if (posix_memalign((void **)&buffers, 64, count * sizeof(float)) != 0) return;  // keeps zmm
    for (size_t i = 0; i < operands; i++) buffers[i] = (float)(i % 13) * 0.125f - 0.75f;
    gk_choose_vector_width(&unpackedChoice, timeUnpacked, buffers, 2.0 * timedRows * timedColumns * timedDepth * timedRepeats);
    free(buffers);
}

// 8 × 8 blocks through AVX registers (unpack, shuffle, swap halves).
__attribute__((target("avx2"))) static void gk_transpose_avx2(size_t rows, size_t columns, const float *source,
                                                               size_t ldSource, float *target) {
    size_t i = 0;
    for (; i + 8 <= rows; i += 8) {
        size_t p = 0;
        for (; p + 8 <= columns; p += 8) {
            const float *s = source + i * ldSource + p;
            __m256 r0 = _mm256_loadu_ps(s), r1 = _mm256_loadu_ps(s + ldSource);
            __m256 r2 = _mm256_loadu_ps(s + 2 * ldSource), r3 = _mm256_loadu_ps(s + 3 * ldSource);
            __m256 r4 = _mm256_loadu_ps(s + 4 * ldSource), r5 = _mm256_loadu_ps(s + 5 * ldSource);
            __m256 r6 = _mm256_loadu_ps(s + 6 * ldSource), r7 = _mm256_loadu_ps(s + 7 * ldSource);
            __m256 t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
            __m256 t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
            __m256 t4 = _mm256_unpacklo_ps(r4, r5), t5 = _mm256_unpackhi_ps(r4, r5);
            __m256 t6 = _mm256_unpacklo_ps(r6, r7), t7 = _mm256_unpackhi_ps(r6, r7);
            __m256 u0 = _mm256_shuffle_ps(t0, t2, 0x44), u1 = _mm256_shuffle_ps(t0, t2, 0xEE);
            __m256 u2 = _mm256_shuffle_ps(t1, t3, 0x44), u3 = _mm256_shuffle_ps(t1, t3, 0xEE);
            __m256 u4 = _mm256_shuffle_ps(t4, t6, 0x44), u5 = _mm256_shuffle_ps(t4, t6, 0xEE);
            __m256 u6 = _mm256_shuffle_ps(t5, t7, 0x44), u7 = _mm256_shuffle_ps(t5, t7, 0xEE);
            float *t = target + p * rows + i;
            _mm256_storeu_ps(t, _mm256_permute2f128_ps(u0, u4, 0x20));
            _mm256_storeu_ps(t + rows, _mm256_permute2f128_ps(u1, u5, 0x20));
            _mm256_storeu_ps(t + 2 * rows, _mm256_permute2f128_ps(u2, u6, 0x20));
            _mm256_storeu_ps(t + 3 * rows, _mm256_permute2f128_ps(u3, u7, 0x20));
            _mm256_storeu_ps(t + 4 * rows, _mm256_permute2f128_ps(u0, u4, 0x31));
            _mm256_storeu_ps(t + 5 * rows, _mm256_permute2f128_ps(u1, u5, 0x31));
            _mm256_storeu_ps(t + 6 * rows, _mm256_permute2f128_ps(u2, u6, 0x31));
            _mm256_storeu_ps(t + 7 * rows, _mm256_permute2f128_ps(u3, u7, 0x31));
        }
        for (; p < columns; p++)
            for (size_t r = 0; r < 8; r++) target[p * rows + i + r] = source[(i + r) * ldSource + p];
    }
    for (; i < rows; i++)
        for (size_t p = 0; p < columns; p++) target[p * rows + i] = source[i * ldSource + p];
}
#endif

int gk_unpacked_available(void) { return gk_uses_avx512(); }

int gk_unpacked_vector_width(double *rate256, double *rate512) {
#if defined(__x86_64__)
    if (gk_unpacked_available()) return gk_vector_width_of(&unpackedChoice, chooseUnpackedWidth, rate256, rate512);
#endif
    (void)rate256; (void)rate512;
    return 0;
}

void gk_sgemm_unpacked(size_t rows, size_t columns, size_t depth, float alpha, const float *a, size_t aRowStride,
                       size_t aDepthStride, const float *b, size_t ldb, float beta, float *c, size_t ldc,
                       int transposedC) {
#if defined(__x86_64__)
    if (rows == 0 || columns == 0) return;
    gk_unpacked_kernel kernel = gk_unpacked_vector_width(0, 0) == 256 ? gk_unpacked_sgemm_ymm : gk_unpacked_sgemm_zmm;
    kernel(rows, columns, depth, alpha, a, aRowStride, aDepthStride, b, ldb, beta, c, ldc, transposedC);
#else
    (void)rows; (void)columns; (void)depth; (void)alpha; (void)a; (void)aRowStride; (void)aDepthStride; (void)b;
    (void)ldb; (void)beta; (void)c; (void)ldc; (void)transposedC;
#endif
}

void gk_transpose(size_t rows, size_t columns, const float *source, size_t ldSource, float *target) {
#if defined(__x86_64__)
    if (gk_uses_avx512()) {
        gk_transpose_avx2(rows, columns, source, ldSource, target);
        return;
    }
#endif
    for (size_t i = 0; i < rows; i++)
        for (size_t p = 0; p < columns; p++) target[p * rows + i] = source[i * ldSource + p];
}
