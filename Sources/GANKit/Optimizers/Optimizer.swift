/// An update rule that changes parameter values from their gradients.
///
/// An optimizer captures its parameters when it is created; its per-parameter
/// state (moments, momentum buffers) is aligned with `parameters` by index.
/// `step()` reads every `gradient` and writes every `value`; it never zeroes
/// gradients, because backward passes *add* into them (the discriminator step
/// sums the real-batch and fake-batch gradients). Zero them at the start of
/// each training step with ``zeroGradients()``:
///
/// ```swift
/// let optimizer = Adam(parameters: discriminator.parameters, learningRate: 2e-4, beta1: 0.5)
/// optimizer.zeroGradients()
/// _ = discriminator.backward(lossGradient)
/// optimizer.step()
/// ```
///
/// Optimizers are classes with identity and are not `Sendable`: like the
/// model they update, they belong to the task that trains it.
public protocol Optimizer: AnyObject {
    /// The parameters this optimizer updates, captured at `init`; state arrays align by index.
    var parameters: [Parameter] { get }
    /// The step size. May be changed between steps (schedules); saved in the state dictionary.
    var learningRate: Float { get set }
    /// Applies one update: reads each parameter's `gradient`, writes its `value`.
    /// Never zeroes gradients.
    func step()
    /// Named state for checkpoints: tensors such as `"m.0"` and `"v.0"` (per
    /// parameter, suffixed by its index in `parameters`) and scalars such as
    /// `"learningRate"` as 1-element tensors. The step count is stored under
    /// `"step"` as two floats `[high, low]` with `step = high·2²⁴ + low`, exact
    /// for any count below 2⁴⁸ (a single Float is exact only up to 2²⁴);
    /// a ``Checkpoint`` stores the built-in optimizers' step counts as integers instead.
    func stateDictionary() -> [String: Tensor]
    /// Restores state saved by ``stateDictionary()`` (from an optimizer of the
    /// same type and settings over parameters of the same shapes).
    ///
    /// Validates everything before changing anything: on error the optimizer is unchanged.
    /// - Throws: ``OptimizerStateError`` naming the key (and both shapes) when a
    ///   key is missing or unexpected, a shape differs, or a value is invalid.
    func loadStateDictionary(_ state: [String: Tensor]) throws
}

extension Optimizer {
    /// Sets the gradient of every parameter to zero, in place.
    public func zeroGradients() {
        for parameter in parameters { parameter.zeroGradient() }
    }
}

/// Why ``Optimizer/loadStateDictionary(_:)`` rejected a state dictionary.
///
/// Each case names the optimizer and the key; `description` reads like
/// `Adam state "m.0": expected shape [3, 2], found [2, 3]`.
public enum OptimizerStateError: Error, Equatable, CustomStringConvertible {
    /// A key the optimizer needs is absent.
    case missingKey(optimizer: String, key: String)
    /// A key the optimizer does not use is present (another optimizer's state,
    /// a different number of parameters, or momentum saved but not configured).
    case unexpectedKey(optimizer: String, key: String)
    /// The tensor under `key` has the wrong shape.
    case shapeMismatch(optimizer: String, key: String, expected: TensorShape, found: TensorShape)
    /// The tensor under `key` has the right shape but an impossible value (e.g. a fractional step count).
    case invalidValue(optimizer: String, key: String, value: [Float])

    /// What went wrong, where, what was expected and what was found.
    public var description: String {
        switch self {
        case let .missingKey(optimizer, key):
            return "\(optimizer) state: missing key \"\(key)\""
        case let .unexpectedKey(optimizer, key):
            return "\(optimizer) state: unexpected key \"\(key)\""
        case let .shapeMismatch(optimizer, key, expected, found):
            return "\(optimizer) state \"\(key)\": expected shape \(expected), found \(found)"
        case let .invalidValue(optimizer, key, value):
            return "\(optimizer) state \"\(key)\": invalid value \(value)"
        }
    }
}

// MARK: - Shared helpers

/// Stops if a parameter appears twice (it would be updated twice per step).
func checkDistinctParameters(_ parameters: [Parameter], optimizer: String) {
    var seen = Set<ObjectIdentifier>()
    for (index, parameter) in parameters.enumerated() {
        require(seen.insert(ObjectIdentifier(parameter)).inserted,
                "\(optimizer): parameter \(index) (\"\(parameter.name)\") appears more than once")
    }
}

/// Stops if a parameter's gradient does not have the shape of its value.
@inline(__always)
func checkGradientShape(_ parameter: Parameter, index: Int, optimizer: String) {
    require(parameter.gradient.shape == parameter.value.shape,
            "\(optimizer): parameter \(index) (\"\(parameter.name)\") has value \(parameter.value.shape) but gradient \(parameter.gradient.shape)")
}

/// Step counts are split into two floats, each an integer below 2²⁴ and so exact.
private let stepRadix = 16_777_216  // 2²⁴

/// The largest step count ``encodeStepCount(_:)`` encodes exactly: 2⁴⁸ − 1.
let maximumStepCount = stepRadix * stepRadix - 1

/// Encodes a step count as `[high, low]` with `step = high·2²⁴ + low`.
func encodeStepCount(_ step: Int) -> Tensor {
    Tensor([Float(step / stepRadix), Float(step % stepRadix)])
}

/// The count ``encodeStepCount(_:)`` encoded in `tensor`, or nil unless it holds
/// two whole numbers in `0 ..< 2²⁴`.
func decodeStepCount(_ tensor: Tensor) -> Int? {
    let parts = tensor.scalars
    guard parts.count == 2, parts.allSatisfy({ $0 >= 0 && $0 < Float(stepRadix) && $0.rounded() == $0 }) else {
        return nil
    }
    return Int(parts[0]) * stepRadix + Int(parts[1])
}

/// State whose step counts a ``Checkpoint`` stores as integers.
///
/// A state dictionary is `[String: Tensor]`, so it holds a step count as the
/// float pair of ``encodeStepCount(_:)``; in a checkpoint each key listed here
/// becomes one `UInt64` in ``Checkpoint/integers`` under the same name. The
/// built-in optimizers and ``ExponentialMovingAverage`` conform; the state of
/// any other optimizer is stored as its tensors.
protocol StepCountedState: AnyObject {
    /// The state-dictionary keys that hold step counts.
    var stepCountKeys: [String] { get }
}

extension Adam: StepCountedState {
    var stepCountKeys: [String] { ["step"] }
}

extension AdamW: StepCountedState {
    var stepCountKeys: [String] { ["step"] }
}

extension SGD: StepCountedState {
    var stepCountKeys: [String] { ["step"] }
}

extension RMSProp: StepCountedState {
    var stepCountKeys: [String] { ["step"] }
}

/// Checks a state dictionary against the keys and shapes an optimizer expects.
///
/// Reports the first problem in a fixed order: expected keys in sorted order
/// (missing or wrongly shaped), then the first unexpected key; then checks
/// that `"step"` holds two non-negative integers below 2²⁴ and returns the
/// decoded count (0 when `expected` has no `"step"`).
func validateOptimizerState(_ state: [String: Tensor], expected: [String: TensorShape],
                            optimizer: String) throws -> Int {
    for key in expected.keys.sorted() {
        guard let tensor = state[key] else { throw OptimizerStateError.missingKey(optimizer: optimizer, key: key) }
        let shape = expected[key]!
        guard tensor.shape == shape else {
            throw OptimizerStateError.shapeMismatch(optimizer: optimizer, key: key, expected: shape, found: tensor.shape)
        }
    }
    if let extra = state.keys.filter({ expected[$0] == nil }).sorted().first {
        throw OptimizerStateError.unexpectedKey(optimizer: optimizer, key: extra)
    }
    guard let stepTensor = state["step"] else { return 0 }
    guard let step = decodeStepCount(stepTensor) else {
        throw OptimizerStateError.invalidValue(optimizer: optimizer, key: "step", value: stepTensor.scalars)
    }
    return step
}

/// The keys and shapes shared by every optimizer: `"step"` `[2]` and `"learningRate"` `[1]`.
let commonStateShapes: [String: TensorShape] = ["step": [2], "learningRate": [1]]

/// Adds `"\(prefix).\(index)"` with each parameter's shape to `shapes`.
func addPerParameterShapes(_ shapes: inout [String: TensorShape], prefix: String, parameters: [Parameter]) {
    for (index, parameter) in parameters.enumerated() { shapes["\(prefix).\(index)"] = parameter.shape }
}

/// Adds `"\(prefix).\(index)"` → `tensors[index]` to `state`.
func addPerParameterState(_ state: inout [String: Tensor], prefix: String, tensors: [Tensor]) {
    for (index, tensor) in tensors.enumerated() { state["\(prefix).\(index)"] = tensor }
}

/// A learning rate from a validated state dictionary (must be finite and ≥ 0).
func savedLearningRate(from state: [String: Tensor], optimizer: String) throws -> Float {
    let value = state["learningRate"]!.scalars[0]
    guard value.isFinite && value >= 0 else {
        throw OptimizerStateError.invalidValue(optimizer: optimizer, key: "learningRate", value: [value])
    }
    return value
}

/// A copy of `tensor` with storage of its own, so the optimizer's state and a
/// saved dictionary never share memory (the next `step()` then writes in
/// place instead of copying on write).
func independentCopy(_ tensor: Tensor) -> Tensor {
    var copy = tensor
    copy.copyStorage()
    return copy
}

/// Overwrites `destination`'s elements with `source`'s, in place (same shape, checked by the caller).
func copyElements(from source: Tensor, into destination: inout Tensor) {
    source.withUnsafeBufferPointer { from in
        destination.withUnsafeMutableBufferPointer { to in
            _ = to.update(fromContentsOf: from)
        }
    }
}
