// libFuzzer entry point for the IDX reader. Every input must either decode
// into a file whose bytes match its dimensions, or throw an `IDXError`: a
// trap, an out-of-bounds access (AddressSanitizer) or a hang is a finding.
import CFuzzDriver
import GANKit

/// The payload cap for fuzzing: large enough for every corpus file, small
/// enough that a crafted gzip stream cannot make one run slow.
private let maximumByteCount = 1 << 20

/// The program's entry point: SwiftPM links `main` to `fuzz_idx_main`, which hands over to libFuzzer.
@_cdecl("fuzz_idx_main")
public func fuzzIDXMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, { data, size in fuzzIDX(data, size) })
}

/// One fuzz input (also exported as `LLVMFuzzerTestOneInput` for other drivers).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIDX(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        let file = try IDXFile.decode(bytes, name: "fuzz", maximumByteCount: maximumByteCount)
        let count = file.dimensions.reduce(1, *)
        precondition(count == file.bytes.count, "decoded \(file.dimensions) with \(file.bytes.count) bytes")
        // A decoded file must encode to something that decodes to itself.
        let again = try IDXFile.decode(file.encoded(), name: "fuzz re-encoded", maximumByteCount: maximumByteCount)
        precondition(again == file, "re-encoded file differs")
    } catch let error as IDXError {
        _ = error.description  // every message must be printable
    } catch {
        preconditionFailure("IDXFile.decode threw a non-IDXError: \(error)")
    }
    return 0
}
