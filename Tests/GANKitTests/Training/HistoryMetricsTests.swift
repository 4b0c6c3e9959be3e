import Foundation
import Testing
@testable import GANKit

/// Epoch metrics in history.csv: sparse extra columns on the last step of each epoch, read back on resume.
@Suite struct HistoryMetricsTests {
    /// Two epochs of two steps each, with a metric recorded for epoch 1 only and another for both.
    static func history() -> History {
        var history = History()
        for step in 1...4 {
            history.batches.append(BatchReport(epoch: (step - 1) / 2, batch: (step - 1) % 2, batchesPerEpoch: 2,
                                               step: step, discriminatorLoss: 1, generatorLoss: 2, realScore: 0.5,
                                               fakeScore: 0.25, seconds: 0.5))
        }
        history.record(metric: "recall", value: 0.75, epoch: 1)
        history.record(metric: "frechet_distance", value: 12.5, epoch: 0)
        history.record(metric: "frechet_distance", value: 3.25, epoch: 1)
        return history
    }

    @Test func csvHasSortedMetricColumnsFilledAtEpochEnds() {
        let lines = Self.history().csv.split(separator: "\n").map(String.init)
        #expect(lines == [
            "step,epoch,batch,d_loss,g_loss,d_real,d_fake,seconds,frechet_distance,recall",
            "1,0,0,1.0,2.0,0.5,0.25,0.500000,,",
            "2,0,1,1.0,2.0,0.5,0.25,0.500000,12.5,",
            "3,1,0,1.0,2.0,0.5,0.25,0.500000,,",
            "4,1,1,1.0,2.0,0.5,0.25,0.500000,3.25,0.75",
        ])
        #expect(History().csv == "step,epoch,batch,d_loss,g_loss,d_real,d_fake,seconds\n", "no metrics, no extra columns")
    }

    @Test func csvRoundTripsMetricsAndHonoursUpToStep() {
        let reread = History(csv: Self.history().csv)
        #expect(reread.epochMetrics["frechet_distance"]?.map(\.value) == [12.5, 3.25])
        #expect(reread.epochMetrics["frechet_distance"]?.map(\.epoch) == [0, 1])
        #expect(reread.epochMetrics["recall"]?.map(\.value) == [0.75])
        #expect(reread.csv == Self.history().csv)
        let truncated = History(csv: Self.history().csv, upToStep: 2)
        #expect(truncated.epochMetrics["frechet_distance"]?.map(\.value) == [12.5])
        #expect(truncated.epochMetrics["recall"] == nil)
    }

    @Test func metricPlotHasOneCurvePerNameAgainstEpochsFromOne() {
        let plot = Self.history().metricPlot(["frechet_distance", "missing"])
        #expect(plot.series.map(\.name) == ["frechet_distance", "missing"])
        #expect(plot.series[0].points.map(\.x) == [1, 2] && plot.series[0].points.map(\.y) == [12.5, 3.25])
        #expect(plot.series[1].points.isEmpty)
    }
}
