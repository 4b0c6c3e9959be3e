import Foundation

/// Images kept as their 8-bit pixels, `[N, C, H, W]`, and turned into floats one
/// batch at a time: a quarter of the memory of a `Float` tensor (MNIST's 60 000
/// training images: 47 MB instead of 188 MB).
///
/// A ``BatchSequence`` over it converts each batch's bytes on the scale of
/// ``pixelRange`` with ``PixelRange/value(ofByte:)``, giving exactly the values
/// ``ImageDataset`` holds for the same file, so a seeded run trains the same
/// either way.
///
/// ```swift
/// let images = try ImageBytes.mnist(directory: folder, split: .train)   // [60000, 1, 28, 28] as bytes
/// for batch in BatchSequence(images, batchSize: 64, seed: 42, epoch: 0) {
///     // batch: a Float tensor [64, 1, 28, 28] in [-1, 1]
/// }
/// ```
public struct ImageBytes: BatchSource {
    /// `[N, C, H, W]`.
    public let shape: TensorShape
    /// The scale the bytes become floats on: `[-1, 1]` (default) or `[0, 1]`.
    public let pixelRange: PixelRange
    /// The pixels of all images in row-major order (shared by slices; `first` marks this slice's start).
    private let storage: [UInt8]
    /// The index in `storage` of this slice's first image.
    private let first: Int
    /// `byteValues[b]`: the value of byte `b` on ``pixelRange``.
    private let byteValues: [Float]

    /// Images from their row-major bytes.
    /// - Precondition: `shape` has rank 4 and `bytes.count == shape.elementCount`.
    public init(bytes: [UInt8], shape: TensorShape, pixelRange: PixelRange = .minusOneToOne) {
        require(shape.rank == 4, "ImageBytes: images must be [N, C, H, W], got \(shape)")
        require(bytes.count == shape.elementCount, "ImageBytes: \(shape) needs \(shape.elementCount) bytes, got \(bytes.count)")
        self.init(storage: bytes, first: 0, shape: shape, pixelRange: pixelRange)
    }

    private init(storage: [UInt8], first: Int, shape: TensorShape, pixelRange: PixelRange) {
        self.storage = storage
        self.first = first
        self.shape = shape
        self.pixelRange = pixelRange
        byteValues = pixelRange.byteValues
    }

    /// The number of images (`N`).
    public var count: Int { shape[0] }

    /// Images `range` (no copy of the bytes).
    /// - Precondition: `range` lies within `0..<count`.
    public func slice(_ range: Range<Int>) -> ImageBytes {
        require(range.lowerBound >= 0 && range.upperBound <= count,
                "ImageBytes: images \(range) out of range 0..<\(count)")
        return ImageBytes(storage: storage, first: first + range.lowerBound, shape: shape.replacingFirst(with: range.count),
                          pixelRange: pixelRange)
    }

    /// All images as floats, `[N, C, H, W]` on ``pixelRange`` (4 bytes per pixel; for
    /// evaluation sets and grids, not for a training set that only needs batches).
    public func floats() -> Tensor {
        var tensor = Tensor(zeros: shape)
        tensor.withUnsafeMutableBufferPointer { values in
            if let base = values.baseAddress { convert(0..<count, into: base) }
        }
        return tensor
    }

    /// Writes images `indices`, converted to floats, one after another into `destination`.
    public func copySamples(_ indices: ArraySlice<Int>, into destination: UnsafeMutablePointer<Float>) {
        let row = shape.elementsPerItem
        for (position, index) in indices.enumerated() { convert(index..<(index + 1), into: destination + position * row) }
    }

    /// Writes the consecutive images `images`, converted to floats, into `destination`.
    private func convert(_ images: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
        let row = shape.elementsPerItem
        storage.withUnsafeBufferPointer { bytes in
            byteValues.withUnsafeBufferPointer { table in
                let source = bytes.baseAddress! + (first + images.lowerBound) * row
                for j in 0..<(images.count * row) { destination[j] = table[Int(source[j])] }
            }
        }
    }

    /// Reads a 3-D IDX file `[N, H, W]` (gzip or plain) as images `[N, 1, H, W]`.
    /// - Throws: `IDXError` for a malformed file or one that is not 3-D.
    public static func loadIDX(contentsOf url: URL, pixelRange: PixelRange = .minusOneToOne) throws -> ImageBytes {
        let file = try IDXFile.read(contentsOf: url)
        guard file.dimensions.count == 3 else {
            throw IDXError.unexpectedDimensions(file: url.path, expectedRank: 3, found: file.dimensions)
        }
        return ImageBytes(bytes: file.bytes, shape: [file.dimensions[0], 1, file.dimensions[1], file.dimensions[2]],
                          pixelRange: pixelRange)
    }

    /// MNIST's (or a drop-in replacement's) images of `split` from `directory`, found
    /// under the same names as ``ImageDataset/mnist(directory:split:pixelRange:)`` finds them.
    /// - Throws: `IDXError.missingFile` listing the names tried when no image file exists.
    public static func mnist(directory: URL, split: ImageDataset.Split,
                             pixelRange: PixelRange = .minusOneToOne) throws -> ImageBytes {
        try loadIDX(contentsOf: ImageDataset.mnistFiles(in: directory, split: split).images, pixelRange: pixelRange)
    }
}
