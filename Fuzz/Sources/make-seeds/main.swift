// Writes the seed corpora of the fuzzers: small valid files and one file per
// kind of damage the readers must reject. Run from the repository root:
//
//     swift run --package-path Fuzz --scratch-path Fuzz/.build-seeds make-seeds Fuzz/Corpus
//
// Checkpoint seeds are written *without* their CRC-32 trailer (the fuzzer
// appends it) unless their name ends in `-raw`, which end in "!" and keep their bytes.
import Foundation
import FuzzSupport
import GANKit

let root = URL(fileURLWithPath: CommandLine.arguments.dropFirst().first ?? "Fuzz/Corpus")

func write(_ bytes: [UInt8], _ folder: String, _ name: String) {
    let directory = root.appendingPathComponent(folder)
    try! FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    try! Data(bytes).write(to: directory.appendingPathComponent(name))
}

func bigEndian(_ value: UInt32) -> [UInt8] { [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: value >> $0) } }
func littleEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    (0..<MemoryLayout<T>.size).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
}

/// A gzip member holding `payload` in one stored (uncompressed) deflate block.
func gzip(_ payload: [UInt8]) -> [UInt8] {
    let length = UInt16(payload.count)
    return [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF, 1] + littleEndian(length) + littleEndian(~length)
        + payload + littleEndian(crc32(payload)) + littleEndian(UInt32(payload.count))
}

// MARK: - IDX

func idx(_ dimensions: [UInt32], type: UInt8 = 8, payload: [UInt8]? = nil) -> [UInt8] {
    let count = dimensions.reduce(1) { $0 * Int($1) }
    return [0, 0, type, UInt8(dimensions.count)] + dimensions.flatMap(bigEndian)
        + (payload ?? (0..<count).map { UInt8(truncatingIfNeeded: $0 * 37) })
}
let labels = idx([5])
let images = idx([2, 3, 3])
write(labels, "idx", "labels-valid")
write(images, "idx", "images-valid")
write(idx([1, 1, 2, 2]), "idx", "rank4-valid")
write(idx([0, 28, 28]), "idx", "empty-valid")
write(gzip(images), "idx", "images-valid-gz")
write(gzip(labels) + gzip(labels), "idx", "two-gzip-members")
write(Array(gzip(images).dropLast(6)), "idx", "gzip-truncated")
write(gzip(images) + [1, 2, 3], "idx", "gzip-trailing-garbage")
write([], "idx", "empty-file")
write([0, 0, 8], "idx", "header-truncated")
write(Array(images.dropLast(4)), "idx", "payload-truncated")
write(images + [9, 9], "idx", "trailing-bytes")
write([1, 2] + images.dropFirst(2), "idx", "bad-magic")
write(idx([2, 2], type: 0x0D, payload: [UInt8](repeating: 0, count: 16)), "idx", "float-type")
write([0, 0, 8, 0], "idx", "rank-0")
write(idx([1, 1, 1, 1, 1]), "idx", "rank-5")
write([0, 0, 8, 4] + [UInt32](repeating: .max, count: 4).flatMap(bigEndian), "idx", "overflowing-dimensions")
write([0, 0, 8, 2] + bigEndian(60000) + bigEndian(60000), "idx", "too-large")

// MARK: - Checkpoints

/// Drops the 4-byte CRC (the fuzzer appends the right one).
func withoutCRC(_ bytes: [UInt8]) -> [UInt8] { Array(bytes.dropLast(4)) }
// Not written here: trainer-float-step-counts-raw, the trainer-valid-raw of the
// format before step counts were integers, kept so older files stay covered.
let trainer = makeFuzzTrainer()
let valid = trainer.makeCheckpoint().encoded()
write(withoutCRC(valid), "checkpoint", "trainer-valid")
write(valid + Array("!".utf8), "checkpoint", "trainer-valid-raw")
var corrupt = valid
corrupt[corrupt.count / 2] ^= 0x40
write(corrupt + Array("!".utf8), "checkpoint", "trainer-bitflip-raw")
write(withoutCRC(Checkpoint().encoded()), "checkpoint", "empty")
write(Array(valid.prefix(valid.count / 2)), "checkpoint", "truncated-half")
write(Array(valid.prefix(6)), "checkpoint", "truncated-magic")
var badMagic = withoutCRC(valid)
badMagic[0] = UInt8(ascii: "X")
write(badMagic, "checkpoint", "bad-magic")
var version3 = withoutCRC(valid)
version3[8] = 3
write(version3, "checkpoint", "version-3")

var small = Checkpoint()
small.tensors["generator/0.weight"] = Tensor(shape: [2, 3]) { Float($0) }  // transposed
small.tensors["scalar"] = Tensor(shape: []) { _ in 1 }
small.integers["trainer/counters"] = [UInt64.max, 1, 2]
small.integers["trainer/noiseGenerator"] = [0, 0, 0, 0]
write(withoutCRC(small.encoded()), "checkpoint", "mismatched-entries")

var mismatched = trainer.makeCheckpoint()
mismatched.tensors["generator/0.weight"] = Tensor(shape: [2, 3]) { Float($0) }
write(withoutCRC(mismatched.encoded()), "checkpoint", "trainer-transposed-weight")
var nonFinite = trainer.makeCheckpoint()
nonFinite.tensors["generator/0.bias"] = Tensor([.nan, .infinity, -.infinity])
write(withoutCRC(nonFinite.encoded()), "checkpoint", "trainer-non-finite")

/// One entry by hand: a rank-4 tensor whose dimensions multiply past Int.max.
let hugeShape: [UInt8] = Array("GANKCKPT".utf8) + littleEndian(UInt32(1)) + littleEndian(UInt32(1))
    + littleEndian(UInt32(1)) + Array("x".utf8) + [0] + littleEndian(UInt32(4))
    + [UInt64(0), 1 << 62, 4, 4].flatMap(littleEndian)
write(hugeShape, "checkpoint", "overflowing-shape")
// MARK: - Generator files

/// A generator file of `network` (small, so the fuzzer mutates structure rather than weights).
func generatorFile(_ network: Sequential, latent: Int) throws -> [UInt8] {
    try TrainedGenerator(network: network, latentDimension: latent).safetensors().encoded()
}
var seedRNG = SeededGenerator(seed: 11)
let smallMLP = MLPGAN.Configuration(latentDimension: 3, imageShape: [1, 2, 2], generatorHiddenSizes: [4])
let mlpFile = try generatorFile(MLPGAN.makeGenerator(smallMLP, using: &seedRNG), latent: 3)
write(mlpFile, "generator", "mlp")
write(Array(mlpFile.prefix(mlpFile.count - 7)), "generator", "mlp-truncated")
let smallDCGAN = DCGAN.Configuration(latentDimension: 2, imageSize: 4, channels: 1, baseWidth: 2, depth: 2,
                                     conditioning: ClassConditioning(classCount: 3, embeddingDimension: 2))
write(try generatorFile(DCGAN.makeGenerator(smallDCGAN, using: &seedRNG), latent: 2), "generator", "conditional-dcgan")
var plain = MLPGAN.makeGenerator(smallMLP, using: &seedRNG).safetensors()
write(plain.encoded(), "generator", "state-dict-without-metadata")
plain.metadata = ["gankit.format": "generator 1", "gankit.latent_dimension": "3",
                  "gankit.architecture": #"{"type":"Sequential","layers":[{"type":"Dense","settings":{"in":99999,"out":99999,"bias":true}}]}"#]
write(plain.encoded(), "generator", "huge-declared-layer")
print("wrote seeds into \(root.path)")
