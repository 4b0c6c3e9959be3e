// The blocked single-precision GEMM, compiled per instruction set by gemm.c,
// which defines GK_NAME(name), GK_TARGET and GK_VECTOR_BYTES (32 or 64) first.
//
// Goto/BLIS structure, row-major C (m×n, stride ldc) = alpha·op(A)·op(B) + beta·C:
//   for each KC-deep slice of op(A)/op(B):              (beta applies to the first only)
//     for each NC-wide column block of C:  pack op(B)  → KC × NC, NR-column micro-panels [p][j]
//       for each MC-tall row block of C:   pack op(A)  → MC × KC, MR-row micro-panels   [p][r]
//         for each micro-panel pair: the MR × NR register tile (12 vector accumulators)
// Packed panels are zero-padded to whole tiles, and each element of C is summed over
// p in the same order wherever its tile falls, so the result does not depend on how
// callers split C between threads.

#define GK_VW (GK_VECTOR_BYTES / 4)   /* floats per vector */
#define GK_NR (2 * GK_VW)             /* columns of a register tile: two vectors */

typedef float GK_NAME(vector) __attribute__((vector_size(GK_VECTOR_BYTES), aligned(4)));

/// The MR × NR register tile: C[0..<rows, 0..<columns] = alpha·Σₚ a[p]·b[p] + beta·C (C not read when beta == 0).
/// - a: packed A micro-panel, kc × MR floats [p][r]
/// - b: packed B micro-panel, kc × NR floats [p][j]
/// - c: the tile's top-left element (row stride ldc)
GK_TARGET static void GK_NAME(tile)(size_t kc, const float *restrict a, const float *restrict b, float *restrict c,
                                    size_t ldc, float alpha, float beta, size_t rows, size_t columns) {
    typedef GK_NAME(vector) V;
    V c00 = {0}, c01 = {0}, c10 = {0}, c11 = {0}, c20 = {0}, c21 = {0};
    V c30 = {0}, c31 = {0}, c40 = {0}, c41 = {0}, c50 = {0}, c51 = {0};
    for (size_t p = 0; p < kc; p++) {
        V b0 = *(const V *)b, b1 = *(const V *)(b + GK_VW);
        c00 += b0 * a[0]; c01 += b1 * a[0];
        c10 += b0 * a[1]; c11 += b1 * a[1];
        c20 += b0 * a[2]; c21 += b1 * a[2];
        c30 += b0 * a[3]; c31 += b1 * a[3];
        c40 += b0 * a[4]; c41 += b1 * a[4];
        c50 += b0 * a[5]; c51 += b1 * a[5];
        a += GK_MR;
        b += GK_NR;
    }
    V sums[GK_MR][2] = {{c00, c01}, {c10, c11}, {c20, c21}, {c30, c31}, {c40, c41}, {c50, c51}};
    if (rows == GK_MR && columns == GK_NR) {
        for (size_t r = 0; r < GK_MR; r++) {
            V *row = (V *)(c + r * ldc);
            V v0 = alpha * sums[r][0], v1 = alpha * sums[r][1];
            if (beta != 0) { v0 += beta * row[0]; v1 += beta * ((V *)(c + r * ldc + GK_VW))[0]; }
            row[0] = v0;
            ((V *)(c + r * ldc + GK_VW))[0] = v1;
        }
        return;
    }
    const float *flat = (const float *)sums;
    for (size_t r = 0; r < rows; r++) {
        for (size_t j = 0; j < columns; j++) {
            float value = alpha * flat[r * GK_NR + j];
            if (beta != 0) value += beta * c[r * ldc + j];
            c[r * ldc + j] = value;
        }
    }
}

/// Packs op(A)[i0 ..< i0+mc, p0 ..< p0+kc] into MR-row micro-panels [panel][p][r], zero-padding rows past mc.
GK_TARGET static void GK_NAME(pack_a)(int transA, const float *restrict a, size_t lda, size_t i0, size_t mc, size_t p0,
                                      size_t kc, float *restrict packed) {
    for (size_t ir = 0; ir < mc; ir += GK_MR) {
        size_t valid = mc - ir < GK_MR ? mc - ir : GK_MR;
        float *panel = packed + ir * kc;
        if (transA) {
            for (size_t p = 0; p < kc; p++) {
                const float *source = a + (p0 + p) * lda + i0 + ir;
                for (size_t r = 0; r < GK_MR; r++) panel[p * GK_MR + r] = r < valid ? source[r] : 0.0f;
            }
        } else {
            for (size_t r = 0; r < GK_MR; r++) {
                const float *source = a + (i0 + ir + r) * lda + p0;
                if (r < valid) {
                    for (size_t p = 0; p < kc; p++) panel[p * GK_MR + r] = source[p];
                } else {
                    for (size_t p = 0; p < kc; p++) panel[p * GK_MR + r] = 0.0f;
                }
            }
        }
    }
}

/// Packs op(B)[p0 ..< p0+kc, j0 ..< j0+nc] into NR-column micro-panels [panel][p][j], zero-padding columns past nc.
GK_TARGET static void GK_NAME(pack_b)(int transB, const float *restrict b, size_t ldb, size_t p0, size_t kc, size_t j0,
                                      size_t nc, float *restrict packed) {
    for (size_t jr = 0; jr < nc; jr += GK_NR) {
        size_t valid = nc - jr < GK_NR ? nc - jr : GK_NR;
        float *panel = packed + jr * kc;
        if (!transB) {
            for (size_t p = 0; p < kc; p++) {
                const float *source = b + (p0 + p) * ldb + j0 + jr;
                float *target = panel + p * GK_NR;
                if (valid == GK_NR) {
                    for (size_t j = 0; j < GK_NR; j++) target[j] = source[j];
                } else {
                    for (size_t j = 0; j < GK_NR; j++) target[j] = j < valid ? source[j] : 0.0f;
                }
            }
        } else {
            for (size_t j = 0; j < GK_NR; j++) {
                const float *source = b + (j0 + jr + j) * ldb + p0;
                if (j < valid) {
                    for (size_t p = 0; p < kc; p++) panel[p * GK_NR + j] = source[p];
                } else {
                    for (size_t p = 0; p < kc; p++) panel[p * GK_NR + j] = 0.0f;
                }
            }
        }
    }
}

/// C[rows m0..<m1, columns n0..<n1] = alpha·op(A)·op(B) + beta·C on one thread; scratch: gk_sgemm_scratch_bytes().
GK_TARGET static void GK_NAME(sgemm_block)(int transA, int transB, size_t m0, size_t m1, size_t n0, size_t n1, size_t k,
                                           float alpha, const float *a, size_t lda, const float *b, size_t ldb,
                                           float beta, float *c, size_t ldc, void *scratch) {
    float *packedA = (float *)scratch;
    float *packedB = packedA + GK_MC * GK_KC;
    for (size_t pc = 0; pc < k; pc += GK_KC) {
        size_t kc = k - pc < GK_KC ? k - pc : GK_KC;
        float blockBeta = pc == 0 ? beta : 1.0f;
        for (size_t jc = n0; jc < n1; jc += GK_NC) {
            size_t nc = n1 - jc < GK_NC ? n1 - jc : GK_NC;
            GK_NAME(pack_b)(transB, b, ldb, pc, kc, jc, nc, packedB);
            for (size_t ic = m0; ic < m1; ic += GK_MC) {
                size_t mc = m1 - ic < GK_MC ? m1 - ic : GK_MC;
                GK_NAME(pack_a)(transA, a, lda, ic, mc, pc, kc, packedA);
                for (size_t jr = 0; jr < nc; jr += GK_NR) {
                    size_t columns = nc - jr < GK_NR ? nc - jr : GK_NR;
                    for (size_t ir = 0; ir < mc; ir += GK_MR) {
                        size_t rows = mc - ir < GK_MR ? mc - ir : GK_MR;
                        GK_NAME(tile)(kc, packedA + ir * kc, packedB + jr * kc, c + (ic + ir) * ldc + jc + jr, ldc,
                                      alpha, blockBeta, rows, columns);
                    }
                }
            }
        }
    }
}

#undef GK_VW
#undef GK_NR
