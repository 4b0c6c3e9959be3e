import Foundation
import Testing
@testable import GANKit

/// Every file of the fuzzers' seed corpora (`Fuzz/Corpus`), and every fuzzer
/// finding added there as a regression input, goes through the readers exactly
/// as the fuzz targets feed it: each must decode or throw the reader's typed
/// error with a message, never trap. Runs in the normal suite, so findings stay
/// fixed without libFuzzer.
@Suite struct FuzzCorpusTests {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url = url.deletingLastPathComponent()
        }
        return url.appendingPathComponent("Fuzz/Corpus")
    }()

    static func files(_ folder: String) -> [URL] {
        let directory = root.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.sorted().map { directory.appendingPathComponent($0) }
    }

    @Test func idxCorpusDecodesOrThrowsIDXError() throws {
        let files = Self.files("idx")
        #expect(files.count >= 10)
        var decoded = 0
        for url in files {
            let bytes = [UInt8](try Data(contentsOf: url))
            do {
                let file = try IDXFile.decode(bytes, name: url.lastPathComponent, maximumByteCount: 1 << 20)
                #expect(file.bytes.count == file.dimensions.reduce(1, *), "\(url.lastPathComponent)")
                #expect(try IDXFile.decode(file.encoded()) == file)
                decoded += 1
            } catch let error as IDXError {
                #expect(error.description.contains(url.lastPathComponent), "\(error)")
            }
        }
        #expect(decoded >= 5)  // the valid seeds
    }

    @Test func checkpointCorpusDecodesOrThrowsCheckpointError() throws {
        let files = Self.files("checkpoint")
        #expect(files.count >= 10)
        var restored = 0
        for url in files {
            var bytes = [UInt8](try Data(contentsOf: url))
            if bytes.last == UInt8(ascii: "!") {
                bytes.removeLast()
            } else {  // as the fuzzer does: append the right CRC-32
                let crc = Checkpoint.checksum(bytes[...])
                bytes += [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: crc >> $0) }
            }
            let checkpoint: Checkpoint
            do {
                checkpoint = try Checkpoint.decode(bytes, path: url.lastPathComponent)
            } catch let error as CheckpointError {
                #expect(error.description.contains(url.lastPathComponent), "\(error)")
                continue
            }
            let trainer = Self.makeFuzzTrainer()
            do { try trainer.restore(from: checkpoint) } catch { continue }
            restored += 1
            let real = Tensor(shape: [4, 2]) { Float($0) / 8 }
            _ = try? trainer.train(epochs: min(trainer.epoch, Int.max - 1) + 1, batchesPerEpoch: 2) { _ in [real, real] }
        }
        #expect(restored >= 3)  // trainer-valid, trainer-valid-raw, trainer-float-step-counts-raw
    }

    @Test func generatorCorpusSamplesOrThrowsSafetensorsError() throws {
        let files = Self.files("generator")
        #expect(files.count >= 5)
        var sampled = 0
        for url in files {
            do {  // as fuzz-generator does
                let file = try SafetensorsFile(decoding: [UInt8](try Data(contentsOf: url)), source: url.lastPathComponent)
                let generator = try TrainedGenerator(safetensors: file, source: url.lastPathComponent)
                _ = generator.sample(count: 2, seed: 1, classes: generator.classCount.map { count in [0, 1].map { $0 % count } })
                sampled += 1
            } catch let error as SafetensorsError {
                #expect(error.description.hasPrefix(url.lastPathComponent), "\(error)")
            }
        }
        #expect(sampled == 2)  // mlp, conditional-dcgan
    }

    /// The trainer of `Fuzz/Sources/FuzzSupport` (keep the two identical).
    static func makeFuzzTrainer() -> Trainer {
        var rng = SeededGenerator(seed: 1)
        let generator = Sequential { Dense(2, 3, using: &rng); ReLU(); Dense(3, 2, using: &rng) }
        let discriminator = Sequential { Dense(2, 3, using: &rng); Dropout(rate: 0.5, seed: 2); Dense(3, 1, using: &rng) }
        return Trainer(generator: generator, discriminator: discriminator, objective: NonSaturatingGAN(),
                       generatorOptimizer: Adam(parameters: generator.parameters, learningRate: 1e-3),
                       discriminatorOptimizer: Adam(parameters: discriminator.parameters, learningRate: 1e-3),
                       latentDimension: 2, seed: 3)
    }
}
