import CAllocationCounter
import CGANKitKernels
import Foundation
import GANKit

/// Where and with what the benchmark ran.
struct BenchEnvironment: Codable {
    var backend: String
    var kernel: String?
    var threads: Int
    var cpu: String
    var cores: Int
    var loadAverage: String
    var allocationCounting: Bool
    var fmaPeak: FMAPeak
    var vectorWidths: VectorWidths

    static func current() -> BenchEnvironment {
        let cpuInfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuInfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        let load = ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "")
            .split(separator: " ").prefix(3).joined(separator: " ")
        return BenchEnvironment(backend: GANKit.backend.description, kernel: GANKit.backend.kernelName,
                                threads: Parallelism.threadCount, cpu: model,
                                cores: ProcessInfo.processInfo.activeProcessorCount, loadAverage: load,
                                allocationCounting: gankit_allocation_counting_available() == 1,
                                fmaPeak: FMAPeak.measure(threads: Parallelism.threadCount),
                                vectorWidths: VectorWidths.measured())
    }

    var text: String {
        """
        GANKit benchmark
          backend:  \(backend)
          kernel:   \(kernel ?? "n/a")
          threads:  \(threads) (GANKit kernels and split BLAS products)
          CPU:      \(cpu), \(cores) cores, load average \(loadAverage)
          \(fmaPeak.text)
          \(vectorWidths.text)
        """
    }
}

/// The `--json` document.
struct BenchDocument: Codable {
    var environment: BenchEnvironment
    var rows: [RowResult]
    var sweep: [RowResult]
    var gemm: [GEMMResult]
    var dense: [DenseResult]
}

func pad(_ text: String, _ width: Int, right: Bool = true) -> String {
    let padding = String(repeating: " ", count: max(0, width - text.count))
    return right ? padding + text : text + padding
}

func format(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }

func printRows(_ rows: [RowResult], title: String?) {
    if let title {
        if !title.isEmpty { print("\n\(title)") }
        print(pad("row", 14, right: false) + pad("steps/s", 9) + pad("ms/step", 9) + pad("CPU ms/step", 12)
              + pad("steps/CPU-s", 12) + pad("GFLOP/step", 11) + pad("GFLOP/s", 9) + pad("allocs/step", 12)
              + pad("peak RSS MiB", 13))
    }
    for r in rows {
        print(pad(r.row, 14, right: false) + pad(format(r.stepsPerSecond, 1), 9)
              + pad(format(r.millisecondsPerStep, 2), 9) + pad(format(r.cpuSecondsPerStep * 1000, 2), 12)
              + pad(format(r.stepsPerCPUSecond, 1), 12) + pad(format(r.gflopPerStep, 3), 11)
              + pad(format(r.gflopPerSecond, 1), 9) + pad(format(100 * r.peakShare, 0) + " %", 8)
              + pad(r.allocationsPerStep < 0 ? "n/a" : format(r.allocationsPerStep, 1), 12)
              + pad(format(r.peakRSSMiB, 1), 13))
    }
}

func printDenseLayers(_ results: [DenseResult]) {
    print("\nDense layers, GFLOP/s (best of 3): the layer (unpacked kernel where it applies) vs the backend's gemm")
    print(pad("layer", 44, right: false) + pad("forward", 9) + pad("gemm", 8) + pad("ratio", 7)
          + pad("backward", 10) + pad("gemm", 8) + pad("ratio", 7))
    for r in results {
        print(pad(r.shape, 44, right: false) + pad(format(r.forwardLayerGFLOPs, 1), 9)
              + pad(format(r.forwardBackendGFLOPs, 1), 8) + pad(format(r.forwardLayerGFLOPs / r.forwardBackendGFLOPs, 2) + "×", 7)
              + pad(format(r.backwardLayerGFLOPs, 1), 10) + pad(format(r.backwardBackendGFLOPs, 1), 8)
              + pad(format(r.backwardLayerGFLOPs / r.backwardBackendGFLOPs, 2) + "×", 7))
    }
}

func printGEMMs(_ results: [GEMMResult]) {
    print("\nGEMM GFLOP/s (best of 3, one product at a time)")
    print(pad("shape", 48, right: false) + pad("backend", 9) + pad("built-in", 10))
    for r in results {
        print(pad(r.shape, 48, right: false) + pad(format(r.backendGFLOPs, 1), 9) + pad(format(r.builtinGFLOPs, 1), 10))
    }
}

/// The vector width each built-in GEMM kernel chose at its first call on this CPU
/// (`gk_sgemm_vector_width`, `gk_unpacked_vector_width`) and the one-thread rates
/// it timed at 256 and 512 bits; nil where the CPU has no AVX-512.
struct VectorWidths: Codable {
    struct Choice: Codable {
        var bits: Int
        var ymmGFLOPs: Double
        var zmmGFLOPs: Double
    }
    var packed: Choice?
    var unpacked: Choice?

    static func measured() -> VectorWidths {
        func choice(_ width: (UnsafeMutablePointer<Double>?, UnsafeMutablePointer<Double>?) -> Int32) -> Choice? {
            guard gk_uses_avx512() != 0 else { return nil }
            var ymm = 0.0, zmm = 0.0
            let bits = width(&ymm, &zmm)
            return Choice(bits: Int(bits), ymmGFLOPs: ymm, zmmGFLOPs: zmm)
        }
        return VectorWidths(packed: choice(gk_sgemm_vector_width), unpacked: choice(gk_unpacked_vector_width))
    }

    var text: String {
        func describe(_ name: String, _ choice: Choice?) -> String {
            guard let choice else { return "\(name) n/a" }
            return String(format: "%@ %d bits (timed ymm %.0f, zmm %.0f GFLOP/s)", name, choice.bits, choice.ymmGFLOPs,
                          choice.zmmGFLOPs)
        }
        return "GEMM vector width: " + describe("packed", packed) + "; " + describe("unpacked", unpacked)
    }
}

/// This machine's FMA peak as `gk_fma_probe` measures it (independent vector FMA chains),
/// so rows measured on different hardware can be read as shares of what it can do.
struct FMAPeak: Codable {
    /// The widest vectors the CPU has: "zmm (AVX-512)", "ymm (AVX2+FMA)" or "4-wide".
    var widest: String
    /// GFLOP/s of one thread with the widest vectors.
    var oneThreadGFLOPs: Double
    /// GFLOP/s of `threads` threads at once with the widest vectors.
    var allThreadsGFLOPs: Double
    var threads: Int
    /// GFLOP/s of one thread with ymm, when the widest are zmm: equal on CPUs that
    /// split 512-bit FMAs into two 256-bit halves (Zen 4), half on those that do not.
    var ymmOneThreadGFLOPs: Double?

    /// GFLOP/s of `threads` threads at once with the widest vectors.
    static func allThreads(_ threads: Int, seconds: Double) -> Double {
        gk_fma_probe(gk_supported_level(), threads, seconds) / 1e9
    }

    static func measure(threads: Int, seconds: Double = 0.15) -> FMAPeak {
        let level = gk_supported_level()
        let widest = level >= 3 ? "zmm (AVX-512)" : level == 2 ? "ymm (AVX2+FMA)" : "4-wide"
        // The best of two: the first run on an idle core can start below its clock.
        return FMAPeak(widest: widest, oneThreadGFLOPs: max(gk_fma_probe(level, 1, seconds), gk_fma_probe(level, 1, seconds)) / 1e9,
                       allThreadsGFLOPs: gk_fma_probe(level, threads, seconds) / 1e9, threads: threads,
                       ymmOneThreadGFLOPs: level >= 3 ? gk_fma_probe(2, 1, seconds) / 1e9 : nil)
    }

    var text: String {
        String(format: "FMA peak: %.0f GFLOP/s on 1 thread, %.0f on %d (%@)", oneThreadGFLOPs, allThreadsGFLOPs,
               threads, widest) + (ymmOneThreadGFLOPs.map { String(format: "; ymm %.0f on 1 thread", $0) } ?? "")
    }
}
