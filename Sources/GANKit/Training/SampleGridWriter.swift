import Foundation

/// Saves a grid of samples from the same fixed noise after every epoch
/// (`samples/epoch-NNN.png`) and at the end of training (`samples.png`), the
/// `GANMonitor` of the Keras tutorials: watching one set of noise vectors
/// shows how the generator learns.
///
/// An unconditional generator gets 64 noise vectors in an 8-wide grid; a conditional
/// one gets one row per class with the same 10 noise vectors down the columns (so a
/// column shows one "style" in every class). Samples come from ``Trainer/sample(noise:labels:inferenceMode:)``:
/// inference mode, and the averaged weights when the trainer keeps an average.
/// Pixels are written from ``pixelRange``, the scale of the generator's output.
///
/// Given ``trainingImages``, it also saves 64 of them, spread evenly over the set (and so
/// over its classes), as `real.png` when training starts: what the model is shown, beside
/// what it makes.
///
/// ```swift
/// trainer.add(SampleGridWriter(directory: out, seed: 7))                          // a tanh generator
/// trainer.add(SampleGridWriter(directory: out, seed: 7, pixelRange: .zeroToOne))  // a sigmoid one
/// trainer.add(SampleGridWriter(directory: out, seed: 7, trainingImages: images))  // and real.png
/// ```
public final class SampleGridWriter: TrainingComponent {
    /// The folder of `samples.png`; the epoch grids go into its `samples/` subfolder.
    public let directory: URL
    /// Seeds the fixed noise.
    public let seed: UInt64
    /// The scale of the generator's samples: `[-1, 1]` (tanh) or `[0, 1]` (sigmoid).
    public let pixelRange: PixelRange
    /// The training images `[N, C, H, W]` (in ``pixelRange``) that `real.png` shows, or nil for none.
    public let trainingImages: Tensor?
    private var noise = Tensor.empty
    private var labels: Tensor?
    private var columns = 8

    /// Creates a writer into `directory` whose noise is drawn from `seed`, for
    /// samples in `pixelRange` (default `[-1, 1]`), showing `trainingImages` in `real.png` if given.
    public init(directory: URL, seed: UInt64, pixelRange: PixelRange = .minusOneToOne, trainingImages: Tensor? = nil) {
        self.directory = directory
        self.seed = seed
        self.pixelRange = pixelRange
        self.trainingImages = trainingImages
    }

    /// The folder of the per-epoch grids.
    public var epochDirectory: URL { directory.appendingPathComponent("samples") }

    /// Draws the fixed noise for the trainer's generator, creates the folders and saves `real.png`.
    public func trainingWillStart(_ trainer: Trainer, plan: TrainingPlan) throws {
        var generator = SeededGenerator(seed: seed)
        if let classes = trainer.classCount {
            let perRow = 10
            let styles = Tensor.randomNormal([perRow, trainer.latentDimension], using: &generator)
            columns = perRow
            noise = Tensor(concatenating: Array(repeating: styles, count: classes))
            labels = Tensor((0..<classes * perRow).map { Float($0 / perRow) })
        } else {
            columns = 8
            noise = Tensor.randomNormal([64, trainer.latentDimension], using: &generator)
            labels = nil
        }
        try FileManager.default.createDirectory(at: epochDirectory, withIntermediateDirectories: true)
        removeLeftoverTemporaryFiles(in: epochDirectory)
        if let images = trainingImages, images.shape[0] > 0 {
            let count = images.shape[0], shown = min(64, count)
            let picks = (0..<shown).map { $0 * count / shown }
            let grid = makeImageGrid(Tensor(concatenating: picks.map { images.slice($0..<$0 + 1) }), pixelRange: pixelRange)
            try grid.writePNG(to: directory.appendingPathComponent("real.png"))
        }
    }

    /// Saves `samples/epoch-NNN.png` (epochs counted from 1).
    public func epochDidEnd(_ report: EpochReport, trainer: Trainer) throws -> TrainingDecision {
        try save(trainer, to: epochDirectory.appendingPathComponent(String(format: "epoch-%03d.png", report.epoch + 1)))
        return .continue
    }

    /// Saves `samples.png` when training finished or was stopped (not after a divergence or failure).
    public func trainingDidEnd(_ trainer: Trainer, outcome: TrainingOutcome) throws {
        switch outcome {
        case .finished, .stopped: break
        case .diverged, .failed: return
        }
        try save(trainer, to: directory.appendingPathComponent("samples.png"))
    }

    /// Saves the grid of the fixed noise, as the trainer samples it now, to `url` (PNG, atomic).
    public func save(_ trainer: Trainer, to url: URL) throws {
        try image(of: trainer).writePNG(to: url)
    }

    /// The grid of the fixed noise as the trainer samples it now (the image ``save(_:to:)`` writes).
    /// - Precondition: training has started (the noise is drawn in ``trainingWillStart(_:plan:)``).
    public func image(of trainer: Trainer) -> RasterImage {
        require(noise.count > 0, "SampleGridWriter.image(of:): the fixed noise is drawn when training starts")
        return makeImageGrid(trainer.sample(noise: noise, labels: labels), columns: columns, pixelRange: pixelRange)
    }
}
