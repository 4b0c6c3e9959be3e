import Foundation
import Testing
@testable import GANKit

/// Records what a trainer tells it, and can stop or throw on cue.
private final class Recorder: TrainingComponent {
    let name: String
    var log: [String] = []
    var journal: (String) -> Void
    var stopAtStep: Int?
    var throwAtEpoch: Int?
    var outcome: TrainingOutcome?

    init(_ name: String, journal: @escaping (String) -> Void = { _ in }) {
        self.name = name
        self.journal = journal
    }

    func trainingWillStart(_ trainer: Trainer, plan: TrainingPlan) {
        log.append("start \(plan.epochs)x\(plan.batchesPerEpoch) at \(trainer.step)")
    }

    func batchDidEnd(_ report: BatchReport, trainer: Trainer) -> TrainingDecision {
        log.append("batch \(report.step)")
        journal("\(name) batch \(report.step)")
        return report.step == stopAtStep ? .stop : .continue
    }

    func epochDidEnd(_ report: EpochReport, trainer: Trainer) throws -> TrainingDecision {
        log.append("epoch \(report.epoch)")
        if report.epoch == throwAtEpoch { throw FileWriteError(path: "/x", reason: "disk full") }
        return .continue
    }

    func trainingDidEnd(_ trainer: Trainer, outcome: TrainingOutcome) {
        self.outcome = outcome
        log.append("end")
    }
}

/// A temporary folder, removed when the test ends.
private func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("gankit-components-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite struct RunComponentTests {
    let data = TinyGAN.images()  // 40 images: 5 batches of 8 per epoch

    @Test func componentsSeeEveryReportInOrderAfterTheClosures() throws {
        let trainer = TinyGAN.makeTrainer()
        var journal: [String] = []
        trainer.onBatchEnd = { journal.append("closure batch \($0.step)"); return .continue }
        let first = Recorder("first") { journal.append($0) }, second = Recorder("second") { journal.append($0) }
        trainer.add(first)
        trainer.add(second)
        try trainer.train(epochs: 2, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }

        let expected = ["start 2x5 at 0"] + (1...5).map { "batch \($0)" } + ["epoch 0"] + (6...10).map { "batch \($0)" }
            + ["epoch 1", "end"]
        #expect(first.log == expected && second.log == expected)
        #expect(Array(journal.prefix(3)) == ["closure batch 1", "first batch 1", "second batch 1"])
        guard case .finished = first.outcome else { Issue.record("expected .finished, got \(String(describing: first.outcome))"); return }
    }

    @Test func oneComponentStoppingStopsTrainingAfterEveryComponentSawTheStep() throws {
        let trainer = TinyGAN.makeTrainer()
        let stopper = Recorder("stopper"), after = Recorder("after")
        stopper.stopAtStep = 3
        trainer.add(stopper)
        trainer.add(after)
        let history = try trainer.train(epochs: 4, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }
        #expect(history.batches.count == 3 && trainer.step == 3 && trainer.batchInEpoch == 3)
        #expect(after.log.suffix(2) == ["batch 3", "end"])
        guard case .stopped = after.outcome else { Issue.record("expected .stopped"); return }
    }

    @Test func aThrowingComponentEndsTrainingWithItsErrorAndEveryComponentIsToldSo() throws {
        let trainer = TinyGAN.makeTrainer()
        let failing = Recorder("failing"), other = Recorder("other")
        failing.throwAtEpoch = 0
        trainer.add(failing)
        trainer.add(other)
        do {
            try trainer.train(epochs: 3, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }
            Issue.record("training should have thrown")
        } catch {
            #expect("\(error)" == "Recorder: cannot write /x: disk full")
            guard case .componentFailed(let component, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(component == "Recorder")
        }
        #expect(trainer.step == 5 && other.log.last == "end")
        guard case .failed = other.outcome else { Issue.record("expected .failed"); return }
    }

    @Test func gradientHookSeesEachNetworksCompleteGradientsBeforeItsOptimizerStep() throws {
        let trainer = TinyGAN.makeTrainer()
        var calls: [TrainedNetwork] = []
        trainer.onGradientsComputed = { network, optimizer in
            calls.append(network)
            let expected = network == .generator ? trainer.generatorOptimizer : trainer.discriminatorOptimizer
            #expect(optimizer === expected)
            #expect(optimizer.parameters.contains { $0.gradient.scalars.contains { $0 != 0 } }, "gradients are there")
            for parameter in optimizer.parameters { parameter.zeroGradient() }  // so the step must change nothing
        }
        trainer.discriminatorSteps = 2
        let before = trainerSnapshot(trainer)
        _ = trainer.trainStep(real: data.slice(0..<8))
        #expect(calls == [.discriminator, .discriminator, .generator])
        // Adam with zero gradients moves nothing: the step used the gradients as the hook left them.
        let after = trainerSnapshot(trainer)
        for (name, tensor) in before.tensors where !name.contains("Opt/") {
            #expect(after.tensors[name] == tensor, "\(name) changed")
        }
    }

    @Test func checkpointWriterSavesOnScheduleAndAResumeFromItEqualsAStraightRun() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("run/checkpoint.gankit")

        let straight = TinyGAN.makeTrainer()
        try straight.train(epochs: 2, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }

        let first = TinyGAN.makeTrainer()
        let writer = CheckpointWriter(url: url, everySteps: 3, everyEpoch: false)
        let saves = Recorder("saves")
        first.add(writer)
        first.add(saves)
        saves.stopAtStep = 7
        var savedSteps: [Int] = []
        first.onBatchEnd = { _ in
            if let step = writer.lastSavedStep, savedSteps.last != step { savedSteps.append(step) }
            return .continue
        }
        try first.train(epochs: 2, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }
        // onBatchEnd runs before the components: it sees each save one step later.
        #expect(savedSteps == [3, 6] && writer.lastSavedStep == 7, "every 3 steps (3, 6), and at the stop (7)")

        let resumed = TinyGAN.makeTrainer(modelSeed: 99, noiseSeed: 98)
        try resumed.restore(from: Checkpoint.read(from: url))
        #expect(resumed.step == 7 && resumed.batchInEpoch == 2)
        try resumed.train(epochs: 2, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }
        expectIdentical(trainerSnapshot(resumed), trainerSnapshot(straight), "resumed run")
    }

    @Test func checkpointWriterNeverSavesADivergedState() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let trainer = TinyGAN.makeTrainer()
        let writer = CheckpointWriter(url: folder.appendingPathComponent("c.gankit"))
        trainer.add(writer)
        try trainer.train(epochs: 1, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }
        let good = try Data(contentsOf: writer.url)
        trainer.generator.parameters[0].value = Tensor(shape: trainer.generator.parameters[0].value.shape) { _ in .nan }
        #expect(throws: TrainingError.self) {
            try trainer.train(epochs: 2, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }
        }
        #expect(try Data(contentsOf: writer.url) == good, "the last good checkpoint stays")
    }

    @Test func historyWriterWritesTheCSVAndContinuesItAfterAResume() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let checkpoint = folder.appendingPathComponent("checkpoint.gankit")
        let trainer = TinyGAN.makeTrainer()
        let stopper = Recorder("stopper")
        stopper.stopAtStep = 7
        trainer.add(HistoryWriter(directory: folder))
        trainer.add(CheckpointWriter(url: checkpoint))
        trainer.add(stopper)
        try trainer.train(epochs: 2, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }
        let csv = try String(contentsOf: folder.appendingPathComponent("history.csv"), encoding: .utf8)
        #expect(csv.split(separator: "\n").count == 1 + 7)
        #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent("losses.png").path))

        // Steps 8 and 9 were recorded by a run that then died without a checkpoint: they are dropped.
        try (csv + "8,1,2,1,1,0.5,0.5,0.1\n9,1,3,1,1,0.5,0.5,0.1\n").write(to: folder.appendingPathComponent("history.csv"),
                                                                           atomically: true, encoding: .utf8)
        let resumed = TinyGAN.makeTrainer()
        try resumed.restore(from: Checkpoint.read(from: checkpoint))
        let history = HistoryWriter(directory: folder)
        resumed.add(history)
        try resumed.train(epochs: 2, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }
        #expect(history.history.batches.map(\.step) == Array(1...10))
        let rows = try String(contentsOf: history.csvURL, encoding: .utf8).split(separator: "\n")
        #expect(rows.count == 11 && rows.last!.hasPrefix("10,1,4,"))
    }

    @Test func sampleGridWriterSavesAGridPerEpochAndAtTheEnd() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let trainer = TinyGAN.makeTrainer()
        let grids = SampleGridWriter(directory: folder, seed: 5)
        trainer.add(grids)
        try trainer.train(epochs: 2, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }
        for name in ["samples/epoch-001.png", "samples/epoch-002.png", "samples.png"] {
            #expect(FileManager.default.fileExists(atPath: folder.appendingPathComponent(name).path), "\(name)")
        }
        // The final grid is the fixed noise as the trainer samples it now.
        let again = folder.appendingPathComponent("again.png")
        try grids.save(trainer, to: again)
        #expect(try Data(contentsOf: again) == Data(contentsOf: folder.appendingPathComponent("samples.png")))
    }

    @Test func sampleGridWriterShowsTrainingImagesSpreadOverTheSet() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // 100 flat 4×4 images, image i of value i/99·2 − 1: 64 of them, i = k·100/64 for tile k.
        let real = Tensor(shape: [100, 1, 4, 4]) { Float($0 / 16) / 99 * 2 - 1 }
        let trainer = TinyGAN.makeTrainer()
        trainer.add(SampleGridWriter(directory: folder, seed: 5, trainingImages: real))
        try trainer.train(epochs: 1, batchesPerEpoch: 1) { TinyGAN.batches(data, epoch: $0) }
        let grid = try PNG.read(contentsOf: folder.appendingPathComponent("real.png"))
        #expect(grid.width == 2 + 8 * 6 && grid.height == 2 + 8 * 6)
        for tile in [0, 1, 37, 63] {
            let image = tile * 100 / 64
            let pixel = grid.pixel(x: 2 + tile % 8 * 6, y: 2 + tile / 8 * 6)
            #expect(pixel.first == PixelRange.minusOneToOne.byte(Float(image) / 99 * 2 - 1), "tile \(tile) shows image \(image)")
        }
    }

    @Test func resumeCommandReplacesAnEarlierResume() {
        #expect(InterruptHandler.resumeCommand([".build/release/mnist-gan", "--epochs", "3"], checkpoint: "out/c.gankit")
                == "mnist-gan --epochs 3 --resume out/c.gankit")
        #expect(InterruptHandler.resumeCommand(["/x/mnist-gan", "--resume", "old", "--resume=older", "--lr", "1"],
                                               checkpoint: "new") == "mnist-gan --lr 1 --resume new")
    }

    @Test func trainerAndOptimizersDescribeTheirSettings() {
        let trainer = TinyGAN.makeTrainer()
        trainer.gradientPenalty = .r1(gamma: 1)
        trainer.realLabel = 0.9
        #expect(trainer.description.hasPrefix("Trainer(NonSaturatingGAN, 1 D step per G step, R1 γ 1, real label 0.9)"))
        #expect(trainer.description.contains("generator: Adam(learning rate 0.002, β1 0.5, β2 0.999, ε 1e-08)  // "))
        trainer.objective = NonSaturatingGAN(outputs: .probabilities)
        #expect(trainer.description.hasPrefix("Trainer(NonSaturatingGAN(outputs: probabilities), 1 D step"))
        let parameter = Parameter(name: "w", value: .zeros([3, 4]))
        #expect("\(SGD(parameters: [parameter], learningRate: 0.1, momentum: 0.9))" == "SGD(learning rate 0.1, momentum 0.9)  // 12 parameters")
        #expect("\(RMSProp(parameters: [parameter], learningRate: 1e-3))".hasPrefix("RMSProp(learning rate 0.001, α 0.99"))
    }

    @Test func classIndicesBecomeFloatLabels() {
        #expect(Tensor(classIndices: [0, 3, 9]) == Tensor([0, 3, 9]))
        #expect(Tensor(classIndices: [Int]()).shape == [0])
    }

    @Test(arguments: [("constant", "constant"), ("step:10:0.5", "step"), ("warmup:5+cosine", "warmup")])
    func learningRateSchedulesParse(text: String, prefix: String) throws {
        let schedule = try #require(LearningRateSchedule(parsing: text, totalSteps: 100))
        #expect("\(schedule)".lowercased().contains(prefix.prefix(4)))
    }

    @Test(arguments: ["", "step:0:0.5", "exp:-1", "cosine:x", "warmup:3+bogus", "linear"])
    func malformedLearningRateSchedulesAreRejected(text: String) {
        #expect(LearningRateSchedule(parsing: text, totalSteps: 100) == nil)
    }
}
