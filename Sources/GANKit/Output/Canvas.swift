/// An RGB colour with 8 bits per channel.
struct RGBColor: Sendable, Hashable {
    /// Red, 0–255.
    var red: UInt8
    /// Green, 0–255.
    var green: UInt8
    /// Blue, 0–255.
    var blue: UInt8

    /// Creates a colour from its channels.
    init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// Creates a colour from a 24-bit hex value, e.g. `0x1F77B4`.
    init(hex: UInt32) {
        self.init(red: UInt8((hex >> 16) & 0xFF), green: UInt8((hex >> 8) & 0xFF), blue: UInt8(hex & 0xFF))
    }

    /// White.
    static let white = RGBColor(hex: 0xFFFFFF)
    /// Black.
    static let black = RGBColor(hex: 0x000000)
    /// The ten colours of matplotlib's "tab10" cycle (blue, orange, green, red, …), used for series without a colour.
    static let palette: [RGBColor] = [
        0x1F77B4, 0xFF7F0E, 0x2CA02C, 0xD62728, 0x9467BD, 0x8C564B, 0xE377C2, 0x7F7F7F, 0xBCBD22, 0x17BECF,
    ].map { RGBColor(hex: $0) }
}

/// A pixel rectangle `x..<x+width`, `y..<y+height`.
struct PixelRect {
    var x: Int, y: Int, width: Int, height: Int
    var maxX: Int { x + width }
    var maxY: Int { y + height }
}

/// A white-or-whatever RGB drawing surface with the few primitives plots need:
/// rectangles, anti-aliased thick lines and bitmap text. All drawing is
/// clipped to the canvas (and, for lines, to a caller-given rectangle), so
/// no coordinate can write out of bounds.
struct Canvas {
    let width: Int
    let height: Int
    private(set) var pixels: [UInt8]

    init(width: Int, height: Int, background: RGBColor) {
        self.width = max(width, 1)
        self.height = max(height, 1)
        pixels = [UInt8](repeating: 0, count: self.width * self.height * 3)
        for index in stride(from: 0, to: pixels.count, by: 3) {
            pixels[index] = background.red
            pixels[index + 1] = background.green
            pixels[index + 2] = background.blue
        }
    }

    var image: RasterImage { RasterImage(width: width, height: height, channels: 3, pixels: pixels) }

    /// Blends `color` over pixel (`x`, `y`) with opacity `alpha` (0–1); ignores pixels off the canvas.
    mutating func blend(x: Int, y: Int, _ color: RGBColor, alpha: Double = 1) {
        guard x >= 0, x < width, y >= 0, y < height, alpha > 0 else { return }
        let index = (y * width + x) * 3
        let a = min(alpha, 1)
        func mix(_ old: UInt8, _ new: UInt8) -> UInt8 {
            UInt8((Double(old) + (Double(new) - Double(old)) * a).rounded())
        }
        pixels[index] = mix(pixels[index], color.red)
        pixels[index + 1] = mix(pixels[index + 1], color.green)
        pixels[index + 2] = mix(pixels[index + 2], color.blue)
    }

    /// Fills a rectangle, clipped to the canvas.
    mutating func fill(_ rect: PixelRect, _ color: RGBColor) {
        for y in max(rect.y, 0)..<max(min(rect.maxY, height), max(rect.y, 0)) {
            for x in max(rect.x, 0)..<max(min(rect.maxX, width), max(rect.x, 0)) {
                blend(x: x, y: y, color)
            }
        }
    }

    /// Draws a 1-pixel rectangle outline.
    mutating func stroke(_ rect: PixelRect, _ color: RGBColor) {
        fill(PixelRect(x: rect.x, y: rect.y, width: rect.width, height: 1), color)
        fill(PixelRect(x: rect.x, y: rect.maxY - 1, width: rect.width, height: 1), color)
        fill(PixelRect(x: rect.x, y: rect.y, width: 1, height: rect.height), color)
        fill(PixelRect(x: rect.maxX - 1, y: rect.y, width: 1, height: rect.height), color)
    }

    /// Draws an anti-aliased segment of the given thickness between pixel
    /// centres (`x0`, `y0`) and (`x1`, `y1`), touching only pixels inside `clip`.
    /// Each pixel's coverage comes from its distance to the segment, so a
    /// zero-length segment draws a round dot.
    mutating func line(from p0: (x: Double, y: Double), to p1: (x: Double, y: Double), _ color: RGBColor,
                       thickness: Double, clip: PixelRect) {
        let reach = thickness / 2 + 1
        guard p0.x.isFinite, p0.y.isFinite, p1.x.isFinite, p1.y.isFinite else { return }
        let lowX = max(Double(clip.x), min(p0.x, p1.x) - reach), highX = min(Double(clip.maxX - 1), max(p0.x, p1.x) + reach)
        let lowY = max(Double(clip.y), min(p0.y, p1.y) - reach), highY = min(Double(clip.maxY - 1), max(p0.y, p1.y) + reach)
        guard lowX <= highX, lowY <= highY else { return }
        let dx = p1.x - p0.x, dy = p1.y - p0.y
        let lengthSquared = dx * dx + dy * dy
        for y in Int(lowY.rounded(.down))...Int(highY.rounded(.up)) {
            for x in Int(lowX.rounded(.down))...Int(highX.rounded(.up)) {
                let px = Double(x), py = Double(y)
                var t = lengthSquared > 0 ? ((px - p0.x) * dx + (py - p0.y) * dy) / lengthSquared : 0
                t = min(max(t, 0), 1)
                let ex = p0.x + t * dx - px, ey = p0.y + t * dy - py
                let coverage = thickness / 2 + 0.5 - (ex * ex + ey * ey).squareRoot()
                if coverage > 0, x >= clip.x, x < clip.maxX, y >= clip.y, y < clip.maxY {
                    blend(x: x, y: y, color, alpha: coverage)
                }
            }
        }
    }

    /// Draws `text` in the bitmap font with its top-left corner at (`x`, `y`).
    /// With `rotated`, the text runs upwards with its bottom-left corner at
    /// (`x`, `y`) (for a vertical axis label).
    mutating func text(_ text: String, x: Int, y: Int, _ color: RGBColor, scale: Int = 1, rotated: Bool = false) {
        var penX = 0
        for character in text {
            for gx in 0..<BitmapFont.glyphWidth {
                for gy in 0..<BitmapFont.glyphHeight where BitmapFont.isSet(character, x: gx, y: gy) {
                    for sy in 0..<scale {
                        for sx in 0..<scale {
                            let u = penX + gx * scale + sx, v = gy * scale + sy
                            if rotated {
                                blend(x: x + v, y: y - u, color)
                            } else {
                                blend(x: x + u, y: y + v, color)
                            }
                        }
                    }
                }
            }
            penX += BitmapFont.advance * scale
        }
    }
}
