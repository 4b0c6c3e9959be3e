import Foundation
import GANKit

/// Training-recipe options of the GAN examples: the plain tutorial setup, or
/// its improvements one by one (see Docs/Evaluation.md for what each measured).
/// - Parameters:
///   - defaultRecipe: `"improved"` or `"tutorial"`.
///   - improved: the model's `improved` recipe, for the help text.
public func recipeOptions(defaultRecipe: String, improved: GANRecipe) -> [Option] { [
    Option("--recipe", "NAME", kind: .choice(["improved", "tutorial"]), default: defaultRecipe,
           help: "improved: \(improved.summary); tutorial: the plain PyTorch/Keras setup"),
    Option("--ema-decay", "D", kind: .fraction,
           help: "sample from an exponential moving average of G's weights with this decay (0 = off)"),
    Option("--real-label", "L", kind: .positiveNumber,
           help: "D's target for real images; 0.9 = one-sided label smoothing (default 1)"),
    Option("--lr-d", "RATE", kind: .positiveNumber, help: "D's learning rate when it should differ from --lr"),
] }

/// The settings a recipe stands for.
public struct GANRecipe: Sendable, Equatable {
    /// Decay of the generator-weight average used for sampling (0 = sample the trained weights).
    public var emaDecay: Double
    /// The discriminator's target for real images.
    public var realLabel: Double
    /// Adam's learning rate for both networks, unless `--lr` / `--lr-d` are given (nil = keep `--lr`'s default).
    public var learningRate: Double?
    /// γ of an R1 penalty on D (Mescheder et al. 2018), unless `--r1` or
    /// `--gradient-penalty` is given (nil = none).
    public var r1Gamma: Double?

    /// Creates a recipe.
    public init(emaDecay: Double, realLabel: Double, learningRate: Double?, r1Gamma: Double? = nil) {
        self.emaDecay = emaDecay
        self.realLabel = realLabel
        self.learningRate = learningRate
        self.r1Gamma = r1Gamma
    }

    /// The plain tutorial setup.
    public static let tutorial = GANRecipe(emaDecay: 0, realLabel: 1, learningRate: nil)
    /// The improved setup measured in Docs/Evaluation.md: EMA 0.999, real label
    /// 0.9, and the learning rate and R1 weight measured best for the model
    /// (R1 γ 1 and lr 6e-4 for both the MLP GAN and the DCGAN).
    public static func improved(learningRate: Double, r1Gamma: Double? = nil) -> GANRecipe {
        GANRecipe(emaDecay: 0.999, realLabel: 0.9, learningRate: learningRate, r1Gamma: r1Gamma)
    }

    /// One line for help texts, e.g. `EMA 0.999 of G's weights, real label 0.9, lr 0.0004, R1 γ 1`.
    public var summary: String {
        var parts = ["EMA \(emaDecay) of G's weights", "real label \(realLabel)"]
        if let learningRate { parts.append("lr \(learningRate)") }
        if let r1Gamma { parts.append(String(format: "R1 γ %g", r1Gamma)) }
        return parts.joined(separator: ", ")
    }
}

extension GANExampleRun {
    /// The recipe from `--recipe`, with `--ema-decay` and `--real-label` overriding its fields.
    public var recipe: GANRecipe {
        var recipe = arguments.string("--recipe") == "improved" ? improvedRecipe : .tutorial
        if arguments.string("--ema-decay") != nil { recipe.emaDecay = arguments.number("--ema-decay") }
        if arguments.string("--real-label") != nil { recipe.realLabel = arguments.number("--real-label") }
        return recipe
    }

    /// Applies the recipe to a freshly built trainer (before any resume).
    public func applyRecipe(to trainer: Trainer) {
        let recipe = self.recipe
        if recipe.emaDecay > 0 {
            trainer.generatorAverage = ExponentialMovingAverage(parameters: trainer.generator.parameters,
                                                                decay: Float(recipe.emaDecay))
        }
        trainer.realLabel = Float(recipe.realLabel)
        if let rate = recipe.learningRate, !arguments.wasGiven("--lr") {
            trainer.generatorOptimizer.learningRate = Float(rate)
            trainer.discriminatorOptimizer.learningRate = Float(rate)
        }
        if arguments.string("--lr-d") != nil {
            trainer.discriminatorOptimizer.learningRate = Float(arguments.number("--lr-d"))
        }
        if let gamma = recipe.r1Gamma, trainer.gradientPenalty == nil {
            trainer.gradientPenalty = .r1(gamma: Float(gamma))
        }
        let r1 = trainer.gradientPenalty.map { $0.kind == .realData ? String(format: ", R1 γ %g", 2 * Double($0.weight)) : "" } ?? ""
        print(String(format: "recipe: %@, EMA decay %g, real label %g, lr G %g, lr D %g%@",
                     arguments.string("--recipe")!, recipe.emaDecay, recipe.realLabel,
                     Double(trainer.generatorOptimizer.learningRate), Double(trainer.discriminatorOptimizer.learningRate), r1))
    }
}
