import Foundation

/// Logs a training run to TensorBoard (``EventFileWriter``), what PyTorch users get
/// from `SummaryWriter` and Keras users from the `TensorBoard` callback:
/// - every ``scalarInterval`` steps: `loss/discriminator`, `loss/generator`,
///   `score/real` (mean D(x)), `score/fake` (mean D(G(z))), `loss/gradient_penalty`
///   (with a penalty), `learning_rate/generator`, `learning_rate/discriminator`,
///   `time/step_seconds`;
/// - every ``histogramInterval`` steps: a histogram of every parameter, `generator/0.weight`,
///   and of its gradient, `generator/0.weight/gradient` (the view that shows a dying or
///   exploding layer); likewise `discriminator/…`;
/// - after every epoch: the fixed-noise grid of a ``SampleGridWriter`` as the image `samples`;
/// - `metrics/NAME` for what a ``SampleQualityMonitor`` records into it;
/// - at the start: `configuration`, a text (the command line, the networks, the trainer).
///
/// Steps are ``BatchReport/step`` (counted from 1). Records are buffered and appended to
/// the file every ``flushInterval`` seconds (checked on logging steps), after every epoch
/// and at the end. Every run writes a new file that starts with a session start at the
/// step it trains first, so after a resume TensorBoard drops what a killed run had logged
/// past the checkpoint and shows one continuous curve. Steps that log nothing allocate nothing.
///
/// ```swift
/// let grids = SampleGridWriter(directory: out, seed: 7)
/// trainer.add(grids)
/// trainer.add(TensorBoardLogger(directory: URL(fileURLWithPath: "runs/mnist-gan"), grids: grids))
/// ```
public final class TensorBoardLogger: TrainingComponent, MetricRecorder {
    /// The log folder (one TensorBoard run; compare runs by giving each its own folder under one `--logdir`).
    public let directory: URL
    /// Steps between scalar records.
    public let scalarInterval: Int
    /// Steps between parameter and gradient histograms (0: none).
    public let histogramInterval: Int
    /// Seconds between appends to the file.
    public let flushInterval: Double
    /// The source of the `samples` image, if any.
    public let grids: SampleGridWriter?
    /// Extra text for the `configuration` record (e.g. the flags); the networks and trainer are added.
    public let configuration: String
    /// The writer of this run's event file (nil before training starts).
    public private(set) var writer: EventFileWriter?
    private var histogramTags: [(parameter: Parameter, values: String, gradients: String)] = []
    private var lastFlush = Date()
    private var step = 0

    /// Creates a logger into `directory`.
    /// - Precondition: `scalarInterval ≥ 1`, `histogramInterval ≥ 0`, `flushInterval > 0`.
    public init(directory: URL, scalarInterval: Int = 10, histogramInterval: Int = 500, flushInterval: Double = 5,
                grids: SampleGridWriter? = nil, configuration: String = "") {
        require(scalarInterval >= 1 && histogramInterval >= 0 && flushInterval > 0,
                "TensorBoardLogger: expected scalarInterval ≥ 1, histogramInterval ≥ 0, flushInterval > 0, got "
                    + "\(scalarInterval), \(histogramInterval), \(flushInterval)")
        self.directory = directory
        self.scalarInterval = scalarInterval
        self.histogramInterval = histogramInterval
        self.flushInterval = flushInterval
        self.grids = grids
        self.configuration = configuration
    }

    /// Opens a new event file, starts it with a session start at the next step, logs the configuration.
    public func trainingWillStart(_ trainer: Trainer, plan: TrainingPlan) throws {
        let writer = try EventFileWriter(directory: directory)
        self.writer = writer
        step = trainer.step
        // Every run starts with a session start, a fresh one too: TensorBoard's Python loader
        // purges a crashed run's later steps only once it has seen a start in every file.
        writer.addSessionStart(step: trainer.step + 1)
        let text = [configuration, "generator:\n\(trainer.generator)", "discriminator:\n\(trainer.discriminator)",
                    "\(trainer)"].filter { !$0.isEmpty }.joined(separator: "\n\n")
        writer.addText("configuration", "```\n\(text)\n```", step: trainer.step + 1)
        histogramTags = [("generator", trainer.generator), ("discriminator", trainer.discriminator)].flatMap { prefix, network in
            network.namedParameters.map { ($0.parameter, "\(prefix)/\($0.path)", "\(prefix)/\($0.path)/gradient") }
        }
        try flush()
    }

    /// Logs the step's scalars and histograms when their intervals say so.
    public func batchDidEnd(_ report: BatchReport, trainer: Trainer) throws -> TrainingDecision {
        step = report.step
        guard let writer else { return .continue }
        if report.step % scalarInterval == 0 {
            writer.addScalar("loss/discriminator", report.discriminatorLoss, step: report.step)
            writer.addScalar("loss/generator", report.generatorLoss, step: report.step)
            writer.addScalar("score/real", report.realScore, step: report.step)
            writer.addScalar("score/fake", report.fakeScore, step: report.step)
            if trainer.gradientPenalty != nil {
                writer.addScalar("loss/gradient_penalty", trainer.lastGradientPenalty, step: report.step)
            }
            writer.addScalar("learning_rate/generator", currentLearningRate(trainer.generatorOptimizer), step: report.step)
            writer.addScalar("learning_rate/discriminator", currentLearningRate(trainer.discriminatorOptimizer),
                             step: report.step)
            writer.addScalar("time/step_seconds", Float(report.seconds), step: report.step)
        }
        let logsHistograms = histogramInterval > 0 && report.step % histogramInterval == 0
        if logsHistograms {
            for (parameter, values, gradients) in histogramTags {
                writer.addHistogram(values, parameter.value, step: report.step)
                writer.addHistogram(gradients, parameter.gradient, step: report.step)
            }
        }
        if (report.step % scalarInterval == 0 || logsHistograms) && Date().timeIntervalSince(lastFlush) >= flushInterval {
            try flush()
        }
        return .continue
    }

    /// Logs the fixed-noise grid and appends the records to the file.
    public func epochDidEnd(_ report: EpochReport, trainer: Trainer) throws -> TrainingDecision {
        if let grids, let writer { try writer.addImage("samples", grids.image(of: trainer), step: report.step) }
        try flush()
        return .continue
    }

    /// Logs a sample-quality metric as the scalar `metrics/NAME` at the current step.
    public func record(metric name: String, value: Double, epoch: Int) {
        writer?.addScalar("metrics/\(name)", Float(value), step: step)
    }

    /// Appends what is left and closes the file.
    public func trainingDidEnd(_ trainer: Trainer, outcome: TrainingOutcome) throws {
        try flush()
        writer = nil
    }

    private func flush() throws {
        try writer?.flush()
        lastFlush = Date()
    }

    /// The rate the optimizer applies now (a ``ScheduledOptimizer``'s scheduled one).
    private func currentLearningRate(_ optimizer: any Optimizer) -> Float {
        (optimizer as? ScheduledOptimizer)?.currentLearningRate ?? optimizer.learningRate
    }
}
