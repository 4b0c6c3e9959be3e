import Foundation
import Testing
@testable import GANKit

@Suite struct ColourExportTests {
    @Test func rgbImagesBecomeFourDimensionalIDX() throws {
        let dir = try TemporaryDirectory()
        let values: [Float] = (0..<24).map { (index: Int) -> Float in Float(index) / 23 * 2 - 1 }
        try exportIDX(Tensor(shape: [2, 3, 2, 2], values: values), to: dir.file("rgb.idx"))
        let file = try IDXFile.read(contentsOf: dir.file("rgb.idx"))
        #expect(file.dimensions == [2, 3, 2, 2])
        let expected: [UInt8] = values.map { (value: Float) -> UInt8 in UInt8(((value + 1) * 127.5).rounded()) }
        #expect(file.bytes == expected)
        // Single-channel tensors keep the MNIST layout.
        try exportIDX(Tensor(zeros: [2, 1, 2, 2]), to: dir.file("gray.idx"))
        #expect(try IDXFile.read(contentsOf: dir.file("gray.idx")).dimensions == [2, 2, 2])
    }

    @Test func cifarRecordsRoundTripThroughTheExporter() throws {
        let dir = try TemporaryDirectory()
        let records = CIFAR10Tests.records(3)
        let data = try ImageDataset.cifar10(files: [try dir.write(records, to: "batch.bin")])
        try exportIDX(data.images, to: dir.file("out.idx"))
        let pixels = (0..<3).flatMap { records[($0 * 3073 + 1)..<(($0 + 1) * 3073)] }
        #expect(try IDXFile.read(contentsOf: dir.file("out.idx")).bytes == pixels)
    }
}
