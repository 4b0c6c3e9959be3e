/// A lookup table of learned vectors, one per class: row `i` of `weight` is the vector of class `i`.
///
/// Input `[N]` or `[N, 1]` holding class indices as whole numbers in `0..<count`
/// (stored as `Float`, like every tensor) → output `[N, dimension]`, row `n`
/// being `weight[input[n]]`. As in `torch.nn.Embedding`, the weight is
/// `[count, dimension]`, initialised N(0, 1).
///
/// Backward scatters dLoss/dOutput into the rows that were looked up (a class
/// seen twice in a batch gets both contributions). Indices are not
/// differentiable: the input gradient is zero, shaped like the input.
///
/// ```swift
/// let embedding = Embedding(count: 10, dimension: 16, using: &rng)
/// let vectors = embedding(Tensor([7, 0, 7]))   // [3, 16]
/// ```
public final class Embedding: InputShapeValidating {
    /// Number of rows (classes).
    public let count: Int
    /// Length of each vector.
    public let dimension: Int
    /// `[count, dimension]`.
    public let weight: Parameter
    /// No mode-dependent behaviour; kept for the `Layer` contract.
    public var isTraining = true

    private var cachedIndices: [Int] = []
    private var cachedInputShape: TensorShape = [0]
    private var outputBuffer = TensorBuffer()
    private var inputGradientBuffer = TensorBuffer()

    /// Creates a table of `count` vectors of length `dimension`, drawn from `weightInitializer`.
    public init(count: Int, dimension: Int, weightInitializer: Initializer = .normal(mean: 0, standardDeviation: 1),
                using generator: inout SeededGenerator) {
        require(count > 0 && dimension > 0,
                "Embedding: count and dimension must be positive, got \(count) × \(dimension)")
        self.count = count
        self.dimension = dimension
        weight = Parameter(name: "weight", value: weightInitializer.makeTensor([count, dimension], using: &generator))
    }

    /// `weight`.
    public var parameters: [Parameter] { [weight] }
    /// None.
    public var buffers: [Buffer] { [] }

    private var name: String { "Embedding(\(count) × \(dimension))" }

    /// Why `forward` would reject `shape` (not `[N]` or `[N, 1]`).
    public func inputShapeProblem(for shape: TensorShape) -> String? {
        guard shape.rank == 1 || (shape.rank == 2 && shape[1] == 1) else {
            return inputShapeError(layer: name, expected: "[N] or [N, 1] class indices", got: shape)
        }
        return nil
    }

    /// `[N]` or `[N, 1]` indices → `[N, dimension]`.
    /// - Precondition: every index is a whole number in `0..<count`.
    public func forward(_ input: Tensor) -> Tensor {
        requireValidInput(input.shape)
        cachedInputShape = input.shape
        cachedIndices.removeAll(keepingCapacity: true)
        input.withUnsafeBufferPointer { values in
            for value in values { cachedIndices.append(Self.index(value, count: count, layer: name)) }
        }
        let dimension = self.dimension
        return outputBuffer.fill(shape: [cachedIndices.count, dimension]) { y in
            weight.value.withUnsafeBufferPointer { table in
                for (row, index) in cachedIndices.enumerated() {
                    (y.baseAddress! + row * dimension).update(from: table.baseAddress! + index * dimension,
                                                              count: dimension)
                }
            }
        }
    }

    /// dy `[N, dimension]` → zeros shaped like the input; `weight.gradient[input[n]] += dy[n]`.
    public func backward(_ outputGradient: Tensor, parameterGradients: ParameterGradients) -> Tensor {
        if parameterGradients == .accumulate { backwardParametersOnly(outputGradient) }
        return inputGradientBuffer.fill(shape: cachedInputShape) { $0.update(repeating: 0) }
    }

    /// `weight.gradient[input[n]] += dy[n]` for dy `[N, dimension]`.
    public func backwardParametersOnly(_ outputGradient: Tensor) {
        require(outputGradient.shape == [cachedIndices.count, dimension],
                "\(name).backward: expected output gradient [\(cachedIndices.count), \(dimension)], got \(outputGradient.shape)")
        let dimension = self.dimension
        outputGradient.withUnsafeBufferPointer { dy in
            weight.withGradientForAccumulation { dw, overwrite in
                if overwrite { dw.update(repeating: 0) }
                for (row, index) in cachedIndices.enumerated() {
                    let from = dy.baseAddress! + row * dimension, to = dw.baseAddress! + index * dimension
                    for j in 0..<dimension { to[j] += from[j] }
                }
            }
        }
    }

    /// The class index a stored value stands for; stops naming the layer and the value when it is not one.
    static func index(_ value: Float, count: Int, layer: @autoclosure () -> String) -> Int {
        guard value.isFinite, value == value.rounded(), value >= 0, value < Float(count) else {
            requirementFailed("\(layer()): class index \(value) is not a whole number in 0..<\(count)")
        }
        return Int(value)
    }

    /// `Embedding(10 × 16)  // 160 parameters`.
    public var description: String { "\(name)  // \(formattedCount(parameterCount)) parameters" }
}
