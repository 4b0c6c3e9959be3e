import GANKit

/// The adversarial-loss options of the GAN examples: the objective, the
/// critic schedule, gradient penalties and Adam's betas (see Docs/WGAN-GP.md
/// and Docs/Losses.md).
public let objectiveOptions: [Option] = [
    Option("--loss", "NAME", kind: .choice(["ns", "minimax", "lsgan", "hinge", "wgan"]), default: "ns",
           help: "ns: non-saturating BCE (tutorial); minimax; lsgan: least squares; hinge; wgan: Wasserstein"),
    Option("--critic-steps", "N", kind: .integerIn(1...100), default: "1",
           help: "discriminator updates per generator update (WGAN-GP uses 5)"),
    Option("--gradient-penalty", "LAMBDA", kind: .positiveNumber,
           help: "WGAN-GP: add LAMBDA·(‖∇D‖ − 1)² at real/fake interpolates to D's loss (the paper uses 10)"),
    Option("--r1", "GAMMA", kind: .positiveNumber,
           help: "R1: add GAMMA/2·‖∇D‖² on real images to D's loss (e.g. 10)"),
    Option("--beta1", "B", kind: .fraction, default: "0.5", help: "Adam's β1 for both networks (WGAN-GP uses 0)"),
    Option("--beta2", "B", kind: .fraction, default: "0.999", help: "Adam's β2 for both networks (WGAN-GP uses 0.9)"),
]

extension GANExampleRun {
    /// The objective named by `--loss`.
    public var objective: any GANObjective {
        switch arguments.string("--loss") {
        case "minimax": MinimaxGAN()
        case "lsgan": LeastSquaresGAN()
        case "hinge": HingeGAN()
        case "wgan": WassersteinGAN()
        default: NonSaturatingGAN()
        }
    }

    /// An Adam optimizer over `parameters` with `--lr` and `--beta1`/`--beta2`.
    public func makeAdam(_ parameters: [Parameter]) -> Adam {
        Adam(parameters: parameters, learningRate: Float(arguments.number("--lr")),
             beta1: Float(arguments.number("--beta1")), beta2: Float(arguments.number("--beta2")))
    }

    /// Applies `--critic-steps`, `--gradient-penalty` and `--r1` to a freshly built trainer.
    func applyObjectiveOptions(to trainer: Trainer) {
        if arguments.string("--gradient-penalty") != nil && arguments.string("--r1") != nil {
            fail("--gradient-penalty and --r1 are alternatives; give one of them")
        }
        trainer.discriminatorSteps = arguments.integer("--critic-steps")
        if arguments.string("--gradient-penalty") != nil {
            trainer.gradientPenalty = .wassersteinGP(weight: Float(arguments.number("--gradient-penalty")))
        } else if arguments.string("--r1") != nil {
            trainer.gradientPenalty = .r1(gamma: Float(arguments.number("--r1")))
        }
        let penalty = trainer.gradientPenalty.map { penalty in
            switch penalty.kind {
            case .interpolates: ", gradient penalty λ \(penalty.weight)"
            case .realData: ", R1 γ \(2 * penalty.weight)"
            }
        } ?? ""
        print("objective: \(type(of: trainer.objective)), \(trainer.discriminatorSteps) D step(s) per G step\(penalty)")
    }
}

extension GANExampleRun {
    /// The examples' trainer: the `--loss` objective, Adam (`--lr`, `--beta1`, `--beta2`)
    /// for both networks, each wrapped by `--lr-schedule`, and noise seeded by `--seed` + 1.
    /// `run.train` applies the rest (recipe, `--critic-steps`, penalties, clipping).
    public func makeTrainer(generator: Sequential, discriminator: Sequential, latentDimension: Int,
                            images: Tensor) -> Trainer {
        Trainer(generator: generator, discriminator: discriminator, objective: objective,
                generatorOptimizer: scheduled(makeAdam(generator.parameters), images: images),
                discriminatorOptimizer: scheduled(makeAdam(discriminator.parameters), images: images),
                latentDimension: latentDimension, seed: arguments.seed("--seed") &+ 1)
    }
}
