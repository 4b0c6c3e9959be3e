import CAllocationCounter
import Foundation
@_spi(Benchmarking) import GANKit  // Backend.builtinKernel
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock seconds since an arbitrary start (monotonic).
func wallSeconds() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_MONOTONIC, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) * 1e-9
}

#if canImport(Glibc)
let rusageSelf = RUSAGE_SELF.rawValue
#else
let rusageSelf = RUSAGE_SELF
#endif

/// User + system CPU seconds of this process (all threads), from getrusage.
func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(rusageSelf, &usage)
    func seconds(_ t: timeval) -> Double { Double(t.tv_sec) + Double(t.tv_usec) * 1e-6 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Peak resident set size of this process in MiB (ru_maxrss: KiB on Linux, bytes on Darwin).
func peakResidentMiB() -> Double {
    var usage = rusage()
    getrusage(rusageSelf, &usage)
    #if canImport(Darwin)
    return Double(usage.ru_maxrss) / 1_048_576
    #else
    return Double(usage.ru_maxrss) / 1024
    #endif
}

/// One measured row.
struct RowResult: Codable {
    var row: String
    var model: String
    var batch: Int
    var threads: Int
    var steps: Int
    var stepsPerSecond: Double
    var millisecondsPerStep: Double
    /// CPU seconds (user + system, all threads) per step.
    var cpuSecondsPerStep: Double
    /// Steps per CPU second: the rate that matters on a shared machine.
    var stepsPerCPUSecond: Double
    var gflopPerStep: Double
    var gflopPerSecond: Double
    /// This machine's FMA peak on the row's threads, measured just before it (`gk_fma_probe`).
    var peakGFLOPs: Double
    /// `gflopPerSecond / peakGFLOPs`: the share of the peak the training step reaches.
    var peakShare: Double
    /// Heap allocations per steady-state step (-1 when the counter is unavailable).
    var allocationsPerStep: Double
    /// The same through `Trainer.train` with the run components attached (history, and
    /// TensorBoard logging scalars and histograms every 10 steps): -1 when unavailable.
    var allocationsPerStepWithComponents: Double
    var peakRSSMiB: Double
}

/// Trains `workload` for at least `seconds` (and `minimumSteps` steps) after a
/// warm-up, and measures it. Under `mpirun` (`group`), the trainer is data-parallel and
/// each rank trains on its part of the global batch `workload.batch`.
func measure(_ workload: Workload, seconds: Double, minimumSteps: Int, group: (any ProcessGroup)? = nil) -> RowResult {
    let trainer = makeTrainer(workload, seed: 7)
    // Allocations inside MPI's collectives are counted apart: GANKit's own must be 0.
    let attributing = group.map { AllocationAttributingGroup(base: $0) }
    if let attributing { trainer.distribute(over: attributing) }
    let real = makeRealBatch(workload.batch / trainer.batchShard.count, of: workload.model, seed: 11)
    let flops = flopsPerStep(workload)
    let peak = FMAPeak.allThreads(Parallelism.threadCount, seconds: 0.1)
    // Warm-up: buffers, BLAS thread pools and caches settle.
    let warmup = workload.model.isConvolutional ? 3 : 20
    for _ in 0..<warmup { _ = trainer.trainStep(real: real) }

    // Allocations per steady-state step.
    let allocationSteps = workload.model.isConvolutional ? 3 : 10
    let allocationsBefore = gankit_allocation_count(), collectiveBefore = attributing?.allocationsInCollectives ?? 0
    for _ in 0..<allocationSteps { _ = trainer.trainStep(real: real) }
    let inCollectives = Double((attributing?.allocationsInCollectives ?? 0) - collectiveBefore) / Double(allocationSteps)
    let allocations = Double(gankit_allocation_count() - allocationsBefore) / Double(allocationSteps) - inCollectives
    let componentAllocations = allocationsThroughComponents(workload, warmup: warmup, steps: 2 * allocationSteps, group: group)
    let averagingBefore = trainer.dataParallelStatistics

    let wallStart = wallSeconds(), cpuStart = cpuSeconds()
    var steps = 0
    var keepGoing: Float = 0  // ranks agree on when to stop: each steps in lockstep with the others
    repeat {
        _ = trainer.trainStep(real: real)
        steps += 1
        keepGoing = steps < minimumSteps || wallSeconds() - wallStart < seconds ? 1 : 0
        if let group { withUnsafeMutablePointer(to: &keepGoing) { group.averageAcrossRanks(.init(start: $0, count: 1)) } }
    } while keepGoing > 0
    let wall = wallSeconds() - wallStart, cpu = cpuSeconds() - cpuStart
    if let before = averagingBefore, let after = trainer.dataParallelStatistics {
        let collective = (after.collectiveSeconds - before.collectiveSeconds) / Double(steps) * 1e3
        let copies = (after.copySeconds - before.copySeconds) / Double(steps) * 1e3
        FileHandle.standardError.write(Data(String(format: "rank %d of %d: %.2f ms per step, of which averaging "
            + "gradients %.2f ms (collective %.2f, copies %.2f); heap allocations per step: GANKit %.0f, "
            + "inside the MPI library %.0f\n", trainer.batchShard.index, trainer.batchShard.count,
            wall / Double(steps) * 1e3, collective + copies, collective, copies, allocations, inCollectives).utf8))
    }
    return RowResult(row: workload.description, model: workload.model.rawValue, batch: workload.batch,
                     threads: Parallelism.threadCount, steps: steps,
                     stepsPerSecond: Double(steps) / wall, millisecondsPerStep: wall / Double(steps) * 1000,
                     cpuSecondsPerStep: cpu / Double(steps), stepsPerCPUSecond: Double(steps) / cpu,
                     gflopPerStep: flops / 1e9, gflopPerSecond: flops * Double(steps) / wall / 1e9,
                     peakGFLOPs: peak, peakShare: flops * Double(steps) / wall / 1e9 / peak,
                     allocationsPerStep: gankit_allocation_counting_available() == 1 ? allocations : -1,
                     allocationsPerStepWithComponents: gankit_allocation_counting_available() == 1 ? componentAllocations : -1,
                     peakRSSMiB: peakResidentMiB())
}

/// Allocations per step of `Trainer.train` over shuffled `BatchSequence` batches, as the
/// examples train, with a `HistoryWriter` and a `TensorBoardLogger` (scalars and histograms
/// every 10 steps, so the counted steps include logging ones) attached, counted over
/// `steps` steps after `warmup` and two logging steps (which size the buffers).
func allocationsThroughComponents(_ workload: Workload, warmup: Int, steps: Int, group: (any ProcessGroup)?) -> Double {
    let trainer = makeTrainer(workload, seed: 7)
    let attributing = group.map { AllocationAttributingGroup(base: $0) }
    if let attributing { trainer.distribute(over: attributing) }
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gankit-bench-\(getpid())")
    defer { try? FileManager.default.removeItem(at: folder) }
    trainer.add(HistoryWriter(directory: folder))
    trainer.add(TensorBoardLogger(directory: folder.appendingPathComponent("logs"), scalarInterval: 10, histogramInterval: 10))
    let first = 10 * (warmup / 10 + 2)  // after two logging steps of the warm-up
    var before: Int64 = 0, after: Int64 = 0  // GANKit's allocations: all, less those inside MPI's collectives
    func count() -> Int64 { Int64(gankit_allocation_count()) - Int64(attributing?.allocationsInCollectives ?? 0) }
    trainer.onBatchEnd = { report in
        if report.step == first { before = count() }
        if report.step == first + steps { after = count() }
        return .continue
    }
    do {
        let data = makeRealBatch(workload.batch * (first + steps), of: workload.model, seed: 11)
        try trainer.train(epochs: 1, batchesPerEpoch: first + steps) { epoch in
            BatchSequence(data, batchSize: workload.batch, seed: 3, epoch: epoch, shard: trainer.batchShard)
        }
    } catch {
        fatalError("gankit-bench: training with components failed: \(error)")
    }
    return Double(after - before) / Double(steps)
}

// MARK: - GEMM

/// One GEMM timing: the active backend and the built-in kernel on the same shape.
struct GEMMResult: Codable {
    var shape: String
    var backendGFLOPs: Double
    var builtinGFLOPs: Double
}

/// The matrix products of the GAN steps (and two squares), as
/// `(m, n, k, transposeA, transposeB, what)`.
let gemmShapes: [(m: Int, n: Int, k: Int, ta: Bool, tb: Bool, what: String)] = [
    (64, 512, 784, false, true, "MLP D layer 1 forward"),
    (512, 784, 64, true, false, "MLP D layer 1 weight gradient"),
    (64, 784, 512, false, false, "MLP D layer 1 input gradient"),
    (64, 256, 512, false, true, "MLP D layer 2 forward"),
    (128, 49, 1024, false, false, "DCGAN D conv 2, one image"),
    (1024, 49, 128, true, false, "DCGAN G convT 1, one image"),
    (256, 256, 256, false, false, "square"),
    (1024, 1024, 1024, false, false, "square"),
]

/// GFLOP/s of `body`, which does `flops` floating-point operations: repeats for ≥ 0.2 s, best of three.
func bestRate(flops: Double, _ body: () -> Void) -> Double {
    var best = 0.0
    for _ in 0..<3 {
        var repeats = 0
        let start = wallSeconds()
        repeat {
            body()
            repeats += 1
        } while wallSeconds() - start < 0.2
        best = max(best, flops * Double(repeats) / (wallSeconds() - start) / 1e9)
    }
    return best
}

/// GFLOP/s of one product with `backend`.
func gemmRate(_ backend: Backend, m: Int, n: Int, k: Int, ta: Bool, tb: Bool) -> Double {
    var rng = SeededGenerator(seed: 3)
    let a = Tensor.randomNormal(ta ? [k, m] : [m, k], using: &rng)
    let b = Tensor.randomNormal(tb ? [n, k] : [k, n], using: &rng)
    var c = Tensor(zeros: [m, n])
    return bestRate(flops: 2 * Double(m) * Double(n) * Double(k)) {
        backend.gemm(a, transposed: ta, b, transposed: tb, into: &c)
    }
}

func measureGEMMs() -> [GEMMResult] {
    gemmShapes.map { s in
        let label = "\(s.m)×\(s.n)×\(s.k)\(s.ta ? " Aᵀ" : "")\(s.tb ? " Bᵀ" : "") (\(s.what))"
        return GEMMResult(shape: label, backendGFLOPs: gemmRate(GANKit.backend, m: s.m, n: s.n, k: s.k, ta: s.ta, tb: s.tb),
                          builtinGFLOPs: gemmRate(.builtinKernel, m: s.m, n: s.n, k: s.k, ta: s.ta, tb: s.tb))
    }
}

// MARK: - Dense layers

/// One Dense layer's products at one batch: the layer itself (GANKit's unpacked
/// kernel where it applies, bias included) against the same products through the
/// active backend's `gemm`.
struct DenseResult: Codable {
    var shape: String
    var forwardLayerGFLOPs: Double
    var forwardBackendGFLOPs: Double
    var backwardLayerGFLOPs: Double
    var backwardBackendGFLOPs: Double
}

/// The MLP-GANs' larger Dense layers at the batches a training step gives them.
let denseShapes: [(inFeatures: Int, outFeatures: Int, batch: Int, what: String)] = [
    (784, 512, 128, "MLP D layer 1, joint D pass"),
    (784, 512, 64, "MLP D layer 1, G step"),
    (512, 256, 128, "MLP D layer 2, joint D pass"),
    (256, 512, 64, "MLP G layer 2"),
    (512, 784, 64, "MLP G layer 3"),
    (784, 1024, 128, "keras D layer 1, joint D pass"),
    (1024, 784, 64, "keras G layer 4"),
]

/// Forward (`y = x·Wᵀ`) and backward (`dW += dyᵀ·x`, `dx = dy·W`) rates of each of ``denseShapes``.
func measureDenseLayers() -> [DenseResult] {
    denseShapes.map { s in
        var rng = SeededGenerator(seed: 5)
        let layer = Dense(s.inFeatures, s.outFeatures, using: &rng)
        let x = Tensor.randomNormal([s.batch, s.inFeatures], using: &rng)
        let dy = Tensor.randomNormal([s.batch, s.outFeatures], using: &rng)
        let w = layer.weight.value
        var y = Tensor(zeros: [s.batch, s.outFeatures])
        var dw = Tensor(zeros: [s.outFeatures, s.inFeatures])
        var dx = Tensor(zeros: [s.batch, s.inFeatures])
        let product = 2 * Double(s.batch) * Double(s.inFeatures) * Double(s.outFeatures)
        let backend = GANKit.backend
        let forwardLayer = bestRate(flops: product) { _ = layer.forward(x) }
        let forwardBackend = bestRate(flops: product) { backend.gemm(x, transposed: false, w, transposed: true, into: &y) }
        _ = layer.forward(x)
        let backwardLayer = bestRate(flops: 2 * product) { _ = layer.backward(dy) }
        let backwardBackend = bestRate(flops: 2 * product) {
            backend.gemm(dy, transposed: true, x, into: &dw, beta: 1)
            backend.gemm(dy, w, into: &dx)
        }
        return DenseResult(shape: "\(s.inFeatures)→\(s.outFeatures) @\(s.batch) (\(s.what))",
                           forwardLayerGFLOPs: forwardLayer, forwardBackendGFLOPs: forwardBackend,
                           backwardLayerGFLOPs: backwardLayer, backwardBackendGFLOPs: backwardBackend)
    }
}
