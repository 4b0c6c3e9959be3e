import Foundation
import GANKit

/// The flags every GAN example accepts, with their defaults per example.
public struct GANExampleDefaults: Sendable {
    /// Default epochs.
    public var epochs: Int
    /// Default batch size.
    public var batchSize: Int
    /// Default learning rate for both optimizers.
    public var learningRate: Double
    /// Default output folder.
    public var outputDirectory: String
    /// Creates defaults.
    public init(epochs: Int, batchSize: Int = 64, learningRate: Double = 2e-4, outputDirectory: String) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.outputDirectory = outputDirectory
    }
}

/// The bundled MNIST folder: `Examples/Data/MNIST` next to this source file
/// (so it is found whatever the working directory).
public let bundledMNISTDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Data/MNIST").path

/// Options shared by `mnist-gan` and `mnist-dcgan`.
public func commonGANOptions(_ defaults: GANExampleDefaults) -> [Option] {
    [
        Option("--epochs", "N", kind: .positiveInteger, default: String(defaults.epochs),
               help: "total epochs to train (a resumed run continues up to this number)"),
        Option("--batch-size", "N", kind: .positiveInteger, default: String(defaults.batchSize),
               help: "images per mini-batch"),
        Option("--lr", "RATE", kind: .positiveNumber, default: String(defaults.learningRate),
               help: "Adam learning rate of both networks (beta1 0.5, beta2 0.999)"),
        Option("--latent-dim", "N", kind: .positiveInteger, default: "100", help: "length of the noise vector z"),
        Option("--seed", "N", kind: .seed, default: "42", help: "seed for weights, noise and shuffling"),
        Option("--data", "DIR", kind: .existingDirectory, default: bundledMNISTDirectory,
               help: "folder with train-images-idx3-ubyte[.gz] (MNIST, Fashion-MNIST, KMNIST…)"),
        Option("--out", "DIR", kind: .outputDirectory, default: defaults.outputDirectory,
               help: "output folder for grids, plots, history.csv, checkpoints and samples"),
        Option("--resume", "FILE", kind: .existingFile, help: "continue from a checkpoint written by a previous run"),
        Option("--export-samples", "N", kind: .nonNegativeInteger, default: "0",
               help: "after training, write N generated images to OUT/samples.idx (IDX3, MNIST layout)"),
        Option("--limit", "N", kind: .positiveInteger,
               help: "train on the first N images only (quick trials and smoke tests)"),
    ] + evaluationOptions + recipeOptions
}

/// Runs a GAN example end to end: data, trainer, per-epoch grids and
/// checkpoints, history, loss plot and sample export.
public struct GANExampleRun {
    /// Validated flags.
    public let arguments: ParsedArguments
    /// Program name for messages.
    public let program: String

    /// Creates a run from parsed flags.
    public init(program: String, arguments: ParsedArguments) {
        self.program = program
        self.arguments = arguments
    }

    /// Prints `program: error: message` to standard error and exits with status 1.
    public func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("\(program): error: \(message)\n".utf8))
        exit(1)
    }

    /// Loads the training images of `--data`, scaled to [−1, 1], `[N, 1, H, W]`.
    public func loadTrainingImages() -> Tensor {
        let directory = arguments.url("--data")!
        do {
            let dataset = try ImageDataset.mnist(directory: directory, split: .train)
            var images = dataset.images
            if arguments.string("--limit") != nil {
                images = images.slice(0..<min(arguments.integer("--limit"), dataset.count))
            }
            print("data: \(images.shape[0]) images \(Array(images.shape.dropFirst())) from \(directory.path)")
            return images
        } catch {
            fail("\(error)")
        }
    }

    /// Trains `trainer` on `images` with the flags' epochs and batch size,
    /// saving a grid of the same 64 noise vectors and a checkpoint after every
    /// epoch, then history.csv, losses.png and the exported samples.
    public func train(_ trainer: Trainer, images: Tensor) {
        let out = arguments.url("--out")!
        let epochs = arguments.integer("--epochs")
        let batchSize = arguments.integer("--batch-size")
        let seed = arguments.seed("--seed")
        guard images.shape[0] >= batchSize else {
            fail("--batch-size \(batchSize) is larger than the data set (\(images.shape[0]) images)")
        }
        let samplesDirectory = out.appendingPathComponent("samples")
        let checkpointURL = out.appendingPathComponent("checkpoint.gankit")
        let historyURL = out.appendingPathComponent("history.csv")
        applyRecipe(to: trainer)
        do {
            try FileManager.default.createDirectory(at: samplesDirectory, withIntermediateDirectories: true)
        } catch {
            fail("cannot create \(samplesDirectory.path): \(error.localizedDescription)")
        }

        var history = History()
        if let resume = arguments.url("--resume") {
            do {
                try trainer.restore(from: Checkpoint.read(from: resume))
                if let text = try? String(contentsOf: historyURL, encoding: .utf8) {
                    history = History(csv: text, upToStep: trainer.step)
                }
                print("resumed from \(resume.path) at epoch \(trainer.epoch + 1), step \(trainer.step)")
            } catch {
                fail("\(error)")
            }
        }
        var fixedNoiseGenerator = SeededGenerator(seed: seed ^ 0xF1ED)
        let fixedNoise = Tensor.randomNormal([64, trainer.latentDimension], using: &fixedNoiseGenerator)
        let batchesPerEpoch = BatchSequence(images, batchSize: batchSize, seed: seed).batchCount
        let progress = ProgressDisplay(totalEpochs: epochs)
        trainer.onBatchEnd = { report in
            progress.update(report)
            return .continue
        }
        trainer.onEpochEnd = { report in
            progress.finishEpoch(report)
            let grid = samplesDirectory.appendingPathComponent(String(format: "epoch-%03d.png", report.epoch + 1))
            do {
                try saveImageGrid(trainer.sample(noise: fixedNoise), to: grid)
                try trainer.makeCheckpoint().write(to: checkpointURL)
            } catch {
                fail("\(error)")
            }
            return .continue
        }
        let qualityMonitor = installSampleQualityMonitor(on: trainer)
        print("training \(epochs) epochs of \(batchesPerEpoch) batches of \(batchSize); output in \(out.path)")
        let start = Date()
        let newHistory = trainer.train(epochs: epochs, batchesPerEpoch: batchesPerEpoch) { epoch in
            BatchSequence(images, batchSize: batchSize, seed: seed, epoch: epoch)
        }
        history.append(newHistory)
        qualityMonitor?.record(into: &history)
        let seconds = Date().timeIntervalSince(start)
        do {
            try history.writeCSV(to: historyURL)
            try history.lossPlot(title: "\(program) losses").write(to: out.appendingPathComponent("losses.png"))
            try writeMetricsPlot(history, to: out.appendingPathComponent("metrics.png"))
            try saveImageGrid(trainer.sample(noise: fixedNoise), to: out.appendingPathComponent("samples.png"))
            let exportCount = arguments.integer("--export-samples")
            if exportCount > 0 {
                let url = out.appendingPathComponent("samples.idx")
                try exportIDX(generateSamples(trainer, count: exportCount, seed: seed), to: url)
                print("wrote \(exportCount) samples to \(url.path)")
            }
        } catch {
            fail("\(error)")
        }
        print(String(format: "done in %.1f s (%.1f s per epoch); grids in %@", seconds,
                     seconds / Double(max(newHistory.epochs.count, 1)), samplesDirectory.path))
    }

    /// `count` samples in inference mode, generated 256 at a time from a seed-derived noise stream.
    public func generateSamples(_ trainer: Trainer, count: Int, seed: UInt64) -> Tensor {
        var generator = SeededGenerator(seed: seed ^ 0x5A3B1E)
        var chunks: [Tensor] = []
        var produced = 0
        while produced < count {
            let n = min(256, count - produced)
            chunks.append(trainer.sample(noise: Tensor.randomNormal([n, trainer.latentDimension], using: &generator)))
            produced += n
        }
        return Tensor(concatenating: chunks)
    }
}
