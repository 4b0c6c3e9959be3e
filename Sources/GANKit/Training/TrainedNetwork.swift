/// Which of a ``Trainer``'s two networks an update is for.
public enum TrainedNetwork: Sendable, Hashable {
    /// The generator (its optimizer is ``Trainer/generatorOptimizer``).
    case generator
    /// The discriminator or critic (its optimizer is ``Trainer/discriminatorOptimizer``).
    case discriminator
}
