import Foundation

/// Writes the generator to sample with (``TrainedGenerator/init(trainer:pixelRange:layers:)``:
/// the averaged weights when the run keeps an average) to a safetensors file when
/// training finishes or is stopped, and prints how to sample from it.
///
/// ```swift
/// trainer.add(GeneratorFileWriter(url: out.appendingPathComponent("generator.safetensors")))
/// // at the end: "generator: gan-output/generator.safetensors (sample: swift run -c release gan-sample --generator …)"
/// ```
public final class GeneratorFileWriter: TrainingComponent {
    /// The file written.
    public let url: URL
    /// The generator's output range (nil: from its last activation, see ``TrainedGenerator``).
    public let pixelRange: PixelRange?
    /// Layer types beyond the built-in ones (custom layers must be registered to be described).
    public let layers: LayerRegistry
    /// Whether to print the file and the `gan-sample` command after writing.
    public let announces: Bool

    /// Creates a writer for `url`; its folder is created when needed.
    public init(url: URL, pixelRange: PixelRange? = nil, layers: LayerRegistry = .builtIn, announces: Bool = true) {
        self.url = url
        self.pixelRange = pixelRange
        self.layers = layers
        self.announces = announces
    }

    /// Writes the file now.
    /// - Throws: ``LayerArchitectureError`` for a layer that cannot describe itself, or the write error.
    public func write(_ trainer: Trainer) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try TrainedGenerator(trainer: trainer, pixelRange: pixelRange, layers: layers).write(to: url)
        if announces {
            print("generator: \(url.path) (sample: swift run -c release gan-sample --generator \(url.path) --count 64)")
        }
    }

    /// Writes the generator of a finished or stopped run; never a diverged one.
    public func trainingDidEnd(_ trainer: Trainer, outcome: TrainingOutcome) throws {
        switch outcome {
        case .finished, .stopped: try write(trainer)
        case .diverged, .failed: break
        }
    }
}
