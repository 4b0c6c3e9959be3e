// GANKit's C kernels: element-wise passes compiled for several instruction
// sets and chosen at run time (AVX-512 or AVX2+FMA on x86-64 when the CPU has
// them, otherwise the baseline build: SSE2 on x86-64, NEON on arm64).
//
// Every function works on raw float buffers; `n` counts elements. Buffers may
// be unaligned; outputs may not overlap inputs unless stated. For a fixed CPU
// the results are deterministic (no threads, no data-dependent order).
#ifndef CGANKITKERNELS_H
#define CGANKITKERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Instruction-set levels, lowest first (gk_supported_level, gk_force_level).
#define GK_LEVEL_BASELINE 1
#define GK_LEVEL_AVX2 2
#define GK_LEVEL_AVX512 3

/// The instruction set the calling thread's kernels run with: "AVX-512", "AVX2+FMA" or "baseline".
const char *gk_kernel_level(void);

/// The best level this CPU supports (GK_LEVEL_…), whatever gk_force_level says.
int gk_supported_level(void);

/// Caps the level of the kernels the calling thread runs at `level` (GK_LEVEL_…;
/// a level above the supported one changes nothing), or removes the cap (0), and
/// returns the previous cap. gk_pool_run gives its chunks the caller's cap, so
/// work split over the pool runs at the same level. For tests, which run every
/// kernel at every level the CPU has; nothing else sets it.
int gk_force_level(int level);

/// The calling thread's cap set by gk_force_level (0: none).
int gk_forced_level(void);

/// 1 when the calling thread's kernels run at AVX-512 (the CPU has it and no lower level is forced), else 0.
int gk_uses_avx512(void);

/// One Adam/AdamW update, fused (PyTorch's formula), for i < n:
///   g' = g[i] + l2·p[i];  p' = p[i]·shrink
///   m[i] = β₁·m[i] + (1 − β₁)·g';  v[i] = β₂·v[i] + (1 − β₂)·g'²
///   p[i] = p' − stepSize·m[i] / (√v[i] / correction2 + ε)
/// p, m, v: [n], updated in place; g: [n].
void gk_adam_update(float *p, const float *g, float *m, float *v, size_t n, float beta1, float beta2,
                    float stepSize, float correction2, float epsilon, float l2, float shrink);

/// Dropout: mask[i] = uᵢ < keep ? scale : 0 and y[i] = x[i]·mask[i], uᵢ = bitsᵢ·2⁻²⁴ from the
/// xoshiro256** generator state[0..<4] (SeededGenerator's s0…s3, advanced in place): draw d
/// gives element 2d bits 40–63 and element 2d + 1 bits 8–31; an odd last element takes
/// bits 40–63 of one more draw. threshold = ⌈keep·2²⁴⌉.  x, y, mask: [n].
void gk_dropout_forward(const float *x, float *y, float *mask, size_t n, uint64_t *state, uint64_t threshold,
                        float scale);
/// y[i] = x[i] > 0 ? x[i] : alpha·x[i].  x, y: [n] (may be the same buffer).
void gk_leaky_relu(const float *x, float *y, size_t n, float alpha);
/// dx[i] = x[i] > 0 ? dy[i] : alpha·dy[i].  x, dy, dx: [n].
void gk_leaky_relu_backward(const float *x, const float *dy, float *dx, size_t n, float alpha);
/// y[i] = x[i] > 0 ? x[i] : 0.  x, y: [n].
void gk_relu(const float *x, float *y, size_t n);
/// dx[i] = x[i] > 0 ? dy[i] : 0.  x, dy, dx: [n].
void gk_relu_backward(const float *x, const float *dy, float *dx, size_t n);
/// y[i] = tanh(x[i]) (Cephes tanhf: relative error ≲ 2e-7).  x, y: [n].
void gk_tanh(const float *x, float *y, size_t n);
/// dx[i] = dy[i]·(1 − y[i]²), y the forward output.  y, dy, dx: [n].
void gk_tanh_backward(const float *y, const float *dy, float *dx, size_t n);

/// y[r·columns + c] += bias[c] for r < rows, c < columns.  y: [rows, columns]; bias: [columns].
void gk_add_row_bias(float *y, const float *bias, size_t rows, size_t columns);
/// sums[c] += Σ_r x[r·columns + c], summed in row order.  x: [rows, columns]; sums: [columns].
void gk_add_column_sums(const float *x, size_t rows, size_t columns, float *sums);

// MARK: - Convolutions

/// Copies the patches of one image [C, H, W] into columns [C·kH·kW, outH·outW] whose rows are
/// rowStride floats apart; positions in the padding read as 0. Every column element is written.
void gk_im2col(const float *image, long channels, long height, long width, long kernelHeight, long kernelWidth,
               long strideHeight, long strideWidth, long paddingHeight, long paddingWidth, long outputHeight,
               long outputWidth, float *columns, long rowStride);
/// The adjoint: zeroes image [C, H, W], then adds every column element where im2col read it
/// (entries in the padding are dropped), in a fixed order: each pixel sums its taps by (kh, kw).
void gk_col2im(const float *columns, long channels, long height, long width, long kernelHeight, long kernelWidth,
               long strideHeight, long strideWidth, long paddingHeight, long paddingWidth, long outputHeight,
               long outputWidth, float *image, long rowStride);
/// The transpose of gk_im2col's columns: rows[q·rowStride + (c·kH + kh)·kW + kw] for output position
/// q = oh·outW + ow is the pixel that patch position (c, kh, kw) reads there (0 in the padding).
/// Each of the outH·outW rows is one patch, contiguous: a weight gradient's B operand.
void gk_im2row(const float *image, long channels, long height, long width, long kernelHeight, long kernelWidth,
               long strideHeight, long strideWidth, long paddingHeight, long paddingWidth, long outputHeight,
               long outputWidth, float *rows, long rowStride);

// MARK: - BatchNorm
// x, y, dy, dx: [N, C, S] (S = 1 for [N, C]); per-channel arrays: [C]. Each call
// handles channels c0 ..< c1; sums in double, in an order fixed by the shape.

/// mean[c] and biased variance[c] over N·S values.
void gk_bn_statistics(const float *x, size_t batch, size_t channels, size_t spatial, size_t c0, size_t c1,
                      float *mean, float *variance);
/// y = (x − mean[c])·scale[c] + shift[c]; shift may be NULL (0).
void gk_bn_normalize(const float *x, float *y, size_t batch, size_t channels, size_t spatial, size_t c0, size_t c1,
                     const float *mean, const float *scale, const float *shift);
/// sumDy[c] = Σ dy, sumDyXhat[c] = invstd[c]·Σ dy·(x − mean[c]).
void gk_bn_gradient_sums(const float *dy, const float *x, size_t batch, size_t channels, size_t spatial, size_t c0,
                         size_t c1, const float *mean, const float *invstd, float *sumDy, float *sumDyXhat);
/// dx = dyScale[c]·dy + centeredScale[c]·(x − mean[c]) + shift[c].
void gk_bn_input_gradient(const float *dy, const float *x, float *dx, size_t batch, size_t channels, size_t spatial,
                          size_t c0, size_t c1, const float *mean, const float *dyScale, const float *centeredScale,
                          const float *shift);

// MARK: - Peak

/// Floating-point operations per second (an FMA counts 2) that `threads` threads
/// reach together running independent vector FMAs of `level` (GK_LEVEL_…, capped
/// at what the CPU supports: AVX-512 zmm, AVX2 ymm, else 4-wide) for `seconds`.
double gk_fma_probe(int level, long threads, double seconds);

// MARK: - Threads

/// A chunk of parallel work: `task(context, chunk)`.
typedef void (*gk_pool_task)(void *context, long chunk);
/// Runs task(context, c) once for every c in 0..<chunks on up to `threads`
/// threads (the caller and persistent pool threads), each taking the next chunk
/// no thread has taken, and returns when all are done. Runs the chunks one after
/// another on the calling thread when called from inside a chunk, or while
/// another thread's job is running. Every chunk runs with the caller's
/// gk_thread_count_override and gk_forced_level. At most 65535 chunks are
/// spread over threads (more run on the caller). No allocation after the pool's
/// threads exist.
void gk_pool_run(long chunks, long threads, gk_pool_task task, void *context);
/// 1 on a thread currently running a gk_pool_run chunk (BLAS then stays single-threaded).
int gk_pool_inside(void);
/// The thread count the calling thread's parallel loops use instead of the
/// process-wide one (Parallelism.withThreadCount), or 0 for none. gk_pool_run
/// gives its chunks the caller's value, like the gk_force_level cap.
long gk_thread_count_override(void);
/// Sets the calling thread's override (0 removes it); returns the previous one.
long gk_set_thread_count_override(long count);

// MARK: - GEMM (the built-in backend's kernel on AVX-512 / AVX2+FMA CPUs)

/// 1 when gk_sgemm_block has an AVX-512 or AVX2+FMA kernel on this CPU, 0 otherwise.
int gk_sgemm_available(void);
/// Bytes of the scratch buffer gk_sgemm_block needs (packed A and B blocks); align it to 64 bytes.
size_t gk_sgemm_scratch_bytes(void);
/// C[m0..<m1, n0..<n1] = alpha·op(A)·op(B) + beta·C, single-threaded, row-major.
/// op(A) is m×k: A[i·lda + p], or A[p·lda + i] when transA; op(B) is k×n: B[p·ldb + j],
/// or B[j·ldb + p] when transB; C[i·ldc + j], not read when beta == 0.
/// Only call when gk_sgemm_available().
void gk_sgemm_block(int transA, int transB, size_t m0, size_t m1, size_t n0, size_t n1, size_t k, float alpha,
                    const float *a, size_t lda, const float *b, size_t ldb, float beta, float *c, size_t ldc,
                    void *scratch);

// MARK: - Unpacked GEMM (Dense layers' skinny products, AVX-512)

/// 1 when gk_sgemm_unpacked has a kernel on this CPU (AVX-512), 0 otherwise.
int gk_unpacked_available(void);
/// C = alpha·A·B + beta·C without copying either operand, single-threaded.
/// A is rows × depth with A(r, p) = a[r·aRowStride + p·aDepthStride] (any layout);
/// B is depth × columns, row p at b + p·ldb (contiguous columns).
/// C(r, j) is c[r·ldc + j], or c[j·ldc + r] when transposedC; not read when beta == 0.
/// Each element is one running sum over p = 0, 1, …, so splitting C between
/// calls does not change its bits. Only call when gk_unpacked_available().
void gk_sgemm_unpacked(size_t rows, size_t columns, size_t depth, float alpha, const float *a, size_t aRowStride,
                       size_t aDepthStride, const float *b, size_t ldb, float beta, float *c, size_t ldc,
                       int transposedC);

// MARK: - Vector width (AVX-512 CPUs)
// On an AVX-512 CPU both GEMM kernels are compiled for zmm and for ymm vectors,
// which give the same bits. Each kernel times both once, at its first call (a
// few milliseconds), and runs ymm only when it was clearly faster on this CPU.

/// The width in bits (256 or 512) gk_sgemm_block runs at on the calling thread
/// (256 on AVX2 CPUs, 0 without the kernel); the rates measured for the choice
/// (GFLOP/s, one thread; 0 when not timed) go to rate256 and rate512 (may be NULL).
int gk_sgemm_vector_width(double *rate256, double *rate512);
/// The same for gk_sgemm_unpacked (0 without the kernel).
int gk_unpacked_vector_width(double *rate256, double *rate512);
/// Makes the calling thread's GEMM kernels run at `bits` (256 or 512; 0 removes
/// it) whatever was measured, for tests comparing the widths; returns the previous
/// value. Only on AVX-512 CPUs, and not passed on to the pool's threads.
int gk_force_vector_width(int bits);

/// target[columns × rows] = sourceᵀ for source rows × columns with row stride ldSource.
void gk_transpose(size_t rows, size_t columns, const float *source, size_t ldSource, float *target);

/// The number of CPUs in this process's affinity mask (Linux), or 0 when unknown
/// (other systems, or the call failed).
long gk_affinity_cpu_count(void);

#ifdef __cplusplus
}
#endif

#endif
