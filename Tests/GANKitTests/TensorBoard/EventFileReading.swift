import Foundation
@testable import GANKit

/// A minimal reader of what `EventFileWriter` writes, for the tests: TFRecord framing
/// (checked against CRC-32C) and the protobuf fields the tests look at. TensorBoard's own
/// reader checks the files in CI (`Scripts/check-tensorboard.py`).
enum EventFileReading {
    /// One decoded `Event`: its step, and for a summary its tag and which value it holds.
    struct Event: Equatable {
        var step = 0
        var fileVersion: String?
        var sessionStart = false
        var tag: String?
        /// 2 scalar, 4 image, 5 histogram, 8 tensor (text).
        var valueField: Int?
        var scalar: Float?
    }

    /// The records of `url`; stops with an error message when a length or CRC is wrong.
    static func records(_ url: URL) throws -> [[UInt8]] {
        let bytes = [UInt8](try Data(contentsOf: url))
        var records: [[UInt8]] = []
        var offset = 0
        func uint32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * $1) } }
        while offset < bytes.count {
            let length = (0..<8).reduce(0) { $0 | Int(bytes[offset + $1]) << (8 * $1) }
            let lengthCRC = bytes[offset..<offset + 8].withUnsafeBytes { CRC32C.masked($0) }
            guard lengthCRC == uint32(offset + 8) else { throw ReadError("length CRC at \(offset)") }
            let data = Array(bytes[offset + 12..<offset + 12 + length])
            guard data.withUnsafeBytes({ CRC32C.masked($0) }) == uint32(offset + 12 + length) else {
                throw ReadError("data CRC at \(offset)")
            }
            records.append(data)
            offset += 16 + length
        }
        return records
    }

    /// The events of every event file in `directory`, file by file in name order.
    static func events(in directory: URL) throws -> [[Event]] {
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasPrefix("events.out.tfevents.") }.sorted()
        return try names.map { try records(directory.appendingPathComponent($0)).map(decode) }
    }

    struct ReadError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// The fields of a protobuf message: field number → (wire type, varint or fixed value, bytes).
    static func fields(_ bytes: ArraySlice<UInt8>) -> [(field: Int, number: UInt64, bytes: ArraySlice<UInt8>)] {
        var result: [(Int, UInt64, ArraySlice<UInt8>)] = []
        var index = bytes.startIndex
        func varint() -> UInt64 {
            var value: UInt64 = 0, shift: UInt64 = 0
            while true {
                let byte = bytes[index]
                index += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
        }
        while index < bytes.endIndex {
            let key = varint()
            switch key & 7 {
            case 0: result.append((Int(key >> 3), varint(), []))
            case 1: result.append((Int(key >> 3), (0..<8).reduce(0) { $0 | UInt64(bytes[index + $1]) << (8 * UInt64($1)) }, []))
                index += 8
            case 5: result.append((Int(key >> 3), (0..<4).reduce(0) { $0 | UInt64(bytes[index + $1]) << (8 * UInt64($1)) }, []))
                index += 4
            default:
                let length = Int(varint())
                result.append((Int(key >> 3), 0, bytes[index..<index + length]))
                index += length
            }
        }
        return result
    }

    static func decode(_ record: [UInt8]) -> Event {
        var event = Event()
        for (field, number, bytes) in fields(record[...]) {
            switch field {
            case 2: event.step = Int(number)
            case 3: event.fileVersion = String(decoding: bytes, as: UTF8.self)
            case 7: event.sessionStart = fields(bytes).contains { $0.field == 1 && $0.number == 1 }
            case 5:
                guard let value = fields(bytes).first(where: { $0.field == 1 }) else { continue }
                for (valueField, valueNumber, valueBytes) in fields(value.bytes) {
                    if valueField == 1 { event.tag = String(decoding: valueBytes, as: UTF8.self) }
                    if [2, 4, 5, 8].contains(valueField) { event.valueField = valueField }
                    if valueField == 2 { event.scalar = Float(bitPattern: UInt32(valueNumber)) }
                }
            default: break
            }
        }
        return event
    }
}
