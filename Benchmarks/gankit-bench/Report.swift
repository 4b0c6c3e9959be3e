import CAllocationCounter
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

    static func current() -> BenchEnvironment {
        let cpuInfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuInfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last!.trimmingCharacters(in: .whitespaces) } ?? "unknown"
        let load = ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "")
            .split(separator: " ").prefix(3).joined(separator: " ")
        return BenchEnvironment(backend: GANKit.backend.description, kernel: GANKit.backend.kernelName,
                                threads: Parallelism.threadCount, cpu: model,
                                cores: ProcessInfo.processInfo.activeProcessorCount, loadAverage: load,
                                allocationCounting: gankit_allocation_counting_available() == 1)
    }

    var text: String {
        """
        GANKit benchmark
          backend:  \(backend)
          kernel:   \(kernel ?? "n/a")
          threads:  \(threads) (GANKit kernels and split BLAS products)
          CPU:      \(cpu), \(cores) cores, load average \(loadAverage)
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
              + pad(format(r.gflopPerSecond, 1), 9)
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
