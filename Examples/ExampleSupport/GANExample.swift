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
    /// Default `--recipe`: `"improved"` where it was measured to beat the tutorial setup, else `"tutorial"`.
    public var recipe: String
    /// What `--recipe improved` means for this model (measured per model in Docs/Evaluation.md).
    public var improvedRecipe: GANRecipe
    /// Creates defaults.
    public init(epochs: Int, batchSize: Int = 64, learningRate: Double = 2e-4, outputDirectory: String,
                recipe: String = "improved", improvedRecipe: GANRecipe = .improved(learningRate: 4e-4)) {
        self.epochs = epochs
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.outputDirectory = outputDirectory
        self.recipe = recipe
        self.improvedRecipe = improvedRecipe
    }
}

/// The bundled MNIST folder: `Examples/Data/MNIST` next to this source file
/// (so it is found whatever the working directory).
public let bundledMNISTDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Data/MNIST").path

/// Options shared by `mnist-gan` and `mnist-dcgan`.
public func commonGANOptions(_ defaults: GANExampleDefaults) -> [Option] {
    [
        Option("--epochs", "N", kind: .integerIn(1...1_000_000), default: String(defaults.epochs),
               help: "total epochs to train (a resumed run continues up to this number)"),
        Option("--batch-size", "N", kind: .integerIn(1...65_536), default: String(defaults.batchSize),
               help: "images per mini-batch"),
        Option("--lr", "RATE", kind: .positiveNumber, default: String(defaults.learningRate),
               help: "Adam learning rate of both networks (beta1 0.5, beta2 0.999)"),
        Option("--latent-dim", "N", kind: .integerIn(1...65_536), default: "100", help: "length of the noise vector z"),
        Option("--seed", "N", kind: .seed, default: "42", help: "seed for weights, noise and shuffling"),
        Option("--data", "DIR", kind: .existingDirectory, default: bundledMNISTDirectory,
               help: "folder with train-images-idx3-ubyte[.gz] (MNIST, Fashion-MNIST, KMNIST…)"),
        Option("--out", "DIR", kind: .outputDirectory, default: defaults.outputDirectory,
               help: "output folder for grids, plots, history.csv, checkpoints and samples"),
        Option("--resume", "FILE", kind: .existingFile,
               help: "continue from a checkpoint written by a previous run (bit for bit as if never stopped)"),
        Option("--checkpoint-every", "N", kind: .nonNegativeInteger, default: "500",
               help: "also save OUT/checkpoint.gankit every N steps (0: only at epoch ends and on Ctrl-C)"),
        Option("--clip-grad-norm", "X", kind: .positiveNumber,
               help: "scale each network's gradients to a global L2 norm of at most X before every update"),
        Option("--export-samples", "N", kind: .integerIn(0...100_000), default: "0",
               help: "after training, write N generated images to OUT/samples.idx (IDX3, MNIST layout)"),
        Option("--limit", "N", kind: .positiveInteger,
               help: "train on the first N images only (quick trials and smoke tests)"),
    ] + objectiveOptions + evaluationOptions
        + recipeOptions(defaultRecipe: defaults.recipe, improved: defaults.improvedRecipe)
        + stabilizerOptions
}

/// Runs a GAN example end to end: data, trainer, per-epoch grids and
/// checkpoints, history, loss plot and sample export.
public struct GANExampleRun {
    /// Validated flags.
    public let arguments: ParsedArguments
    /// Program name for messages.
    public let program: String
    /// What `--recipe improved` means for this model (``GANExampleDefaults/improvedRecipe``).
    public let improvedRecipe: GANRecipe

    /// Creates a run from parsed flags.
    public init(program: String, arguments: ParsedArguments, improvedRecipe: GANRecipe = .improved(learningRate: 4e-4)) {
        self.program = program
        self.arguments = arguments
        self.improvedRecipe = improvedRecipe
    }

    /// Prints `program: error: message` to standard error and exits with status 1.
    public func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("\(program): error: \(message)\n".utf8))
        exit(1)
    }

    /// Loads the training images of `--data`, scaled to [−1, 1], `[N, 1, H, W]`.
    public func loadTrainingImages() -> Tensor {
        loadTrainingSet(requireLabels: false).images
    }

    /// Loads the training images of `--data` (`[N, 1, H, W]` in [−1, 1]) and their
    /// labels `[N]` when the folder has a labels file, honouring `--limit`.
    /// With `requireLabels`, a folder without labels is an error (conditional GANs).
    public func loadTrainingSet(requireLabels: Bool) -> (images: Tensor, labels: Tensor?) {
        let directory = arguments.url("--data")!
        do {
            let dataset = try ImageDataset.mnist(directory: directory, split: .train)
            let count = arguments.string("--limit") != nil ? min(arguments.integer("--limit"), dataset.count) : dataset.count
            let images = dataset.images.slice(0..<count)
            let labels = dataset.labels.map { Tensor($0.prefix(count).map(Float.init)) }
            if requireLabels && labels == nil {
                fail("no train-labels-idx1-ubyte[.gz] in \(directory.path): a conditional GAN needs the labels")
            }
            print("data: \(images.shape[0]) images \(Array(images.shape.dropFirst()))\(labels == nil ? "" : " with labels") "
                  + "from \(directory.path)")
            return (images, labels)
        } catch {
            fail("\(error)")
        }
    }

    /// Trains `trainer` on `images` with the flags' epochs and batch size,
    /// saving a grid of the same 64 noise vectors and a checkpoint after every
    /// epoch (and every `--checkpoint-every` steps), then history.csv,
    /// losses.png and the exported samples.
    ///
    /// Ctrl-C (or SIGTERM) stops after the current step, saves the checkpoint
    /// and history, and exits with status 130 (143) naming the resume command.
    /// A diverging run (NaN/Inf) exits with status 1 and leaves the last good
    /// checkpoint untouched.
    ///
    /// A conditional trainer (``Trainer/isConditional``) needs `labels` `[N]`; its
    /// grids have one row per class (the same noise down each column), and
    /// `--export-samples` also writes `samples-labels.idx`, the class each sample was asked to be.
    public func train(_ trainer: Trainer, images: Tensor, labels: Tensor? = nil) {
        precondition((labels != nil) == trainer.isConditional,
                     "GANExampleRun.train: pass labels exactly when the trainer is conditional")
        let out = arguments.url("--out")!
        let epochs = arguments.integer("--epochs")
        let batchSize = arguments.integer("--batch-size")
        let seed = arguments.seed("--seed")
        let checkpointEvery = arguments.integer("--checkpoint-every")
        guard images.shape[0] >= batchSize else {
            fail("--batch-size \(batchSize) is larger than the data set (\(images.shape[0]) images)")
        }
        if arguments.string("--clip-grad-norm") != nil {
            trainer.gradientClipNorm = Float(arguments.number("--clip-grad-norm"))
        }
        let samplesDirectory = out.appendingPathComponent("samples")
        let checkpointURL = out.appendingPathComponent("checkpoint.gankit")
        let historyURL = out.appendingPathComponent("history.csv")
        applyObjectiveOptions(to: trainer)
        applyRecipe(to: trainer)
        do {
            try FileManager.default.createDirectory(at: samplesDirectory, withIntermediateDirectories: true)
        } catch {
            fail("cannot create \(samplesDirectory.path): \(error.localizedDescription)")
        }
        for directory in [out, samplesDirectory] {
            for name in removeLeftoverTemporaryFiles(in: directory) {
                print("removed \(name), left by an interrupted write")
            }
        }

        var history = History()
        if let resume = arguments.url("--resume") {
            do {
                try trainer.restore(from: Checkpoint.read(from: resume))
                if let text = try? String(contentsOf: historyURL, encoding: .utf8) {
                    history = History(csv: text, upToStep: trainer.step)
                }
                print("resumed from \(resume.path) at epoch \(trainer.epoch + 1), batch \(trainer.batchInEpoch + 1), "
                      + "step \(trainer.step)")
            } catch {
                fail("\(error)")
            }
        }
        let grid = SampleGrid(trainer: trainer, seed: seed ^ 0xF1ED)
        let batchesPerEpoch = BatchSequence(images, batchSize: batchSize, seed: seed).batchCount
        let progress = ProgressDisplay(totalEpochs: epochs)
        /// Saves the checkpoint unless a parameter is no longer finite (then the old one stays).
        func saveCheckpoint() {
            do {
                try trainer.checkParametersFinite()
                try trainer.makeCheckpoint().write(to: checkpointURL)
            } catch {
                fail("\(error)")
            }
        }
        let interrupts = InterruptMonitor()
        trainer.onBatchEnd = { report in
            progress.update(report)
            if checkpointEvery > 0 && report.step % checkpointEvery == 0 { saveCheckpoint() }
            return interrupts.isRequested ? .stop : .continue
        }
        trainer.onEpochEnd = { report in
            progress.finishEpoch(report)
            do {
                try grid.save(to: samplesDirectory.appendingPathComponent(String(format: "epoch-%03d.png", report.epoch + 1)))
            } catch {
                fail("\(error)")
            }
            saveCheckpoint()
            return interrupts.isRequested ? .stop : .continue
        }
        let qualityMonitor = installSampleQualityMonitor(on: trainer)
        print("training \(epochs) epochs of \(batchesPerEpoch) batches of \(batchSize); output in \(out.path)")
        let start = Date()
        let newHistory: History
        do {
            if let labels {
                newHistory = try trainer.train(epochs: epochs, batchesPerEpoch: batchesPerEpoch, labeledBatches: { epoch in
                    // The same seed and epoch give the same order, so images and labels stay paired.
                    zip(BatchSequence(images, batchSize: batchSize, seed: seed, epoch: epoch),
                        BatchSequence(labels, batchSize: batchSize, seed: seed, epoch: epoch))
                })
            } else {
                newHistory = try trainer.train(epochs: epochs, batchesPerEpoch: batchesPerEpoch) { epoch in
                    BatchSequence(images, batchSize: batchSize, seed: seed, epoch: epoch)
                }
            }
        } catch {
            guard case .diverged(let divergence) = error else { fail("\(error)") }
            history.append(divergence.history)
            try? history.writeCSV(to: historyURL)
            fail("\(error) The last good checkpoint is \(checkpointURL.path); history.csv has the steps before.")
        }
        history.append(newHistory)
        qualityMonitor?.record(into: &history)
        if interrupts.isRequested {
            finishInterrupted(trainer, history: history, checkpoint: checkpointURL, historyURL: historyURL,
                              status: interrupts.exitStatus)
        }
        let seconds = Date().timeIntervalSince(start)
        do {
            try history.writeCSV(to: historyURL)
            try history.lossPlot(title: "\(program) losses").write(to: out.appendingPathComponent("losses.png"))
            try writeMetricsPlot(history, to: out.appendingPathComponent("metrics.png"))
            try grid.save(to: out.appendingPathComponent("samples.png"))
            let exportCount = arguments.integer("--export-samples")
            if exportCount > 0 {
                let url = out.appendingPathComponent("samples.idx")
                let samples = trainer.generateSamples(count: exportCount, seed: seed ^ 0x5A3B1E)
                try exportIDX(samples.images, to: url)
                print("wrote \(exportCount) samples to \(url.path)")
                if let requested = samples.labels {
                    let labelsURL = out.appendingPathComponent("samples-labels.idx")
                    try exportLabelsIDX(requested, to: labelsURL)
                    print("wrote the class each sample was asked to be to \(labelsURL.path)")
                }
            }
        } catch {
            fail("\(error)")
        }
        print(String(format: "done in %.1f s (%.1f s per epoch); grids in %@", seconds,
                     seconds / Double(max(newHistory.epochs.count, 1)), samplesDirectory.path))
    }

    /// After Ctrl-C: saves the checkpoint and history, says how to resume, and exits with `status`.
    private func finishInterrupted(_ trainer: Trainer, history: History, checkpoint: URL, historyURL: URL,
                                   status: Int32) -> Never {
        do {
            try trainer.checkParametersFinite()
            try trainer.makeCheckpoint().write(to: checkpoint)
            try history.writeCSV(to: historyURL)
        } catch {
            fail("\(error)")
        }
        var command = [program]
        var arguments = Array(CommandLine.arguments.dropFirst())
        if let index = arguments.firstIndex(of: "--resume"), index + 1 < arguments.count {
            arguments.removeSubrange(index...(index + 1))
        }
        arguments.removeAll { $0.hasPrefix("--resume=") }
        command += arguments + ["--resume", checkpoint.path]
        FileHandle.standardError.write(Data((
            "\(program): interrupted at epoch \(trainer.epoch + 1) step \(trainer.step) "
            + "(batch \(trainer.batchInEpoch) of the epoch done); checkpoint saved to \(checkpoint.path)\n"
            + "resume with: \(command.joined(separator: " "))\n").utf8))
        exit(status)
    }
}

/// The fixed samples drawn after every epoch: 64 noise vectors in an 8-wide grid,
/// or for a conditional generator one row per class with the same 10 noise
/// vectors down the columns (so a column shows one "style" in every class).
struct SampleGrid {
    let trainer: Trainer
    let noise: Tensor
    let labels: Tensor?
    let columns: Int

    init(trainer: Trainer, seed: UInt64) {
        self.trainer = trainer
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
    }

    func save(to url: URL) throws {
        try saveImageGrid(trainer.sample(noise: noise, labels: labels), columns: columns, to: url)
    }
}
