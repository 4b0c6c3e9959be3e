// How many single-precision FMAs per second this CPU's cores retire: the peak
// the benchmark reports each row's speed against. Twelve independent chains of
// vector FMAs (enough to cover the latency of two FMA pipes), for a fixed time,
// at each vector width the CPU has.
#include "CGANKitKernels.h"
#include "vector_width.h"

#include <pthread.h>

#define GK_PROBE_BODY(V, lanes)                                                                    \
    V a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0}, a4 = {0}, a5 = {0};                                  \
    V a6 = {0}, a7 = {0}, a8 = {0}, a9 = {0}, a10 = {0}, a11 = {0};                                \
    V m, s;                                                                                        \
    for (int i = 0; i < lanes; i++) { m[i] = 0.999999f; s[i] = 1e-7f; }                            \
    double start = gk_seconds_now(), elapsed;                                                      \
    long rounds = 0;                                                                               \
    do {                                                                                           \
        for (int i = 0; i < 1024; i++) {                                                           \
            a0 = a0 * m + s; a1 = a1 * m + s; a2 = a2 * m + s; a3 = a3 * m + s;                    \
            a4 = a4 * m + s; a5 = a5 * m + s; a6 = a6 * m + s; a7 = a7 * m + s;                    \
            a8 = a8 * m + s; a9 = a9 * m + s; a10 = a10 * m + s; a11 = a11 * m + s;                \
        }                                                                                          \
        rounds++;                                                                                  \
        elapsed = gk_seconds_now() - start;                                                        \
    } while (elapsed < seconds);                                                                   \
    V total = a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9 + a10 + a11;                         \
    *sink = total[0];                                                                              \
    return (double)rounds * 1024 * 12 * lanes * 2 / elapsed;

#if defined(__x86_64__)
typedef float gk_probe_v8 __attribute__((vector_size(32)));
typedef float gk_probe_v16 __attribute__((vector_size(64)));
__attribute__((target("avx2,fma"))) static double probeYMM(double seconds, float *sink) {
    GK_PROBE_BODY(gk_probe_v8, 8)
}
__attribute__((target("avx512f,avx2,fma"))) static double probeZMM(double seconds, float *sink) {
    GK_PROBE_BODY(gk_probe_v16, 16)
}
#endif

/// Multiply–add (FMA or separate) chains on 4-wide vectors: what a CPU without AVX2 does.
typedef float gk_probe_v4 __attribute__((vector_size(16)));
static double probeBaseline(double seconds, float *sink) {
    GK_PROBE_BODY(gk_probe_v4, 4)
}

static double probe(int level, double seconds, float *sink) {
#if defined(__x86_64__)
    if (level >= GK_LEVEL_AVX512 && gk_supported_level() >= GK_LEVEL_AVX512) return probeZMM(seconds, sink);
    if (level >= GK_LEVEL_AVX2 && gk_supported_level() >= GK_LEVEL_AVX2) return probeYMM(seconds, sink);
#else
    (void)level;
#endif
    return probeBaseline(seconds, sink);
}

struct ProbeThread {
    int level;
    double seconds;
    double flops;
    float sink;
};

static void *probeThread(void *argument) {
    struct ProbeThread *job = argument;
    probe(job->level, job->seconds / 4, &job->sink);  // warm-up: the core leaves its idle clock
    job->flops = probe(job->level, job->seconds, &job->sink);
    return 0;
}

double gk_fma_probe(int level, long threads, double seconds) {
    if (threads < 1) threads = 1;
    if (threads > 64) threads = 64;
    struct ProbeThread jobs[64];
    pthread_t handles[64];
    long started = 0;
    for (long t = 0; t < threads; t++) {
        jobs[t] = (struct ProbeThread){level, seconds, 0, 0};
        if (t > 0 && pthread_create(&handles[t], 0, probeThread, &jobs[t]) != 0) break;
        started = t + 1;
    }
    probeThread(&jobs[0]);
    double total = jobs[0].flops;
    for (long t = 1; t < started; t++) {
        pthread_join(handles[t], 0);
        total += jobs[t].flops;
    }
    return total;
}
