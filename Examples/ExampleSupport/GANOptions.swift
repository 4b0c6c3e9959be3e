import Foundation
import GANKit

// The flags the GAN examples share, in groups. Each example lists the groups it
// uses and reads every value itself, in its own main.swift.

/// The bundled MNIST folder, `Examples/Data/MNIST` (found whatever the working directory).
public let bundledMNISTDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Data/MNIST").path

/// The bundled MNIST classifier behind the sample-quality metrics, `Examples/Data/Classifier/mnist-classifier.gankit`.
public let bundledClassifierPath = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Data/Classifier/mnist-classifier.gankit").path

/// A named set of training choices an example offers with `--recipe NAME`; the
/// example declares its recipes where the reader sees them.
public struct Recipe: Sendable {
    /// Adam's learning rate for both networks (`--lr` overrides it).
    public var learningRate: Double
    /// Adam's β1 for both networks (`--beta1` overrides it): 0.5 in the GAN tutorials, 0.9 is Keras' default.
    public var beta1: Double
    /// γ of an R1 penalty on D (Mescheder et al. 2018), or nil for none (`--r1` overrides it).
    public var r1Gamma: Double?
    /// The R1 penalty at every Nth D update only, N times weighted (lazy regularisation; `--penalty-every`).
    public var penaltyInterval: Int
    /// Decay of the average of G's weights that samples are drawn from; 0 for none (`--ema-decay`).
    public var emaDecay: Double
    /// D's target for real images; 0.9 is one-sided label smoothing (`--real-label`).
    public var realLabel: Double

    /// Creates a recipe (defaults: β1 0.5, no penalty, at every D update, no EMA, real label 1).
    public init(learningRate: Double, beta1: Double = 0.5, r1Gamma: Double? = nil, penaltyInterval: Int = 1,
                emaDecay: Double = 0, realLabel: Double = 1) {
        precondition(penaltyInterval >= 1, "a recipe's penalty interval is at least 1 (every D update)")
        self.learningRate = learningRate
        self.beta1 = beta1
        self.r1Gamma = r1Gamma
        self.penaltyInterval = penaltyInterval
        self.emaDecay = emaDecay
        self.realLabel = realLabel
    }

    /// The penalty the flags of ``trainingOptions(recipes:defaultRecipe:)`` choose over this recipe's:
    /// `--gradient-penalty` (WGAN-GP, at every critic update unless `--penalty-every`), else
    /// `--r1` or the recipe's R1 at `--penalty-every` or the recipe's interval; nil for none.
    /// Throws when both `--gradient-penalty` and `--r1` are given.
    public func gradientPenalty(_ arguments: ParsedArguments) throws -> GradientPenalty? {
        let lambda = arguments.optionalNumber("--gradient-penalty"), gamma = arguments.optionalNumber("--r1") ?? r1Gamma
        if lambda != nil, arguments.wasGiven("--r1") {
            throw ArgumentError(description: "--gradient-penalty and --r1 are alternatives; give one")
        }
        let penalty = lambda.map { GradientPenalty.wassersteinGP(weight: Float($0)) } ?? gamma.map { .r1(gamma: Float($0)) }
        return penalty?.lazy(every: arguments.optionalInteger("--penalty-every") ?? (lambda == nil ? penaltyInterval : 1))
    }

    /// One line for help texts, e.g. `lr 0.0006, β1 0.5, R1 γ 1 every 4 D updates, EMA 0.999, real label 0.9`.
    public var summary: String {
        "lr \(short(learningRate)), β1 \(short(beta1)), "
            + (r1Gamma.map { "R1 γ \(short($0))" + (penaltyInterval > 1 ? " every \(penaltyInterval) D updates" : "") }
                ?? "no penalty")
            + (emaDecay > 0 ? ", EMA \(short(emaDecay))" : ", no EMA") + ", real label \(short(realLabel))"
    }
}

/// A number as `%g` prints it: `0.0006`, `1`, `0.999`.
func short(_ value: Double) -> String { String(format: "%g", value) }

/// Data, length and output of a run: `--epochs`, `--batch-size`, `--latent-dim`, `--seed`,
/// `--data`, `--limit`, `--out`, `--resume`, `--checkpoint-every`, `--tensorboard`, `--export-samples`.
public func runOptions(epochs: Int, output: String, data: String? = bundledMNISTDirectory) -> [Option] { [
    Option("--epochs", "N", kind: .integerIn(1...1_000_000), default: String(epochs),
           help: "total epochs to train (a resumed run continues up to this number)"),
    Option("--batch-size", "N", kind: .integerIn(1...65_536), default: "64",
           help: "images per mini-batch (under mpirun: the global batch, split evenly over the processes)"),
    Option("--latent-dim", "N", kind: .integerIn(1...65_536), default: "100", help: "length of the noise vector z"),
    Option("--seed", "N", kind: .seed, default: "42", help: "seed for weights, noise and shuffling"),
    Option("--data", "DIR", kind: .existingDirectory, default: data,
           help: data == nil ? "required: the folder of training images"
                             : "folder with train-images-idx3-ubyte[.gz] (MNIST, Fashion-MNIST, KMNIST…)"),
    Option("--limit", "N", kind: .positiveInteger, help: "train on the first N images only (quick trials)"),
    Option("--out", "DIR", kind: .outputDirectory, default: output,
           help: "output folder for grids, plots, history.csv, checkpoints and samples"),
    Option("--resume", "FILE", kind: .existingFile,
           help: "continue from a checkpoint of a previous run (bit for bit as if never stopped)"),
    Option("--checkpoint-every", "N", kind: .nonNegativeInteger, default: "500",
           help: "also save OUT/checkpoint.gankit every N steps (0: only after epochs and on Ctrl-C)"),
    Option("--tensorboard", "DIR", kind: .outputDirectory,
           help: "also log scalars, sample grids, histograms and the configuration to DIR for TensorBoard (Docs/TensorBoard.md)"),
    Option("--export-samples", "N", kind: .integerIn(0...100_000), default: "0",
           help: "after training, write N generated images to OUT/samples.idx (IDX, bytes)"),
] }

/// The objective and optimisation: `--recipe` and the flags that override its values,
/// `--loss`, `--critic-steps`, `--gradient-penalty`, `--penalty-every`, `--beta1`/`--beta2`, `--lr-d`,
/// `--lr-schedule`, `--clip-grad-norm`, and the stabilizers `--spectral-norm`, `--minibatch-stddev`.
public func trainingOptions(recipes: [String: Recipe], defaultRecipe: String) -> [Option] {
    func byRecipe(_ value: (Recipe) -> String) -> String {
        recipes.keys.sorted().map { "\(value(recipes[$0]!)) with --recipe \($0)" }.joined(separator: ", ")
    }
    return [
        Option("--recipe", "NAME", kind: .choice(recipes.keys.sorted()), default: defaultRecipe,
               help: recipes.keys.sorted().map { "\($0): \(recipes[$0]!.summary)" }.joined(separator: "; ")),
        Option("--lr", "RATE", kind: .positiveNumber,
               help: "Adam's learning rate of both networks (default: \(byRecipe { short($0.learningRate) }))"),
        Option("--lr-d", "RATE", kind: .positiveNumber, help: "D's learning rate when it should differ from --lr"),
        Option("--beta1", "B", kind: .fraction,
               help: "Adam's β1 for both networks, WGAN-GP uses 0 (default: \(byRecipe { short($0.beta1) }))"),
        Option("--beta2", "B", kind: .fraction, default: "0.999", help: "Adam's β2 for both networks (WGAN-GP uses 0.9)"),
        Option("--ema-decay", "D", kind: .fraction,
               help: "sample from an average of G's weights with this decay, 0 = off (default: \(byRecipe { short($0.emaDecay) }))"),
        Option("--real-label", "L", kind: .positiveNumber,
               help: "D's target for real images, 0.9 = label smoothing (default: \(byRecipe { short($0.realLabel) }))"),
        Option("--loss", "NAME", kind: .choice(["ns", "minimax", "lsgan", "hinge", "wgan"]), default: "ns",
               help: "ns: non-saturating BCE (tutorial); minimax; lsgan: least squares; hinge; wgan: Wasserstein"),
        Option("--critic-steps", "N", kind: .integerIn(1...100), default: "1",
               help: "discriminator updates per generator update (WGAN-GP uses 5)"),
        Option("--gradient-penalty", "LAMBDA", kind: .positiveNumber,
               help: "WGAN-GP: add LAMBDA·(‖∇D‖ − 1)² at real/fake interpolates to D's loss (the paper uses 10)"),
        Option("--r1", "GAMMA", kind: .positiveNumber,
               help: "R1: add GAMMA/2·‖∇D‖² on real images to D's loss (default: \(byRecipe { $0.r1Gamma.map(short) ?? "none" }))"),
        Option("--penalty-every", "N", kind: .integerIn(1...1_000_000),
               help: "lazy regularisation (StyleGAN2): the penalty at every Nth D update only, weighted N times "
                   + "(default: \(byRecipe { String($0.penaltyInterval) }); 1 with --gradient-penalty)"),
        Option("--clip-grad-norm", "X", kind: .positiveNumber,
               help: "scale each network's gradients to a global L2 norm of at most X before every update"),
        Option("--lr-schedule", "S", kind: .validated(expected: LearningRateSchedule.syntax,
                                                      accepts: { LearningRateSchedule(parsing: $0, totalSteps: 1) != nil }),
               default: "constant", help: "constant | step:K:GAMMA | exp:GAMMA | cosine[:T] | warmup:W[+S], in optimizer steps"),
        Option("--spectral-norm", kind: .flag, help: "wrap every Dense/Conv2D of D in SpectralNorm"),
        Option("--minibatch-stddev", kind: .flag, help: "give D the minibatch standard deviation (groups of 4) before its last layer"),
    ]
}

/// Sample-quality metrics during training with the bundled MNIST classifier: `--eval-every`, `--eval-samples`.
public let evaluationOptions: [Option] = [
    Option("--eval-every", "N", kind: .nonNegativeInteger, default: "0",
           help: "every N epochs, score samples with the bundled classifier (0 = never); see Docs/Evaluation.md"),
    Option("--eval-samples", "N", kind: .positiveInteger, default: "2000",
           help: "samples per --eval-every evaluation, against the MNIST test set"),
]
