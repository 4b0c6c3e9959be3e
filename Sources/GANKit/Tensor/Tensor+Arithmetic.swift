/// Elementwise arithmetic, scalar arithmetic and row-vector broadcasting.
///
/// Binary operators require equal shapes (a mismatch stops with a message naming both), except
/// ``addingRowVector(_:)``, which adds a `[F]` vector to every row of `[N, F]`
/// (how a bias is applied).
extension Tensor {
    /// Applies `operation` pairwise to `lhs` and `rhs` (same shape).
    @inlinable
    static func zipMap(_ lhs: Tensor, _ rhs: Tensor, _ name: String, _ operation: (Float, Float) -> Float) -> Tensor {
        require(lhs.shape == rhs.shape, "Tensor \(name): shapes \(lhs.shape) and \(rhs.shape) differ")
        var result = Tensor(zeros: lhs.shape)
        result.withUnsafeMutableBufferPointer { out in
            lhs.withUnsafeBufferPointer { a in
                rhs.withUnsafeBufferPointer { b in
                    for index in 0..<out.count { out[index] = operation(a[index], b[index]) }
                }
            }
        }
        return result
    }

    /// Returns a tensor of the same shape with `transform` applied to every element.
    @inlinable
    public func map(_ transform: (Float) -> Float) -> Tensor {
        var result = Tensor(zeros: shape)
        result.withUnsafeMutableBufferPointer { out in
            withUnsafeBufferPointer { source in
                for index in 0..<out.count { out[index] = transform(source[index]) }
            }
        }
        return result
    }

    /// Elementwise sum. - Precondition: equal shapes.
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor { zipMap(lhs, rhs, "+") { $0 + $1 } }
    /// Elementwise difference. - Precondition: equal shapes.
    public static func - (lhs: Tensor, rhs: Tensor) -> Tensor { zipMap(lhs, rhs, "-") { $0 - $1 } }
    /// Elementwise (Hadamard) product. - Precondition: equal shapes.
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor { zipMap(lhs, rhs, "*") { $0 * $1 } }
    /// Elementwise quotient. - Precondition: equal shapes.
    public static func / (lhs: Tensor, rhs: Tensor) -> Tensor { zipMap(lhs, rhs, "/") { $0 / $1 } }

    /// Adds `scalar` to every element.
    public static func + (lhs: Tensor, scalar: Float) -> Tensor { lhs.map { $0 + scalar } }
    /// Subtracts `scalar` from every element.
    public static func - (lhs: Tensor, scalar: Float) -> Tensor { lhs.map { $0 - scalar } }
    /// Multiplies every element by `scalar`.
    public static func * (lhs: Tensor, scalar: Float) -> Tensor { lhs.map { $0 * scalar } }
    /// Multiplies every element by `scalar`.
    public static func * (scalar: Float, rhs: Tensor) -> Tensor { rhs.map { scalar * $0 } }
    /// Divides every element by `scalar`.
    public static func / (lhs: Tensor, scalar: Float) -> Tensor { lhs.map { $0 / scalar } }
    /// Negates every element.
    public static prefix func - (operand: Tensor) -> Tensor { operand.map { -$0 } }

    /// Adds `rhs` elementwise in place. - Precondition: equal shapes.
    public static func += (lhs: inout Tensor, rhs: Tensor) {
        require(lhs.shape == rhs.shape, "Tensor +=: shapes \(lhs.shape) and \(rhs.shape) differ")
        lhs.withUnsafeMutableBufferPointer { out in
            rhs.withUnsafeBufferPointer { b in for index in 0..<out.count { out[index] += b[index] } }
        }
    }

    /// Subtracts `rhs` elementwise in place. - Precondition: equal shapes.
    public static func -= (lhs: inout Tensor, rhs: Tensor) {
        require(lhs.shape == rhs.shape, "Tensor -=: shapes \(lhs.shape) and \(rhs.shape) differ")
        lhs.withUnsafeMutableBufferPointer { out in
            rhs.withUnsafeBufferPointer { b in for index in 0..<out.count { out[index] -= b[index] } }
        }
    }

    /// Multiplies every element by `scalar` in place.
    public static func *= (lhs: inout Tensor, scalar: Float) {
        lhs.withUnsafeMutableBufferPointer { out in for index in 0..<out.count { out[index] *= scalar } }
    }

    /// Adds the row vector `vector` (`[F]`) to every row of this `[N, F]` tensor
    /// (any tensor whose elements per item equal `F`).
    /// - Precondition: `vector.count` equals the elements per item.
    public func addingRowVector(_ vector: Tensor) -> Tensor {
        let width = rank == 1 ? count : shape.elementsPerItem
        require(vector.count == width,
                "Tensor.addingRowVector: vector \(vector.shape) does not match rows of \(shape)")
        var result = self
        result.withUnsafeMutableBufferPointer { out in
            vector.withUnsafeBufferPointer { v in
                for row in 0..<(count / Swift.max(width, 1)) {
                    let base = row * width
                    for column in 0..<width { out[base + column] += v[column] }
                }
            }
        }
        return result
    }

    /// Copies `source`'s elements into this tensor, keeping this tensor's shape.
    /// - Precondition: equal element counts.
    public mutating func assign(from source: Tensor) {
        require(source.count == count, "Tensor.assign: source \(source.shape) does not fit \(shape)")
        let elementCount = count
        withUnsafeMutableBufferPointer { out in
            source.withUnsafeBufferPointer { out.baseAddress!.update(from: $0.baseAddress!, count: elementCount) }
        }
    }
}
