import Foundation
import Testing
@testable import GANKit

/// The safetensors reader and writer: the format as its specification states it,
/// written here byte by byte, and every kind of damage answered with one line.
@Suite struct SafetensorsTests {
    static let path = "/tmp/test.safetensors"

    /// A file assembled from the specification: length, JSON header, data.
    static func file(header: String, data: [UInt8], length: UInt64? = nil) -> [UInt8] {
        let json = Array(header.utf8)
        return withUnsafeBytes(of: (length ?? UInt64(json.count)).littleEndian) { Array($0) } + json + data
    }

    static func floats(_ values: [Float]) -> [UInt8] { values.flatMap { withUnsafeBytes(of: $0.bitPattern.littleEndian) { Array($0) } } }

    static func problem(_ bytes: [UInt8]) -> String? {
        do { _ = try SafetensorsFile.decode(bytes); return nil } catch { return error.text }
    }

    @Test func readsAFileWrittenFromTheSpecification() throws {
        let f16: [UInt8] = [0x00, 0x3C, 0x00, 0xC0]  // 1.0, -2.0
        let bf16: [UInt8] = [0x80, 0x3F, 0x40, 0x40]  // 1.0, 3.0
        let f64 = withUnsafeBytes(of: (0.5 as Double).bitPattern.littleEndian) { Array($0) }
        let i64 = withUnsafeBytes(of: Int64(-7).littleEndian) { Array($0) }
        let header = #"{"w":{"dtype":"F32","shape":[2,1],"data_offsets":[0,8]},"h":{"dtype":"F16","shape":[2],"data_offsets":[8,12]},"#
            + #""b":{"dtype":"BF16","shape":[2],"data_offsets":[12,16]},"d":{"dtype":"F64","shape":[],"data_offsets":[16,24]},"#
            + #""n":{"dtype":"I64","shape":[],"data_offsets":[24,32]},"__metadata__":{"format":"pt"}}"#
        let file = try SafetensorsFile.decode(Self.file(header: header, data: Self.floats([1.5, -2]) + f16 + bf16 + f64 + i64))
        #expect(file.tensor(named: "w") == Tensor(shape: [2, 1], values: [1.5, -2]))
        #expect(file.tensor(named: "h")?.scalars == [1, -2])
        #expect(file.tensor(named: "b")?.scalars == [1, 3])
        #expect(file.tensor(named: "d")?.scalars == [0.5])
        #expect(file.tensors.map(\.name) == ["w", "h", "b", "d"], "in file order")
        #expect(file.integerTensors.first?.values == [-7])
        #expect(file.metadata == ["format": "pt"])
    }

    @Test func writesWhatItReadsWithAnAlignedHeader() throws {
        var file = SafetensorsFile()
        file.tensors = [("0.weight", Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6])), ("0.bias", Tensor([0.25, -1]))]
        file.integerTensors = [("1.num_batches_tracked", [], [0])]
        file.metadata = ["gankit.note": "quote \" and\nnewline"]
        let bytes = file.encoded()
        let headerLength = Int(bytes[0]) | Int(bytes[1]) << 8
        #expect(headerLength % 8 == 0)
        let read = try SafetensorsFile.decode(bytes)
        #expect(read.tensors.map(\.name) == ["0.weight", "0.bias"])
        #expect(read.tensorsByName == file.tensorsByName)
        #expect(read.integerTensors.map(\.name) == ["1.num_batches_tracked"] && read.integerTensors[0].shape == [])
        #expect(read.metadata == file.metadata)
    }

    @Test func damagedFilesGetOneLineSayingWhat() {
        let good = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        let data = Self.floats([1, 2])
        #expect(Self.problem([1, 2, 3]) == "file is 3 bytes long, shorter than the 8-byte header length")
        #expect(Self.problem(Self.file(header: good, data: data, length: 4000))
                == "header length 4000 (the first 8 bytes) exceeds the \(good.utf8.count + 8) bytes after it")
        #expect(Self.problem(Self.file(header: good, data: Array(data.prefix(5))))
                == "tensor \"w\": data_offsets [0, 8] run past the 5 bytes of data (the file is truncated or the offsets are wrong)")
        #expect(Self.problem(Self.file(header: good.replacingOccurrences(of: "F32", with: "U8"), data: data))
                == "tensor \"w\": dtype U8 is not supported (expected F32, F64, F16, BF16, I64 or I32)")
        #expect(Self.problem(Self.file(header: good.replacingOccurrences(of: "[2]", with: "[3]"), data: data))
                == "tensor \"w\": data_offsets [0, 8] hold 8 bytes, shape [3] of F32 needs 12")
        #expect(Self.problem(Self.file(header: good, data: data + [0, 0, 0, 0]))
                == "the tensors hold 8 bytes of data, the file has 12 after the header")
        #expect(Self.problem(Self.file(header: "{\"w\": [1,", data: data))?.contains("header (its length is the first 8 bytes) is not a JSON object") == true)
        #expect(Self.problem(Self.file(header: #"{"w":{"dtype":"F32","shape":[1.5],"data_offsets":[0,8]}}"#, data: data))
                == #"tensor "w": expected {"dtype", "shape", "data_offsets"} with whole-number shape and offsets"#)
        let overlapping = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        #expect(Self.problem(Self.file(header: overlapping, data: data))?.contains("must not overlap or leave gaps") == true)
    }

    @Test func readErrorsNameTheFile() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("gankit-\(UInt64.random(in: 0...UInt64.max)).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        #expect(throws: SafetensorsError(path: url.path, reason: "cannot read: no such file")) { try SafetensorsFile.read(from: url) }
        try Data([9, 0, 0]).write(to: url)
        #expect(throws: SafetensorsError(path: url.path, reason: "file is 3 bytes long, shorter than the 8-byte header length")) {
            try SafetensorsFile.read(from: url)
        }
    }

    @Test func stateDictionaryNamesArePyTorchs() {
        var rng = SeededGenerator(seed: 3)
        let generator = DCGAN.makeGenerator(.mnist, using: &rng)
        let file = generator.safetensors()
        #expect(file.tensors.map(\.name) == ["0.weight", "1.weight", "1.bias", "1.running_mean", "1.running_var",
                                             "4.weight", "5.weight", "5.bias", "5.running_mean", "5.running_var",
                                             "7.weight", "7.bias"])
        #expect(file.integerTensors.map(\.name) == ["1.num_batches_tracked", "5.num_batches_tracked"])
        #expect(file.tensor(named: "4.weight")?.shape == [128, 64, 4, 4], "ConvTranspose2d's [in, out, kH, kW]")
    }

    @Test func loadingChecksNamesShapesAndValuesBeforeChangingAnything() throws {
        var rng = SeededGenerator(seed: 3)
        let source = MLPGAN.makeGenerator(.small, using: &rng), target = MLPGAN.makeGenerator(.small, using: &rng)
        let before = target.parameters.map(\.value)
        var file = source.safetensors()
        file.tensors.removeLast()
        #expect(throws: SafetensorsError(path: "g", reason: "no tensor \"4.bias\" [784] for layer 4 (Dense)")) {
            try target.loadSafetensors(file, source: "g")
        }
        file = source.safetensors()
        file.tensors.append(("9.weight", Tensor([1])))
        #expect(throws: SafetensorsError(path: "g", reason: "tensors the model does not have: \"9.weight\" (is it the same architecture?)")) {
            try target.loadSafetensors(file, source: "g")
        }
        file = source.safetensors()
        file.tensors[1].value = Tensor(repeating: .nan, shape: [256])
        #expect(throws: SafetensorsError(path: "g", reason: "tensor \"0.bias\" holds NaN or infinite values")) {
            try target.loadSafetensors(file, source: "g")
        }
        #expect(target.parameters.map(\.value) == before)
        try target.loadSafetensors(source.safetensors(), source: "g")
        #expect(target.parameters.map(\.value) == source.parameters.map(\.value))
    }
}
