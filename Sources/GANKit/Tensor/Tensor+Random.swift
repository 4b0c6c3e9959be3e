/// Random tensors drawn from an explicit, seedable generator.
extension Tensor {
    /// A tensor of samples from N(`mean`, `standardDeviation`²).
    public static func randomNormal(_ shape: TensorShape, mean: Float = 0, standardDeviation: Float = 1,
                                    using generator: inout SeededGenerator) -> Tensor {
        var result = Tensor(zeros: shape)
        result.fillNormal(mean: mean, standardDeviation: standardDeviation, using: &generator)
        return result
    }

    /// A tensor of samples from the uniform distribution on [`lowerBound`, `upperBound`).
    public static func randomUniform(_ shape: TensorShape, lowerBound: Float = 0, upperBound: Float = 1,
                                     using generator: inout SeededGenerator) -> Tensor {
        var result = Tensor(zeros: shape)
        result.fillUniform(lowerBound: lowerBound, upperBound: upperBound, using: &generator)
        return result
    }

    /// Overwrites every element with a sample from N(`mean`, `standardDeviation`²), in place.
    public mutating func fillNormal(mean: Float = 0, standardDeviation: Float = 1,
                                    using generator: inout SeededGenerator) {
        withUnsafeMutableBufferPointer { values in
            generator.fillNormal(values)
            for index in values.indices { values[index] = mean + standardDeviation * values[index] }
        }
    }

    /// Overwrites every element with a uniform sample from [`lowerBound`, `upperBound`), in place.
    public mutating func fillUniform(lowerBound: Float = 0, upperBound: Float = 1,
                                     using generator: inout SeededGenerator) {
        let width = upperBound - lowerBound
        withUnsafeMutableBufferPointer { values in
            for index in values.indices { values[index] = lowerBound + width * generator.nextUnitFloat() }
        }
    }
}
