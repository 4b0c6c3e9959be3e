// libFuzzer entry point for the checkpoint reader. Every input must either
// decode (and then restore into a small trainer, or be rejected with a
// `CheckpointError` or optimizer error naming the entry), or throw a
// `CheckpointError`: a trap, an out-of-bounds access or a hang is a finding.
//
// Checksums would stop almost every mutation at the CRC check, so the input
// is treated as a checkpoint *without* its CRC and the correct CRC is
// appended before decoding; inputs ending in "!" keep their bytes unchanged
// to exercise the checksum path itself.
import FuzzSupport
import CFuzzDriver
import GANKit

/// The program's entry point: SwiftPM links `main` to `fuzz_checkpoint_main`, which hands over to libFuzzer.
@_cdecl("fuzz_checkpoint_main")
public func fuzzCheckpointMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, { data, size in fuzzCheckpoint(data, size) })
}

/// One fuzz input (also exported as `LLVMFuzzerTestOneInput` for other drivers).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCheckpoint(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    var bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    if bytes.last == UInt8(ascii: "!") {
        bytes.removeLast()
    } else {
        let crc = crc32(bytes)
        bytes += [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: crc >> $0) }
    }
    let checkpoint: Checkpoint
    do {
        checkpoint = try Checkpoint.decode(bytes, path: "fuzz")
    } catch let error as CheckpointError {
        _ = error.description
        return 0
    } catch {
        preconditionFailure("Checkpoint.decode threw a non-CheckpointError: \(error)")
    }
    // A decoded checkpoint re-encodes to a checkpoint with the same contents.
    do {
        let again = try Checkpoint.decode(checkpoint.encoded(), path: "fuzz re-encoded")
        precondition(again.integers == checkpoint.integers, "integers differ after a round trip")
        precondition(again.tensors.keys.sorted() == checkpoint.tensors.keys.sorted(), "tensor names differ")
    } catch {
        preconditionFailure("a re-encoded checkpoint does not decode: \(error)")
    }
    // Restoring either succeeds, after which training must go on, or fails with a message.
    let trainer = makeFuzzTrainer()
    do {
        try trainer.restore(from: checkpoint)
    } catch {
        _ = "\(error)"
        return 0
    }
    var rng = SeededGenerator(seed: 4)
    let real = Tensor.randomNormal([4, 2], using: &rng)
    _ = try? trainer.train(epochs: min(trainer.epoch, Int.max - 1) + 1, batchesPerEpoch: 2) { _ in [real, real] }
    _ = trainer.makeCheckpoint().encoded()
    return 0
}
