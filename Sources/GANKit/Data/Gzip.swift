import CZlib

// Thin, throwing wrappers over the system zlib: gzip/zlib inflate for data
// files (with an output cap against decompression bombs), deflate for PNG and
// for writing .gz files, and zlib's CRC-32 for PNG chunks. Nothing here traps
// on bad input: every zlib failure becomes a `CompressionError`.

/// Why a zlib operation failed.
enum CompressionError: Error, Equatable, CustomStringConvertible {
    /// The stream is not valid gzip/zlib data (zlib's own message attached).
    case corrupt(String)
    /// The input ended before the end of the compressed stream.
    case truncated
    /// Inflating would produce more than the caller's limit.
    case outputLimitExceeded(limit: Int)
    /// Bytes that are not another gzip member follow the end of the stream.
    case trailingData(count: Int)
    /// zlib refused to start or ran out of memory (`code` is zlib's status).
    case zlibFailure(code: Int32, operation: String)

    var description: String {
        switch self {
        case .corrupt(let message): return "corrupt compressed data (\(message))"
        case .truncated: return "compressed data is truncated (stream ends early)"
        case .outputLimitExceeded(let limit): return "decompressed data exceeds the limit of \(limit) bytes"
        case .trailingData(let count): return "\(count) unexpected bytes after the end of the compressed stream"
        case .zlibFailure(let code, let operation): return "zlib \(operation) failed with status \(code)"
        }
    }
}

/// The container around a deflate stream.
enum CompressionFormat: Sendable {
    /// RFC 1950 (2-byte header, Adler-32 trailer), as inside PNG IDAT chunks.
    case zlib
    /// RFC 1952 (.gz files).
    case gzip

    var windowBits: Int32 { self == .zlib ? 15 : 15 + 16 }
}

/// One-shot helpers around zlib.
enum Gzip {
    /// Whether `bytes` start with the gzip magic number `1f 8b`.
    static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1F && bytes[1] == 0x8B
    }

    /// Inflates `bytes` if they are gzip data, or returns them unchanged.
    /// - Throws: `CompressionError` on corrupt or truncated data, or when the
    ///   result would exceed `maxOutputSize` bytes.
    static func decompressIfNeeded(_ bytes: [UInt8], maxOutputSize: Int) throws -> [UInt8] {
        guard isGzip(bytes) else { return bytes }
        return try inflate(bytes, maxOutputSize: maxOutputSize)
    }

    /// Inflates a complete gzip or zlib stream (the header is detected).
    /// - Throws: `CompressionError`; `.outputLimitExceeded` as soon as the
    ///   output passes `maxOutputSize`, before allocating more.
    static func inflate(_ bytes: [UInt8], maxOutputSize: Int) throws -> [UInt8] {
        let stream = try InflateStream(bytes)
        let output = try stream.read(maxCount: maxOutputSize)
        if try stream.skipRemaining(limit: 1) > 0 { throw CompressionError.outputLimitExceeded(limit: maxOutputSize) }
        return output
    }

    /// Deflates `bytes` into a zlib or gzip stream.
    /// - Parameter level: 0 (store) through 9 (smallest); -1 is zlib's default (6).
    static func deflate(_ bytes: [UInt8], format: CompressionFormat = .zlib, level: Int32 = -1) throws -> [UInt8] {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deinitialize(count: 1); stream.deallocate() }
        let status = deflateInit2_(stream, level, Z_DEFLATED, format.windowBits, 8, Z_DEFAULT_STRATEGY,
                                   ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw CompressionError.zlibFailure(code: status, operation: "deflateInit2") }
        defer { deflateEnd(stream) }

        let chunkSize = 1 << 16
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count / 2 + 64)
        var scratch = [UInt8](repeating: 0, count: chunkSize)
        try bytes.withUnsafeBufferPointer { input in
            var consumed = 0
            while true {
                if stream.pointee.avail_in == 0 && consumed < input.count {
                    let take = min(input.count - consumed, Int(UInt32.max))
                    stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress.map { $0 + consumed })
                    stream.pointee.avail_in = UInt32(take)
                    consumed += take
                }
                let flush = (consumed == input.count) ? Z_FINISH : Z_NO_FLUSH
                let (code, produced) = scratch.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
                    stream.pointee.next_out = out.baseAddress
                    stream.pointee.avail_out = UInt32(out.count)
                    let code = CZlib.deflate(stream, flush)
                    return (code, out.count - Int(stream.pointee.avail_out))
                }
                output.append(contentsOf: scratch[0..<produced])
                if code == Z_STREAM_END { break }
                guard code == Z_OK else { throw CompressionError.zlibFailure(code: code, operation: "deflate") }
            }
        }
        return output
    }

    /// The CRC-32 (ISO-HDLC, as used by PNG and gzip) of `bytes`, continuing from `initial`.
    static func crc32<Bytes: Sequence<UInt8>>(_ bytes: Bytes, initial: UInt32 = 0) -> UInt32 {
        var crc = uLong(initial)
        let array = Array(bytes)
        array.withUnsafeBufferPointer { buffer in
            var offset = 0
            while offset < buffer.count {
                let take = min(buffer.count - offset, 1 << 30)
                crc = CZlib.crc32(crc, buffer.baseAddress.map { $0 + offset }, uInt(take))
                offset += take
            }
        }
        return UInt32(truncatingIfNeeded: crc)
    }
}

/// A pull-style gzip/zlib decoder: read the output a piece at a time, so a
/// caller can inspect a header before deciding how much more to accept.
///
/// Concatenated gzip members are decoded as one stream (like `gzip -d`).
/// The z_stream lives at a fixed heap address because zlib keeps a pointer
/// back to it.
final class InflateStream {
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutableBufferPointer<UInt8>
    /// The real input size (`input` has room for at least one byte).
    private let inputCount: Int
    private var consumed = 0
    private var finished = false
    private var scratch: [UInt8] = []

    /// Starts decoding `bytes` (a gzip or zlib stream; the header is detected).
    init(_ bytes: [UInt8]) throws {
        // Start zlib before `self` is fully initialized, so a failure here
        // cannot run `deinit` on a half-built object.
        let newStream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        newStream.initialize(to: z_stream())
        let status = inflateInit2_(newStream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            newStream.deinitialize(count: 1)
            newStream.deallocate()
            throw CompressionError.zlibFailure(code: status, operation: "inflateInit2")
        }
        stream = newStream
        input = .allocate(capacity: max(bytes.count, 1))
        _ = input.initialize(from: bytes)
        inputCount = bytes.count
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    /// Returns the next `maxCount` bytes of output, or fewer if the stream ends first.
    func read(maxCount: Int) throws -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(min(maxCount, 1 << 20))
        while output.count < maxCount && !finished {
            let produced = try step(maxCount: min(maxCount - output.count, 1 << 18))
            output.append(contentsOf: scratch[0..<produced])
        }
        return output
    }

    /// Decodes and discards the rest of the stream, stopping once more than
    /// `limit` bytes have been seen; returns how many bytes were discarded.
    func skipRemaining(limit: Int) throws -> Int {
        var skipped = 0
        while !finished && skipped <= limit {
            skipped += try step(maxCount: 1 << 18)
        }
        return skipped
    }

    /// One inflate call writing at most `maxCount` bytes into `scratch`.
    private func step(maxCount: Int) throws -> Int {
        if scratch.count < maxCount { scratch = [UInt8](repeating: 0, count: maxCount) }
        refillInput()
        let (code, produced) = scratch.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
            stream.pointee.next_out = out.baseAddress
            stream.pointee.avail_out = UInt32(maxCount)
            let code = CZlib.inflate(stream, Z_NO_FLUSH)
            return (code, maxCount - Int(stream.pointee.avail_out))
        }
        switch code {
        case Z_OK:
            return produced
        case Z_STREAM_END:
            try finishMember()
            return produced
        case Z_BUF_ERROR:
            // No progress possible: with room in the output, the input ran out.
            if produced == 0 && stream.pointee.avail_in == 0 && consumed == inputCount {
                throw CompressionError.truncated
            }
            if produced == 0 { throw CompressionError.corrupt("inflate made no progress") }
            return produced
        case Z_DATA_ERROR, Z_STREAM_ERROR:
            throw CompressionError.corrupt(zlibMessage ?? "invalid data")
        case Z_NEED_DICT:
            throw CompressionError.corrupt("stream requires a preset dictionary")
        default:
            throw CompressionError.zlibFailure(code: code, operation: "inflate")
        }
    }

    /// At the end of a member: continue with the next gzip member, or stop.
    private func finishMember() throws {
        refillInput()
        let remaining = Int(stream.pointee.avail_in) + (inputCount - consumed)
        guard remaining > 0 else { finished = true; return }
        if remaining >= 2, let next = stream.pointee.next_in, next[0] == 0x1F, next[1] == 0x8B {
            let status = inflateReset(stream)
            guard status == Z_OK else { throw CompressionError.zlibFailure(code: status, operation: "inflateReset") }
        } else {
            throw CompressionError.trailingData(count: remaining)
        }
    }

    /// Points zlib at the next slice of input once the previous one is used up
    /// (`avail_in` is 32 bits, so inputs over 4 GiB are fed in pieces).
    private func refillInput() {
        guard stream.pointee.avail_in == 0, consumed < inputCount, let base = input.baseAddress else { return }
        let take = min(inputCount - consumed, Int(UInt32.max))
        stream.pointee.next_in = base + consumed
        stream.pointee.avail_in = UInt32(take)
        consumed += take
    }

    private var zlibMessage: String? {
        guard let message = stream.pointee.msg else { return nil }
        return String(cString: message)
    }
}
