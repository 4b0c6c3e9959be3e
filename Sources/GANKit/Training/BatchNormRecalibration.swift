/// Recomputes the running statistics of every ``BatchNorm`` in `network` as the
/// plain average of its batch statistics over `inputs` (what PyTorch's
/// `torch.optim.swa_utils.update_bn` does, and BigGAN's "standing statistics").
///
/// Needed when a network's weights were replaced — e.g. by the averaged
/// weights of an ``ExponentialMovingAverage``: the running statistics collected
/// during training belong to the live weights, and a BatchNorm generator
/// sampled in inference mode with mismatched statistics gives worse samples.
/// The forwards run in training mode; parameters are not touched, Dropout
/// generators advance, and the network's mode is restored afterwards.
///
/// - Parameters:
///   - network: Any layer tree; layers other than BatchNorm are unaffected.
///   - inputs: Batches to run, e.g. a few noise batches `[N, latentDimension]` for a generator.
public func recalibrateBatchNormStatistics(of network: any Layer, inputs: [Tensor]) {
    let batchNorms = network.namedLeafLayers().compactMap { $0.layer as? BatchNorm }
    guard !batchNorms.isEmpty, !inputs.isEmpty else { return }
    let wasTraining = network.isTraining
    network.isTraining = true
    for layer in batchNorms { layer.cumulativeBatches = 0 }
    for input in inputs { _ = network.forward(input) }
    for layer in batchNorms { layer.cumulativeBatches = nil }
    network.isTraining = wasTraining
}
