/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), the checksum of TFRecord
/// files, and TFRecord's "masked" form of it.
enum CRC32C {
    /// The byte-at-a-time lookup table.
    private static let table: [UInt32] = (0..<256).map { byte in
        var crc = UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    /// The CRC-32C of `bytes` (`"123456789"` gives 0xE3069283).
    static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        table.withUnsafeBufferPointer { table in
            for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        }
        return ~crc
    }

    /// TFRecord's masked CRC: rotated right by 15 bits plus 0xA282EAD8, so that a CRC of
    /// data that itself holds CRCs does not degenerate.
    static func masked(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        let crc = checksum(bytes)
        return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }
}
