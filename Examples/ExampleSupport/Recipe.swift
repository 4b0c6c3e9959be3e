import Foundation
import GANKit

/// Training-recipe options of the GAN examples: the plain tutorial setup, or
/// its improvements one by one (see Docs/Evaluation.md for what each measured).
/// - Parameters:
///   - defaultRecipe: `"improved"` or `"tutorial"`.
///   - improvedLearningRate: Adam's learning rate under `improved`, for the help text.
public func recipeOptions(defaultRecipe: String, improvedLearningRate: Double) -> [Option] { [
    Option("--recipe", "NAME", kind: .choice(["improved", "tutorial"]), default: defaultRecipe,
           help: "improved: EMA 0.999 of G's weights, real label 0.9, lr \(improvedLearningRate); "
               + "tutorial: the plain PyTorch/Keras setup"),
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

    /// The plain tutorial setup.
    public static let tutorial = GANRecipe(emaDecay: 0, realLabel: 1, learningRate: nil)
    /// The improved setup measured in Docs/Evaluation.md, with the learning rate measured
    /// best for the model (6e-4 for the MLP GAN, 4e-4 for the DCGAN).
    public static func improved(learningRate: Double) -> GANRecipe {
        GANRecipe(emaDecay: 0.999, realLabel: 0.9, learningRate: learningRate)
    }
}

extension GANExampleRun {
    /// The recipe from `--recipe`, with `--ema-decay` and `--real-label` overriding its fields.
    public var recipe: GANRecipe {
        var recipe = arguments.string("--recipe") == "improved" ? GANRecipe.improved(learningRate: improvedLearningRate) : .tutorial
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
        print(String(format: "recipe: %@, EMA decay %g, real label %g, lr G %g, lr D %g",
                     arguments.string("--recipe")!, recipe.emaDecay, recipe.realLabel,
                     Double(trainer.generatorOptimizer.learningRate), Double(trainer.discriminatorOptimizer.learningRate)))
    }
}
