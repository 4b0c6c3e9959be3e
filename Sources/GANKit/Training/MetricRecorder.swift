/// Where per-epoch metrics go: ``HistoryWriter`` (columns of `history.csv`) and
/// ``TensorBoardLogger`` (scalars `metrics/NAME`) are recorders; a
/// ``SampleQualityMonitor`` records into every recorder it is given.
public protocol MetricRecorder: AnyObject {
    /// Records `value` of the metric `name` (e.g. `frechet_distance`) for `epoch` (counted from 0).
    func record(metric name: String, value: Double, epoch: Int)
}

extension HistoryWriter: MetricRecorder {}
