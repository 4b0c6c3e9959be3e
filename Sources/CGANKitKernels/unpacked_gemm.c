// Matrix products that read both operands where they lie, for the skinny
// shapes of a Dense layer (a batch of at most a few hundred rows): see
// gk_sgemm_unpacked in CGANKitKernels.h.
//
// A BLAS copies ("packs") both operands into tile order on every call. Dense
// weights change every step, so that copy is paid each time, and for a batch of
// 64 it was 15-19 % of an MLP-GAN training step in OpenBLAS. Here one operand
// is broadcast element by element from its rows (any strides) and the other is
// read as rows of 16-float vectors, so the large operand is never copied (only a
// shallow B block of at most 256 rows, see below). Register tile: 6 rows by up
// to 64 columns (24 AVX-512 accumulators); the last column block of a row uses
// as many vectors as it needs, the last one masked.
#include "CGANKitKernels.h"

#define GK_TILE_ROWS 6
#define GK_PANEL_DEPTH 256  /* deepest B block copied into a contiguous panel (64 KiB) */

#if defined(__x86_64__)
#include <immintrin.h>

#define GK_AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,avx2,fma")))

/// The mask of the first `width` lanes of a 16-float vector (none for width ≤ 0, all for ≥ 16).
GK_AVX512 static inline __mmask16 gk_width_mask(long width) {
    return width >= 16 ? (__mmask16)0xFFFF : width <= 0 ? (__mmask16)0 : (__mmask16)((1u << width) - 1);
}

// One FMA row of the tile: accumulators[r][v] += A(r, p) · b[v] for every vector v.
#define GK_TILE_ROW(r, vectors)                                                                                        \
    {                                                                                                                  \
        __m512 scalar = _mm512_set1_ps(rowStart[r][offset]);                                                           \
        for (int v = 0; v < (vectors); v++) accumulators[r][v] = _mm512_fmadd_ps(scalar, bRow[v], accumulators[r][v]); \
    }

// gk_unpacked_tile_<vectors>: the tile C[0 ..< rows][0 ..< columns] for columns ≤ 16·vectors.
// Rows past `rows` repeat row 0 (computed, never stored), so the loop has no row test.
#define GK_DEFINE_TILE(vectors)                                                                                        \
    GK_AVX512 static void gk_unpacked_tile_##vectors(                                                                  \
        size_t rows, size_t columns, size_t depth, float alpha, const float *a, size_t aRowStride,                     \
        size_t aDepthStride, const float *b, size_t ldb, float beta, float *c, size_t ldc, int transposedC) {          \
        __m512 accumulators[GK_TILE_ROWS][vectors];                                                                    \
        for (int r = 0; r < GK_TILE_ROWS; r++)                                                                         \
            for (int v = 0; v < (vectors); v++) accumulators[r][v] = _mm512_setzero_ps();                              \
        __mmask16 lastMask = gk_width_mask((long)columns - 16 * ((vectors) - 1));                                      \
        const float *rowStart[GK_TILE_ROWS];                                                                           \
        for (size_t r = 0; r < GK_TILE_ROWS; r++) rowStart[r] = a + (r < rows ? r : 0) * aRowStride;                   \
        for (size_t p = 0; p < depth; p++) {                                                                           \
            const float *bSource = b + p * ldb;                                                                        \
            __m512 bRow[vectors];                                                                                      \
            for (int v = 0; v < (vectors) - 1; v++) bRow[v] = _mm512_loadu_ps(bSource + 16 * v);                      \
            bRow[(vectors) - 1] = _mm512_maskz_loadu_ps(lastMask, bSource + 16 * ((vectors) - 1));                     \
            size_t offset = p * aDepthStride;                                                                          \
            GK_TILE_ROW(0, vectors) GK_TILE_ROW(1, vectors) GK_TILE_ROW(2, vectors)                                    \
            GK_TILE_ROW(3, vectors) GK_TILE_ROW(4, vectors) GK_TILE_ROW(5, vectors)                                    \
        }                                                                                                              \
        __m512 scale = _mm512_set1_ps(alpha);                                                                          \
        if (!transposedC) {                                                                                            \
            for (size_t r = 0; r < rows; r++) {                                                                        \
                for (int v = 0; v < (vectors); v++) {                                                                  \
                    __mmask16 mask = v == (vectors) - 1 ? lastMask : (__mmask16)0xFFFF;                                \
                    float *target = c + r * ldc + 16 * v;                                                              \
                    __m512 value = _mm512_mul_ps(scale, accumulators[r][v]);                                           \
                    if (beta != 0)                                                                                     \
                        value = _mm512_fmadd_ps(_mm512_set1_ps(beta), _mm512_maskz_loadu_ps(mask, target), value);     \
                    _mm512_mask_storeu_ps(target, mask, value);                                                        \
                }                                                                                                      \
            }                                                                                                          \
            return;                                                                                                    \
        }                                                                                                              \
        /* Transposed C: tile row r is C's column r. Through the stack, one C row (≤ 6 floats) at a time. */        \
        float staged[GK_TILE_ROWS][16 * (vectors)] __attribute__((aligned(64)));                                       \
        for (int r = 0; r < GK_TILE_ROWS; r++)                                                                         \
            for (int v = 0; v < (vectors); v++) _mm512_store_ps(&staged[r][16 * v], accumulators[r][v]);               \
        for (size_t j = 0; j < columns; j++) {                                                                         \
            float *target = c + j * ldc;                                                                               \
            for (size_t r = 0; r < rows; r++) {                                                                        \
                float value = alpha * staged[r][j];                                                                    \
                target[r] = beta != 0 ? value + beta * target[r] : value;                                              \
            }                                                                                                          \
        }                                                                                                              \
    }

GK_DEFINE_TILE(1)
GK_DEFINE_TILE(2)
GK_DEFINE_TILE(3)
GK_DEFINE_TILE(4)

typedef void (*gk_unpacked_tile)(size_t, size_t, size_t, float, const float *, size_t, size_t, const float *, size_t,
                                 float, float *, size_t, int);
/// The tile for a column block of 16·(i + 1) columns or fewer.
static const gk_unpacked_tile tiles[4] = {gk_unpacked_tile_1, gk_unpacked_tile_2, gk_unpacked_tile_3,
                                          gk_unpacked_tile_4};

GK_AVX512 static void gk_sgemm_unpacked_avx512(size_t rows, size_t columns, size_t depth, float alpha, const float *a,
                                               size_t aRowStride, size_t aDepthStride, const float *b, size_t ldb,
                                               float beta, float *c, size_t ldc, int transposedC) {
    // A shallow B block (a weight gradient's batch rows) is copied into one aligned, contiguous
    // panel first, which every row tile then reads: read in place, rows 4 KiB apart (1024
    // inputs) share L1 sets and evicted each other, 0.74-0.87x OpenBLAS on keras' 1024 -> 784.
    float panel[GK_PANEL_DEPTH * 64] __attribute__((aligned(64)));
    int copies = depth <= GK_PANEL_DEPTH && rows > GK_TILE_ROWS;
    for (size_t j = 0; j < columns; j += 64) {
        size_t width = columns - j < 64 ? columns - j : 64;
        gk_unpacked_tile tile = tiles[(width + 15) / 16 - 1];
        const float *bBlock = b + j;
        size_t bStride = ldb;
        if (copies) {
            __mmask16 masks[4];
            for (int v = 0; v < 4; v++) masks[v] = gk_width_mask((long)width - 16 * v);
            for (size_t p = 0; p < depth; p++)
                for (int v = 0; v < 4; v++)
                    _mm512_store_ps(panel + p * 64 + 16 * v, _mm512_maskz_loadu_ps(masks[v], b + p * ldb + j + 16 * v));
            bBlock = panel;
            bStride = 64;
        }
        for (size_t r = 0; r < rows; r += GK_TILE_ROWS) {
            size_t height = rows - r < GK_TILE_ROWS ? rows - r : GK_TILE_ROWS;
            const float *aTile = a + r * aRowStride;
            float *cTile = transposedC ? c + j * ldc + r : c + r * ldc + j;
            tile(height, width, depth, alpha, aTile, aRowStride, aDepthStride, bBlock, bStride, beta, cTile, ldc,
                 transposedC);
        }
    }
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

void gk_sgemm_unpacked(size_t rows, size_t columns, size_t depth, float alpha, const float *a, size_t aRowStride,
                       size_t aDepthStride, const float *b, size_t ldb, float beta, float *c, size_t ldc,
                       int transposedC) {
#if defined(__x86_64__)
    if (rows == 0 || columns == 0) return;
    gk_sgemm_unpacked_avx512(rows, columns, depth, alpha, a, aRowStride, aDepthStride, b, ldb, beta, c, ldc,
                             transposedC);
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
