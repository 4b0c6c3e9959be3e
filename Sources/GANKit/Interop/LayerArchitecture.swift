import Foundation

/// A layer's type and settings — enough to rebuild it without its weights.
///
/// The JSON form is what a ``TrainedGenerator`` file keeps in its metadata:
/// ```json
/// {"type": "Sequential", "layers": [
///   {"type": "Dense", "settings": {"in": 100, "out": 256, "bias": true}},
///   {"type": "LeakyReLU", "settings": {"alpha": 0.2}}, …]}
/// ```
/// Built-in layers describe themselves (``ArchitectureDescribable``); a custom
/// layer does so by conforming and being registered in a ``LayerRegistry``.
public struct LayerArchitecture: Codable, Equatable, Sendable {
    /// The layer's type name, e.g. `"Dense"`; the key of ``LayerRegistry``.
    public var type: String
    /// The constructor's settings by name.
    public var settings: [String: LayerSetting]
    /// The sub-layers of a container (``Sequential``), nil otherwise.
    public var layers: [LayerArchitecture]?

    /// Creates a description.
    public init(type: String, settings: [String: LayerSetting] = [:], layers: [LayerArchitecture]? = nil) {
        self.type = type
        self.settings = settings
        self.layers = layers
    }

    private enum CodingKeys: String, CodingKey { case type, settings, layers }

    /// Decodes a description; a missing `settings` means none.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        type = try container.decode(String.self, forKey: .type)
        settings = try container.decodeIfPresent([String: LayerSetting].self, forKey: .settings) ?? [:]
        layers = try container.decodeIfPresent([LayerArchitecture].self, forKey: .layers)
    }

    /// Encodes the description, leaving out empty settings.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(type, forKey: .type)
        if !settings.isEmpty { try container.encode(settings, forKey: .settings) }
        try container.encodeIfPresent(layers, forKey: .layers)
    }

    /// Compact JSON with sorted keys (the same description always gives the same text).
    public var json: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(self)) ?? Data(), as: UTF8.self)
    }

    /// Parses ``json``.
    /// - Throws: ``LayerArchitectureError`` when the text is not a description.
    public init(json: String) throws {
        do { self = try JSONDecoder().decode(LayerArchitecture.self, from: Data(json.utf8)) } catch {
            throw LayerArchitectureError(path: "", type: "", problem: "the architecture is not valid JSON of "
                                         + "{\"type\", \"settings\", \"layers\"}")
        }
    }

    // MARK: - Reading settings (for `ArchitectureDescribable.init(architecture:…)`)

    /// The whole number `name`, in `minimum...maximum` (the default maximum, 2³¹ − 1, keeps
    /// a damaged file from asking for absurd sizes).
    public func integer(_ name: String, minimum: Int = 1, maximum: Int = Int(Int32.max)) throws -> Int {
        guard case .number(let value)? = settings[name], let integer = Int(exactly: value),
              (minimum...maximum).contains(integer) else {
            throw problem(name, expected: "a whole number in \(minimum)...\(maximum)")
        }
        return integer
    }

    /// The list of whole numbers `name`, each in `minimum...maximum`, of length `count` when given.
    public func integers(_ name: String, minimum: Int = 1, maximum: Int = Int(Int32.max), count: Int? = nil) throws -> [Int] {
        guard case .numbers(let values)? = settings[name], count.map({ $0 == values.count }) ?? true else {
            throw problem(name, expected: count.map { "a list of \($0) whole numbers" } ?? "a list of whole numbers")
        }
        let integers = values.compactMap { Int(exactly: $0) }.filter { (minimum...maximum).contains($0) }
        guard integers.count == values.count else {
            throw problem(name, expected: "whole numbers in \(minimum)...\(maximum)")
        }
        return integers
    }

    /// The number `name`, in `range`.
    public func number(_ name: String, in range: ClosedRange<Float> = -Float.greatestFiniteMagnitude...Float.greatestFiniteMagnitude) throws -> Float {
        guard case .number(let value)? = settings[name], range.contains(Float(value)) else {
            throw problem(name, expected: "a number in \(range.lowerBound)...\(range.upperBound)")
        }
        return Float(value)
    }

    /// The flag `name`.
    public func flag(_ name: String) throws -> Bool {
        guard case .flag(let value)? = settings[name] else { throw problem(name, expected: "true or false") }
        return value
    }

    private func problem(_ name: String, expected: String) -> LayerArchitectureError {
        LayerArchitectureError(path: "", type: type, problem: "setting \"\(name)\" must be \(expected), found "
                               + (settings[name].map { "\($0)" } ?? "none"))
    }
}

/// One setting of a ``LayerArchitecture``: a number, a list of numbers, a flag or a text.
public enum LayerSetting: Codable, Equatable, Sendable, CustomStringConvertible {
    /// A number (`Float` settings are stored exactly as `Double`).
    case number(Double)
    /// A list of numbers (shapes, kernel sizes).
    case numbers([Double])
    /// A flag.
    case flag(Bool)
    /// A text.
    case text(String)

    /// Decodes whichever of the four the JSON value is.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let value = try? container.decode(Bool.self) { self = .flag(value) }
        else if let value = try? container.decode(Double.self) { self = .number(value) }
        else if let value = try? container.decode([Double].self) { self = .numbers(value) }
        else { self = .text(try container.decode(String.self)) }
    }

    /// Encodes the plain JSON value.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .number(let value): try container.encode(value)
        case .numbers(let values): try container.encode(values)
        case .flag(let value): try container.encode(value)
        case .text(let value): try container.encode(value)
        }
    }

    /// The JSON form, e.g. `[4, 4]`.
    public var description: String {
        switch self {
        case .number(let value): value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
        case .numbers(let values): "[" + values.map { LayerSetting.number($0).description }.joined(separator: ", ") + "]"
        case .flag(let value): String(value)
        case .text(let value): jsonString(value)
        }
    }
}

extension LayerSetting {
    /// A whole number.
    public static func integer(_ value: Int) -> LayerSetting { .number(Double(value)) }
    /// A `Float`, stored exactly.
    public static func float(_ value: Float) -> LayerSetting { .number(Double(value)) }
    /// A list of whole numbers.
    public static func integers(_ values: [Int]) -> LayerSetting { .numbers(values.map(Double.init)) }
}

/// Why a network could not be described or rebuilt: names the layer's path and type.
public struct LayerArchitectureError: Error, CustomStringConvertible, Equatable {
    /// The layer's position, e.g. `"3"` or `"1.0"` (empty for the root).
    public var path: String
    /// The layer's type.
    public var type: String
    /// What is wrong.
    public var problem: String

    /// Creates an error.
    public init(path: String, type: String, problem: String) {
        self.path = path
        self.type = type
        self.problem = problem
    }

    /// E.g. `layer 3 (Dense): setting "out" must be a whole number ≥ 1, found -2`.
    public var description: String {
        let place = path.isEmpty ? (type.isEmpty ? "architecture" : type) : "layer \(path)" + (type.isEmpty ? "" : " (\(type))")
        return "\(place): \(problem)"
    }

    /// The same error located inside the sub-layer at `index` of a container.
    func inside(_ index: Int) -> LayerArchitectureError {
        LayerArchitectureError(path: path.isEmpty ? "\(index)" : "\(index).\(path)", type: type, problem: problem)
    }
}
