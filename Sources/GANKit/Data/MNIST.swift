import Foundation

/// A set of images as one tensor, with optional integer labels.
///
/// `images` has shape `[N, C, H, W]` with values in `[-1, 1]` (the range of a
/// `tanh` generator): a byte `x` becomes `x / 127.5 - 1`. The IDX loaders
/// (``mnist(directory:split:pixelRange:)``, ``loadIDX(images:labels:pixelRange:)``)
/// can scale to `[0, 1]` instead (`x / 255`, for a `sigmoid` generator; see ``PixelRange``).
///
/// ```swift
/// let mnist = try ImageDataset.mnist(directory: URL(fileURLWithPath: "data/mnist"), split: .train)
/// mnist.images.shape   // [60000, 1, 28, 28]
/// ```
public struct ImageDataset: Sendable {
    /// The images, `[N, C, H, W]`, in `[-1, 1]` (or the ``PixelRange`` they were loaded with).
    public var images: Tensor
    /// One label per image, if labels were loaded.
    public var labels: [Int]?
    /// The name of each label value (`classNames[label]`), when the source has them:
    /// the class folders of ``imageFolder(directory:channels:size:alpha:)``, the CIFAR-10 classes.
    public var classNames: [String]?
    /// Files the reader found but did not load, with the reason in its documentation: the PNG
    /// files next to class subfolders of ``imageFolder(directory:channels:size:alpha:)`` (no class).
    public var skippedFiles: [String] = []

    /// Creates a dataset.
    /// - Precondition: `images` has rank 4 and, if given, `labels.count == images.shape[0]`.
    public init(images: Tensor, labels: [Int]? = nil) {
        require(images.rank == 4, "ImageDataset: images must be [N, C, H, W], got \(images.shape)")
        require(labels == nil || labels?.count == images.shape[0],
                "ImageDataset: \(labels?.count ?? 0) labels for \(images.shape[0]) images")
        self.images = images
        self.labels = labels
    }

    /// The number of images (`N`).
    public var count: Int { images.shape[0] }

    /// Which part of a data set to load (MNIST, CIFAR-10).
    public enum Split: Sendable {
        /// The training images: MNIST's 60 000 (`train-*` files), CIFAR-10's 50 000 (`data_batch_1…5.bin`).
        case train
        /// The test images: MNIST's 10 000 (`t10k-*` files), CIFAR-10's 10 000 (`test_batch.bin`).
        case test

        var prefix: String { self == .train ? "train" : "t10k" }
    }

    /// Loads images (and optionally labels) from IDX files, gzip or plain.
    /// - Parameters:
    ///   - images: A 3-D IDX file `[N, H, W]`; becomes a tensor `[N, 1, H, W]` in `pixelRange`.
    ///   - labels: A 1-D IDX file with `N` entries, or nil.
    ///   - pixelRange: The scale of the loaded values: `[-1, 1]` (default) or `[0, 1]`.
    /// - Throws: `IDXError` for malformed files, wrong dimensions, or differing counts.
    public static func loadIDX(images: URL, labels: URL?,
                               pixelRange: PixelRange = .minusOneToOne) throws -> ImageDataset {
        let pixels = try ImageBytes.loadIDX(contentsOf: images, pixelRange: pixelRange)
        var labelValues: [Int]?
        if let labels {
            let labelFile = try IDXFile.read(contentsOf: labels)
            guard labelFile.dimensions.count == 1 else {
                throw IDXError.unexpectedDimensions(file: labels.path, expectedRank: 1, found: labelFile.dimensions)
            }
            guard labelFile.dimensions[0] == pixels.count else {
                throw IDXError.labelCountMismatch(imagesFile: images.path, imageCount: pixels.count,
                                                  labelsFile: labels.path, labelCount: labelFile.dimensions[0])
            }
            labelValues = labelFile.bytes.map(Int.init)
        }
        return ImageDataset(images: pixels.floats(), labels: labelValues)
    }

    /// Loads MNIST (or a drop-in replacement such as Fashion-MNIST) from a directory.
    ///
    /// Looks for `train-images-idx3-ubyte` / `t10k-images-idx3-ubyte` (also
    /// with `.gz`, or with a `.` before `idx3` as some mirrors name them) and
    /// the matching `-labels-idx1-ubyte` file. Labels are optional: if no
    /// label file exists, `labels` is nil. Images are `[N, 1, H, W]` in `pixelRange`:
    /// `[-1, 1]` (default, for a `tanh` generator) or `[0, 1]` (for a `sigmoid` one).
    /// - Throws: `IDXError.missingFile` listing the names tried when no image file exists.
    public static func mnist(directory: URL, split: Split,
                             pixelRange: PixelRange = .minusOneToOne) throws -> ImageDataset {
        let files = try mnistFiles(in: directory, split: split)
        return try loadIDX(images: files.images, labels: files.labels, pixelRange: pixelRange)
    }

    /// The MNIST image file of `split` in `directory` and its label file, if any.
    /// - Throws: `IDXError.missingFile` listing the names tried when no image file exists.
    static func mnistFiles(in directory: URL, split: Split) throws -> (images: URL, labels: URL?) {
        let imageNames = candidateNames(split.prefix, kind: "images", idx: "idx3")
        guard let images = firstExisting(imageNames, in: directory) else {
            throw IDXError.missingFile(directory: directory.path, triedNames: imageNames)
        }
        return (images, firstExisting(candidateNames(split.prefix, kind: "labels", idx: "idx1"), in: directory))
    }

    private static func candidateNames(_ prefix: String, kind: String, idx: String) -> [String] {
        let bases = ["\(prefix)-\(kind)-\(idx)-ubyte", "\(prefix)-\(kind).\(idx)-ubyte"]
        return bases.flatMap { [$0, $0 + ".gz"] }
    }

    private static func firstExisting(_ names: [String], in directory: URL) -> URL? {
        names.lazy.map { directory.appendingPathComponent($0) }
            .first { FileManager.default.fileExists(atPath: $0.path) }
    }
}

/// Writes images in `pixelRange` (default `[-1, 1]`) as an uncompressed IDX file of unsigned bytes, atomically.
///
/// Single-channel images become `[N, H, W]` (IDX3, the MNIST image format);
/// images with several channels, such as RGB `[N, 3, 32, 32]`, become a
/// 4-dimensional IDX file `[N, C, H, W]` with the channel planes of each
/// image one after the other (the tensor's own NCHW order).
///
/// Each value `x` becomes `round((x + 1) / 2 · 255)` (or `round(x · 255)` for
/// `[0, 1]`) clamped to `0...255`; NaN becomes 0 (``PixelRange/byte(_:)``). This
/// inverts `ImageDataset.loadIDX` with the same range exactly for bytes.
/// - Parameters:
///   - images: `[N, 1, H, W]` or `[N, H, W]` (written as IDX3), or `[N, C, H, W]` with `C > 1` (written as 4-dim IDX).
///   - pixelRange: The scale of `images`: `[-1, 1]` (default, `tanh` generators) or `[0, 1]` (`sigmoid` ones).
///   - url: The destination file.
/// - Throws: `IDXError.invalidTensorShape` for other ranks, `IDXError.writeFailed` on I/O errors.
public func exportIDX(_ images: Tensor, pixelRange: PixelRange = .minusOneToOne, to url: URL) throws {
    let shape = Array(images.shape)
    let dimensions: [Int]
    switch shape.count {
    case 3: dimensions = shape
    case 4 where shape[1] == 1: dimensions = [shape[0], shape[2], shape[3]]
    case 4: dimensions = shape
    default: throw IDXError.invalidTensorShape(shape: shape, reason: "expected [N, C, H, W] or [N, H, W]")
    }
    guard dimensions.allSatisfy({ UInt64($0) <= UInt64(UInt32.max) }) else {
        throw IDXError.invalidTensorShape(shape: shape, reason: "a dimension exceeds the IDX limit of \(UInt32.max)")
    }
    let bytes = images.withUnsafeBufferPointer { values in values.map(pixelRange.byte) }
    try IDXFile(dimensions: dimensions, bytes: bytes).write(to: url)
}

/// Writes class labels `[N]` (whole numbers in 0...255) as an uncompressed IDX1
/// file of unsigned bytes (the MNIST labels format), atomically — e.g. the class
/// each exported sample of a conditional GAN was asked to be.
/// - Throws: `IDXError.invalidTensorShape` for a shape other than `[N]` or a value
///   that is not a whole number in 0...255, `IDXError.writeFailed` on I/O errors.
public func exportLabelsIDX(_ labels: Tensor, to url: URL) throws {
    let shape = Array(labels.shape)
    guard shape.count == 1 else { throw IDXError.invalidTensorShape(shape: shape, reason: "expected labels [N]") }
    var bytes: [UInt8] = []
    bytes.reserveCapacity(labels.count)
    for (index, value) in labels.scalars.enumerated() {
        guard value.isFinite, value == value.rounded(), value >= 0, value <= 255 else {
            throw IDXError.invalidTensorShape(shape: shape,
                                              reason: "label \(index) is \(value), expected a whole number in 0...255")
        }
        bytes.append(UInt8(value))
    }
    try IDXFile(dimensions: [labels.count], bytes: bytes).write(to: url)
}
