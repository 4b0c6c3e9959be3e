import CGANKitKernels

// The four per-channel passes of `BatchNorm`, as `parallelFor` kernels over a
// range of channels. Each wraps one `gk_bn_*` C kernel (see CGANKitKernels.h
// for the formulas); chunks own disjoint channels, so they write disjoint memory.

/// Batch mean and biased variance of each channel.
struct BatchNormStatisticsKernel: ParallelKernel {
    let layout: ChannelLayout
    let x: SendablePointer<Float>, mean: SendablePointer<Float>, variance: SendablePointer<Float>

    func run(_ channels: Range<Int>) {
        gk_bn_statistics(x.pointer, layout.batch, layout.channels, layout.spatial,
                         channels.lowerBound, channels.upperBound, mean.pointer, variance.pointer)
    }
}

/// y = (x − mean)·scale + shift.
struct BatchNormNormalizeKernel: ParallelKernel {
    let layout: ChannelLayout
    let x: SendablePointer<Float>, y: SendablePointer<Float>
    let mean: SendablePointer<Float>, scale: SendablePointer<Float>, shift: SendablePointer<Float>?

    func run(_ channels: Range<Int>) {
        gk_bn_normalize(x.pointer, y.pointer, layout.batch, layout.channels, layout.spatial,
                        channels.lowerBound, channels.upperBound, mean.pointer, scale.pointer, shift?.pointer)
    }
}

/// Σ dy and invstd·Σ dy·(x − mean) of each channel.
struct BatchNormGradientSumsKernel: ParallelKernel {
    let layout: ChannelLayout
    let dy: SendablePointer<Float>, x: SendablePointer<Float>
    let mean: SendablePointer<Float>, inverseDeviation: SendablePointer<Float>
    let sumDy: SendablePointer<Float>, sumDyXhat: SendablePointer<Float>

    func run(_ channels: Range<Int>) {
        gk_bn_gradient_sums(dy.pointer, x.pointer, layout.batch, layout.channels, layout.spatial,
                            channels.lowerBound, channels.upperBound, mean.pointer, inverseDeviation.pointer,
                            sumDy.pointer, sumDyXhat.pointer)
    }
}

/// dx = dyScale·dy + centeredScale·(x − mean) + shift.
struct BatchNormInputGradientKernel: ParallelKernel {
    let layout: ChannelLayout
    let dy: SendablePointer<Float>, x: SendablePointer<Float>, dx: SendablePointer<Float>
    let mean: SendablePointer<Float>
    let dyScale: SendablePointer<Float>, centeredScale: SendablePointer<Float>, shift: SendablePointer<Float>

    func run(_ channels: Range<Int>) {
        gk_bn_input_gradient(dy.pointer, x.pointer, dx.pointer, layout.batch, layout.channels, layout.spatial,
                             channels.lowerBound, channels.upperBound, mean.pointer, dyScale.pointer,
                             centeredScale.pointer, shift.pointer)
    }
}
