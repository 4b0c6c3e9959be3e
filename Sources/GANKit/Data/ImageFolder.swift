import Foundation

extension ImageDataset {
    /// The largest number of tensor elements (`N · C · H · W`) an image folder may produce: 2³¹ floats (8 GiB).
    public static let maximumImageFolderElementCount = 1 << 31

    /// Loads every PNG image of a folder, like torchvision's `ImageFolder`.
    ///
    /// Layout: if `directory` has subfolders, each subfolder is a class: its
    /// PNG files (searched recursively) get the label of the subfolder's index
    /// in name order, and ``classNames`` holds the folder names. Otherwise the
    /// PNG files directly in `directory` are loaded without labels. Files are
    /// visited in path order (deterministic); hidden files and folders are
    /// skipped; the `.png` extension is matched case-insensitively.
    ///
    /// Each image is converted to `channels`: gray → RGB repeats the gray value,
    /// RGB → gray takes the BT.601 luma `0.299 R + 0.587 G + 0.114 B`; alpha is
    /// dropped. Without `size` every image must have the size of the first.
    /// With `size`, each image is centre-cropped to the target aspect ratio
    /// and resized: area averaging along an axis that shrinks (each output
    /// pixel is the overlap-weighted mean of the source pixels it covers),
    /// bilinear interpolation along an axis that grows.
    /// - Parameters:
    ///   - directory: The folder to read.
    ///   - channels: 1 (gray) or 3 (RGB).
    ///   - size: The output `(height, width)`, or nil to keep the images' common size.
    /// - Returns: Images `[N, channels, H, W]` scaled to `[-1, 1]` (byte `x` → `x / 127.5 − 1`).
    /// - Throws: `ImageFolderError` for a bad argument, an unreadable or empty
    ///   folder, an empty class folder, or differing sizes (naming the first file
    ///   that differs and both sizes); `PNGDecodingError` for a file that is not a valid PNG.
    public static func imageFolder(directory: URL, channels: Int,
                                   size: (height: Int, width: Int)? = nil) throws -> ImageDataset {
        guard channels == 1 || channels == 3 else { throw ImageFolderError.invalidChannels(channels) }
        if let size, size.height < 1 || size.width < 1 {
            throw ImageFolderError.invalidSize(height: size.height, width: size.width)
        }
        let listing = try ImageFolderListing(directory: directory)
        let files = listing.files
        var images: Tensor?
        var first: (file: String, height: Int, width: Int)?
        for (index, file) in files.enumerated() {
            let image = try PNG.read(contentsOf: file)
            let (height, width) = size ?? (image.height, image.width)
            if let first, size == nil, (image.height, image.width) != (first.height, first.width) {
                throw ImageFolderError.sizeMismatch(file: file.path, height: image.height, width: image.width,
                                                    firstFile: first.file, firstHeight: first.height,
                                                    firstWidth: first.width)
            }
            if first == nil {
                first = (file.path, image.height, image.width)
                let shape = [files.count, channels, height, width]
                guard let count = IDXFile.elementCount(shape), count <= maximumImageFolderElementCount else {
                    throw ImageFolderError.tooLarge(directory: directory.path, shape: shape,
                                                    limit: maximumImageFolderElementCount)
                }
                images = Tensor(zeros: TensorShape(shape))
            }
            let planes = ImageResampling.planes(of: image, channels: channels)
            let itemCount = channels * height * width
            images!.withUnsafeMutableBufferPointer { buffer in
                let out = buffer.baseAddress! + index * itemCount
                if size == nil {
                    for i in 0..<itemCount { out[i] = planes[i] / 127.5 - 1 }
                } else {
                    let crop = ImageResampling.centreCrop(height: image.height, width: image.width,
                                                          targetHeight: height, targetWidth: width)
                    ImageResampling.resample(planes, channels: channels, height: image.height, width: image.width,
                                             crop: crop, targetHeight: height, targetWidth: width, into: out)
                }
            }
        }
        var dataset = ImageDataset(images: images!, labels: listing.labels)
        dataset.classNames = listing.classNames
        return dataset
    }
}

/// The PNG files of an image folder in path order, with labels when it has class subfolders.
struct ImageFolderListing {
    var files: [URL] = []
    var labels: [Int]?
    var classNames: [String]?

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
        if let stray = pngs.first {
            throw ImageFolderError.mixedLayout(directory: directory.path, file: stray.lastPathComponent)
        }
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
    /// The channel count asked for is not 1 or 3.
    case invalidChannels(Int)
    /// The target size has a dimension below 1.
    case invalidSize(height: Int, width: Int)
    /// The folder does not exist, is a file, or cannot be listed.
    case unreadable(directory: String, reason: String)
    /// The folder has no PNG files to load (`detail` says where it looked).
    case noImages(directory: String, detail: String)
    /// A class subfolder holds no PNG files.
    case emptyClass(directory: String, className: String)
    /// PNG files sit next to class subfolders (`file` is the first of them).
    case mixedLayout(directory: String, file: String)
    /// An image's size differs from the first image's and no target size was given.
    case sizeMismatch(file: String, height: Int, width: Int, firstFile: String, firstHeight: Int, firstWidth: Int)
    /// The images would need a tensor larger than the limit.
    case tooLarge(directory: String, shape: [Int], limit: Int)

    /// A one-line explanation naming the folder or file, what was expected and what was found.
    public var description: String {
        switch self {
        case .invalidChannels(let channels):
            return "image folder: channels must be 1 (gray) or 3 (RGB), found \(channels)"
        case .invalidSize(let height, let width):
            return "image folder: target size must be at least 1×1, found \(height)×\(width) (height×width)"
        case .unreadable(let directory, let reason):
            return "\(directory): cannot read image folder: \(reason)"
        case .noImages(let directory, let detail):
            return "\(directory): no images to load: expected .png files, or subfolders of .png files (one per class); \(detail)"
        case .emptyClass(let directory, let className):
            return "\(directory): class folder '\(className)' has no .png files; expected at least one image per class"
        case .mixedLayout(let directory, let file):
            return "\(directory): has class subfolders and also the image \(file) at the top level; "
                + "expected either only .png files or only class subfolders"
        case .sizeMismatch(let file, let height, let width, let firstFile, let firstHeight, let firstWidth):
            return "\(file): image is \(height)×\(width) (height×width), but the first image \(firstFile) is "
                + "\(firstHeight)×\(firstWidth); all images must have the same size, or pass a target size to resize them"
        case .tooLarge(let directory, let shape, let limit):
            return "\(directory): the images need a tensor of shape \(shape), more than the limit of \(limit) elements"
        }
    }
}
