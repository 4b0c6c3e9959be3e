import Dispatch

/// What a data-parallel trainer does with its ``ProcessGroup`` inside a step:
/// averages a network's gradients with one collective (packed into a buffer
/// allocated once), averages the step's losses for reports, and makes every rank
/// take the same stop decision. Allocates nothing per step.
final class DataParallelSynchronizer {
    let group: any ProcessGroup
    /// Room for the larger network's gradients, plus the step's statistics.
    private let buffer: UnsafeMutableBufferPointer<Float>
    /// Time and volume of the gradient averages so far.
    private(set) var statistics = DataParallelStatistics()

    /// - Parameter capacity: the element count of the larger network's gradients.
    init(group: any ProcessGroup, capacity: Int) {
        self.group = group
        buffer = .allocate(capacity: max(capacity, 8))
        buffer.initialize(repeating: 0)
    }

    deinit { buffer.deallocate() }

    /// Replaces the gradients of `parameters` by their average over the group:
    /// copied into one buffer, one collective, copied back.
    func averageGradients(of parameters: [Parameter]) {
        guard group.size > 1 else { return }
        let start = DispatchTime.now().uptimeNanoseconds
        var offset = 0
        for parameter in parameters {
            parameter.gradient.withUnsafeBufferPointer { gradient in
                _ = UnsafeMutableBufferPointer(rebasing: buffer[offset..<(offset + gradient.count)])
                    .update(fromContentsOf: gradient)
                offset += gradient.count
            }
        }
        let packed = DispatchTime.now().uptimeNanoseconds
        group.averageAcrossRanks(UnsafeMutableBufferPointer(rebasing: buffer[0..<offset]))
        let averaged = DispatchTime.now().uptimeNanoseconds
        offset = 0
        for parameter in parameters {
            parameter.gradient.withUnsafeMutableBufferPointer { gradient in
                _ = gradient.update(fromContentsOf: buffer[offset..<(offset + gradient.count)])
                offset += gradient.count
            }
        }
        let end = DispatchTime.now().uptimeNanoseconds
        statistics.averages += 1
        statistics.values += offset
        statistics.collectiveSeconds += Double(averaged - packed) * 1e-9
        statistics.copySeconds += Double(end - averaged + packed - start) * 1e-9
    }

    /// The step's losses and scores averaged over the group (what one process would
    /// report for the global batch, up to rounding), so every rank sees the same values.
    func averageAcrossRanks(_ values: (Float, Float, Float, Float)) throws(TrainingError) -> (Float, Float, Float, Float) {
        guard group.size > 1 else { return values }
        (buffer[0], buffer[1], buffer[2], buffer[3]) = values
        group.averageAcrossRanks(UnsafeMutableBufferPointer(rebasing: buffer[0..<4]))
        try checkGroup()
        return (buffer[0], buffer[1], buffer[2], buffer[3])
    }

    /// Whether any rank says yes (so that all ranks stop at the same step).
    func anyRank(_ flag: Bool) throws(TrainingError) -> Bool {
        guard group.size > 1 else { return flag }
        buffer[0] = flag ? 1 : 0
        group.averageAcrossRanks(UnsafeMutableBufferPointer(rebasing: buffer[0..<1]))
        try checkGroup()
        return buffer[0] > 0
    }

    /// Throws when another member has ended the job (in-process groups).
    func checkGroup() throws(TrainingError) {
        if let failure = group.failure { throw .processGroupFailed(failure) }
    }
}

/// Where a data-parallel trainer's time went in averaging gradients
/// (``Trainer/dataParallelStatistics``), summed since ``Trainer/distribute(over:)``.
public struct DataParallelStatistics: Sendable, Hashable {
    /// Gradient averages: one per network update (two or more per step).
    public var averages = 0
    /// Gradient elements averaged, summed over the averages.
    public var values = 0
    /// Seconds inside the collective. It includes waiting for the slowest rank to
    /// reach it, so it is the cost of communication plus load imbalance.
    public var collectiveSeconds = 0.0
    /// Seconds copying gradients into the buffer and back.
    public var copySeconds = 0.0

    /// Creates empty statistics.
    public init() {}
}
