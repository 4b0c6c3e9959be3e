// The number of CPUs this process may run on (its affinity mask), for the
// default thread count: `mpirun` binds each rank to a core or a socket, and
// taskset or a container's cpuset narrow it too, while the processor count
// Foundation reports stays the machine's.
#define _GNU_SOURCE
#include "CGANKitKernels.h"

#if defined(__linux__)
#include <sched.h>

long gk_affinity_cpu_count(void) {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) != 0) return 0;
    return CPU_COUNT(&set);
}
#else
long gk_affinity_cpu_count(void) { return 0; }
#endif
