/// Samples a ``BatchSequence`` can gather into float batches: a `Tensor` (rows
/// copied as they are) or ``ImageBytes`` (8-bit pixels converted per batch).
/// Conform a type of your own to stream samples from another storage.
public protocol BatchSource: Sendable {
    /// `[N, …]`: the number of samples, then the shape of one sample.
    var shape: TensorShape { get }
    /// Writes samples `indices` as floats, one after another (`shape.elementsPerItem`
    /// each), into `destination`.
    func copySamples(_ indices: ArraySlice<Int>, into destination: UnsafeMutablePointer<Float>)
}

extension Tensor: BatchSource {
    /// Copies rows `indices` (along the first axis) one after another into `destination`.
    public func copySamples(_ indices: ArraySlice<Int>, into destination: UnsafeMutablePointer<Float>) {
        let row = shape.elementsPerItem
        withUnsafeBufferPointer { source in
            guard let from = source.baseAddress else { return }
            for (position, sample) in indices.enumerated() {
                (destination + position * row).update(from: from + sample * row, count: row)
            }
        }
    }
}
