import Foundation
import GANKit

/// Where the colour-image examples get their download instructions from.
public let cifar10DownloadHint = "CIFAR-10 binary version: https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz, "
    + "extract it and pass the cifar-10-batches-bin folder"

/// The shared GAN options (`commonGANOptions`) for colour-image examples:
/// `--data` has no default (colour data cannot be bundled), `--export-samples`
/// writes 4-dim IDX files, and `--eval-every` (MNIST classifier) is refused.
public func colourGANOptions(_ defaults: GANExampleDefaults) -> [Option] {
    commonGANOptions(defaults).map { option in
        switch option.name {
        case "--data":
            return Option("--data", "DIR", kind: .existingDirectory,
                          help: "required: a CIFAR-10 binary folder (data_batch_1.bin … data_batch_5.bin) "
                              + "or a folder of .png images (class subfolders allowed)")
        case "--export-samples":
            return Option("--export-samples", "N", kind: .integerIn(0...100_000), default: "0",
                          help: "after training, write N generated images to OUT/samples.idx (4-dim IDX, [N, 3, H, W] bytes)")
        case "--eval-every":
            return Option("--eval-every", "N", kind: .nonNegativeInteger, default: "0",
                          help: "not available for colour images (the bundled classifier scores MNIST digits); keep 0")
        default:
            return option
        }
    }
}

/// What a `--data` folder of a colour example holds.
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

extension GANExampleRun {
    /// Loads the training images of `--data` as `[N, 3, side, side]` in [−1, 1]:
    /// the CIFAR-10 training batches, or every PNG of an image folder
    /// centre-cropped and resized to `side`×`side`; `--limit` keeps the first N.
    /// Exits with a one-line message when `--data` is missing, holds neither
    /// kind of data, or a file is invalid, or when `--eval-every` is set.
    public func loadColourTrainingImages(side: Int) -> Tensor {
        guard arguments.integer("--eval-every") == 0 else {
            fail("--eval-every scores samples with the bundled MNIST classifier and does not apply to colour images")
        }
        guard let directory = arguments.url("--data") else {
            fail("--data DIR is required: a folder with the CIFAR-10 binary files or with .png images (\(cifar10DownloadHint))")
        }
        do {
            var dataset: ImageDataset
            let kind: String
            switch ColourDataSource.detect(directory) {
            case .cifar10:
                dataset = try ImageDataset.cifar10(directory: directory, split: .train)
                kind = "CIFAR-10 binary"
            case .imageFolder:
                dataset = try ImageDataset.imageFolder(directory: directory, channels: 3, size: (side, side))
                kind = dataset.classNames.map { "PNG folder, \($0.count) class\($0.count == 1 ? "" : "es")" } ?? "PNG folder"
            case nil:
                fail("--data \(directory.path) holds neither CIFAR-10 binary files (data_batch_1.bin … data_batch_5.bin) "
                     + "nor .png images (\(cifar10DownloadHint))")
            }
            guard dataset.images.shape[2] == side, dataset.images.shape[3] == side else {
                fail("expected \(side)×\(side) images, found \(dataset.images.shape[2])×\(dataset.images.shape[3]) in \(directory.path)")
            }
            if arguments.string("--limit") != nil {
                dataset.images = dataset.images.slice(0..<min(arguments.integer("--limit"), dataset.count))
            }
            print("data: \(dataset.images.shape[0]) images \(Array(dataset.images.shape.dropFirst())) "
                  + "from \(directory.path) (\(kind))")
            return dataset.images
        } catch {
            fail("\(error)")
        }
    }
}
