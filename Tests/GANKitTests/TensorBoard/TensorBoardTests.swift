import Foundation
import Testing
@testable import GANKit

@Suite struct TensorBoardTests {
    @Test func crc32cMatchesTheStandardCheckValue() {
        #expect(Array("123456789".utf8).withUnsafeBytes { CRC32C.checksum($0) } == 0xE306_9283)
        #expect([UInt8]().withUnsafeBytes { CRC32C.checksum($0) } == 0)
        let crc = Array("123456789".utf8).withUnsafeBytes { CRC32C.checksum($0) }
        #expect(Array("123456789".utf8).withUnsafeBytes { CRC32C.masked($0) } == ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8)
    }

    @Test func protobufFieldsEncodeAsTheWireFormatSpecifies() {
        var writer = ProtobufWriter()
        writer.integer(1, 150)
        #expect(writer.bytes == [0x08, 0x96, 0x01])  // the protobuf documentation's example
        writer.reset()
        writer.string(2, "testing")
        #expect(writer.bytes == [0x12, 0x07] + Array("testing".utf8))
        writer.reset()
        writer.integer(2, -1)
        #expect(writer.bytes == [0x10] + Array(repeating: 0xFF, count: 9) + [0x01])
        writer.reset()
        writer.float(2, 1)
        #expect(writer.bytes == [0x15, 0x00, 0x00, 0x80, 0x3F])
        // A nested message longer than 127 bytes needs a two-byte length.
        writer.reset()
        writer.message(3) { $0.bytes(1, [UInt8](repeating: 7, count: 200)) }
        #expect(Array(writer.bytes.prefix(6)) == [0x1A, 0xCB, 0x01, 0x0A, 0xC8, 0x01])
        #expect(writer.bytes.count == 3 + 3 + 200)
    }

    @Test func histogramBucketsFollowTensorFlowsEdges() {
        var histogram = HistogramBuckets()
        let values: [Float] = [0, 0, 1, -1, 1e-13, 2.5, .nan]
        values.withUnsafeBufferPointer { histogram.summarise($0) }
        let edges = HistogramBuckets.edges
        #expect(histogram.count == 6 && histogram.minimum == -1 && histogram.maximum == 2.5)
        #expect(histogram.sum == 2.5 + Double(Float(1e-13)) && histogram.counts[histogram.range].reduce(0, +) == 6)
        for value in values where value.isFinite {
            let bucket = edges.firstIndex { $0 > Double(value) }!
            #expect(histogram.range.contains(bucket) && histogram.counts[bucket] >= 1, "\(value)")
            #expect(bucket == 0 || edges[bucket - 1] <= Double(value))
        }
        #expect(edges.contains(0) && edges.first! < -1e19 && edges.last! == .greatestFiniteMagnitude)
        // A second summary starts from zero.
        [Float(3)].withUnsafeBufferPointer { histogram.summarise($0) }
        #expect(histogram.count == 1 && histogram.counts.reduce(0, +) == 1)
    }

    @Test func theEventFileIsFramedAndStartsWithItsVersion() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gankit-tb-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let writer = try EventFileWriter(directory: folder)
        writer.addScalar("a/b", 0.25, step: 3)
        writer.addHistogram("h", Tensor([1, 2, 3]), step: 3)
        writer.addText("t", "hello", step: 4)
        writer.addSessionStart(step: 9)
        #expect(writer.pendingByteCount > 0)
        try writer.flush()
        #expect(writer.pendingByteCount == 0)
        #expect(writer.url.lastPathComponent.hasPrefix("events.out.tfevents."))
        let events = try EventFileReading.events(in: folder)[0]
        #expect(events.map(\.fileVersion) == ["brain.Event:2", nil, nil, nil, nil])
        #expect(events[1] == EventFileReading.Event(step: 3, tag: "a/b", valueField: 2, scalar: 0.25))
        #expect(events[2].tag == "h" && events[2].valueField == 5 && events[3].tag == "t" && events[3].valueField == 8)
        #expect(events[4].sessionStart && events[4].step == 9)
    }

    @Test func loggerWritesScalarsHistogramsImagesAndContinuesAfterAResume() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gankit-tb-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let logs = folder.appendingPathComponent("logs"), checkpoint = folder.appendingPathComponent("c.gankit")
        let data = TinyGAN.images()  // 5 batches per epoch
        func makeTrainer() -> (Trainer, TensorBoardLogger) {
            let trainer = TinyGAN.makeTrainer()
            trainer.gradientPenalty = .r1(gamma: 1)
            let grids = SampleGridWriter(directory: folder, seed: 3)
            let logger = TensorBoardLogger(directory: logs, scalarInterval: 2, histogramInterval: 5, grids: grids)
            trainer.add(grids)
            trainer.add(CheckpointWriter(url: checkpoint))
            trainer.add(logger)
            return (trainer, logger)
        }
        let (first, _) = makeTrainer()
        first.onBatchEnd = { $0.step == 7 ? .stop : .continue }
        try first.train(epochs: 2, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }

        let (second, _) = makeTrainer()
        try second.restore(from: Checkpoint.read(from: checkpoint))
        try second.train(epochs: 2, batchesPerEpoch: 5) { TinyGAN.batches(data, epoch: $0) }

        let files = try EventFileReading.events(in: logs)
        #expect(files.count == 2)
        let before = files[0], after = files[1]
        func steps(_ events: [EventFileReading.Event], _ tag: String) -> [Int] { events.filter { $0.tag == tag }.map(\.step) }
        #expect(steps(before, "loss/generator") == [2, 4, 6])
        #expect(steps(before, "loss/gradient_penalty") == [2, 4, 6])
        #expect(steps(before, "samples") == [5] && steps(after, "samples") == [10])
        #expect(steps(before, "generator/0.weight") == [5] && steps(before, "discriminator/1.weight/gradient") == [5])
        #expect(steps(before, "configuration") == [1] && steps(after, "configuration") == [8])
        #expect(before.first { $0.sessionStart }?.step == 1, "every run starts with a session start")
        #expect(after.first { $0.sessionStart }?.step == 8, "the resumed file drops what came after the checkpoint")
        #expect(steps(after, "loss/generator") == [8, 10])
        #expect(steps(after, "generator/0.weight") == [10])
    }
}
