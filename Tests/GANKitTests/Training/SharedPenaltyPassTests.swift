import Testing
@testable import GANKit

/// R1 by forward difference inside the ``Trainer``, whose `−∇θD(x)/δ` term joins the
/// real batch's backward pass, against the same update computed apart: the plain
/// adversarial gradients plus ``GradientPenalty/accumulateGradients(of:at:)``.
@Suite struct SharedPenaltyPassTests {
    enum Critic: String, CaseIterable, Sendable {
        /// TinyGAN's D, real and fake in one pass (the default for it).
        case joint
        /// The same D, real and fake in two passes.
        case separate
        /// A D with BatchNorm, which couples the batch (always two passes).
        case batchNorm
        /// TinyGAN's D with Dropout: the penalty runs apart (masks), so the gradients are identical.
        case dropout
    }

    static func makeTrainer(_ critic: Critic, penalty: GradientPenalty?) -> Trainer {
        let trainer: Trainer
        if critic == .batchNorm {
            var rng = SeededGenerator(seed: 5)
            let (g, _) = MLPGAN.make(TinyGAN.configuration(), using: &rng)
            let d = Sequential {
                Flatten()
                Dense(16, 16, using: &rng)
                BatchNorm(16)
                LeakyReLU(alpha: 0.2)
                Dense(16, 1, using: &rng)
            }
            trainer = Trainer(generator: g, discriminator: d, objective: .nonSaturating,
                              generatorOptimizer: Adam(parameters: g.parameters, learningRate: 2e-3, beta1: 0.5),
                              discriminatorOptimizer: Adam(parameters: d.parameters, learningRate: 2e-3, beta1: 0.5),
                              latentDimension: TinyGAN.latentDimension, seed: 2)
        } else {
            trainer = TinyGAN.makeTrainer(dropout: critic == .dropout ? 0.3 : 0)
        }
        trainer.discriminatesJointly = critic == .joint || critic == .dropout
        trainer.gradientPenalty = penalty
        return trainer
    }

    /// D's gradients at the next update, with `extra` added to them before they are read.
    static func discriminatorGradients(of trainer: Trainer, real: Tensor,
                                       extra: @escaping (any Layer) -> Void = { _ in }) -> [Float] {
        var gradients: [Float] = []
        trainer.onGradientsComputed = { network, _ in
            guard network == .discriminator else { return }
            extra(trainer.discriminator)
            gradients = trainer.discriminator.parameters.flatMap(\.gradient.scalars)
        }
        trainer.discriminatorStep(real: real)
        return gradients
    }

    @Test(arguments: Critic.allCases)
    func sharedPassEqualsThePenaltyComputedApart(_ critic: Critic) {
        let penalty = GradientPenalty.r1(gamma: 4)
        let real = TinyGAN.images(count: TinyGAN.batchSize)
        let shared = Self.makeTrainer(critic, penalty: penalty)
        let apart = Self.makeTrainer(critic, penalty: nil), plain = Self.makeTrainer(critic, penalty: nil)
        for update in 0..<3 {  // a few updates, so that D and the fakes move
            let actual = Self.discriminatorGradients(of: shared, real: real)
            let expected = Self.discriminatorGradients(of: apart, real: real) { discriminator in
                _ = penalty.accumulateGradients(of: discriminator, at: real)
            }
            let adversarialOnly = Self.discriminatorGradients(of: plain, real: real)
            let scale = expected.map(abs).max()!
            let error = zip(actual, expected).map { abs($0 - $1) }.max()! / scale
            let penaltyPart = zip(expected, adversarialOnly).map { abs($0 - $1) }.max()! / scale
            if critic == .dropout {
                #expect(actual == expected)
            } else {
                // Float32 rounding of the folded sum, whose two terms are about 1/δ times the penalty's gradient.
                #expect(error < 1e-3, "\(critic), update \(update): relative difference \(error)")
            }
            #expect(penaltyPart > 1e-2, "\(critic), update \(update): the penalty barely changes the gradients (\(penaltyPart))")
            #expect(shared.lastGradientPenalty > 0)
            for trainer in [shared, apart, plain] { _ = trainer.generatorStep(batchSize: TinyGAN.batchSize) }
        }
    }
}
