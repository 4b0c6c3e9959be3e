// A persistent worker pool for parallelFor: see gk_pool_run in CGANKitKernels.h.
//
// Workers are created on first use (one per extra chunk ever requested, at
// most GK_POOL_MAX) and live for the process. A job is published by bumping
// `generation`; each worker spins briefly for it (a training step issues its
// parallel loops back to back), then sleeps on a condition variable, so an
// idle process uses no CPU. Worker w runs chunk w + 1, the caller chunk 0: the
// chunk → range mapping is static, so results do not depend on timing.
//
// Two per-thread settings travel with a job: the caller's thread-count override
// (Parallelism.withThreadCount) and kernel-level cap (gk_force_level). A worker
// takes both before running its chunk, so nested parallel loops and kernel
// dispatch see what they would on the calling thread, where chunks also run
// when the pool is busy or the call is nested.
#include "CGANKitKernels.h"

#include <pthread.h>
#include <sched.h>

#define GK_POOL_MAX 63
#define GK_SPIN_WAIT 4000  /* pause-loop iterations (tens of µs) before sleeping or yielding */

#if defined(__x86_64__)
#define GK_PAUSE() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define GK_PAUSE() __asm__ __volatile__("yield")
#else
#define GK_PAUSE() ((void)0)
#endif

static pthread_mutex_t runLock = PTHREAD_MUTEX_INITIALIZER;   /* one job at a time */
static pthread_mutex_t sleepLock = PTHREAD_MUTEX_INITIALIZER; /* guards sleepers and the condition */
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int workerCount = 0;        /* written under runLock */
static int sleepers = 0;           /* under sleepLock */
static unsigned long generation = 0;  /* atomic: bumped once per job */
static int remaining = 0;             /* atomic: workers still running the current job */
static gk_pool_task jobTask;
static void *jobContext;
static long jobChunks;
static long jobThreadCount;  /* the caller's threadCountOverride */
static int jobLevel;         /* the caller's gk_forced_level() */
static unsigned long startGeneration[GK_POOL_MAX];  /* generation when worker i was created */
static _Thread_local int insidePool = 0;
static _Thread_local long threadCountOverride = 0;

static void *worker(void *argument) {
    long index = (long)argument;
    // Jobs up to the one being published when this worker was created are not its
    // own: starting from 0 it took the last finished job for a new one and ran a
    // stale task (seen by ThreadSanitizer when a later job asked for more threads).
    unsigned long seen = startGeneration[index];
    insidePool = 1;
    for (;;) {
        unsigned long current;
        int spins = 0;
        while ((current = __atomic_load_n(&generation, __ATOMIC_ACQUIRE)) == seen && spins < GK_SPIN_WAIT) {
            GK_PAUSE();
            spins++;
        }
        if (current == seen) {
            pthread_mutex_lock(&sleepLock);
            sleepers++;
            while ((current = __atomic_load_n(&generation, __ATOMIC_ACQUIRE)) == seen) pthread_cond_wait(&wake, &sleepLock);
            sleepers--;
            pthread_mutex_unlock(&sleepLock);
        }
        seen = current;
        if (index + 1 < jobChunks) {
            threadCountOverride = jobThreadCount;
            gk_force_level(jobLevel);
            jobTask(jobContext, index + 1);
        }
        __atomic_fetch_sub(&remaining, 1, __ATOMIC_ACQ_REL);
    }
    return 0;
}

static void runInline(long chunks, gk_pool_task task, void *context) {
    for (long chunk = 0; chunk < chunks; chunk++) task(context, chunk);
}

void gk_pool_run(long chunks, gk_pool_task task, void *context) {
    if (chunks <= 1 || insidePool || chunks - 1 > GK_POOL_MAX || pthread_mutex_trylock(&runLock) != 0) {
        // Nested inside a chunk, or another thread's job is running: same chunks, on this thread.
        runInline(chunks, task, context);
        return;
    }
    while (workerCount < chunks - 1) {
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        startGeneration[workerCount] = __atomic_load_n(&generation, __ATOMIC_RELAXED);
        int failed = pthread_create(&thread, &attributes, worker, (void *)(long)workerCount);
        pthread_attr_destroy(&attributes);
        if (failed) break;
        workerCount++;
    }
    if (workerCount < chunks - 1) {  // could not start threads: run everything here
        pthread_mutex_unlock(&runLock);
        runInline(chunks, task, context);
        return;
    }
    jobTask = task;
    jobContext = context;
    jobChunks = chunks;
    jobThreadCount = threadCountOverride;
    jobLevel = gk_forced_level();
    __atomic_store_n(&remaining, workerCount, __ATOMIC_RELAXED);
    __atomic_fetch_add(&generation, 1, __ATOMIC_ACQ_REL);
    pthread_mutex_lock(&sleepLock);
    if (sleepers > 0) pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&sleepLock);

    insidePool = 1;
    task(context, 0);
    insidePool = 0;

    int spins = 0;
    while (__atomic_load_n(&remaining, __ATOMIC_ACQUIRE) > 0) {
        if (spins < GK_SPIN_WAIT) {
            GK_PAUSE();
            spins++;
        } else {
            sched_yield();
        }
    }
    pthread_mutex_unlock(&runLock);
}

int gk_pool_inside(void) { return insidePool; }

long gk_thread_count_override(void) { return threadCountOverride; }

long gk_set_thread_count_override(long count) {
    long previous = threadCountOverride;
    threadCountOverride = count;
    return previous;
}
