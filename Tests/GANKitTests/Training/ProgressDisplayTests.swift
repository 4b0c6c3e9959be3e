import Testing
@testable import GANKit

/// Durations and the text of a progress line (independent of whether stdout is a terminal).
@Suite struct ProgressDisplayTests {
    @Test("formatDuration", arguments: [
        (0, "0:00"), (0.4, "0:00"), (0.5, "0:01"), (59.4, "0:59"), (59.5, "1:00"), (61, "1:01"),
        (599, "9:59"), (3599, "59:59"), (3599.6, "1:00:00"), (3600, "1:00:00"), (3661, "1:01:01"),
        (86_399, "23:59:59"), (360_000, "100:00:00"),
    ] as [(Double, String)])
    func formatDuration(seconds: Double, text: String) {
        #expect(ProgressDisplay.formatDuration(seconds) == text)
    }

    @Test(arguments: [-1, -0.1, .nan, .infinity, -.infinity, 1e19, 1e300, .greatestFiniteMagnitude] as [Double])
    func unknownDurations(seconds: Double) {
        #expect(ProgressDisplay.formatDuration(seconds) == "--:--")
    }

    static func report(epoch: Int, batch: Int, step: Int, seconds: Double) -> BatchReport {
        BatchReport(epoch: epoch, batch: batch, batchesPerEpoch: 10, step: step, discriminatorLoss: 1.23456,
                    generatorLoss: 0.5, realScore: 0.75, fakeScore: 0.25, seconds: seconds)
    }

    @Test func lineBeforeAnyUpdate() {
        let display = ProgressDisplay(totalEpochs: 5, plainInterval: 1000)
        #expect(display.line(Self.report(epoch: 0, batch: 0, step: 1, seconds: 0.5))
                == "epoch 1/5  step 1/10  0.0 it/s  ETA 0:00  D 1.2346  G 0.5000  D(x) 0.750  D(G(z)) 0.250")
    }

    @Test func lineUsesTheMeanStepTimeForRateAndETA() {
        let display = ProgressDisplay(totalEpochs: 5, plainInterval: 1000)  // no plain lines printed below
        display.update(Self.report(epoch: 1, batch: 2, step: 13, seconds: 0.5))
        display.update(Self.report(epoch: 1, batch: 3, step: 14, seconds: 0.25))
        // Mean 0.375 s → 2.7 it/s. Remaining: 3 more epochs of 10 + 6 batches = 36 steps → 13.5 s → 0:14.
        #expect(display.line(Self.report(epoch: 1, batch: 3, step: 14, seconds: 0.25))
                == "epoch 2/5  step 4/10  2.7 it/s  ETA 0:14  D 1.2346  G 0.5000  D(x) 0.750  D(G(z)) 0.250")
        // The last batch of the last epoch has nothing left.
        #expect(display.line(Self.report(epoch: 4, batch: 9, step: 50, seconds: 0.25)).contains("ETA 0:00"))
    }

    @Test func rateAveragesTheLast50Steps() {
        let display = ProgressDisplay(totalEpochs: 1, plainInterval: 1000)
        for step in 1...60 {
            display.update(Self.report(epoch: 0, batch: 0, step: step, seconds: step <= 10 ? 10 : 0.1))
        }
        #expect(display.line(Self.report(epoch: 0, batch: 0, step: 60, seconds: 0.1)).contains("10.0 it/s"))
    }
}
