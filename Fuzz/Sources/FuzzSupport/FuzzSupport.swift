// What the checkpoint fuzzer and the seed writer share: the small trainer that
// fuzzed checkpoints are restored into, and the CRC-32 that checkpoints end with.
import GANKit

/// A tiny trainer (Dense 2→3→2 generator; Dense, Dropout, Dense discriminator; Adam)
/// whose `restore(from:)` the checkpoint fuzzer exercises past the container format.
public func makeFuzzTrainer() -> Trainer {
    var rng = SeededGenerator(seed: 1)
    let generator = Sequential { Dense(2, 3, using: &rng); ReLU(); Dense(3, 2, using: &rng) }
    let discriminator = Sequential { Dense(2, 3, using: &rng); Dropout(rate: 0.5, seed: 2); Dense(3, 1, using: &rng) }
    return Trainer(generator: generator, discriminator: discriminator, objective: NonSaturatingGAN(),
                   generatorOptimizer: Adam(parameters: generator.parameters, learningRate: 1e-3),
                   discriminatorOptimizer: Adam(parameters: discriminator.parameters, learningRate: 1e-3),
                   latentDimension: 2, seed: 3)
}

/// CRC-32 (ISO-HDLC, zlib's), bit by bit, so the fuzzer does not depend on GANKit's internals.
public func crc32(_ bytes: [UInt8]) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 0 ? 0 : 0xEDB8_8320) }
    }
    return ~crc
}
