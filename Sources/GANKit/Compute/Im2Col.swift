import CGANKitKernels

/// im2col and col2im: the data movement that turns a convolution into one matrix product.
///
/// A convolution of an image `[C, H, W]` with a kernel `[kH, kW]` reads, for
/// every output position, a `C·kH·kW` patch. `im2col` lays those patches out
/// as the columns of a `[C·kH·kW, outH·outW]` matrix, so that a weight
/// `[outChannels, C·kH·kW]` times the columns is the convolution's output
/// `[outChannels, outH·outW]`. `col2im` is its adjoint: it scatters a columns
/// matrix back onto the image, *adding* where patches overlap — the input
/// gradient of a convolution and the forward pass of a transposed convolution.
///
/// Row index of the columns matrix: `(c·kH + kh)·kW + kw` (the PyTorch weight
/// layout `[out, C, kH, kW]` flattened), column index `oh·outW + ow`.
/// The loops are in C (`gk_im2col`, `gk_col2im`): the DCGAN's rows are 7–14 values
/// long, and the Swift loops' per-row range arithmetic made im2col 11–20 % of a step.

/// The geometry of one 2-D convolution, as seen from its (zero-padded) input image.
///
/// For ConvTranspose2D the "image" is the transposed convolution's *output*
/// and `outputHeight × outputWidth` its input: the same geometry, read backwards.
struct ConvolutionGeometry: Sendable, Equatable {
    var channels: Int
    var height: Int, width: Int
    var kernelHeight: Int, kernelWidth: Int
    var strideHeight: Int, strideWidth: Int
    var paddingHeight: Int, paddingWidth: Int
    var outputHeight: Int, outputWidth: Int

    /// Rows of the columns matrix: `channels·kH·kW`.
    var patchSize: Int { channels * kernelHeight * kernelWidth }
    /// Columns of the columns matrix: `outH·outW`.
    var positions: Int { outputHeight * outputWidth }
    /// Elements of one image: `channels·H·W`.
    var imageSize: Int { channels * height * width }

    /// `(size + 2·padding − kernel) / stride + 1`, the convolution output size (PyTorch, dilation 1).
    static func convolutionOutputSize(_ size: Int, kernel: Int, stride: Int, padding: Int) -> Int {
        (size + 2 * padding - kernel) / stride + 1
    }
}

/// Copies the patches of one image into a columns matrix.
///
/// - `image`:   `[C, H, W]` (`geometry.imageSize` elements)
/// - `columns`: `[C·kH·kW, outH·outW]`, row-major with rows `rowStride` apart (default
///   `outH·outW`; larger when several images' columns sit side by side for one product),
///   fully overwritten (padding reads as 0)
func im2col(_ image: UnsafePointer<Float>, _ geometry: ConvolutionGeometry, columns: UnsafeMutablePointer<Float>,
            rowStride: Int? = nil) {
    let g = geometry
    gk_im2col(image, g.channels, g.height, g.width, g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth,
              g.paddingHeight, g.paddingWidth, g.outputHeight, g.outputWidth, columns, rowStride ?? g.positions)
}

/// Copies the patches of one image into a rows matrix, the transpose of ``im2col(_:_:columns:rowStride:)``'s.
///
/// - `image`: `[C, H, W]` (`geometry.imageSize` elements)
/// - `rows`:  `[outH·outW, C·kH·kW]`: one patch per output position, contiguous, fully
///   overwritten (padding reads as 0)
func im2row(_ image: UnsafePointer<Float>, _ geometry: ConvolutionGeometry, rows: UnsafeMutablePointer<Float>) {
    let g = geometry
    gk_im2row(image, g.channels, g.height, g.width, g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth,
              g.paddingHeight, g.paddingWidth, g.outputHeight, g.outputWidth, rows, g.patchSize)
}

/// Adds the columns matrix back onto one image (the adjoint of ``im2col(_:_:columns:)``).
///
/// - `columns`: `[C·kH·kW, outH·outW]`, rows `rowStride` apart (default `outH·outW`)
/// - `image`:   `[C, H, W]`, fully overwritten: zeroed, then every column entry
///   is added at the position it was read from (entries in the padding are dropped).
///   The summation order is fixed, so results are bit-identical run to run.
func col2im(_ columns: UnsafePointer<Float>, _ geometry: ConvolutionGeometry, image: UnsafeMutablePointer<Float>,
            rowStride: Int? = nil) {
    let g = geometry
    gk_col2im(columns, g.channels, g.height, g.width, g.kernelHeight, g.kernelWidth, g.strideHeight, g.strideWidth,
              g.paddingHeight, g.paddingWidth, g.outputHeight, g.outputWidth, image, rowStride ?? g.positions)
}

// MARK: - Scratch and chunking shared by the convolution layers

/// Raw, 64-byte aligned `Float` memory owned by one layer and reused across
/// steps (im2col columns, per-chunk weight-gradient partials).
///
/// It grows only when a larger size is requested, so once shapes settle a
/// training step allocates nothing. Contents are unspecified on each request.
/// Not `Sendable`: the owning layer passes `pointer(count:)` into `parallelFor`
/// through `SendablePointer`, with each chunk using its own disjoint slice.
final class ScratchMemory {
    private var base: UnsafeMutablePointer<Float>?
    private var capacity = 0

    init() {}

    /// At least `count` writable floats, valid until the next larger request.
    func pointer(count: Int) -> UnsafeMutablePointer<Float> {
        if count > capacity || base == nil {
            base.map { UnsafeMutableRawPointer($0).deallocate() }
            let bytes = max(count, 1) * MemoryLayout<Float>.stride
            base = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: 64)
                .bindMemory(to: Float.self, capacity: max(count, 1))
            capacity = max(count, 1)
        }
        return base!
    }

    deinit { base.map { UnsafeMutableRawPointer($0).deallocate() } }
}

/// How many images a convolution puts side by side in one matrix product: as
/// many as fit `[patchSize, images·positions]` columns in 1 MiB (at least 1, at
/// most `images`). One product over a group replaces one per image: the DCGAN's
/// per-image products are 49 or 196 columns wide (n = 49 ran OpenBLAS at about
/// 60 % of its square-matrix speed). Measured on dcgan@64, 1 thread, CPU ms per
/// step: one image 90–94, 1 MiB 85–87, 4 MiB 91–95, 16 MiB 109–115 (im2col's
/// scattered writes leave L2 once the columns outgrow it).
func imageGroupSize(patchSize: Int, positions: Int, images: Int) -> Int {
    max(1, min(images, (1 << 18) / max(1, patchSize * positions)))
}

/// `target[j][c][p] = source[c][j·positions + p]` for j < count: a group's product
/// output `[channels, count·positions]` back to `count` images `[channels, positions]`
/// (`imageStride` floats apart); with `gather: true` the reverse copy.
func regroupImages(_ grouped: UnsafeMutablePointer<Float>, _ images: UnsafeMutablePointer<Float>, count: Int,
                   channels: Int, positions: Int, imageStride: Int, gather: Bool) {
    let width = count * positions
    for j in 0..<count {
        for c in 0..<channels {
            let row = grouped + c * width + j * positions, image = images + j * imageStride + c * positions
            if gather { row.update(from: image, count: positions) } else { image.update(from: row, count: positions) }
        }
    }
}

/// How many contiguous chunks of images the convolution kernels split a batch into:
/// one per thread, never more than the batch. Chunk `i` covers
/// `chunkRange(i, of: chunks, count: batch)` and owns scratch slice `i`.
func imageChunkCount(batch: Int) -> Int { min(Parallelism.threadCount, batch) }

/// Work done per chunk of images by ``forEachImageChunk(batch:chunks:_:)``.
protocol ImageChunkKernel: Sendable {
    /// Processes `images` (a contiguous range of the batch) with scratch slice `chunk`.
    func run(chunk: Int, images: Range<Int>)
}

/// Runs `kernel` for every chunk of `imageChunkCount(batch:)`, in parallel.
///
/// The chunk index (not the thread) selects the scratch slice and the
/// weight-gradient partial, so combining partials in chunk order gives the same
/// bits on every run with the same `Parallelism.threadCount`.
func forEachImageChunk<Kernel: ImageChunkKernel>(batch: Int, chunks: Int, _ kernel: Kernel) {
    parallelFor(chunks, ImageChunks(batch: batch, chunks: chunks, kernel: kernel))
}

/// Adapts an ``ImageChunkKernel`` to `parallelFor`'s ranges of chunk indices.
private struct ImageChunks<Kernel: ImageChunkKernel>: ParallelKernel {
    let batch: Int, chunks: Int
    let kernel: Kernel

    func run(_ chunkIndices: Range<Int>) {
        for chunk in chunkIndices { kernel.run(chunk: chunk, images: chunkRange(chunk, of: chunks, count: batch)) }
    }
}

/// The scratch of one convolution call, split by chunk of images: chunk `i` owns
/// `slice` floats at `base + i·slice`, first the columns `[patchSize, group·positions]`
/// of its current group of images, then the staging matrix `[channels, group·positions]`
/// that a group's product passes through on its way to or from the images, then (when
/// asked for) room for the same patches as rows `[group·positions, patchSize]`.
struct ChunkScratch: Sendable {
    /// Images per group (see ``imageGroupSize(patchSize:positions:images:)``).
    let group: Int
    private let base: SendablePointer<Float>
    private let columnCount: Int, stagingCount: Int, slice: Int

    /// Sizes the scratch for `batch` images in `chunks` chunks and takes it from `memory`.
    /// `channels` is the other side of the product: the output channels of a Conv2D,
    /// the input channels of a ConvTranspose2D. `patchRows` adds ``patchRows(chunk:)``.
    init(_ memory: ScratchMemory, _ g: ConvolutionGeometry, channels: Int, batch: Int, chunks: Int,
         patchRows: Bool = false) {
        group = imageGroupSize(patchSize: g.patchSize, positions: g.positions, images: (batch + chunks - 1) / chunks)
        columnCount = group * g.patchSize * g.positions
        stagingCount = group * channels * g.positions
        slice = columnCount + stagingCount + (patchRows ? columnCount : 0)
        base = SendablePointer(memory.pointer(count: chunks * slice))
    }

    /// Chunk `chunk`'s columns matrix.
    func columns(chunk: Int) -> UnsafeMutablePointer<Float> { base.pointer + chunk * slice }
    /// Chunk `chunk`'s staging matrix.
    func staging(chunk: Int) -> UnsafeMutablePointer<Float> { columns(chunk: chunk) + columnCount }
    /// Chunk `chunk`'s patch rows (only when the scratch was made with `patchRows`).
    func patchRows(chunk: Int) -> UnsafeMutablePointer<Float> { staging(chunk: chunk) + stagingCount }

    /// Calls `body(first, count)` for each group of at most ``group`` consecutive images of `images`.
    func forEachGroup(of images: Range<Int>, _ body: (_ first: Int, _ count: Int) -> Void) {
        for first in stride(from: images.lowerBound, to: images.upperBound, by: group) {
            body(first, min(group, images.upperBound - first))
        }
    }
}

/// Where each chunk of a convolution's backward pass adds its weight gradient, so the
/// sum does not depend on timing: chunk 0 into the gradient itself, chunk `i > 0` into
/// slice `i − 1` of `partials`, which ``addPartials()`` adds in chunk order afterwards.
struct ChunkedWeightGradient: Sendable {
    let gradient: SendablePointer<Float>, partials: SendablePointer<Float>
    let size: Int, chunks: Int
    /// Whether the gradient was zeroed and not filled yet (see `Parameter.withGradientForAccumulation`).
    let overwriteFirst: Bool

    /// Where chunk `chunk` accumulates.
    func target(chunk: Int) -> UnsafeMutablePointer<Float> {
        chunk == 0 ? gradient.pointer : partials.pointer + (chunk - 1) * size
    }

    /// Whether a product into ``target(chunk:)`` overwrites it (β = 0) rather than adds:
    /// a chunk's first group starts its partial afresh, and chunk 0's first group does
    /// so in the gradient when it was just zeroed.
    func overwrites(chunk: Int, firstGroup: Bool) -> Bool { firstGroup && (chunk > 0 || overwriteFirst) }

    /// Adds the partials of chunks 1… into the gradient, in chunk order.
    func addPartials() {
        guard chunks > 1 else { return }
        for chunk in 1..<chunks {
            let partial = partials.pointer + (chunk - 1) * size
            for i in 0..<size { gradient.pointer[i] += partial[i] }
        }
    }
}

/// Calls `body` with `parameter`'s gradient split by chunk (partials taken from
/// `partialMemory`) when `condition` holds, then adds the partials in; calls it with
/// `nil` otherwise (the gradient untouched).
func accumulatingChunkedGradient(of parameter: Parameter, if condition: Bool, chunks: Int,
                                 partialMemory: ScratchMemory, _ body: (ChunkedWeightGradient?) -> Void) {
    guard condition else { return body(nil) }
    let size = parameter.value.count
    let partials = SendablePointer(partialMemory.pointer(count: (chunks - 1) * size))
    parameter.withGradientForAccumulation { gradient, overwriteFirst in
        let chunked = ChunkedWeightGradient(gradient: SendablePointer(gradient.baseAddress!), partials: partials,
                                            size: size, chunks: chunks, overwriteFirst: overwriteFirst)
        body(chunked)
        chunked.addPartials()
    }
}

/// Calls `body` with a pointer to `tensor`'s elements, or `nil` when there is no tensor (an absent bias).
func withPointer<R>(to tensor: Tensor?, _ body: (UnsafePointer<Float>?) -> R) -> R {
    guard let tensor else { return body(nil) }
    return tensor.withUnsafeBufferPointer { body($0.baseAddress!) }
}

/// `[batch, channels, height, width]`, built without an array literal: `TensorShape`'s
/// variadic literal initializer can heap-allocate when the optimiser does not remove the array
/// (measured: one allocation per ConvTranspose2D.backward), and these shapes are built every step.
func imageShape(batch: Int, channels: Int, height: Int, width: Int) -> TensorShape {
    var shape = TensorShape.image
    shape[0] = batch
    shape[1] = channels
    shape[2] = height
    shape[3] = width
    return shape
}

extension TensorShape {
    /// A rank-4 template, created once, that ``imageShape(batch:channels:height:width:)`` fills in.
    fileprivate static let image: TensorShape = [0, 0, 0, 0]
}
