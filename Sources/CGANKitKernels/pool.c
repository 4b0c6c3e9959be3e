// A persistent worker pool for parallelFor: see gk_pool_run in CGANKitKernels.h.
//
// Workers are created on first use (one per extra thread ever requested, at
// most GK_POOL_MAX) and live for the process. A job is published in one atomic
// word, `claim`: its generation, the threads it may use, its chunk count and
// the next unclaimed chunk. The caller and the workers take chunks from that
// word until none is left, so no thread waits for a fixed share of a partner
// that the OS has descheduled (another process on the machine): whoever is
// running takes the next chunk. Which chunk covers which items stays fixed, so
// results do not depend on which thread ran what.
//
// Waiting: a worker spins briefly for the next job (a training step issues its
// parallel loops back to back), then sleeps on a condition variable. It stops
// spinning while its spins keep arriving after the work is gone (a busy
// machine), so it does not take CPU time from another process for nothing. The
// caller, once no chunk is left to take, spins briefly for the chunks still
// running, then sleeps until the last one ends. Over every 16 jobs the caller
// weighs that wait against what the workers saved it (their chunks, timed at
// its own pace per chunk). When the wait was larger, the pool's threads are not
// getting a core (another process has it, and a descheduled worker holds its
// chunk until it runs again): the caller then runs jobs alone for 20 ms before
// trying them again, twice as long each time the next window says the same, up
// to 0.64 s, so two threads on a busy machine do not fall below one.
//
// Two per-thread settings travel with a job: the caller's thread-count override
// (Parallelism.withThreadCount) and kernel-level cap (gk_force_level). A worker
// takes both before running a chunk, so nested parallel loops and kernel
// dispatch see what they would on the calling thread, where chunks also run
// when the pool is busy or the call is nested.
#include "CGANKitKernels.h"

#include <pthread.h>
#include <stdint.h>
#include <time.h>

#define GK_POOL_MAX 63
#define GK_SPIN_NANOSECONDS 50000L  /* how long a worker spins for the next job before sleeping */
#define GK_WAIT_NANOSECONDS 50000L  /* how long the caller spins for running chunks before sleeping */
#define GK_PROBE_NANOSECONDS 2000L  /* the shortest spin: after a sleep, or before giving up spinning */
#define GK_LATE_NANOSECONDS 200000L /* a spinning worker that notices a job this late was not running */
#define GK_WINDOW_JOBS 16                /* jobs over which the pool's gain and cost are compared */
#define GK_ALONE_NANOSECONDS 20000000L   /* how long the caller then first runs jobs alone before trying again */
#define GK_ALONE_MAX_NANOSECONDS 640000000L  /* the longest it runs alone: the load may have gone */
#define GK_RETRY_NANOSECONDS 50000000L   /* a busy window this soon after running alone: still a busy machine */

#if defined(__x86_64__)
#define GK_PAUSE() __builtin_ia32_pause()
#elif defined(__aarch64__)
#define GK_PAUSE() __asm__ __volatile__("yield")
#else
#define GK_PAUSE() ((void)0)
#endif

// The claim word: generation (24 bits) | threads (8) | chunks (16) | next chunk (16).
#define CLAIM_GENERATION(word) ((word) >> 40)
#define CLAIM_THREADS(word) (((word) >> 32) & 0xFF)
#define CLAIM_CHUNKS(word) (((word) >> 16) & 0xFFFF)
#define CLAIM_NEXT(word) ((word) & 0xFFFF)
#define GK_MAX_CHUNKS 0xFFFF

static pthread_mutex_t runLock = PTHREAD_MUTEX_INITIALIZER;   /* one job at a time */
static pthread_mutex_t sleepLock = PTHREAD_MUTEX_INITIALIZER; /* guards the two conditions */
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;        /* workers: a new job */
static pthread_cond_t finished = PTHREAD_COND_INITIALIZER;    /* caller: the last chunk ended */
static int workerCount = 0;        /* written under runLock */
static int sleepers = 0;           /* under sleepLock */
static int callerWaiting = 0;      /* atomic (seq_cst) */
static uint64_t claim = 0;         /* atomic: see above */
static long completed = 0;         /* atomic: chunks of the current job that have ended */
static gk_pool_task jobTask;
static void *jobContext;
static long jobThreadCount;  /* the caller's threadCountOverride */
static int64_t jobPublished; /* atomic (relaxed): when the current job was published, in ns */
static int jobLevel;         /* the caller's gk_forced_level() */
static uint64_t startGeneration[GK_POOL_MAX];  /* generation when worker i was created */
static int windowJobs = 0;         /* under runLock: jobs in the current window */
static int64_t windowSaved = 0;    /* under runLock: the window's estimated time the workers' chunks saved */
static int64_t windowWaited = 0;   /* under runLock: the window's time the caller waited for workers */
static int64_t aloneUntil = 0;     /* under runLock: run jobs on the caller alone until then */
static int64_t aloneFor = GK_ALONE_NANOSECONDS;  /* under runLock: how long the next alone period lasts */
static _Thread_local int insidePool = 0;
static _Thread_local long threadCountOverride = 0;

static int64_t nanoseconds(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (int64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/// Runs chunks of job `generation` until none is left to claim; returns how many it ran.
static long runChunks(uint64_t generation, int isWorker) {
    uint64_t word = __atomic_load_n(&claim, __ATOMIC_ACQUIRE);
    for (long ran = 0;; ran++) {
        if (CLAIM_GENERATION(word) != generation || CLAIM_NEXT(word) >= CLAIM_CHUNKS(word)) return ran;
        if (!__atomic_compare_exchange_n(&claim, &word, word + 1, 1, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) continue;
        // The chunk is ours, so the job cannot end (nor its fields change) before we finish it.
        long chunk = (long)CLAIM_NEXT(word), chunks = (long)CLAIM_CHUNKS(word);
        if (isWorker) {
            threadCountOverride = jobThreadCount;
            gk_force_level(jobLevel);
        }
        jobTask(jobContext, chunk);
        if (__atomic_add_fetch(&completed, 1, __ATOMIC_SEQ_CST) == chunks && __atomic_load_n(&callerWaiting, __ATOMIC_SEQ_CST)) {
            pthread_mutex_lock(&sleepLock);
            pthread_cond_signal(&finished);
            pthread_mutex_unlock(&sleepLock);
        }
        word = __atomic_load_n(&claim, __ATOMIC_ACQUIRE);
    }
}

static void *worker(void *argument) {
    long index = (long)argument;
    // Jobs up to the one being published when this worker was created are not its own.
    uint64_t seen = startGeneration[index];
    int64_t spinBudget = GK_SPIN_NANOSECONDS;
    insidePool = 1;
    for (;;) {
        uint64_t word = __atomic_load_n(&claim, __ATOMIC_ACQUIRE);
        if (CLAIM_GENERATION(word) == seen && spinBudget > 0) {
            int64_t start = nanoseconds();
            for (int spins = 1; CLAIM_GENERATION(word = __atomic_load_n(&claim, __ATOMIC_ACQUIRE)) == seen; spins++) {
                GK_PAUSE();
                if (spins % 64 == 0 && nanoseconds() - start > spinBudget) break;
            }
        }
        int slept = 0;
        if (CLAIM_GENERATION(word) == seen) {
            slept = 1;
            pthread_mutex_lock(&sleepLock);
            sleepers++;
            while (CLAIM_GENERATION(word = __atomic_load_n(&claim, __ATOMIC_ACQUIRE)) == seen) pthread_cond_wait(&wake, &sleepLock);
            sleepers--;
            pthread_mutex_unlock(&sleepLock);
        }
        seen = CLAIM_GENERATION(word);
        if (index + 1 >= (long)CLAIM_THREADS(word)) {  // the job asked for fewer threads: sleep until one wants this one
            spinBudget = 0;
            continue;
        }
        // Spinning pays when the spinning thread is running. One that was spinning and still
        // noticed the job late was descheduled (another process wants the core): it spins
        // half as long next time, down to not at all. After a sleep it tries a short spin
        // again, and a job noticed in time while spinning restores the full budget.
        int late = !slept && nanoseconds() - __atomic_load_n(&jobPublished, __ATOMIC_RELAXED) > GK_LATE_NANOSECONDS;
        (void)runChunks(seen, 1);
        if (late) spinBudget = spinBudget / 2 < GK_PROBE_NANOSECONDS ? 0 : spinBudget / 2;
        else if (!slept) spinBudget = GK_SPIN_NANOSECONDS;
        else if (spinBudget < GK_PROBE_NANOSECONDS) spinBudget = GK_PROBE_NANOSECONDS;
    }
    return 0;
}

static void runInline(long chunks, gk_pool_task task, void *context) {
    for (long chunk = 0; chunk < chunks; chunk++) task(context, chunk);
}

void gk_pool_run(long chunks, long threads, gk_pool_task task, void *context) {
    if (threads > chunks) threads = chunks;
    if (threads > GK_POOL_MAX + 1) threads = GK_POOL_MAX + 1;
    if (threads <= 1 || chunks > GK_MAX_CHUNKS || insidePool || pthread_mutex_trylock(&runLock) != 0) {
        // One thread, nested inside a chunk, or another thread's job is running: same chunks, on this thread.
        runInline(chunks, task, context);
        return;
    }
    if (aloneUntil != 0 && nanoseconds() < aloneUntil) {
        // The other threads kept finishing long after this one (the OS gave their cores to
        // another process): for a while, do the work here rather than wait for them.
        pthread_mutex_unlock(&runLock);
        runInline(chunks, task, context);
        return;
    }
    while (workerCount < threads - 1) {
        pthread_t thread;
        pthread_attr_t attributes;
        pthread_attr_init(&attributes);
        pthread_attr_setdetachstate(&attributes, PTHREAD_CREATE_DETACHED);
        startGeneration[workerCount] = CLAIM_GENERATION(__atomic_load_n(&claim, __ATOMIC_RELAXED));
        int failed = pthread_create(&thread, &attributes, worker, (void *)(long)workerCount);
        pthread_attr_destroy(&attributes);
        if (failed) break;
        workerCount++;
    }
    if (workerCount < threads - 1) threads = workerCount + 1;  // could not start more threads
    if (threads <= 1) {
        pthread_mutex_unlock(&runLock);
        runInline(chunks, task, context);
        return;
    }
    jobTask = task;
    jobContext = context;
    jobThreadCount = threadCountOverride;
    jobLevel = gk_forced_level();
    __atomic_store_n(&completed, 0, __ATOMIC_RELAXED);
    int64_t published = nanoseconds();
    __atomic_store_n(&jobPublished, published, __ATOMIC_RELAXED);
    uint64_t generation = (CLAIM_GENERATION(__atomic_load_n(&claim, __ATOMIC_RELAXED)) + 1) & 0xFFFFFF;
    __atomic_store_n(&claim, (generation << 40) | ((uint64_t)threads << 32) | ((uint64_t)chunks << 16), __ATOMIC_SEQ_CST);
    pthread_mutex_lock(&sleepLock);
    if (sleepers > 0) pthread_cond_broadcast(&wake);
    pthread_mutex_unlock(&sleepLock);

    insidePool = 1;
    long ownChunks = runChunks(generation, 0);
    insidePool = 0;

    // No chunk is left to take; wait for those still running on workers.
    int64_t start = nanoseconds(), waited = 0;
    if (__atomic_load_n(&completed, __ATOMIC_ACQUIRE) < chunks) {
        for (int spins = 1; __atomic_load_n(&completed, __ATOMIC_ACQUIRE) < chunks; spins++) {
            GK_PAUSE();
            if (spins % 64 == 0 && nanoseconds() - start > GK_WAIT_NANOSECONDS) {
                pthread_mutex_lock(&sleepLock);
                __atomic_store_n(&callerWaiting, 1, __ATOMIC_SEQ_CST);
                while (__atomic_load_n(&completed, __ATOMIC_SEQ_CST) < chunks) pthread_cond_wait(&finished, &sleepLock);
                __atomic_store_n(&callerWaiting, 0, __ATOMIC_SEQ_CST);
                pthread_mutex_unlock(&sleepLock);
                break;
            }
        }
        waited = nanoseconds() - start;
    }
    // What the pool saved (the workers' chunks, at the caller's pace) against what it cost (the
    // wait). When the workers took every chunk, the wait was their work: count it as neither.
    int64_t own = start - published;
    windowSaved += ownChunks > 0 ? own * (chunks - ownChunks) / ownChunks : waited;
    windowWaited += waited;
    if (++windowJobs >= GK_WINDOW_JOBS) {
        if (windowWaited > windowSaved) {
            // Waiting cost more than the workers' help: the machine is busy. Again soon after the
            // last alone period: still busy, so the next period doubles; else it starts short.
            int64_t now = nanoseconds();
            int stillBusy = aloneUntil != 0 && now - aloneUntil < GK_RETRY_NANOSECONDS;
            aloneFor = !stillBusy ? GK_ALONE_NANOSECONDS
                       : aloneFor * 2 > GK_ALONE_MAX_NANOSECONDS ? GK_ALONE_MAX_NANOSECONDS : aloneFor * 2;
            aloneUntil = now + aloneFor;
        }
        windowJobs = 0;
        windowSaved = windowWaited = 0;
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
