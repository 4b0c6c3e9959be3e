/// What an image reader does with transparency (a PNG's alpha channel, or a palette's tRNS alpha).
public enum AlphaHandling: Sendable, Hashable, CustomStringConvertible {
    /// Blends every pixel over a solid colour, `c · α + background · (1 − α)` with α in [0, 1],
    /// before any conversion to gray or resizing (the default, over white: emoji and sprite
    /// art is drawn for a light page, and a transparent pixel's own colour is meaningless).
    case composite(over: BackgroundColour)
    /// Keeps α as the last channel (gray + alpha: 2 channels, RGBA: 4), unassociated
    /// ("straight"); an image without alpha gets α = 1.
    case keep

    /// Compositing over white.
    public static let compositeOverWhite = AlphaHandling.composite(over: .white)

    /// `composite over white`, `composite over #102030`, `keep`.
    public var description: String {
        switch self {
        case .composite(let background): "composite over \(background)"
        case .keep: "keep"
        }
    }
}

/// An opaque colour to composite transparent images over.
public struct BackgroundColour: Sendable, Hashable, CustomStringConvertible {
    /// Red, 0…255.
    public var red: UInt8
    /// Green, 0…255.
    public var green: UInt8
    /// Blue, 0…255.
    public var blue: UInt8

    /// Creates a colour.
    public init(red: UInt8, green: UInt8, blue: UInt8) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// White, `#FFFFFF`.
    public static let white = BackgroundColour(red: 255, green: 255, blue: 255)
    /// Black, `#000000`.
    public static let black = BackgroundColour(red: 0, green: 0, blue: 0)

    /// Parses `white`, `black`, `gray` or `#RRGGBB` (hex digits in either case); nil otherwise.
    public init?(parsing text: String) {
        switch text.lowercased() {
        case "white": self = .white
        case "black": self = .black
        case "gray", "grey": self.init(red: 128, green: 128, blue: 128)
        default:
            guard text.count == 7, text.first == "#", let value = UInt32(text.dropFirst(), radix: 16) else { return nil }
            self.init(red: UInt8(value >> 16), green: UInt8((value >> 8) & 0xFF), blue: UInt8(value & 0xFF))
        }
    }

    /// `white`, `black`, or `#RRGGBB`.
    public var description: String {
        if self == .white { return "white" }
        if self == .black { return "black" }
        return "#" + [red, green, blue].map { ($0 < 16 ? "0" : "") + String($0, radix: 16, uppercase: true) }.joined()
    }
}
