import Foundation

extension ImageDataset {
    /// The largest number of tensor elements (`N · C · H · W`) an image folder may produce: 2³¹ floats (8 GiB).
    public static let maximumImageFolderElementCount = 1 << 31

    /// Loads every PNG image of a folder, like torchvision's `ImageFolder`, decoding on all threads.
    ///
    /// Layout: if `directory` has subfolders, each subfolder is a class: its
    /// PNG files, searched recursively (`faction/unit/frame.png`), get the label of the
    /// subfolder's index in name order, and ``classNames`` holds the folder names.
    /// PNG files directly in `directory` next to class subfolders belong to no class:
    /// they are skipped and listed in ``skippedFiles`` (torchvision ignores them too).
    /// Without subfolders, the PNG files directly in `directory` are loaded without
    /// labels. Files are visited in path order (deterministic); hidden files and
    /// folders and files that are not `.png` (matched case-insensitively) are ignored.
    ///
    /// Each image is converted to `channels`. Transparency (RGBA, gray + alpha, a
    /// palette with tRNS alpha) is composited over a background colour first — white
    /// by default — or kept as the last channel with `alpha: .keep` (see ``AlphaHandling``).
    /// Gray → RGB repeats the gray value, RGB → gray takes the BT.601 luma
    /// `0.299 R + 0.587 G + 0.114 B`; 16-bit samples keep their high byte.
    /// Without `size` every image must have the size of the first.
    /// With `size`, each image is centre-cropped to the target aspect ratio
    /// and resized: area averaging along an axis that shrinks (each output
    /// pixel is the overlap-weighted mean of the source pixels it covers, like
    /// OpenCV's `INTER_AREA`), bilinear interpolation along an axis that grows.
    /// - Parameters:
    ///   - directory: The folder to read.
    ///   - channels: 1 (gray) or 3 (RGB); 2 (gray + alpha) or 4 (RGBA) with `alpha: .keep`.
    ///   - size: The output `(height, width)`, or nil to keep the images' common size.
    ///   - alpha: Composite transparent pixels over a colour (default white) or keep alpha.
    /// - Returns: Images `[N, channels, H, W]` scaled to `[-1, 1]` (byte `x` → `x / 127.5 − 1`).
    /// - Throws: `ImageFolderError` for a bad argument, an unreadable or empty
    ///   folder, an empty class folder, or differing sizes (naming the first file
    ///   that differs and both sizes); `PNGDecodingError` naming the first file in
    ///   path order that is not a valid PNG.
    public static func imageFolder(directory: URL, channels: Int, size: (height: Int, width: Int)? = nil,
                                   alpha: AlphaHandling = .compositeOverWhite) throws -> ImageDataset {
        let allowed = alpha == .keep ? [2, 4] : [1, 3]
        guard allowed.contains(channels) else { throw ImageFolderError.invalidChannels(channels, alpha: alpha) }
        if let size, size.height < 1 || size.width < 1 {
            throw ImageFolderError.invalidSize(height: size.height, width: size.width)
        }
        let listing = try ImageFolderListing(directory: directory)
        let files = listing.files
        // The first image fixes the size when none is given; it is decoded again below with the rest.
        let first = try PNG.read(contentsOf: files[0])
        let (height, width) = size ?? (first.height, first.width)
        let shape = [files.count, channels, height, width]
        guard let count = IDXFile.elementCount(shape), count <= maximumImageFolderElementCount else {
            throw ImageFolderError.tooLarge(directory: directory.path, shape: shape, limit: maximumImageFolderElementCount)
        }
        var images = Tensor(zeros: TensorShape(shape))
        var failures = [(any Error)?](repeating: nil, count: files.count)
        images.withUnsafeMutableBufferPointer { output in
            failures.withUnsafeMutableBufferPointer { failures in
                let kernel = ImageDecodingKernel(
                    files: files, channels: channels, height: height, width: width, resizes: size != nil, alpha: alpha,
                    firstFile: files[0].path, output: SendablePointer(output.baseAddress!),
                    failures: SendablePointer(failures.baseAddress!))
                parallelFor(files.count, minimumChunk: 8, kernel)
            }
        }
        if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
        var dataset = ImageDataset(images: images, labels: listing.labels)
        dataset.classNames = listing.classNames
        dataset.skippedFiles = listing.skippedFiles.map(\.path)
        return dataset
    }
}

/// Decodes, converts and resizes the images of `files[range]` into their slots of
/// `output`; a file that fails leaves its error in `failures` at its index.
private struct ImageDecodingKernel: ParallelKernel {
    let files: [URL]
    let channels: Int, height: Int, width: Int
    let resizes: Bool
    let alpha: AlphaHandling
    let firstFile: String
    let output: SendablePointer<Float>
    let failures: SendablePointer<(any Error)?>

    func run(_ range: Range<Int>) {
        let itemCount = channels * height * width
        for index in range {
            do {
                let image = try PNG.read(contentsOf: files[index])
                if !resizes, (image.height, image.width) != (height, width) {
                    throw ImageFolderError.sizeMismatch(file: files[index].path, height: image.height, width: image.width,
                                                        firstFile: firstFile, firstHeight: height, firstWidth: width)
                }
                let planes = ImageResampling.planes(of: image, channels: channels, alpha: alpha)
                let out = output.pointer + index * itemCount
                if resizes {
                    let crop = ImageResampling.centreCrop(height: image.height, width: image.width,
                                                          targetHeight: height, targetWidth: width)
                    ImageResampling.resample(planes, channels: channels, height: image.height, width: image.width,
                                             crop: crop, targetHeight: height, targetWidth: width, into: out)
                } else {
                    for i in 0..<itemCount { out[i] = planes[i] / 127.5 - 1 }
                }
            } catch {
                failures.pointer[index] = error
            }
        }
    }
}

/// The PNG files of an image folder in path order, with labels when it has class subfolders.
struct ImageFolderListing {
    var files: [URL] = []
    var labels: [Int]?
    var classNames: [String]?
    /// PNG files next to class subfolders: they belong to no class.
    var skippedFiles: [URL] = []

    init(directory: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory) else {
            throw ImageFolderError.unreadable(directory: directory.path, reason: "no such directory")
        }
        guard isDirectory.boolValue else {
            throw ImageFolderError.unreadable(directory: directory.path, reason: "a file, expected a directory")
        }
        let (folders, pngs) = try Self.contents(of: directory)
        guard !folders.isEmpty else {
            guard !pngs.isEmpty else {
                throw ImageFolderError.noImages(directory: directory.path,
                                                detail: "it has no .png files and no class subfolders")
            }
            files = pngs
            return
        }
        skippedFiles = pngs
        var labels: [Int] = []
        for (label, folder) in folders.enumerated() {
            let classFiles = try Self.pngsRecursively(in: folder).sorted { $0.path < $1.path }
            guard !classFiles.isEmpty else {
                throw ImageFolderError.emptyClass(directory: directory.path, className: folder.lastPathComponent)
            }
            files += classFiles
            labels += Array(repeating: label, count: classFiles.count)
        }
        self.labels = labels
        self.classNames = folders.map(\.lastPathComponent)
    }

    /// The visible subfolders and `.png` files of `directory`, each sorted by path.
    private static func contents(of directory: URL) throws -> (folders: [URL], pngs: [URL]) {
        let entries: [URL]
        do {
            entries = try FileManager.default.contentsOfDirectory(
                at: directory, includingPropertiesForKeys: [.isDirectoryKey], options: [.skipsHiddenFiles])
        } catch {
            throw ImageFolderError.unreadable(directory: directory.path, reason: error.localizedDescription)
        }
        var folders: [URL] = [], pngs: [URL] = []
        for entry in entries {
            if (try? entry.resourceValues(forKeys: [.isDirectoryKey]))?.isDirectory == true {
                folders.append(entry)
            } else if entry.pathExtension.lowercased() == "png" {
                pngs.append(entry)
            }
        }
        return (folders.sorted { $0.path < $1.path }, pngs.sorted { $0.path < $1.path })
    }

    /// Every `.png` file below `directory` (at most 32 folders deep, against symbolic-link cycles).
    private static func pngsRecursively(in directory: URL, depth: Int = 0) throws -> [URL] {
        let (folders, pngs) = try contents(of: directory)
        guard depth < 32 else { return pngs }
        return try pngs + folders.flatMap { try pngsRecursively(in: $0, depth: depth + 1) }
    }
}

/// Why an image folder could not be loaded (PNG decoding problems are `PNGDecodingError`s).
///
/// Every case names the folder or file and `description` says what was
/// expected and what was found, e.g.
/// `"/data/faces/b.png: image is 64×48 (height×width), but the first image /data/faces/a.png is 64×64; ..."`.
public enum ImageFolderError: Error, Equatable, CustomStringConvertible {
    /// The channel count asked for is not 1 or 3 (2 or 4 when keeping alpha).
    case invalidChannels(Int, alpha: AlphaHandling)
    /// The target size has a dimension below 1.
    case invalidSize(height: Int, width: Int)
    /// The folder does not exist, is a file, or cannot be listed.
    case unreadable(directory: String, reason: String)
    /// The folder has no PNG files to load (`detail` says where it looked).
    case noImages(directory: String, detail: String)
    /// A class subfolder holds no PNG files.
    case emptyClass(directory: String, className: String)
    /// An image's size differs from the first image's and no target size was given.
    case sizeMismatch(file: String, height: Int, width: Int, firstFile: String, firstHeight: Int, firstWidth: Int)
    /// The images would need a tensor larger than the limit.
    case tooLarge(directory: String, shape: [Int], limit: Int)

    /// A one-line explanation naming the folder or file, what was expected and what was found.
    public var description: String {
        switch self {
        case .invalidChannels(let channels, let alpha):
            return alpha == .keep ? "image folder: with alpha kept, channels must be 2 (gray + alpha) or 4 (RGBA), found \(channels)"
                                  : "image folder: channels must be 1 (gray) or 3 (RGB), found \(channels)"
        case .invalidSize(let height, let width):
            return "image folder: target size must be at least 1×1, found \(height)×\(width) (height×width)"
        case .unreadable(let directory, let reason):
            return "\(directory): cannot read image folder: \(reason)"
        case .noImages(let directory, let detail):
            return "\(directory): no images to load: expected .png files, or subfolders of .png files (one per class); \(detail)"
        case .emptyClass(let directory, let className):
            return "\(directory): class folder '\(className)' has no .png files; expected at least one image per class"
        case .sizeMismatch(let file, let height, let width, let firstFile, let firstHeight, let firstWidth):
            return "\(file): image is \(height)×\(width) (height×width), but the first image \(firstFile) is "
                + "\(firstHeight)×\(firstWidth); all images must have the same size, or pass a target size to resize them"
        case .tooLarge(let directory, let shape, let limit):
            return "\(directory): the images need a tensor of shape \(shape), more than the limit of \(limit) elements"
        }
    }
}
