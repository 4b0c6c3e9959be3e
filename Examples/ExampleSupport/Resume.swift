import Foundation
import GANKit

/// Restores `trainer` from the checkpoint at `url` and says so. When the checkpoint was
/// trained with other settings, the error names the setting, both values and the
/// flags of `interface` that choose it.
public func resume(_ trainer: Trainer, from url: URL, interface: CommandLineInterface) throws {
    do {
        try trainer.restore(from: Checkpoint.read(from: url))
    } catch CheckpointError.settingsMismatch(let setting, let stored, let current) {
        let flags = (flagsChoosing[setting] ?? []).filter { flag in interface.options.contains { $0.name == flag } }
        throw ResumeMismatch(description: "cannot resume \(url.path): it was trained with a different \(setting) "
                             + "(the checkpoint has \(stored), this run has \(current)); resume with the flags it was "
                             + "trained with" + (flags.isEmpty ? "" : " (\(flags.joined(separator: ", ")))"))
    }
    print("resumed from \(url.path) at step \(trainer.step)")
}

/// The example flags that decide each setting a checkpoint records.
private let flagsChoosing = [
    "generator average (EMA)": ["--recipe", "--ema-decay"],
    "generator": ["--preset", "--model", "--latent-dim", "--base-width", "--embedding-dim"],
    "discriminator": ["--preset", "--model", "--base-width", "--conditioning", "--embedding-dim", "--spectral-norm", "--minibatch-stddev"],
    "generator optimizer": ["--lr-schedule"],
    "discriminator optimizer": ["--lr-schedule"],
    "objective": ["--loss", "--preset"],
]

/// A resume refused because the run's settings differ from the checkpoint's.
public struct ResumeMismatch: Error, CustomStringConvertible {
    /// The message printed before exiting.
    public let description: String
}
