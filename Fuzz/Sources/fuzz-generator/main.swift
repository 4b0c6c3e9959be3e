// libFuzzer entry point for generator files (safetensors): every input must either
// decode, rebuild its network from the metadata's architecture, load its weights and
// sample, or throw a `SafetensorsError` naming what is wrong. A trap, an out-of-bounds
// access, a hang or a huge allocation is a finding.
import CFuzzDriver
import GANKit

/// The program's entry point: SwiftPM links `main` to `fuzz_generator_main`, which hands over to libFuzzer.
@_cdecl("fuzz_generator_main")
public func fuzzGeneratorMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, { data, size in fuzzGenerator(data, size) })
}

/// One fuzz input (also exported as `LLVMFuzzerTestOneInput` for other drivers).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzGenerator(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        let file = try SafetensorsFile(decoding: bytes, source: "fuzz")
        let generator = try TrainedGenerator(safetensors: file, source: "fuzz")
        let classes = generator.classCount.map { count in (0..<2).map { $0 % count } }
        _ = generator.sample(count: 2, seed: 1, classes: classes)
    } catch let error as SafetensorsError {
        _ = error.description
    } catch {
        preconditionFailure("a generator file was answered with a non-SafetensorsError: \(error)")
    }
    return 0
}
