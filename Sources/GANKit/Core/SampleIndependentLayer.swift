/// A layer that treats every sample of a batch on its own.
///
/// Conforming promises two things:
/// - output sample `i` depends only on input sample `i`, the parameters and
///   the mode (no batch statistics, unlike ``BatchNorm`` or ``MinibatchStdDev``);
/// - one `forward`/`backward` over a batch `[a; b]` computes what one over `a`
///   and one over `b` would, with the parameter gradients summed (no per-call
///   state such as ``SpectralNorm``'s power iteration). A layer that draws
///   random numbers, like ``Dropout``, may draw them differently, as long as
///   they follow the same distribution.
///
/// When every layer of a discriminator conforms, ``Trainer`` runs it once on
/// the real and fake samples stacked into one batch of 2N instead of twice on
/// N: the same losses and gradients up to rounding, from fewer and larger
/// matrix products. Dense, convolutions, activations, Dropout and reshapes
/// conform; a custom layer opts in by declaring the conformance.
public protocol SampleIndependentLayer: Layer {}

extension Layer {
    /// Whether every layer in this tree is a ``SampleIndependentLayer``
    /// (a container such as ``Sequential`` when all its children are).
    public var treatsSamplesIndependently: Bool {
        if let container = self as? any LayerContainer {
            return container.children.allSatisfy { $0.treatsSamplesIndependently }
        }
        return self is any SampleIndependentLayer
    }
}

extension Dense: SampleIndependentLayer {}
extension Conv2D: SampleIndependentLayer {}
extension ConvTranspose2D: SampleIndependentLayer {}
extension ReLU: SampleIndependentLayer {}
extension LeakyReLU: SampleIndependentLayer {}
extension Tanh: SampleIndependentLayer {}
extension Sigmoid: SampleIndependentLayer {}
extension Dropout: SampleIndependentLayer {}
extension Reshape: SampleIndependentLayer {}
extension Flatten: SampleIndependentLayer {}
