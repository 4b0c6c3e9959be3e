/// A multi-dimensional array of `Float` in contiguous row-major order.
///
/// `Tensor` has value semantics with copy-on-write: copies share storage until
/// one of them is written, so passing tensors around and caching them in layers
/// costs nothing. Storage is 64-byte aligned; reshapes and slices along the
/// first axis share it without copying. Layout conventions follow PyTorch: a
/// batch of images is `[N, C, H, W]`, a batch of vectors `[N, F]`.
///
/// ```swift
/// var rng = SeededGenerator(seed: 42)
/// let x = Tensor.randomNormal([64, 100], using: &rng)
/// let firstTen = x.slice(0..<10)          // [10, 100], shares storage
/// let flat = x.reshaped(to: [64 * 100])   // shares storage
/// ```
public struct Tensor: Sendable {
    /// The dimensions, outermost first.
    public internal(set) var shape: TensorShape
    @usableFromInline var storage: TensorStorage
    /// Index of this tensor's first element in `storage` (non-zero for slices).
    @usableFromInline var offset: Int

    /// The number of elements (the product of the shape).
    @inlinable public var count: Int { shape.elementCount }
    /// The number of dimensions.
    @inlinable public var rank: Int { shape.rank }

    @usableFromInline
    init(shape: TensorShape, storage: TensorStorage, offset: Int) {
        require(offset + shape.elementCount <= storage.capacity,
                "Tensor: shape \(shape) at offset \(offset) does not fit a storage of \(storage.capacity) elements")
        self.shape = shape
        self.storage = storage
        self.offset = offset
    }

    // MARK: - Creation

    /// Creates a tensor of the given shape filled with zeros.
    public init(zeros shape: TensorShape) {
        self.init(shape: shape, storage: TensorStorage(capacity: shape.elementCount), offset: 0)
    }

    /// Creates a tensor of the given shape with every element equal to `value`.
    public init(repeating value: Float, shape: TensorShape) {
        self.init(zeros: shape)
        if value != 0 { storage.base.update(repeating: value, count: shape.elementCount) }
    }

    /// A shared empty tensor (shape `[0]`); assigning it to a cache releases the old value without allocating.
    public static let empty = Tensor(zeros: [0])

    /// Creates a tensor of the given shape filled with ones.
    public static func ones(_ shape: TensorShape) -> Tensor { Tensor(repeating: 1, shape: shape) }

    /// Creates a tensor of the given shape filled with zeros.
    public static func zeros(_ shape: TensorShape) -> Tensor { Tensor(zeros: shape) }

    /// Creates a tensor from row-major `values`.
    /// - Precondition: `values.count` equals the product of `shape`.
    public init(shape: TensorShape, values: [Float]) {
        require(values.count == shape.elementCount,
                "Tensor(shape: \(shape), values:): expected \(shape.elementCount) values, got \(values.count)")
        self.init(zeros: shape)
        let base = storage.base
        values.withUnsafeBufferPointer { base.update(from: $0.baseAddress!, count: values.count) }
    }

    /// Creates a rank-1 tensor from `values`.
    public init(_ values: [Float]) { self.init(shape: [values.count], values: values) }

    /// Creates a tensor whose element at each flat index is `element(index)`.
    public init(shape: TensorShape, element: (Int) -> Float) {
        self.init(zeros: shape)
        for index in 0..<shape.elementCount { storage.base[index] = element(index) }
    }

    // MARK: - Element access

    /// The elements in row-major order, as an array (a copy).
    public var scalars: [Float] { withUnsafeBufferPointer { Array($0) } }

    /// The element at the given multi-dimensional index (slow; for tests and small tensors).
    public subscript(indices: Int...) -> Float {
        get { storage.base[offset + flatIndex(indices)] }
        set {
            let index = flatIndex(indices)
            withUnsafeMutableBufferPointer { $0[index] = newValue }
        }
    }

    private func flatIndex(_ indices: [Int]) -> Int {
        require(indices.count == rank, "Tensor subscript: \(indices.count) indices for shape \(shape)")
        var flat = 0
        for (axis, index) in indices.enumerated() {
            require(index >= 0 && index < shape[axis], "Tensor subscript: index \(indices) out of range for shape \(shape)")
            flat = flat * shape[axis] + index
        }
        return flat
    }

    // MARK: - Raw access

    /// Calls `body` with the elements in row-major order.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.base + offset, count: count))
    }

    /// Calls `body` with writable elements, copying the storage first if another tensor shares it.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R {
        ensureUniqueStorage()
        return try body(UnsafeMutableBufferPointer(start: storage.base + offset, count: count))
    }

    /// Whether this tensor is the only one referring to its storage (writes will not copy).
    @inlinable
    public mutating func isUniquelyReferenced() -> Bool { isKnownUniquelyReferenced(&storage) }

    @inlinable
    mutating func ensureUniqueStorage() {
        if !isKnownUniquelyReferenced(&storage) { copyStorage() }
    }

    @usableFromInline @inline(never)
    mutating func copyStorage() {
        storage = TensorStorage(copying: storage.base + offset, count: count)
        offset = 0
    }

    // MARK: - Shape

    /// Returns the same elements with a new shape, sharing storage (no copy).
    /// - Precondition: the element counts match.
    public func reshaped(to newShape: TensorShape) -> Tensor {
        require(newShape.elementCount == count,
                "Tensor.reshaped: cannot reshape \(shape) (\(count) elements) to \(newShape) (\(newShape.elementCount) elements)")
        return Tensor(shape: newShape, storage: storage, offset: offset)
    }

    /// Changes the shape in place without copying.
    /// - Precondition: the element counts match.
    public mutating func reshape(to newShape: TensorShape) {
        require(newShape.elementCount == count,
                "Tensor.reshape: cannot reshape \(shape) (\(count) elements) to \(newShape) (\(newShape.elementCount) elements)")
        shape = newShape
    }

    /// The items `range` along the first axis (e.g. a mini-batch), sharing storage.
    /// - Precondition: rank ≥ 1 and `range` lies within the first dimension.
    public func slice(_ range: Range<Int>) -> Tensor {
        require(rank >= 1, "Tensor.slice: expected a tensor with a first axis, got a scalar \(shape)")
        require(range.lowerBound >= 0 && range.upperBound <= shape[0],
                "Tensor.slice: range \(range) out of bounds for shape \(shape)")
        return Tensor(shape: shape.replacingFirst(with: range.count), storage: storage,
                      offset: offset + range.lowerBound * shape.elementsPerItem)
    }

    /// Item `index` along the first axis, without that axis (shares storage).
    public func item(_ index: Int) -> Tensor {
        let one = slice(index..<(index + 1))
        return one.reshaped(to: TensorShape(one.shape.dropFirst()))
    }
}

extension Tensor: CustomStringConvertible {
    /// The shape and up to the first eight elements, e.g. `Tensor[2, 3]([1.0, 2.0, ...])`.
    public var description: String {
        let shown = withUnsafeBufferPointer { Array($0.prefix(8)) }
        return "Tensor\(shape)(\(shown)\(count > 8 ? " …" : ""))"
    }
}

extension Tensor: Equatable {
    /// Tensors are equal when their shapes and every element are equal.
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        guard lhs.shape == rhs.shape else { return false }
        return lhs.withUnsafeBufferPointer { a in rhs.withUnsafeBufferPointer { b in a.elementsEqual(b) } }
    }
}

extension Tensor {
    /// Joins tensors along the first axis: `[a, …] + [b, …]` → `[a + b, …]`.
    /// - Precondition: at least one tensor; all items have the same shape.
    public init(concatenating tensors: [Tensor]) {
        require(!tensors.isEmpty, "Tensor(concatenating:): expected at least one tensor, got none")
        let itemShape = Array(tensors[0].shape.dropFirst())
        for tensor in tensors {
            require(tensor.rank >= 1 && Array(tensor.shape.dropFirst()) == itemShape,
                    "Tensor(concatenating:): shape \(tensor.shape) does not match \(tensors[0].shape) after the first axis")
        }
        let total = tensors.reduce(0) { $0 + $1.shape[0] }
        self.init(zeros: TensorShape([total] + itemShape))
        var offset = 0
        let base = storage.base
        for tensor in tensors {
            tensor.withUnsafeBufferPointer { (base + offset).update(from: $0.baseAddress!, count: $0.count) }
            offset += tensor.count
        }
    }
}
