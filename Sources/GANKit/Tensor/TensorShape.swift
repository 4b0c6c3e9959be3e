/// The dimensions of a tensor, stored inline (no heap allocation), rank 0 through 8.
///
/// A `TensorShape` reads like an array of `Int`: it is a random-access
/// collection of dimensions and can be written as an array literal
/// (`tensor.shape == [64, 784]`). Keeping it inline lets layers create and
/// reshape tensors inside a training step without touching the heap.
public struct TensorShape: Sendable, Hashable, RandomAccessCollection, ExpressibleByArrayLiteral,
    CustomStringConvertible
{
    /// The largest rank a tensor may have.
    public static let maximumRank = 8

    @usableFromInline var dimensions: SIMD8<Int>
    /// The number of dimensions.
    public let rank: Int

    /// Creates a shape from its dimensions.
    /// - Precondition: at most `maximumRank` dimensions, none negative.
    @inlinable
    public init<C: Collection>(_ dimensions: C) where C.Element == Int {
        // The messages capture values only: capturing `dimensions` would keep an
        // array literal (`[batch, features]`) alive on the heap in every layer call.
        let rank = dimensions.count
        require(rank <= Self.maximumRank, "TensorShape: rank \(rank) exceeds the maximum \(Self.maximumRank)")
        var packed = SIMD8<Int>(repeating: 0)
        for (index, dimension) in dimensions.enumerated() { packed[index] = dimension }
        require(packed.min() >= 0, "TensorShape: expected dimensions ≥ 0, got \((0..<rank).map { packed[$0] })")
        self.dimensions = packed
        self.rank = rank
    }

    /// Creates a shape from an array literal, e.g. `[64, 1, 28, 28]`.
    @inlinable
    public init(arrayLiteral elements: Int...) { self.init(elements) }

    /// Position of the first dimension (always 0).
    @inlinable public var startIndex: Int { 0 }
    /// One past the last dimension (the rank).
    @inlinable public var endIndex: Int { rank }

    /// The dimension at `position`.
    @inlinable
    public subscript(position: Int) -> Int {
        get {
            require(position >= 0 && position < rank, "TensorShape: axis \(position) out of range for rank \(rank)")
            return dimensions[position]
        }
        set {
            require(position >= 0 && position < rank, "TensorShape: axis \(position) out of range for rank \(rank)")
            require(newValue >= 0, "TensorShape: negative dimension \(newValue)")
            dimensions[position] = newValue
        }
    }

    /// The number of elements a tensor of this shape holds (1 for rank 0).
    @inlinable
    public var elementCount: Int {
        var product = 1
        for index in 0..<rank { product *= dimensions[index] }
        return product
    }

    /// The product of the dimensions after the first: the size of one sample
    /// when the first axis is the batch.
    @inlinable
    public var elementsPerItem: Int {
        var product = 1
        if rank > 1 { for index in 1..<rank { product *= dimensions[index] } }
        return product
    }

    /// This shape with the first dimension replaced (e.g. a smaller last batch).
    @inlinable
    public func replacingFirst(with first: Int) -> TensorShape {
        var copy = self
        copy[0] = first
        return copy
    }

    /// Shapes are equal when ranks and dimensions match.
    @inlinable
    public static func == (lhs: TensorShape, rhs: TensorShape) -> Bool {
        guard lhs.rank == rhs.rank else { return false }
        for index in 0..<lhs.rank where lhs.dimensions[index] != rhs.dimensions[index] { return false }
        return true
    }

    /// Hashes the rank and the used dimensions.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(rank)
        for index in 0..<rank { hasher.combine(dimensions[index]) }
    }

    /// The dimensions as an array, e.g. `[64, 784]`.
    public var description: String { "[" + map(String.init).joined(separator: ", ") + "]" }
}
