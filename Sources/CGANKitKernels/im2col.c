// im2col and col2im for one image; see Sources/GANKit/Compute/Im2Col.swift for
// the layout. Plain C (baseline instruction set): the loops are data movement,
// and most rows are short (7 or 14 outputs in the DCGAN), so what matters is
// little work per row, which the Swift version (range arithmetic per row) lacked.
#include "CGANKitKernels.h"

#include <string.h>

void gk_im2col(const float *restrict image, long channels, long height, long width, long kernelHeight,
               long kernelWidth, long strideHeight, long strideWidth, long paddingHeight, long paddingWidth,
               long outputHeight, long outputWidth, float *restrict columns, long rowStride) {
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
    memset(image, 0, (size_t)(channels * height * width) * sizeof(float));
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
