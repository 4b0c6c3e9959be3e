// gankit-bench: training-step speed, allocations and memory of GANKit's GANs,
// GEMM throughput of the active backend and of the built-in kernel, and the
// MLP-GANs' Dense layers against the same products through the backend.
//
// Run:   swift run -c release gankit-bench                 (human table, ~1–2 minutes)
//        swift run -c release gankit-bench --json          (one JSON document)
//        swift run -c release gankit-bench --threads 1     (GANKit and BLAS threads)
//        swift run -c release gankit-bench --only dcgan@64 --seconds 5   (one row; used by compare.sh)
//        swift run -c release gankit-bench --export-check DIR --only mlp-small@64   (like-for-like check data)
//        mpirun -np 2 .build/release/gankit-bench --only mlp-small@64   (data-parallel row: each rank's step)
//        mpirun -np 2 .build/release/gankit-bench --allreduce           (gradient-average time by size)
// Rows:  mlp-small@64, mlp-keras@64, dcgan@64, dcgan@256, dcgan64@64 (64×64 RGB), then a batch sweep.
//        `--only dcgan@64+r1` adds R1 (γ 1) to every D update, `+r1-central` the same by central difference.
//        Each row runs in a child process, so its peak RSS is its own.
// Compare with PyTorch: Benchmarks/compare.sh (alternating runs, medians, ratios).
// One step = D on a real and a fake batch, then G through D (Trainer.trainStep).
import Foundation
import GANKit

struct Options {
    var json = false
    var threads: Int?
    var only: Workload?
    var seconds = 2.0
    var minimumSteps = 5
    var sweep = true
    var gemm = true
    var exportCheck: String?
    var checkSteps = 2
    var allreduce = false
}

func usage() -> Never {
    print("""
    usage: gankit-bench [--json] [--threads N] [--seconds S] [--min-steps N] [--no-sweep] [--no-gemm]
                        [--only MODEL@BATCH[+r1|+r1-central]] [--export-check DIR [--check-steps N]] [--allreduce]
    models: \(ModelKind.allCases.map(\.rawValue).joined(separator: ", "))
    """)
    exit(2)
}

func parseOptions() -> Options {
    var options = Options()
    var arguments = CommandLine.arguments.dropFirst()
    func value() -> String {
        guard let next = arguments.popFirst() else { usage() }
        return next
    }
    while let argument = arguments.popFirst() {
        switch argument {
        case "--json": options.json = true
        case "--threads": guard let n = Int(value()), n >= 1 else { usage() }; options.threads = n
        case "--seconds": guard let s = Double(value()), s > 0 else { usage() }; options.seconds = s
        case "--min-steps": guard let n = Int(value()), n >= 1 else { usage() }; options.minimumSteps = n
        case "--only": guard let w = Workload(value()) else { usage() }; options.only = w
        case "--no-sweep": options.sweep = false
        case "--no-gemm": options.gemm = false
        case "--export-check": options.exportCheck = value()
        case "--check-steps": guard let n = Int(value()), n >= 1 else { usage() }; options.checkSteps = n
        case "--allreduce": options.allreduce = true
        default: usage()
        }
    }
    return options
}

let options = parseOptions()
if let threads = options.threads { Parallelism.threadCount = threads }

// Like-for-like check data.
if let directory = options.exportCheck {
    let workload = options.only ?? Workload(model: .mlpSmall, batch: 64)
    do {
        try exportCheck(workload, steps: options.checkSteps, to: URL(fileURLWithPath: directory))
    } catch {
        FileHandle.standardError.write("gankit-bench: cannot write check data to \(directory): \(error)\n".data(using: .utf8)!)
        exit(1)
    }
    exit(0)
}

let encoder = JSONEncoder()
encoder.outputFormatting = [.sortedKeys]

// Under mpirun: the MPI job (data-parallel rows, --allreduce).
let group: MPIProcessGroup?
do { group = try MPIProcessGroup.launched() } catch {
    FileHandle.standardError.write(Data("gankit-bench: \(error)\n".utf8))
    exit(1)
}
if options.allreduce {
    guard let group, group.size > 1 else { FileHandle.standardError.write(Data("gankit-bench: --allreduce runs under mpirun -np 2 or more\n".utf8)); exit(2) }
    measureAllreduce(group, json: options.json)
    exit(0)
}

// One row, in this process (the parent runs each row this way).
if let workload = options.only {
    let result = measure(workload, seconds: options.seconds, minimumSteps: options.minimumSteps, group: group)
    if options.json {
        print(String(decoding: try! encoder.encode(result), as: UTF8.self))
    } else {
        printRows([result], title: "GANKit")
    }
    exit(0)
}

/// Runs one row in a child process (its own peak RSS) and decodes its JSON line.
func runChild(_ workload: Workload, seconds: Double) -> RowResult? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
    if !FileManager.default.isExecutableFile(atPath: process.executableURL!.path) {
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    }
    process.arguments = ["--only", workload.description, "--json", "--threads", "\(Parallelism.threadCount)",
                         "--seconds", "\(seconds)", "--min-steps", "\(options.minimumSteps)"]
    let pipe = Pipe()
    process.standardOutput = pipe
    do { try process.run() } catch { return nil }
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return try? JSONDecoder().decode(RowResult.self, from: output)
}

let environment = BenchEnvironment.current()
if !options.json { print(environment.text) }

var rows: [RowResult] = []
for workload in Workload.main {
    if let row = runChild(workload, seconds: options.seconds) {
        rows.append(row)
        if !options.json { printRows([row], title: rows.count == 1 ? "Training steps" : nil) }
    }
}
var sweep: [RowResult] = []
if options.sweep {
    if !options.json { print("\nBatch-size sweep (cost per step grows with the batch; GFLOP/s shows how well it uses the cores)") }
    for workload in Workload.sweep {
        if let row = runChild(workload, seconds: min(options.seconds, 1)) {
            sweep.append(row)
            if !options.json { printRows([row], title: sweep.count == 1 ? "" : nil) }
        }
    }
}
var gemms: [GEMMResult] = []
var denseLayers: [DenseResult] = []
if options.gemm {
    gemms = measureGEMMs()
    if !options.json { printGEMMs(gemms) }
    denseLayers = measureDenseLayers()
    if !options.json { printDenseLayers(denseLayers) }
}
if options.json {
    let document = BenchDocument(environment: environment, rows: rows, sweep: sweep, gemm: gemms, dense: denseLayers)
    print(String(decoding: try! encoder.encode(document), as: UTF8.self))
}
