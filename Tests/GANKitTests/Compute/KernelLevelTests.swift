import CGANKitKernels
import Foundation
import Testing
@testable import GANKit

/// Forcing a kernel level (`KernelLevel.withCap`, `gk_force_level`): what it
/// changes, where it reaches, and the kernels whose bits must not depend on it.
/// The kernels' own tests (GEMM, im2col, activations, BatchNorm, convolutions,
/// Adam, the gradient checks) run at every level against their oracles.
@Suite struct KernelLevelTests {
    @Test func theDefaultIsTheBestLevelTheCPUHas() {
        let supported = KernelLevel.supported
        #expect(supported.first == .baseline)
        #expect(supported == KernelLevel.allCases.filter { $0 <= supported.last! }, "no gaps")
        #expect(KernelLevel.current == supported.last)
        #expect(String(cString: gk_kernel_level()) == supported.last!.description)
    }

    @Test(arguments: KernelLevel.supported)
    func aCapChoosesTheKernels(level: KernelLevel) {
        KernelLevel.withCap(level) {
            #expect(KernelLevel.current == level)
            #expect(String(cString: gk_kernel_level()) == level.description)
            #expect((gk_uses_avx512() != 0) == (level == .avx512))
            #expect((gk_unpacked_available() != 0) == (level == .avx512))
            #expect(BuiltinGEMM.hasCKernel == (level != .baseline))
        }
        #expect(KernelLevel.current == KernelLevel.supported.last, "the cap ends with the scope")
    }

    /// Writes, for each item, the level its chunk's kernels would run at.
    struct RecordLevel: ParallelKernel {
        let seen: SendablePointer<Int32>
        func run(_ range: Range<Int>) {
            for index in range { seen.pointer[index] = KernelLevel.current.rawValue }
        }
    }

    /// Three chunks, two of them on pool threads (or inline when the pool is
    /// busy): all run at the caller's level; a thread outside the scope does not.
    @Test func theCapReachesThePoolAndNoOtherThread() {
        let best = KernelLevel.supported.last!
        Parallelism.withThreadCount(3) {
            KernelLevel.withCap(.baseline) {
                var seen = [Int32](repeating: 0, count: 3)
                seen.withUnsafeMutableBufferPointer { parallelFor(3, RecordLevel(seen: SendablePointer($0.baseAddress!))) }
                #expect(seen == [KernelLevel.baseline.rawValue, KernelLevel.baseline.rawValue, KernelLevel.baseline.rawValue])

                let elsewhere = LockedValue(KernelLevel.baseline)
                let done = DispatchSemaphore(value: 0)
                Thread {
                    elsewhere.update { $0 = KernelLevel.current }
                    done.signal()
                }.start()
                done.wait()
                #expect(elsewhere.value == best)
            }
        }
    }

    /// The element-wise kernels that round once per element (or not at all) and
    /// the sums that run in a fixed order give the same bits at every level as a
    /// plain Swift loop: ReLU, LeakyReLU, bias rows, column sums, Dropout's
    /// masks (integer arithmetic on the generator's bits), the transpose.
    @Test(arguments: KernelLevel.supported)
    func exactKernelsGiveTheSameBitsAtEveryLevel(level: KernelLevel) {
        let (rows, columns) = (37, 211)
        let x = seededInput([rows * columns], seed: 31).scalars
        let dy = seededInput([rows * columns], seed: 32).scalars
        let bias = seededInput([columns], seed: 33).scalars
        let alpha: Float = 0.2
        func bits(_ values: [Float]) -> [UInt32] { values.map(\.bitPattern) }

        KernelLevel.withCap(level) {
            var y = [Float](repeating: .nan, count: x.count), dx = y
            gk_relu(x, &y, x.count)
            gk_relu_backward(x, dy, &dx, x.count)
            #expect(bits(y) == bits(x.map { $0 > 0 ? $0 : 0 }), "relu")
            #expect(bits(dx) == bits(zip(x, dy).map { $0 > 0 ? $1 : 0 }), "relu backward")

            gk_leaky_relu(x, &y, x.count, alpha)
            gk_leaky_relu_backward(x, dy, &dx, x.count, alpha)
            #expect(bits(y) == bits(x.map { $0 > 0 ? $0 : alpha * $0 }), "leaky relu")
            #expect(bits(dx) == bits(zip(x, dy).map { $0 > 0 ? $1 : alpha * $1 }), "leaky relu backward")

            var withBias = x
            gk_add_row_bias(&withBias, bias, rows, columns)
            #expect(bits(withBias) == bits(x.indices.map { x[$0] + bias[$0 % columns] }), "row bias")

            var sums = bias
            gk_add_column_sums(x, rows, columns, &sums)
            var expectedSums = bias
            for r in 0..<rows { for c in 0..<columns { expectedSums[c] += x[r * columns + c] } }
            #expect(bits(sums) == bits(expectedSums), "column sums")

            var transposed = [Float](repeating: .nan, count: x.count)
            gk_transpose(rows, columns, x, columns, &transposed)
            #expect(transposed == (0..<columns).flatMap { c in (0..<rows).map { r in x[r * columns + c] } }, "transpose")
        }

        // Dropout: the layer at this level against the layer at the baseline (odd count: the last draw's branch).
        func dropout(at level: KernelLevel) -> [UInt32] {
            let layer = Dropout(rate: 0.3, seed: 5)
            let input = Tensor(shape: [1, x.count], values: x)
            let (y, dx) = KernelLevel.withCap(level) {
                (layer.forward(input), layer.backward(Tensor(shape: [1, dy.count], values: dy)))
            }
            return bits(y.scalars + dx.scalars)
        }
        #expect(dropout(at: level) == dropout(at: .baseline), "dropout")
    }
}
