import Foundation

/// Everything a training run reported: one row per step and one per epoch.
///
/// Write it as CSV (`history.csv`, one row per step) or draw the loss curves
/// with ``plotLosses(title:)``. Extra per-epoch metrics (e.g. a sample-quality
/// score computed in an `onEpochEnd` callback) go into ``epochMetrics``.
public struct History: Sendable {
    /// One report per training step, in order.
    public var batches: [BatchReport] = []
    /// One report per finished epoch, in order.
    public var epochs: [EpochReport] = []
    /// Named per-epoch metrics added by callbacks: name → [(epoch, value)].
    public var epochMetrics: [String: [(epoch: Int, value: Double)]] = [:]

    /// Creates an empty history.
    public init() {}

    /// Records a metric value for `epoch` (shown as an extra curve in the plot).
    public mutating func record(metric name: String, value: Double, epoch: Int) {
        epochMetrics[name, default: []].append((epoch, value))
    }

    /// The CSV text: a header, then one row per step.
    ///
    /// Columns: `step,epoch,batch,d_loss,g_loss,d_real,d_fake,seconds`, then one
    /// column per name in ``epochMetrics`` (sorted). A metric recorded for epoch
    /// `e` appears on the last step of that epoch; every other cell of a metric
    /// column is empty, so spreadsheets and pandas read the metrics as a sparse
    /// series (`df.dropna(subset=["frechet_distance"])`).
    public var csv: String {
        let metricNames = epochMetrics.keys.sorted()
        var lines = ["step,epoch,batch,d_loss,g_loss,d_real,d_fake,seconds"
                     + metricNames.map { "," + $0 }.joined()]
        lines.reserveCapacity(batches.count + 1)
        var metricsByEpoch: [Int: [String: Double]] = [:]
        for (name, values) in epochMetrics {
            for (epoch, value) in values { metricsByEpoch[epoch, default: [:]][name] = value }
        }
        for (index, b) in batches.enumerated() {
            var line = "\(b.step),\(b.epoch),\(b.batch),\(b.discriminatorLoss),\(b.generatorLoss),"
                + "\(b.realScore),\(b.fakeScore),\(String(format: "%.6f", b.seconds))"
            if !metricNames.isEmpty {
                let endsEpoch = index + 1 == batches.count || batches[index + 1].epoch != b.epoch
                let values = endsEpoch ? metricsByEpoch[b.epoch] : nil
                for name in metricNames { line += "," + (values?[name].map { String($0) } ?? "") }
            }
            lines.append(line)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes ``csv`` to `url` atomically (temp file + rename).
    /// - Throws: ``FileWriteError`` naming the file and the reason.
    public func writeCSV(to url: URL) throws {
        do { try AtomicFile.write(Array(csv.utf8), to: url) } catch {
            throw FileWriteError(path: url.path, reason: error.reason)
        }
    }
}

extension History {
    /// Appends the reports of a later run (e.g. after a resume).
    public mutating func append(_ other: History) {
        batches += other.batches
        epochs += other.epochs
        for (name, values) in other.epochMetrics { epochMetrics[name, default: []] += values }
    }

    /// Rebuilds the per-step rows and the epoch metrics from `history.csv` text
    /// (as written by ``csv``), keeping rows with `step <= upToStep`; malformed
    /// rows are skipped. Used to continue a history after `--resume`.
    public init(csv text: String, upToStep: Int = .max) {
        self.init()
        let lines = text.split(separator: "\n")
        let metricNames = lines.first.map { $0.split(separator: ",").dropFirst(8).map(String.init) } ?? []
        for line in lines.dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false)
            guard fields.count >= 8, let step = Int(fields[0]), step <= upToStep,
                  let epoch = Int(fields[1]), let batch = Int(fields[2]),
                  let d = Float(fields[3]), let g = Float(fields[4]), let real = Float(fields[5]),
                  let fake = Float(fields[6]), let seconds = Double(fields[7]) else { continue }
            batches.append(BatchReport(epoch: epoch, batch: batch, batchesPerEpoch: 0, step: step,
                                       discriminatorLoss: d, generatorLoss: g, realScore: real, fakeScore: fake,
                                       seconds: seconds))
            for (name, field) in zip(metricNames, fields.dropFirst(8)) {
                if let value = Double(field) { record(metric: name, value: value, epoch: epoch) }
            }
        }
    }

    /// A plot of the named ``epochMetrics`` against the epoch (counted from 1), one curve each.
    ///
    /// Metrics of different scales belong in different plots (the Fréchet
    /// distance in one, precision and recall in another); missing names give empty curves.
    public func metricPlot(_ names: [String], title: String = "Sample quality", yLabel: String = "") -> LinePlot {
        var plot = LinePlot(title: title, xLabel: "epoch", yLabel: yLabel)
        for name in names {
            plot.add(name, points: (epochMetrics[name] ?? []).map { (Double($0.epoch + 1), $0.value) })
        }
        return plot
    }

    /// A plot of the discriminator and generator losses against the step.
    ///
    /// Per-step losses are noisy, so each curve shows means over consecutive
    /// windows of steps (at most about 400 points per curve).
    public func lossPlot(title: String = "GAN losses") -> LinePlot {
        let window = max(1, batches.count / 400)
        func averaged(_ value: (BatchReport) -> Float) -> [(x: Double, y: Double)] {
            stride(from: 0, to: batches.count, by: window).map { start in
                let slice = batches[start..<min(start + window, batches.count)]
                let mean = slice.reduce(0.0) { $0 + Double(value($1)) } / Double(slice.count)
                return (Double(slice.last!.step), mean)
            }
        }
        var plot = LinePlot(title: title, xLabel: "step", yLabel: "loss")
        plot.add("discriminator", points: averaged(\.discriminatorLoss))
        plot.add("generator", points: averaged(\.generatorLoss))
        return plot
    }
}
