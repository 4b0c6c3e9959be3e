import Foundation

/// What a folder of colour training images holds: CIFAR-10 binary batches or PNG files.
public enum ColourDataSource: Equatable, Sendable {
    /// CIFAR-10 binary batch files.
    case cifar10
    /// PNG images, directly or in class subfolders.
    case imageFolder

    /// Detects the kind of `directory`: CIFAR-10 if any CIFAR-10 batch file
    /// (plain or `.gz`) is in it, an image folder if it or one of its
    /// subfolders holds a `.png` file, otherwise nil.
    public static func detect(_ directory: URL) -> ColourDataSource? {
        let manager = FileManager.default
        let cifarNames = ImageDataset.cifar10FileNames(.train) + ImageDataset.cifar10FileNames(.test)
        if cifarNames.contains(where: { name in
            [name, name + ".gz"].contains { manager.fileExists(atPath: directory.appendingPathComponent($0).path) }
        }) {
            return .cifar10
        }
        guard let walker = manager.enumerator(at: directory, includingPropertiesForKeys: nil,
                                              options: [.skipsHiddenFiles]) else { return nil }
        for case let url as URL in walker where url.pathExtension.lowercased() == "png" { return .imageFolder }
        return nil
    }
}

/// A folder holds no colour training images.
public struct ColourDataError: Error, CustomStringConvertible, Equatable {
    /// The folder.
    public let path: String
    /// `PATH holds neither CIFAR-10 binary files … nor .png images`.
    public var description: String {
        "\(path) holds neither CIFAR-10 binary files (data_batch_1.bin … data_batch_5.bin) nor .png images"
    }
}

extension ImageDataset {
    /// The colour training images of `directory`, `[N, 3, side, side]` in [−1, 1]: the
    /// CIFAR-10 training batches (32×32, resized to `side` as an image folder's are), or every PNG of an image folder centre-cropped
    /// and resized to `side`×`side` (class subfolders allowed), transparency handled by
    /// `alpha` (composited over white by default; see ``imageFolder(directory:channels:size:alpha:)``).
    /// - Returns: the data set and a short description of what was read, e.g. `PNG folder, 2 classes`.
    /// - Throws: ``ColourDataError`` when the folder holds neither, or the reader's error naming a bad file.
    public static func colourTrainingSet(directory: URL, side: Int, alpha: AlphaHandling = .compositeOverWhite) throws
        -> (dataset: ImageDataset, kind: String) {
        switch ColourDataSource.detect(directory) {
        case .cifar10:
            var dataset = try ImageDataset.cifar10(directory: directory, split: .train)
            if side != 32 { dataset.images = ImageResampling.resize(dataset.images, height: side, width: side) }
            return (dataset, side == 32 ? "CIFAR-10 binary" : "CIFAR-10 binary, resized from 32×32")
        case .imageFolder:
            let dataset = try ImageDataset.imageFolder(directory: directory, channels: 3, size: (side, side), alpha: alpha)
            return (dataset, dataset.classNames.map { "PNG folder, \($0.count) class\($0.count == 1 ? "" : "es")" } ?? "PNG folder")
        case nil:
            throw ColourDataError(path: directory.path)
        }
    }
}
