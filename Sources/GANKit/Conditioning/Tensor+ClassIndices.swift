extension Tensor {
    /// Class labels `[N]` for conditional models from integer class indices
    /// (e.g. ``ImageDataset/labels``), stored as whole-number `Float`s as
    /// ``Layer/setClassLabels(_:)`` and ``Trainer`` expect.
    /// - Precondition: every index is ≥ 0 and below 2^24 (exact as a `Float`).
    public init<Indices: Sequence<Int>>(classIndices: Indices) {
        let values = classIndices.map { index -> Float in
            require(index >= 0 && index < 1 << 24, "Tensor(classIndices:): class index \(index) is not in 0..<16777216")
            return Float(index)
        }
        self.init(values)
    }
}
