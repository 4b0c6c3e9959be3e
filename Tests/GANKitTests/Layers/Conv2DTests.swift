import Testing
@testable import GANKit

// MARK: - Independent oracles (direct loops in Double, no im2col, no GEMM)

/// Direct convolution: y[n, o, i, j] = b[o] + Σ w[o, c, kh, kw]·x[n, c, i·s − p + kh, j·s − p + kw].
/// x `[N, Cin, H, W]`, w `[Cout, Cin, kH, kW]`, b `[Cout]` → `[N, Cout, Hout, Wout]` (flat, Double).
func naiveConv2D(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride: (Int, Int), padding: (Int, Int))
    -> (shape: [Int], values: [Double]) {
    let (n, cin, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (cout, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
    let hout = (h + 2 * padding.0 - kh) / stride.0 + 1, wout = (wd + 2 * padding.1 - kw) / stride.1 + 1
    var y = [Double](repeating: 0, count: n * cout * hout * wout)
    for image in 0..<n {
        for o in 0..<cout {
            for i in 0..<hout {
                for j in 0..<wout {
                    var sum = b.map { Double($0[o]) } ?? 0
                    for c in 0..<cin {
                        for u in 0..<kh {
                            for v in 0..<kw {
                                let (r, s) = (i * stride.0 - padding.0 + u, j * stride.1 - padding.1 + v)
                                guard r >= 0, r < h, s >= 0, s < wd else { continue }
                                sum += Double(w[o, c, u, v]) * Double(x[image, c, r, s])
                            }
                        }
                    }
                    y[((image * cout + o) * hout + i) * wout + j] = sum
                }
            }
        }
    }
    return ([n, cout, hout, wout], y)
}

/// Largest |a − b| / max(1, |b|) over two flat arrays of equal length.
func maxRelativeDifference(_ a: [Float], _ b: [Double]) -> Double {
    precondition(a.count == b.count, "lengths differ: \(a.count) vs \(b.count)")
    return zip(a, b).map { abs(Double($0) - $1) / max(1, abs($1)) }.max() ?? 0
}

/// One convolution configuration, for the tables below.
struct ConvCase: CustomTestStringConvertible, Sendable {
    var batch: Int, inChannels: Int, outChannels: Int, height: Int, width: Int
    var kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int)
    var bias = true
    /// Largest relative difference from the Double oracle: Float sums' rounding grows with their length.
    var tolerance = 1e-5
    var testDescription: String {
        "N\(batch) \(inChannels)→\(outChannels) \(height)×\(width) k\(kernel) s\(stride) p\(padding)\(bias ? "" : " no bias")"
    }

    func makeConv(seed: UInt64 = 7) -> Conv2D {
        var g = SeededGenerator(seed: seed)
        return Conv2D(inChannels, outChannels, kernelSize: kernel, stride: stride, padding: padding, bias: bias,
                      weightInitializer: .normal(mean: 0, standardDeviation: 0.5), using: &g)
    }
}

let convForwardCases: [ConvCase] = [
    ConvCase(batch: 2, inChannels: 3, outChannels: 4, height: 5, width: 5, kernel: (3, 3), stride: (1, 1), padding: (1, 1)),
    ConvCase(batch: 3, inChannels: 1, outChannels: 5, height: 8, width: 8, kernel: (4, 4), stride: (2, 2), padding: (1, 1)),
    ConvCase(batch: 1, inChannels: 2, outChannels: 3, height: 7, width: 6, kernel: (3, 2), stride: (2, 1), padding: (1, 0)),
    ConvCase(batch: 3, inChannels: 3, outChannels: 2, height: 6, width: 9, kernel: (2, 3), stride: (1, 3), padding: (0, 2),
             bias: false),
    ConvCase(batch: 2, inChannels: 2, outChannels: 2, height: 3, width: 3, kernel: (5, 5), stride: (1, 1), padding: (2, 2)),
    ConvCase(batch: 4, inChannels: 3, outChannels: 6, height: 9, width: 7, kernel: (3, 3), stride: (3, 2), padding: (0, 1)),
    // From 4 channels im2col/col2im go through a per-tap offset table (im2col.c) when it
    // fits 4 096 (tap, position) pairs: the DCGAN's shape, an asymmetric one, and one too large for it.
    ConvCase(batch: 3, inChannels: 6, outChannels: 4, height: 14, width: 14, kernel: (4, 4), stride: (2, 2), padding: (1, 1)),
    ConvCase(batch: 2, inChannels: 5, outChannels: 3, height: 7, width: 6, kernel: (3, 2), stride: (2, 1), padding: (1, 0)),
    ConvCase(batch: 2, inChannels: 4, outChannels: 2, height: 14, width: 14, kernel: (5, 5), stride: (1, 1), padding: (2, 2)),
    // 1,024-float patches at 49 positions: groups of 5 images (`imageGroupSize`), so each
    // chunk of 14 images runs several products and adds their weight gradients.
    ConvCase(batch: 14, inChannels: 64, outChannels: 3, height: 14, width: 14, kernel: (4, 4), stride: (2, 2),
             padding: (1, 1), bias: false, tolerance: 1e-4),
]

@Suite struct Conv2DTests {
    @Test(arguments: convForwardCases, KernelLevel.supported)
    func forwardMatchesDirectConvolution(_ c: ConvCase, level: KernelLevel) {
        KernelLevel.withCap(level) {
            let conv = c.makeConv()
            if let bias = conv.bias { bias.value = seededInput(bias.shape, seed: 3) }
            let x = seededInput([c.batch, c.inChannels, c.height, c.width], seed: 5)
            let y = conv.forward(x)
            let expected = naiveConv2D(x, conv.weight.value, conv.bias?.value, stride: c.stride, padding: c.padding)
            #expect(Array(y.shape) == expected.shape)
            #expect(maxRelativeDifference(y.scalars, expected.values) < c.tolerance)
        }
    }

    /// Input gradient and weight gradient against the direct formulas, by linearity:
    /// for L = Σ y·r, dL/dx and dL/dw are the direct convolution's adjoints applied to r.
    @Test(arguments: convForwardCases, KernelLevel.supported)
    func backwardMatchesDirectAdjoint(_ c: ConvCase, level: KernelLevel) {
        KernelLevel.withCap(level) {
            let conv = c.makeConv()
            let x = seededInput([c.batch, c.inChannels, c.height, c.width], seed: 5)
            let y = conv.forward(x)
            let r = seededInput(y.shape, seed: 6)
            conv.zeroGradients()
            let dx = conv.backward(r)
            var expectedDx = [Double](repeating: 0, count: x.count)
            var expectedDw = [Double](repeating: 0, count: conv.weight.value.count)
            let (kh, kw) = c.kernel, (hout, wout) = (y.shape[2], y.shape[3])
            for n in 0..<c.batch {
                for o in 0..<c.outChannels {
                    for i in 0..<hout {
                        for j in 0..<wout {
                            let g = Double(r[n, o, i, j])
                            for ci in 0..<c.inChannels {
                                for u in 0..<kh {
                                    for v in 0..<kw {
                                        let (row, col) = (i * c.stride.0 - c.padding.0 + u, j * c.stride.1 - c.padding.1 + v)
                                        guard row >= 0, row < c.height, col >= 0, col < c.width else { continue }
                                        let xi = ((n * c.inChannels + ci) * c.height + row) * c.width + col
                                        let wi = ((o * c.inChannels + ci) * kh + u) * kw + v
                                        expectedDx[xi] += g * Double(conv.weight.value[flat: wi])
                                        expectedDw[wi] += g * Double(x[flat: xi])
                                    }
                                }
                            }
                        }
                    }
                }
            }
            #expect(maxRelativeDifference(dx.scalars, expectedDx) < c.tolerance)
            #expect(maxRelativeDifference(conv.weight.gradient.scalars, expectedDw) < c.tolerance)
            if let bias = conv.bias {
                let expectedDb = (0..<c.outChannels).map { o in
                    (0..<c.batch).reduce(0.0) { sum, n in
                        sum + (0..<hout * wout).reduce(0.0) { $0 + Double(r[flat: (n * c.outChannels + o) * hout * wout + $1]) }
                    }
                }
                #expect(maxRelativeDifference(bias.gradient.scalars, expectedDb) < c.tolerance)
            }
        }
    }

    /// Hout = ⌊(H + 2p − dilation·(k − 1) − 1)/s + 1⌋, PyTorch's `Conv2d` formula with dilation 1.
    @Test func outputSizeFollowsPyTorch() {
        func pytorch(_ size: Int, _ k: Int, _ s: Int, _ p: Int) -> Int { (size + 2 * p - (k - 1) - 1) / s + 1 }
        var g = SeededGenerator(seed: 1)
        for (size, k, s, p) in [(28, 4, 2, 1), (14, 4, 2, 1), (7, 3, 1, 1), (7, 3, 2, 0), (8, 5, 3, 2), (5, 5, 1, 0),
                                (1, 3, 1, 1), (10, 2, 4, 0)] {
            let conv = Conv2D(2, 3, kernelSize: k, stride: s, padding: p, using: &g)
            let shape = conv.outputShape(for: [4, 2, size, size + 1])
            #expect(shape == [4, 3, pytorch(size, k, s, p), pytorch(size + 1, k, s, p)], "\(size) k\(k) s\(s) p\(p)")
        }
        // The DCGAN discriminator: 28 → 14 → 7.
        let first = Conv2D(1, 64, kernelSize: 4, stride: 2, padding: 1, using: &g)
        let second = Conv2D(64, 128, kernelSize: 4, stride: 2, padding: 1, using: &g)
        #expect(first.outputShape(for: [64, 1, 28, 28]) == [64, 64, 14, 14])
        #expect(second.outputShape(for: [64, 64, 14, 14]) == [64, 128, 7, 7])
    }

    @Test func descriptionReadsLikeTheConstructor() {
        var g = SeededGenerator(seed: 1)
        #expect(Conv2D(1, 64, kernelSize: 4, stride: 2, padding: 1, using: &g).description
                == "Conv2D(1 → 64, kernel 4, stride 2, padding 1)  // 1,088 parameters")
        #expect(Conv2D(3, 8, kernelSize: (3, 2), stride: (2, 1), padding: (1, 0), bias: false, using: &g).description
                == "Conv2D(3 → 8, kernel (3, 2), stride (2, 1), padding (1, 0)) no bias  // 144 parameters")
    }

    @Test func parametersHaveThePyTorchLayout() {
        var g = SeededGenerator(seed: 1)
        let conv = Conv2D(3, 5, kernelSize: (4, 2), using: &g)
        #expect(conv.weight.shape == [5, 3, 4, 2])
        #expect(conv.bias?.shape == [5])
        #expect(conv.parameters.map(\.name) == ["weight", "bias"])
        #expect(conv.parameterCount == 5 * 3 * 8 + 5)
        // PyTorch default: U(±1/√fanIn), fanIn = 3·4·2.
        let limit = 1 / Float(24).squareRoot()
        #expect(conv.weight.value.scalars.allSatisfy { abs($0) <= limit })
    }

    @Test func wrongInputShapeMessageNamesLayerAndShapes() {
        var g = SeededGenerator(seed: 1)
        let conv = Conv2D(1, 64, kernelSize: 4, stride: 2, padding: 1, using: &g)
        #expect(inputShapeError(layer: "Conv2D(1 → 64, kernel 4, stride 2, padding 1)", expected: "[N, 1, H, W]",
                                got: [64, 784])
                == "Conv2D(1 → 64, kernel 4, stride 2, padding 1): expected input [N, 1, H, W], got [64, 784]")
        // The layer's own prefix is its description up to the parameter count.
        #expect(conv.description.hasPrefix("Conv2D(1 → 64, kernel 4, stride 2, padding 1)"))
    }

    #if os(macOS) || os(Linux) || os(Windows)  // exit tests need a child process
    /// The real precondition, in a child process: its message is `inputShapeError`'s.
    @Test func wrongInputShapeStopsWithThatMessage() async throws {
        let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            var g = SeededGenerator(seed: 1)
            let conv = Conv2D(1, 64, kernelSize: 4, stride: 2, padding: 1, using: &g)
            _ = conv.forward(Tensor(zeros: [64, 784]))
        }
        let message = String(decoding: try #require(result).standardErrorContent, as: UTF8.self)
        #expect(message.contains(inputShapeError(layer: "Conv2D(1 → 64, kernel 4, stride 2, padding 1)",
                                                 expected: "[N, 1, H, W]", got: [64, 784])), "\(message)")
    }
    #endif

    @Test func skipLeavesGradientsBitIdentical() {
        let c = convForwardCases[1]
        let conv = c.makeConv()
        let x = seededInput([c.batch, c.inChannels, c.height, c.width], seed: 1)
        let y = conv.forward(x)
        _ = conv.backward(seededInput(y.shape, seed: 2))
        let before = conv.parameters.map(\.gradient)
        _ = conv.forward(seededInput(x.shape, seed: 3))
        let dxSkip = conv.backward(seededInput(y.shape, seed: 4), parameterGradients: .skip)
        #expect(conv.parameters.map(\.gradient) == before)
        // The input gradient does not depend on the mode.
        _ = conv.forward(seededInput(x.shape, seed: 3))
        let dxAccumulate = conv.backward(seededInput(y.shape, seed: 4), parameterGradients: .accumulate)
        #expect(dxSkip == dxAccumulate)
    }

    @Test func backwardAccumulatesAndRepeatsBitForBit() {
        let c = convForwardCases[5]
        let conv = c.makeConv()
        let x = seededInput([c.batch, c.inChannels, c.height, c.width], seed: 1)
        let r = seededInput(conv.outputShape(for: x.shape), seed: 2)
        _ = conv.forward(x)
        _ = conv.backward(r)
        let once = conv.weight.gradient
        _ = conv.forward(x)
        _ = conv.backward(r)
        let twice = conv.weight.gradient
        #expect(maxRelativeDifference(twice.scalars, once.scalars.map { 2 * Double($0) }) < 1e-6)
        conv.zeroGradients()
        _ = conv.forward(x)
        _ = conv.backward(r)
        #expect(conv.weight.gradient == once)
    }

    @Test func reusesOutputStorageOnceWarm() {
        let c = convForwardCases[0]
        let conv = c.makeConv()
        let x = seededInput([c.batch, c.inChannels, c.height, c.width], seed: 1)
        var first = conv.forward(x)
        let firstValues = first.scalars
        first = Tensor.empty
        let second = conv.forward(x)
        #expect(second.scalars == firstValues)
        // A kept output is never overwritten by later calls.
        let kept = conv.forward(x)
        _ = conv.forward(seededInput(x.shape, seed: 9))
        _ = conv.forward(seededInput(x.shape, seed: 10))
        #expect(kept.scalars == firstValues)
    }
}
