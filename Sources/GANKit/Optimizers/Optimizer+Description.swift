// What `print(optimizer)` shows: the type and its hyper-parameters, like a layer's
// description, e.g. `Adam(learning rate 0.0002, β1 0.5, β2 0.999, ε 1e-08)  // 1,493,520 parameters`.

/// `  // N parameters`, the count of the values an optimizer updates.
private func parameterCountNote(_ parameters: [Parameter]) -> String {
    "  // \(formattedCount(parameters.reduce(0) { $0 + $1.value.count })) parameters"
}

/// `%g` of a Float, so 2e-4 prints as `0.0002` rather than `0.00019999999`.
private func short(_ value: Float) -> String { String(format: "%g", Double(value)) }

extension Adam: CustomStringConvertible {
    /// `Adam(learning rate …, β1 …, β2 …, ε …[, weight decay …])  // N parameters`.
    public var description: String {
        var text = "Adam(learning rate \(short(learningRate)), β1 \(short(beta1)), β2 \(short(beta2)), ε \(short(epsilon))"
        if weightDecay != 0 { text += ", \(decoupledWeightDecay ? "decoupled " : "")weight decay \(short(weightDecay))" }
        return text + ")" + parameterCountNote(parameters)
    }
}

extension AdamW: CustomStringConvertible {
    /// `AdamW(…)` with the hyper-parameters of the Adam inside.
    public var description: String { "AdamW" + adam.description.dropFirst("Adam".count) }
}

extension SGD: CustomStringConvertible {
    /// `SGD(learning rate …[, momentum …][, nesterov][, weight decay …])  // N parameters`.
    public var description: String {
        var text = "SGD(learning rate \(short(learningRate))"
        if momentum != 0 { text += ", momentum \(short(momentum))" + (nesterov ? ", nesterov" : "") }
        if weightDecay != 0 { text += ", weight decay \(short(weightDecay))" }
        return text + ")" + parameterCountNote(parameters)
    }
}

extension RMSProp: CustomStringConvertible {
    /// `RMSProp(learning rate …, α …, ε …[, momentum …][, centered][, weight decay …])  // N parameters`.
    public var description: String {
        var text = "RMSProp(learning rate \(short(learningRate)), α \(short(alpha)), ε \(short(epsilon))"
        if momentum != 0 { text += ", momentum \(short(momentum))" }
        if centered { text += ", centered" }
        if weightDecay != 0 { text += ", weight decay \(short(weightDecay))" }
        return text + ")" + parameterCountNote(parameters)
    }
}

extension ScheduledOptimizer: CustomStringConvertible {
    /// The wrapped optimizer's description and the schedule.
    public var description: String { "\(base), schedule \(schedule)" }
}
