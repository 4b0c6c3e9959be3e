import Testing
@testable import GANKit

/// Direct transposed convolution (scatter form, Double):
/// y[n, o, i·s − p + u, j·s − p + v] += w[c, o, u, v]·x[n, c, i, j], then + b[o].
/// x `[N, Cin, H, W]`, w `[Cin, Cout, kH, kW]` → `[N, Cout, Hout, Wout]`,
/// Hout = (H − 1)·s − 2p + kH + outputPadding.
func naiveConvTranspose2D(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride: (Int, Int), padding: (Int, Int),
                          outputPadding: (Int, Int)) -> (shape: [Int], values: [Double]) {
    let (n, cin, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let (cout, kh, kw) = (w.shape[1], w.shape[2], w.shape[3])
    let hout = (h - 1) * stride.0 - 2 * padding.0 + kh + outputPadding.0
    let wout = (wd - 1) * stride.1 - 2 * padding.1 + kw + outputPadding.1
    var y = [Double](repeating: 0, count: n * cout * hout * wout)
    for image in 0..<n {
        for o in 0..<cout {
            for i in 0..<hout {
                for j in 0..<wout { y[((image * cout + o) * hout + i) * wout + j] = b.map { Double($0[o]) } ?? 0 }
            }
            for c in 0..<cin {
                for i in 0..<h {
                    for j in 0..<wd {
                        for u in 0..<kh {
                            for v in 0..<kw {
                                let (r, s) = (i * stride.0 - padding.0 + u, j * stride.1 - padding.1 + v)
                                guard r >= 0, r < hout, s >= 0, s < wout else { continue }
                                y[((image * cout + o) * hout + r) * wout + s] += Double(w[c, o, u, v]) * Double(x[image, c, i, j])
                            }
                        }
                    }
                }
            }
        }
    }
    return ([n, cout, hout, wout], y)
}

/// One transposed-convolution configuration.
struct ConvTransposeCase: CustomTestStringConvertible, Sendable {
    var batch: Int, inChannels: Int, outChannels: Int, height: Int, width: Int
    var kernel: (Int, Int), stride: (Int, Int), padding: (Int, Int), outputPadding: (Int, Int) = (0, 0)
    var bias = true
    var testDescription: String {
        "N\(batch) \(inChannels)→\(outChannels) \(height)×\(width) k\(kernel) s\(stride) p\(padding) op\(outputPadding)"
    }

    func makeLayer(seed: UInt64 = 8) -> ConvTranspose2D {
        var g = SeededGenerator(seed: seed)
        return ConvTranspose2D(inChannels, outChannels, kernelSize: kernel, stride: stride, padding: padding,
                               outputPadding: outputPadding, bias: bias,
                               weightInitializer: .normal(mean: 0, standardDeviation: 0.5), using: &g)
    }

    /// The adjoint `Conv2D(outChannels → inChannels)`, no bias, with the transposed layer's weights.
    func makeAdjointConv2D(weights layer: ConvTranspose2D) -> Conv2D {
        var rng = SeededGenerator(seed: 1)
        let conv = Conv2D(outChannels, inChannels, kernelSize: kernel, stride: stride, padding: padding, bias: false,
                          using: &rng)
        conv.weight.value = layer.weight.value
        return conv
    }
}

let convTransposeCases: [ConvTransposeCase] = [
    ConvTransposeCase(batch: 2, inChannels: 3, outChannels: 2, height: 4, width: 4, kernel: (4, 4), stride: (2, 2),
                      padding: (1, 1)),
    ConvTransposeCase(batch: 2, inChannels: 2, outChannels: 3, height: 3, width: 4, kernel: (3, 3), stride: (2, 2),
                      padding: (1, 1), outputPadding: (1, 1)),
    ConvTransposeCase(batch: 2, inChannels: 2, outChannels: 2, height: 3, width: 3, kernel: (2, 3), stride: (1, 1),
                      padding: (0, 0)),
    ConvTransposeCase(batch: 3, inChannels: 1, outChannels: 4, height: 5, width: 3, kernel: (3, 2), stride: (3, 2),
                      padding: (2, 0), outputPadding: (2, 1), bias: false),
    ConvTransposeCase(batch: 1, inChannels: 4, outChannels: 1, height: 7, width: 7, kernel: (4, 4), stride: (2, 2),
                      padding: (1, 1)),
    // The DCGAN generator's 7 → 14 shape with enough output channels for im2col.c's offset table.
    ConvTransposeCase(batch: 2, inChannels: 3, outChannels: 5, height: 7, width: 7, kernel: (4, 4), stride: (2, 2),
                      padding: (1, 1)),
    // 1,024-float patches (64 channels × 4×4) at 49 positions: groups of 5 images, so each
    // chunk of 14 images runs several products and adds their weight gradients.
    ConvTransposeCase(batch: 14, inChannels: 3, outChannels: 64, height: 7, width: 7, kernel: (4, 4), stride: (2, 2),
                      padding: (1, 1), bias: false),
]

@Suite struct ConvTranspose2DTests {
    @Test(arguments: convTransposeCases, KernelLevel.supported)
    func forwardMatchesDirectTransposedConvolution(_ c: ConvTransposeCase, level: KernelLevel) {
        KernelLevel.withCap(level) {
            let layer = c.makeLayer()
            if let bias = layer.bias { bias.value = seededInput(bias.shape, seed: 3) }
            let x = seededInput([c.batch, c.inChannels, c.height, c.width], seed: 5)
            let y = layer.forward(x)
            let expected = naiveConvTranspose2D(x, layer.weight.value, layer.bias?.value, stride: c.stride,
                                                padding: c.padding, outputPadding: c.outputPadding)
            #expect(Array(y.shape) == expected.shape)
            #expect(maxRelativeDifference(y.scalars, expected.values) < 1e-5)
        }
    }

    /// The structural oracle: ConvTranspose2D(a → b).forward(g) = Conv2D(b → a).backward(g) for the same
    /// weight tensor (`[a, b, kH, kW]` is both layouts), on a Conv2D input of the transposed output's size.
    @Test(arguments: convTransposeCases, KernelLevel.supported)
    func forwardEqualsConv2DInputGradient(_ c: ConvTransposeCase, level: KernelLevel) {
        KernelLevel.withCap(level) {
            let transposed = c.makeLayer()
            let g = seededInput([c.batch, c.inChannels, c.height, c.width], seed: 5)
            let conv = c.makeAdjointConv2D(weights: transposed)
            let y = transposed.forward(g)
            _ = conv.forward(seededInput(y.shape, seed: 6))
            let conv2DInputGradient = conv.backward(g, parameterGradients: .skip)
            if transposed.bias == nil {
                #expect(y == conv2DInputGradient)
            } else {
                var rng = SeededGenerator(seed: 2)  // weights replaced below
                let noBias = ConvTranspose2D(c.inChannels, c.outChannels, kernelSize: c.kernel, stride: c.stride,
                                             padding: c.padding, outputPadding: c.outputPadding, bias: false, using: &rng)
                noBias.weight.value = transposed.weight.value
                #expect(noBias.forward(g) == conv2DInputGradient)
            }
        }
    }

    /// And the other way round: ConvTranspose2D's input gradient is Conv2D's forward.
    @Test(arguments: convTransposeCases, KernelLevel.supported)
    func backwardEqualsConv2DForward(_ c: ConvTransposeCase, level: KernelLevel) {
        KernelLevel.withCap(level) {
            let transposed = c.makeLayer()
            let conv = c.makeAdjointConv2D(weights: transposed)
            let y = transposed.forward(seededInput([c.batch, c.inChannels, c.height, c.width], seed: 5))
            let dy = seededInput(y.shape, seed: 6)
            #expect(transposed.backward(dy, parameterGradients: .skip) == conv.forward(dy))
        }
    }

    /// ConvTranspose2D's weight gradient for (x, dy) is Conv2D's for input dy and output
    /// gradient x (same weight layout `[inC, outC, kH, kW]`), which `Conv2DTests` checks
    /// against the direct formula: the same groups and products, so the same bits.
    @Test(arguments: convTransposeCases, KernelLevel.supported)
    func weightGradientEqualsConv2DWeightGradient(_ c: ConvTransposeCase, level: KernelLevel) {
        KernelLevel.withCap(level) {
            let transposed = c.makeLayer()
            let conv = c.makeAdjointConv2D(weights: transposed)
            let x = seededInput([c.batch, c.inChannels, c.height, c.width], seed: 5)
            let dy = seededInput(transposed.forward(x).shape, seed: 6)
            transposed.zeroGradients()
            _ = transposed.backward(dy)
            _ = conv.forward(dy)
            conv.zeroGradients()
            _ = conv.backward(x)
            #expect(transposed.weight.gradient == conv.weight.gradient)
            #expect(transposed.weight.gradient.scalars.contains { $0 != 0 })
        }
    }

    /// Hout = (H − 1)·s − 2p + dilation·(k − 1) + outputPadding + 1, PyTorch's `ConvTranspose2d` formula.
    @Test func outputSizeFollowsPyTorch() {
        func pytorch(_ size: Int, _ k: Int, _ s: Int, _ p: Int, _ op: Int) -> Int { (size - 1) * s - 2 * p + (k - 1) + op + 1 }
        var g = SeededGenerator(seed: 1)
        for (size, k, s, p, op) in [(7, 4, 2, 1, 0), (14, 4, 2, 1, 0), (4, 3, 2, 1, 1), (1, 4, 1, 0, 0), (3, 5, 3, 2, 2),
                                    (5, 2, 2, 0, 1), (6, 3, 1, 1, 0)] {
            let layer = ConvTranspose2D(2, 3, kernelSize: k, stride: s, padding: p, outputPadding: op, using: &g)
            let shape = layer.outputShape(for: [2, 2, size, size + 2])
            #expect(shape == [2, 3, pytorch(size, k, s, p, op), pytorch(size + 2, k, s, p, op)],
                    "\(size) k\(k) s\(s) p\(p) op\(op)")
        }
        // The DCGAN generator: 7 → 14 → 28.
        let up1 = ConvTranspose2D(128, 64, kernelSize: 4, stride: 2, padding: 1, using: &g)
        let up2 = ConvTranspose2D(64, 1, kernelSize: 4, stride: 2, padding: 1, using: &g)
        #expect(up1.outputShape(for: [64, 128, 7, 7]) == [64, 64, 14, 14])
        #expect(up2.outputShape(for: [64, 64, 14, 14]) == [64, 1, 28, 28])
    }

    @Test func descriptionAndLayout() {
        var g = SeededGenerator(seed: 1)
        let layer = ConvTranspose2D(128, 64, kernelSize: 4, stride: 2, padding: 1, using: &g)
        #expect(layer.description == "ConvTranspose2D(128 → 64, kernel 4, stride 2, padding 1)  // 131,136 parameters")
        #expect(layer.weight.shape == [128, 64, 4, 4])
        #expect(layer.bias?.shape == [64])
        let odd = ConvTranspose2D(2, 3, kernelSize: (2, 3), stride: (2, 1), padding: (0, 1), outputPadding: (1, 0),
                                  bias: false, using: &g)
        #expect(odd.description
                == "ConvTranspose2D(2 → 3, kernel (2, 3), stride (2, 1), padding (0, 1), output padding (1, 0)) no bias"
                + "  // 36 parameters")
        #expect(inputShapeError(layer: "ConvTranspose2D(128 → 64, kernel 4, stride 2, padding 1)",
                                expected: "[N, 128, H, W]", got: [64, 100])
                == "ConvTranspose2D(128 → 64, kernel 4, stride 2, padding 1): expected input [N, 128, H, W], got [64, 100]")
    }

    @Test func skipLeavesGradientsBitIdentical() {
        let c = convTransposeCases[0]
        let layer = c.makeLayer()
        let x = seededInput([c.batch, c.inChannels, c.height, c.width], seed: 1)
        let y = layer.forward(x)
        _ = layer.backward(seededInput(y.shape, seed: 2))
        let before = layer.parameters.map(\.gradient)
        _ = layer.forward(seededInput(x.shape, seed: 3))
        _ = layer.backward(seededInput(y.shape, seed: 4), parameterGradients: .skip)
        #expect(layer.parameters.map(\.gradient) == before)
    }
}
