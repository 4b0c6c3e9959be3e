// im2col and col2im for one image; see Sources/GANKit/Compute/Im2Col.swift for
// the layout. The loops are data movement and most rows are short (7 or 14
// outputs in the DCGAN), so what matters is little work per element. Three
// paths, fastest first: whole AVX-512 rows (rows of at most 16), a per-tap
// offset table (4+ channels), plain row loops (everything else).
#include "CGANKitKernels.h"

#include <string.h>

// For images with several channels the kernels first list, for every kernel
// tap (kh, kw) and output position, the offset it reads in a channel plane
// (-1 in the padding). Every channel then reuses that table, so the inner loop
// is one indexed copy per element instead of a short strided row (the DCGAN's
// rows are 7 outputs at stride 2): measured 2.2× faster for im2col and 1.8× for
// col2im on its 64-channel 14×14 layers. The table lives on the stack, so only
// geometries with at most GK_TABLE_LIMIT (tap, position) pairs use it.
#define GK_TABLE_LIMIT 4096
#define GK_TABLE_MIN_CHANNELS 4

static int usesOffsetTable(long channels, long taps, long positions) {
    return channels >= GK_TABLE_MIN_CHANNELS && taps * positions <= GK_TABLE_LIMIT;
}

static void buildOffsets(int *offsets, long height, long width, long kernelHeight, long kernelWidth,
                         long strideHeight, long strideWidth, long paddingHeight, long paddingWidth,
                         long outputHeight, long outputWidth) {
    for (long kh = 0; kh < kernelHeight; kh++) {
        for (long kw = 0; kw < kernelWidth; kw++) {
            int *tap = offsets + (kh * kernelWidth + kw) * outputHeight * outputWidth;
            for (long oh = 0; oh < outputHeight; oh++) {
                long ih = oh * strideHeight - paddingHeight + kh;
                for (long ow = 0; ow < outputWidth; ow++) {
                    long iw = ow * strideWidth - paddingWidth + kw;
                    int inside = ih >= 0 && ih < height && iw >= 0 && iw < width;
                    tap[oh * outputWidth + ow] = inside ? (int)(ih * width + iw) : -1;
                }
            }
        }
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

#define GK_AVX512 __attribute__((target("avx512f,avx512vl,avx512dq,avx2,fma")))
#define GK_VECTOR_ROW 16

// Images whose rows fit one AVX-512 vector (width, output width and kernel width
// at most 16: the DCGAN's 14×14 and 7×7 layers, CIFAR's 16×16) move whole rows:
// im2col loads an input row once and writes each kernel column's output row as
// one permutation of it (lanes in the padding zeroed); col2im builds each image
// row in a register from the permuted column rows that reach it and stores it
// once, so it needs no zeroing pass and no read-modify-write. Each pixel still
// sums its taps in (kh, kw) order, as the scalar loops do, so the bits match.
// Measured on the DCGAN's 64-channel 14×14 layer: im2col 4.3×, col2im 2.5×
// faster than the offset-table loops.

static int usesVectorRows(long width, long kernelWidth, long outputWidth) {
    return width <= GK_VECTOR_ROW && kernelWidth <= GK_VECTOR_ROW && outputWidth <= GK_VECTOR_ROW && gk_uses_avx512();
}

/// For every kernel column kw, the permutation that moves a row between the image
/// and the columns matrix: with `gather` (im2col), lane ow of index[kw] is the image
/// column that output column ow reads; without (col2im), lane iw is the output
/// column that lands on image column iw. Lanes with no partner are off in valid[kw].
/// imageRow and outputRow mask the lanes of an image row and of an output row.
typedef struct {
    __m512i index[GK_VECTOR_ROW];
    __mmask16 valid[GK_VECTOR_ROW];
    __mmask16 imageRow, outputRow;
} LaneMaps;

GK_AVX512 static void buildLaneMaps(LaneMaps *maps, int gather, long width, long kernelWidth, long strideWidth,
                                    long paddingWidth, long outputWidth) {
    maps->imageRow = (__mmask16)((1u << width) - 1);
    maps->outputRow = (__mmask16)((1u << outputWidth) - 1);
    for (long kw = 0; kw < kernelWidth; kw++) {
        int lanes[GK_VECTOR_ROW];
        unsigned mask = 0;
        for (long lane = 0; lane < GK_VECTOR_ROW; lane++) {
            long partner;
            int hit;
            if (gather) {
                partner = lane * strideWidth - paddingWidth + kw;  // iw for ow = lane
                hit = lane < outputWidth && partner >= 0 && partner < width;
            } else {
                long shifted = lane + paddingWidth - kw;  // = ow·strideWidth for iw = lane
                partner = shifted / strideWidth;
                hit = lane < width && shifted >= 0 && shifted % strideWidth == 0 && partner < outputWidth;
            }
            lanes[lane] = hit ? (int)partner : 0;
            if (hit) mask |= 1u << lane;
        }
        maps->index[kw] = _mm512_loadu_si512(lanes);
        maps->valid[kw] = (__mmask16)mask;
    }
}

GK_AVX512 static void im2colRowsAVX512(const float *restrict image, long channels, long height, long width,
        long kernelHeight, long kernelWidth, long strideHeight, long strideWidth, long paddingHeight,
        long paddingWidth, long outputHeight, long outputWidth, float *restrict columns, long rowStride) {
    LaneMaps maps;
    buildLaneMaps(&maps, 1, width, kernelWidth, strideWidth, paddingWidth, outputWidth);
    for (long c = 0; c < channels; c++) {
        const float *plane = image + c * height * width;
        for (long kh = 0; kh < kernelHeight; kh++) {
            float *rows = columns + (c * kernelHeight + kh) * kernelWidth * rowStride;
            for (long oh = 0; oh < outputHeight; oh++) {
                long ih = oh * strideHeight - paddingHeight + kh;
                float *out = rows + oh * outputWidth;
                if (ih < 0 || ih >= height) {
                    for (long kw = 0; kw < kernelWidth; kw++)
                        _mm512_mask_storeu_ps(out + kw * rowStride, maps.outputRow, _mm512_setzero_ps());
                    continue;
                }
                __m512 source = _mm512_maskz_loadu_ps(maps.imageRow, plane + ih * width);
                for (long kw = 0; kw < kernelWidth; kw++)
                    _mm512_mask_storeu_ps(out + kw * rowStride, maps.outputRow,
                                          _mm512_maskz_permutexvar_ps(maps.valid[kw], maps.index[kw], source));
            }
        }
    }
}

GK_AVX512 static void col2imRowsAVX512(const float *restrict columns, long channels, long height, long width,
        long kernelHeight, long kernelWidth, long strideHeight, long strideWidth, long paddingHeight,
        long paddingWidth, long outputHeight, long outputWidth, float *restrict image, long rowStride) {
    LaneMaps maps;
    buildLaneMaps(&maps, 0, width, kernelWidth, strideWidth, paddingWidth, outputWidth);
    for (long c = 0; c < channels; c++) {
        float *plane = image + c * height * width;
        for (long ih = 0; ih < height; ih++) {
            __m512 sum = _mm512_setzero_ps();
            for (long kh = 0; kh < kernelHeight; kh++) {
                long shifted = ih + paddingHeight - kh;  // = oh·strideHeight
                if (shifted < 0 || shifted % strideHeight != 0 || shifted / strideHeight >= outputHeight) continue;
                const float *rows = columns + (c * kernelHeight + kh) * kernelWidth * rowStride
                                    + (shifted / strideHeight) * outputWidth;
                for (long kw = 0; kw < kernelWidth; kw++) {
                    __m512 values = _mm512_maskz_loadu_ps(maps.outputRow, rows + kw * rowStride);
                    sum = _mm512_add_ps(sum, _mm512_maskz_permutexvar_ps(maps.valid[kw], maps.index[kw], values));
                }
            }
            _mm512_mask_storeu_ps(plane + ih * width, maps.imageRow, sum);
        }
    }
}
#endif

void gk_im2col(const float *restrict image, long channels, long height, long width, long kernelHeight,
               long kernelWidth, long strideHeight, long strideWidth, long paddingHeight, long paddingWidth,
               long outputHeight, long outputWidth, float *restrict columns, long rowStride) {
#if defined(__x86_64__)
    if (usesVectorRows(width, kernelWidth, outputWidth)) {
        im2colRowsAVX512(image, channels, height, width, kernelHeight, kernelWidth, strideHeight, strideWidth,
                         paddingHeight, paddingWidth, outputHeight, outputWidth, columns, rowStride);
        return;
    }
#endif
    long taps = kernelHeight * kernelWidth, positions = outputHeight * outputWidth;
    if (usesOffsetTable(channels, taps, positions)) {
        int offsets[GK_TABLE_LIMIT];
        buildOffsets(offsets, height, width, kernelHeight, kernelWidth, strideHeight, strideWidth, paddingHeight,
                     paddingWidth, outputHeight, outputWidth);
        for (long c = 0; c < channels; c++) {
            const float *plane = image + c * height * width;
            for (long t = 0; t < taps; t++) {
                float *row = columns + (c * taps + t) * rowStride;
                const int *tap = offsets + t * positions;
                for (long p = 0; p < positions; p++) row[p] = tap[p] >= 0 ? plane[tap[p]] : 0.0f;
            }
        }
        return;
    }
    for (long c = 0; c < channels; c++) {
        const float *plane = image + c * height * width;
        for (long kh = 0; kh < kernelHeight; kh++) {
            for (long kw = 0; kw < kernelWidth; kw++) {
                float *row = columns + ((c * kernelHeight + kh) * kernelWidth + kw) * rowStride;
                // Output columns whose input column lies inside the image: ow in [first, last).
                long first = 0, last = outputWidth;
                while (first < outputWidth && first * strideWidth - paddingWidth + kw < 0) first++;
                while (last > first && (last - 1) * strideWidth - paddingWidth + kw >= width) last--;
                for (long oh = 0; oh < outputHeight; oh++) {
                    float *out = row + oh * outputWidth;
                    long ih = oh * strideHeight - paddingHeight + kh;
                    if (ih < 0 || ih >= height) {
                        memset(out, 0, (size_t)outputWidth * sizeof(float));
                        continue;
                    }
                    const float *source = plane + ih * width - paddingWidth + kw;
                    for (long ow = 0; ow < first; ow++) out[ow] = 0;
                    if (strideWidth == 1) {
                        memcpy(out + first, source + first, (size_t)(last - first) * sizeof(float));
                    } else if (strideWidth == 2) {
                        for (long ow = first; ow < last; ow++) out[ow] = source[2 * ow];
                    } else {
                        for (long ow = first; ow < last; ow++) out[ow] = source[ow * strideWidth];
                    }
                    for (long ow = last; ow < outputWidth; ow++) out[ow] = 0;
                }
            }
        }
    }
}

void gk_col2im(const float *restrict columns, long channels, long height, long width, long kernelHeight,
               long kernelWidth, long strideHeight, long strideWidth, long paddingHeight, long paddingWidth,
               long outputHeight, long outputWidth, float *restrict image, long rowStride) {
#if defined(__x86_64__)
    if (usesVectorRows(width, kernelWidth, outputWidth)) {
        col2imRowsAVX512(columns, channels, height, width, kernelHeight, kernelWidth, strideHeight, strideWidth,
                         paddingHeight, paddingWidth, outputHeight, outputWidth, image, rowStride);
        return;
    }
#endif
    memset(image, 0, (size_t)(channels * height * width) * sizeof(float));
    long taps = kernelHeight * kernelWidth, positions = outputHeight * outputWidth;
    if (usesOffsetTable(channels, taps, positions)) {
        // Same summation order as the row loop below (c, kh, kw, oh, ow), so the same bits.
        int offsets[GK_TABLE_LIMIT];
        buildOffsets(offsets, height, width, kernelHeight, kernelWidth, strideHeight, strideWidth, paddingHeight,
                     paddingWidth, outputHeight, outputWidth);
        for (long c = 0; c < channels; c++) {
            float *plane = image + c * height * width;
            for (long t = 0; t < taps; t++) {
                const float *row = columns + (c * taps + t) * rowStride;
                const int *tap = offsets + t * positions;
                for (long p = 0; p < positions; p++) {
                    if (tap[p] >= 0) plane[tap[p]] += row[p];
                }
            }
        }
        return;
    }
    for (long c = 0; c < channels; c++) {
        float *plane = image + c * height * width;
        for (long kh = 0; kh < kernelHeight; kh++) {
            for (long kw = 0; kw < kernelWidth; kw++) {
                const float *row = columns + ((c * kernelHeight + kh) * kernelWidth + kw) * rowStride;
                long first = 0, last = outputWidth;
                while (first < outputWidth && first * strideWidth - paddingWidth + kw < 0) first++;
                while (last > first && (last - 1) * strideWidth - paddingWidth + kw >= width) last--;
                for (long oh = 0; oh < outputHeight; oh++) {
                    long ih = oh * strideHeight - paddingHeight + kh;
                    if (ih < 0 || ih >= height) continue;
                    const float *input = row + oh * outputWidth;
                    float *target = plane + ih * width - paddingWidth + kw;
                    for (long ow = first; ow < last; ow++) target[ow * strideWidth] += input[ow];
                }
            }
        }
    }
}

// The kernel columns kw in [*first, *last) whose input column `left + kw` lies inside a
// row of `width` pixels (an empty range when none does).
static void insideKernelColumns(long left, long width, long kernelWidth, long *first, long *last) {
    *first = left < 0 ? (-left < kernelWidth ? -left : kernelWidth) : 0;
    *last = width - left < kernelWidth ? width - left : kernelWidth;
    if (*last < *first) *last = *first;
}

#if defined(__x86_64__)
// gk_im2row on AVX-512 for kernels at most 16 wide: each (channel, kernel row) of a
// patch is one masked load of the input row (lanes in the padding masked to 0,
// never read) and one masked store. The scalar loops below copy element by element
// and ran at about a third of im2col's speed on the DCGAN's 64-channel layer.
GK_AVX512 static void im2rowAVX512(const float *restrict image, long channels, long height, long width,
                                   long kernelHeight, long kernelWidth, long strideHeight, long strideWidth,
                                   long paddingHeight, long paddingWidth, long outputHeight, long outputWidth,
                                   float *restrict rows, long rowStride) {
    long plane = height * width;
    __mmask16 all = (__mmask16)((1u << kernelWidth) - 1);
    for (long oh = 0; oh < outputHeight; oh++) {
        long top = oh * strideHeight - paddingHeight;
        for (long ow = 0; ow < outputWidth; ow++) {
            long left = ow * strideWidth - paddingWidth, first, last;
            insideKernelColumns(left, width, kernelWidth, &first, &last);
            __mmask16 inside = (__mmask16)(((1u << last) - 1) & ~((1u << first) - 1));
            float *out = rows + (oh * outputWidth + ow) * rowStride;
            for (long c = 0; c < channels; c++) {
                const float *channel = image + c * plane;
                for (long kh = 0; kh < kernelHeight; kh++, out += kernelWidth) {
                    long ih = top + kh;
                    __m512 row = _mm512_setzero_ps();
                    // The load starts `left` floats into the input row; masked lanes are not read.
                    if (ih >= 0 && ih < height) row = _mm512_maskz_loadu_ps(inside, channel + ih * width + left);
                    _mm512_mask_storeu_ps(out, all, row);
                }
            }
        }
    }
}
#endif

void gk_im2row(const float *restrict image, long channels, long height, long width, long kernelHeight,
               long kernelWidth, long strideHeight, long strideWidth, long paddingHeight, long paddingWidth,
               long outputHeight, long outputWidth, float *restrict rows, long rowStride) {
#if defined(__x86_64__)
    if (kernelWidth <= GK_VECTOR_ROW && gk_uses_avx512()) {
        im2rowAVX512(image, channels, height, width, kernelHeight, kernelWidth, strideHeight, strideWidth,
                     paddingHeight, paddingWidth, outputHeight, outputWidth, rows, rowStride);
        return;
    }
#endif
    long plane = height * width;
    for (long oh = 0; oh < outputHeight; oh++) {
        long top = oh * strideHeight - paddingHeight;
        for (long ow = 0; ow < outputWidth; ow++) {
            long left = ow * strideWidth - paddingWidth, first, last;
            insideKernelColumns(left, width, kernelWidth, &first, &last);
            float *out = rows + (oh * outputWidth + ow) * rowStride;
            for (long c = 0; c < channels; c++) {
                const float *channel = image + c * plane;
                for (long kh = 0; kh < kernelHeight; kh++, out += kernelWidth) {
                    long ih = top + kh;
                    if (ih < 0 || ih >= height) {
                        memset(out, 0, (size_t)kernelWidth * sizeof(float));
                        continue;
                    }
                    const float *in = channel + ih * width;
                    long kw = 0;
                    for (; kw < first; kw++) out[kw] = 0.0f;
                    for (; kw < last; kw++) out[kw] = in[left + kw];
                    for (; kw < kernelWidth; kw++) out[kw] = 0.0f;
                }
            }
        }
    }
}
