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
    public var csv: String {
        var lines = ["step,epoch,batch,d_loss,g_loss,d_real,d_fake,seconds"]
        lines.reserveCapacity(batches.count + 1)
        for b in batches {
            lines.append("\(b.step),\(b.epoch),\(b.batch),\(b.discriminatorLoss),\(b.generatorLoss),"
                         + "\(b.realScore),\(b.fakeScore),\(String(format: "%.6f", b.seconds))")
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
