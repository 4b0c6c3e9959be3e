import Foundation

/// A layer that can describe itself as a ``LayerArchitecture`` and be rebuilt from one.
///
/// Every built-in layer conforms except ``SpectralNorm`` and ``ClassProjectionOutput``
/// (discriminator-only wrappers). A custom layer conforms and is registered:
/// ```swift
/// var layers = LayerRegistry.builtIn
/// layers.register(Swish.self)
/// let generator = try TrainedGenerator(contentsOf: url, layers: layers)
/// ```
public protocol ArchitectureDescribable: Layer {
    /// The type name in the file, e.g. `"Dense"`; must be unique within a registry.
    static var architectureType: String { get }
    /// This layer's settings (and, for a container, its sub-layers').
    var architecture: LayerArchitecture { get throws }
    /// Rebuilds the layer with fresh weights from `architecture` (whose `type` is
    /// ``architectureType``); `registry` rebuilds sub-layers of a container.
    /// - Throws: ``LayerArchitectureError`` for a missing or invalid setting.
    init(architecture: LayerArchitecture, registry: LayerRegistry) throws
}

/// A describable layer without settings (an activation, `Flatten`): its architecture
/// is its type name alone, and it is rebuilt with `init()`. Conforming takes one line:
/// ```swift
/// extension Swish: SettinglessLayer { static var architectureType: String { "Swish" } }
/// ```
public protocol SettinglessLayer: ArchitectureDescribable {
    /// Creates the layer.
    init()
}

extension SettinglessLayer {
    /// The type name alone.
    public var architecture: LayerArchitecture { LayerArchitecture(type: Self.architectureType) }
    /// Rebuilds the layer with `init()`.
    public init(architecture: LayerArchitecture, registry: LayerRegistry) throws { self.init() }
}


/// The layer types a file's architecture may name, by ``ArchitectureDescribable/architectureType``.
public struct LayerRegistry {
    private var types: [String: any ArchitectureDescribable.Type] = [:]

    /// The built-in layers.
    public static var builtIn: LayerRegistry {
        var registry = LayerRegistry()
        let types: [any ArchitectureDescribable.Type] = [
            Sequential.self, Dense.self, Conv2D.self, ConvTranspose2D.self, BatchNorm.self, ReLU.self,
            LeakyReLU.self, Tanh.self, Sigmoid.self, Reshape.self, Flatten.self, Dropout.self, Embedding.self,
            ConcatenateClassEmbedding.self, MinibatchStdDev.self,
        ]
        for type in types { registry.register(type) }
        return registry
    }

    /// An empty registry (``builtIn`` is the usual start).
    public init() {}

    /// Adds (or replaces) a layer type under its ``ArchitectureDescribable/architectureType``.
    public mutating func register(_ type: any ArchitectureDescribable.Type) {
        types[type.architectureType] = type
    }

    /// The registered type names, sorted.
    public var typeNames: [String] { types.keys.sorted() }

    /// Builds the layer `architecture` describes, with fresh weights.
    /// - Throws: ``LayerArchitectureError`` naming the layer's path for an unknown type or a bad setting.
    public func makeLayer(_ architecture: LayerArchitecture) throws -> any Layer {
        guard let type = types[architecture.type] else {
            throw LayerArchitectureError(path: "", type: architecture.type, problem: "unknown layer type; "
                                         + "register it in a LayerRegistry (known: \(typeNames.joined(separator: ", ")))")
        }
        return try type.init(architecture: architecture, registry: self)
    }
}

extension Layer {
    /// This network's description, for rebuilding it elsewhere.
    /// - Throws: ``LayerArchitectureError`` naming the first layer that cannot describe itself.
    public func architecture() throws -> LayerArchitecture {
        guard let describable = self as? any ArchitectureDescribable else {
            throw LayerArchitectureError(path: "", type: String(describing: Swift.type(of: self)),
                                         problem: "cannot describe itself: conform it to ArchitectureDescribable "
                                         + "(SpectralNorm and ClassProjectionOutput are discriminator-only)")
        }
        return try describable.architecture
    }
}
