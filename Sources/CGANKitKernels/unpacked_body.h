// The unpacked product's kernel (see unpacked_gemm.c), compiled once per vector
// width by unpacked_gemm.c, which first defines:
//   GK_NAME(name)  the width's function names
//   GK_LANES       floats per vector: 16 (zmm) or 8 (ymm)
//   GK_VEC         the vector type: __m512 or __m256
//   GK_MASK        the lane mask type: __mmask16 or __mmask8
//   GK_OP(op)      the intrinsic prefix: _mm512_##op or _mm256_##op (AVX-512VL)
// Both widths run every element's sum over p in the same order with the same
// FMAs, so they give the same bits: only their speed differs.

#define GK_BLOCK_COLUMNS (4 * GK_LANES) /* columns of C per register tile: four vectors */

/// The mask of the first `width` lanes of a vector (none for width ≤ 0, all for ≥ GK_LANES).
GK_AVX512 static inline GK_MASK GK_NAME(width_mask)(long width) {
    return width >= GK_LANES ? (GK_MASK)((1u << GK_LANES) - 1)
           : width <= 0      ? (GK_MASK)0
                             : (GK_MASK)((1u << width) - 1);
}

// One FMA row of the tile: accumulators[r][v] += A(r, p) · b[v] for every vector v.
#define GK_TILE_ROW(r, vectors)                                                                                        \
    {                                                                                                                  \
        GK_VEC scalar = GK_OP(set1_ps)(rowStart[r][offset]);                                                           \
        for (int v = 0; v < (vectors); v++) accumulators[r][v] = GK_OP(fmadd_ps)(scalar, bRow[v], accumulators[r][v]); \
    }

// tile_<vectors>: the tile C[0 ..< rows][0 ..< columns] for columns ≤ GK_LANES·vectors.
// Rows past `rows` repeat row 0 (computed, never stored), so the loop has no row test.
#define GK_DEFINE_TILE(vectors)                                                                                        \
    GK_AVX512 static void GK_NAME(tile##vectors)(                                                                      \
        size_t rows, size_t columns, size_t depth, float alpha, const float *a, size_t aRowStride,                     \
        size_t aDepthStride, const float *b, size_t ldb, float beta, float *c, size_t ldc, int transposedC) {          \
        GK_VEC accumulators[GK_TILE_ROWS][vectors];                                                                    \
        for (int r = 0; r < GK_TILE_ROWS; r++)                                                                         \
            for (int v = 0; v < (vectors); v++) accumulators[r][v] = GK_OP(setzero_ps)();                              \
        GK_MASK lastMask = GK_NAME(width_mask)((long)columns - GK_LANES * ((vectors) - 1));                            \
        const float *rowStart[GK_TILE_ROWS];                                                                           \
        for (size_t r = 0; r < GK_TILE_ROWS; r++) rowStart[r] = a + (r < rows ? r : 0) * aRowStride;                   \
        for (size_t p = 0; p < depth; p++) {                                                                           \
            const float *bSource = b + p * ldb;                                                                        \
            GK_VEC bRow[vectors];                                                                                      \
            for (int v = 0; v < (vectors) - 1; v++) bRow[v] = GK_OP(loadu_ps)(bSource + GK_LANES * v);                 \
            bRow[(vectors) - 1] = GK_OP(maskz_loadu_ps)(lastMask, bSource + GK_LANES * ((vectors) - 1));               \
            size_t offset = p * aDepthStride;                                                                          \
            GK_TILE_ROW(0, vectors) GK_TILE_ROW(1, vectors) GK_TILE_ROW(2, vectors)                                    \
            GK_TILE_ROW(3, vectors) GK_TILE_ROW(4, vectors) GK_TILE_ROW(5, vectors)                                    \
        }                                                                                                              \
        GK_VEC scale = GK_OP(set1_ps)(alpha);                                                                          \
        if (!transposedC) {                                                                                            \
            for (size_t r = 0; r < rows; r++) {                                                                        \
                for (int v = 0; v < (vectors); v++) {                                                                  \
                    GK_MASK mask = v == (vectors) - 1 ? lastMask : GK_NAME(width_mask)(GK_LANES);                      \
                    float *target = c + r * ldc + GK_LANES * v;                                                        \
                    GK_VEC value = GK_OP(mul_ps)(scale, accumulators[r][v]);                                           \
                    if (beta != 0)                                                                                     \
                        value = GK_OP(fmadd_ps)(GK_OP(set1_ps)(beta), GK_OP(maskz_loadu_ps)(mask, target), value);     \
                    GK_OP(mask_storeu_ps)(target, mask, value);                                                        \
                }                                                                                                      \
            }                                                                                                          \
            return;                                                                                                    \
        }                                                                                                              \
        /* Transposed C: tile row r is C's column r. Through the stack, one C row (≤ 6 floats) at a time. */        \
        float staged[GK_TILE_ROWS][GK_LANES * (vectors)] __attribute__((aligned(64)));                                 \
        for (int r = 0; r < GK_TILE_ROWS; r++)                                                                         \
            for (int v = 0; v < (vectors); v++) GK_OP(store_ps)(&staged[r][GK_LANES * v], accumulators[r][v]);         \
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

/// C = alpha·A·B + beta·C (see gk_sgemm_unpacked), one column block of C at a time.
GK_AVX512 static void GK_NAME(sgemm)(size_t rows, size_t columns, size_t depth, float alpha, const float *a,
                                     size_t aRowStride, size_t aDepthStride, const float *b, size_t ldb, float beta,
                                     float *c, size_t ldc, int transposedC) {
    typedef void (*Tile)(size_t, size_t, size_t, float, const float *, size_t, size_t, const float *, size_t, float,
                         float *, size_t, int);
    static const Tile tiles[4] = {GK_NAME(tile1), GK_NAME(tile2), GK_NAME(tile3), GK_NAME(tile4)};
    // A shallow B block (a weight gradient's batch rows) is copied into one aligned, contiguous
    // panel first, which every row tile then reads: read in place, rows 4 KiB apart (1024
    // inputs) share L1 sets and evicted each other, 0.74-0.87x OpenBLAS on keras' 1024 -> 784.
    float panel[GK_PANEL_DEPTH * GK_BLOCK_COLUMNS] __attribute__((aligned(64)));
    int copies = depth <= GK_PANEL_DEPTH && rows > GK_TILE_ROWS;
    for (size_t j = 0; j < columns; j += GK_BLOCK_COLUMNS) {
        size_t width = columns - j < GK_BLOCK_COLUMNS ? columns - j : GK_BLOCK_COLUMNS;
        Tile tile = tiles[(width + GK_LANES - 1) / GK_LANES - 1];
        const float *bBlock = b + j;
        size_t bStride = ldb;
        if (copies) {
            GK_MASK masks[4];
            for (int v = 0; v < 4; v++) masks[v] = GK_NAME(width_mask)((long)width - GK_LANES * v);
            for (size_t p = 0; p < depth; p++)
                for (int v = 0; v < 4; v++)
                    GK_OP(store_ps)(panel + p * GK_BLOCK_COLUMNS + GK_LANES * v,
                                    GK_OP(maskz_loadu_ps)(masks[v], b + p * ldb + j + GK_LANES * v));
            bBlock = panel;
            bStride = GK_BLOCK_COLUMNS;
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

#undef GK_TILE_ROW
#undef GK_DEFINE_TILE
#undef GK_BLOCK_COLUMNS
