import Foundation

/// What an MPI launcher (`mpirun`, `mpiexec`, `srun`) tells the processes it
/// starts through their environment: whether this process is one of them, and
/// how many of them share this machine.
enum LauncherEnvironment {
    /// The variables that say "started by a launcher": Open MPI's, MPICH's Hydra
    /// (and Slurm's PMI), PMIx-based launchers'.
    static let markers = ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_RANK"]

    /// Whether a launcher started this process.
    static var isLaunched: Bool { markers.contains { environmentSetting($0) != nil } }

    /// How many processes of the job run on this machine, when the launcher says
    /// (Open MPI: `OMPI_COMM_WORLD_LOCAL_SIZE`, MPICH: `MPI_LOCALNRANKS`); nil otherwise.
    static var processesOnThisMachine: Int? {
        for name in ["OMPI_COMM_WORLD_LOCAL_SIZE", "MPI_LOCALNRANKS"] {
            if let text = environmentSetting(name), let count = Int(text), count >= 1 { return count }
        }
        return nil
    }

    /// The rank the launcher gave this process, for messages written before MPI starts.
    static var rank: Int? {
        for name in ["OMPI_COMM_WORLD_RANK", "PMI_RANK", "PMIX_RANK"] {
            if let text = environmentSetting(name), let rank = Int(text) { return rank }
        }
        return nil
    }
}
