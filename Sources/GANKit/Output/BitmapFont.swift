/// A 5×7 pixel bitmap font covering printable ASCII (32–126), for plot
/// labels without any system font dependency.
///
/// Each glyph is five columns, left to right; in each column byte, bit 0 is
/// the top row and bit 6 the bottom (descenders of g, j, p, q, y use rows 5–6).
/// Characters outside ASCII 32–126 are drawn as `?`. Text advances
/// `advance` (6) pixels per character at scale 1.
enum BitmapFont {
    /// Glyph width in pixels at scale 1.
    static let glyphWidth = 5
    /// Glyph height in pixels at scale 1.
    static let glyphHeight = 7
    /// Horizontal distance between successive characters at scale 1 (glyph plus one blank column).
    static let advance = 6

    /// The first character in the table (space).
    static let firstCode: UInt32 = 32
    /// The last character in the table (tilde).
    static let lastCode: UInt32 = 126

    /// One 40-bit literal per glyph: the five column bytes, leftmost column in the high byte.
    static let glyphs: [UInt64] = [
        0x00_00_00_00_00, 0x00_00_5F_00_00, 0x00_07_00_07_00, 0x14_7F_14_7F_14, 0x24_2A_7F_2A_12, 0x23_13_08_64_62,
        0x36_49_55_22_50, 0x00_05_03_00_00, 0x00_1C_22_41_00, 0x00_41_22_1C_00, 0x08_2A_1C_2A_08, 0x08_08_3E_08_08,
        0x00_50_30_00_00, 0x08_08_08_08_08, 0x00_60_60_00_00, 0x20_10_08_04_02, 0x3E_51_49_45_3E, 0x00_42_7F_40_00,
        0x42_61_51_49_46, 0x21_41_45_4B_31, 0x18_14_12_7F_10, 0x27_45_45_45_39, 0x3C_4A_49_49_30, 0x01_71_09_05_03,
        0x36_49_49_49_36, 0x06_49_49_29_1E, 0x00_36_36_00_00, 0x00_56_36_00_00, 0x08_14_22_41_00, 0x14_14_14_14_14,
        0x00_41_22_14_08, 0x02_01_51_09_06, 0x32_49_79_41_3E, 0x7E_11_11_11_7E, 0x7F_49_49_49_36, 0x3E_41_41_41_22,
        0x7F_41_41_22_1C, 0x7F_49_49_49_41, 0x7F_09_09_01_01, 0x3E_41_41_51_32, 0x7F_08_08_08_7F, 0x00_41_7F_41_00,
        0x20_40_41_3F_01, 0x7F_08_14_22_41, 0x7F_40_40_40_40, 0x7F_02_04_02_7F, 0x7F_04_08_10_7F, 0x3E_41_41_41_3E,
        0x7F_09_09_09_06, 0x3E_41_51_21_5E, 0x7F_09_19_29_46, 0x46_49_49_49_31, 0x01_01_7F_01_01, 0x3F_40_40_40_3F,
        0x1F_20_40_20_1F, 0x7F_20_18_20_7F, 0x63_14_08_14_63, 0x03_04_78_04_03, 0x61_51_49_45_43, 0x00_7F_41_41_00,
        0x02_04_08_10_20, 0x00_41_41_7F_00, 0x04_02_01_02_04, 0x40_40_40_40_40, 0x00_01_02_04_00, 0x20_54_54_54_78,
        0x7F_48_44_44_38, 0x38_44_44_44_20, 0x38_44_44_48_7F, 0x38_54_54_54_18, 0x08_7E_09_01_02, 0x0C_52_52_52_3E,
        0x7F_08_04_04_78, 0x00_44_7D_40_00, 0x20_40_44_3D_00, 0x00_7F_10_28_44, 0x00_41_7F_40_00, 0x7C_04_18_04_78,
        0x7C_08_04_04_78, 0x38_44_44_44_38, 0x7C_14_14_14_08, 0x08_14_14_18_7C, 0x7C_08_04_04_08, 0x48_54_54_54_20,
        0x04_3F_44_40_20, 0x3C_40_40_20_7C, 0x1C_20_40_20_1C, 0x3C_40_30_40_3C, 0x44_28_10_28_44, 0x0C_50_50_50_3C,
        0x44_64_54_4C_44, 0x00_08_36_41_00, 0x00_00_7F_00_00, 0x00_41_36_08_00, 0x08_04_08_10_08,
    ]

    /// The five column bytes of `character` (bit 0 = top row).
    static func columns(of character: Character) -> [UInt8] {
        let packed = glyphs[index(of: character)]
        return (0..<glyphWidth).map { UInt8(truncatingIfNeeded: packed >> (8 * UInt64(glyphWidth - 1 - $0))) }
    }

    /// Whether pixel (`x`, `y`) of `character`'s glyph is set, with (0, 0) the top-left;
    /// false outside the 5×7 cell.
    static func isSet(_ character: Character, x: Int, y: Int) -> Bool {
        guard x >= 0, x < glyphWidth, y >= 0, y < glyphHeight else { return false }
        let packed = glyphs[index(of: character)]
        let column = UInt8(truncatingIfNeeded: packed >> (8 * UInt64(glyphWidth - 1 - x)))
        return column & (1 << UInt8(y)) != 0
    }

    /// The width in pixels of `text` drawn at `scale` (no trailing blank column).
    static func width(of text: String, scale: Int = 1) -> Int {
        let count = text.count
        return count == 0 ? 0 : (count * advance - 1) * scale
    }

    /// The table index of `character`, falling back to `?`.
    private static func index(of character: Character) -> Int {
        guard let scalar = character.unicodeScalars.first, character.unicodeScalars.count == 1,
              (firstCode...lastCode).contains(scalar.value)
        else { return Int(Character("?").asciiValue ?? 63) - Int(firstCode) }
        return Int(scalar.value - firstCode)
    }
}
