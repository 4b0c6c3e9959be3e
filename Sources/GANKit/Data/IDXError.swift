/// Why an IDX file or MNIST-style dataset could not be read or written.
///
/// Every case carries the file (or directory) concerned, and `description`
/// says what was expected and what was found, e.g.
/// `"/data/t10k-images-idx3-ubyte: truncated: expected 7840000 bytes of data, found 7839000"`.
public enum IDXError: Error, Equatable, CustomStringConvertible {
    /// The file could not be opened or read.
    case unreadable(file: String, reason: String)
    /// The file ends inside the header (`needed` header bytes, `found` in the file).
    case tooShort(file: String, needed: Int, found: Int)
    /// The first two bytes are not zero (`found` holds them).
    case badMagic(file: String, found: [UInt8])
    /// The type code is not `0x08` (unsigned byte).
    case unsupportedType(file: String, code: UInt8)
    /// The number of dimensions is 0 or more than 4.
    case unsupportedRank(file: String, rank: Int)
    /// The product of the dimensions does not fit in `Int`.
    case sizeOverflow(file: String, dimensions: [Int])
    /// The payload is larger than the caller's limit.
    case tooLarge(file: String, dimensions: [Int], byteCount: Int, limit: Int)
    /// The payload is shorter than the dimensions say.
    case truncated(file: String, expected: Int, found: Int)
    /// Bytes follow the payload (`extra` counts them, possibly only up to a limit).
    case trailingBytes(file: String, expected: Int, extra: Int)
    /// The file starts like gzip but does not inflate cleanly.
    case corruptGzip(file: String, reason: String)
    /// The file has the wrong number of dimensions for its role (e.g. images must be `[N, H, W]`).
    case unexpectedDimensions(file: String, expectedRank: Int, found: [Int])
    /// The image and label files disagree on the number of samples.
    case labelCountMismatch(imagesFile: String, imageCount: Int, labelsFile: String, labelCount: Int)
    /// None of the candidate file names exists in the directory.
    case missingFile(directory: String, triedNames: [String])
    /// A tensor cannot be exported as IDX (wrong rank or channel count).
    case invalidTensorShape(shape: [Int], reason: String)
    /// Writing the file failed.
    case writeFailed(file: String, reason: String)

    /// A one-line explanation naming the file, what was expected and what was found.
    public var description: String {
        switch self {
        case .unreadable(let file, let reason):
            return "\(file): cannot read IDX file: \(reason)"
        case .tooShort(let file, let needed, let found):
            if found == 0 { return "\(file): file is empty; an IDX header needs at least \(needed) bytes" }
            return "\(file): file too short for the IDX header: expected \(needed) bytes, found \(found)"
        case .badMagic(let file, let found):
            let hex = found.map { "0x" + String($0, radix: 16, uppercase: true) }.joined(separator: " ")
            return "\(file): not an IDX file: the first two bytes must be 0x0 0x0, found \(hex)"
        case .unsupportedType(let file, let code):
            return "\(file): unsupported IDX data type 0x\(String(code, radix: 16, uppercase: true))"
                + " (\(Self.typeName(code))); only 0x8 (unsigned byte) is supported"
        case .unsupportedRank(let file, let rank):
            return "\(file): unsupported number of dimensions: expected 1 to 4, found \(rank)"
        case .sizeOverflow(let file, let dimensions):
            return "\(file): dimensions \(dimensions) multiply to a byte count that overflows Int"
        case .tooLarge(let file, let dimensions, let byteCount, let limit):
            return "\(file): dimensions \(dimensions) announce \(byteCount) bytes of data, more than the limit of \(limit)"
        case .truncated(let file, let expected, let found):
            return "\(file): truncated: expected \(expected) bytes of data, found \(found)"
        case .trailingBytes(let file, let expected, let extra):
            return "\(file): trailing bytes: expected \(expected) bytes of data, found \(extra) more after them"
        case .corruptGzip(let file, let reason):
            return "\(file): corrupt gzip data: \(reason)"
        case .unexpectedDimensions(let file, let expectedRank, let found):
            return "\(file): expected \(expectedRank) dimensions, found \(found.count) (\(found))"
        case .labelCountMismatch(let imagesFile, let imageCount, let labelsFile, let labelCount):
            return "\(labelsFile) has \(labelCount) labels but \(imagesFile) has \(imageCount) images"
        case .missingFile(let directory, let triedNames):
            return "\(directory): none of these files exists: \(triedNames.joined(separator: ", "))"
        case .invalidTensorShape(let shape, let reason):
            return "cannot export tensor of shape \(shape) as IDX: \(reason)"
        case .writeFailed(let file, let reason):
            return "\(file): cannot write IDX file: \(reason)"
        }
    }

    /// The IDX name of a type code, for messages.
    private static func typeName(_ code: UInt8) -> String {
        switch code {
        case 0x08: return "unsigned byte"
        case 0x09: return "signed byte"
        case 0x0B: return "16-bit integer"
        case 0x0C: return "32-bit integer"
        case 0x0D: return "32-bit float"
        case 0x0E: return "64-bit float"
        default: return "unknown type"
        }
    }
}
