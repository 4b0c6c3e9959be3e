/// `SpectralNorm(layer)` when `condition` holds (drawing its `u`, `v` from `generator`), else `layer`.
/// The model builders use it for their `spectralNorm` option.
func spectrallyNormalized<Wrapped: SpectralNormalizable>(_ layer: Wrapped, if condition: Bool,
                                                         using generator: inout SeededGenerator) -> any Layer {
    condition ? SpectralNorm(layer, using: &generator) : layer
}
