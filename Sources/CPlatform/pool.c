#define _GNU_SOURCE
#include "cplatform.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

#if defined(__linux__)
#include <sched.h>
#endif

/// A small persistent thread pool for `cplatform_parallel_for`. One job at a time (a mutex
/// taken with trylock; a caller that finds it busy runs its tasks alone). A job is published by
/// bumping `generation`; every worker claims indices with `fetch_add` on `next_index` and then
/// counts itself out with `finished`, and the caller returns only when all have, so no worker
/// still looks at a job when the next is published.

enum { MAX_WORKERS = 63 };
/// How long an idle worker polls for the next job before it sleeps on the condition variable.
/// Waking a sleeping worker took from 0.1 to 3 ms on these machines (a virtual CPU halted
/// when idle), longer than many products take; between the products of a training step the
/// caller runs alone for tens to hundreds of microseconds.
static const long SPIN_NANOSECONDS = 2000000;

static pthread_mutex_t job_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t sleep_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static int started = 0;  /* workers created so far (under job_lock) */

static cplatform_task job_task;
static void *job_context;
static long job_count;
static int job_helpers;  /* workers 0 ..< job_helpers take part; the others only acknowledge */
static atomic_long next_index;
static atomic_int finished;
static atomic_ulong generation;
static atomic_int sleepers;
/// The CPU each worker last ran on, and the caller's when it published the job (-1: unknown).
static atomic_int worker_cpu[MAX_WORKERS];
static atomic_int caller_cpu;
/// The generation before each worker's first job: a worker that starts after that job is
/// published must still take part in it.
static unsigned long first_seen[MAX_WORKERS];

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
}

static inline long monotonic_nanoseconds(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)t.tv_sec * 1000000000L + t.tv_nsec;
}

static inline int current_cpu(void) {
#if defined(__linux__)
    return sched_getcpu();
#else
    return -1;
#endif
}

/// Two threads of one job on one CPU share it for milliseconds (until the scheduler balances
/// them), running the job at half speed while another CPU idles: on 2 cores, about half of the
/// split products in `bench ops` ran both halves on one CPU. The thread that finds itself on a
/// CPU another thread of the job uses moves: it narrows its affinity to the allowed CPUs not in
/// `avoid` (which migrates it at once), then widens it back, so the scheduler stays free to
/// place it later. Nothing happens when no allowed CPU is left.
static void move_off(const int *avoid, int count) {
#if defined(__linux__)
    cpu_set_t allowed, others;
    if (sched_getaffinity(0, sizeof allowed, &allowed) != 0) return;
    others = allowed;
    for (int i = 0; i < count; i++) {
        if (avoid[i] >= 0 && avoid[i] < CPU_SETSIZE) CPU_CLR(avoid[i], &others);
    }
    if (CPU_COUNT(&others) == 0) return;
    if (sched_setaffinity(0, sizeof others, &others) == 0) sched_setaffinity(0, sizeof allowed, &allowed);
#else
    (void)avoid;
    (void)count;
#endif
}

static void run_tasks(void) {
    for (;;) {
        long i = atomic_fetch_add_explicit(&next_index, 1, memory_order_relaxed);
        if (i >= job_count) return;
        job_task(job_context, i);
    }
}

static void *worker(void *arg) {
    const int id = (int)(intptr_t)arg;
    unsigned long seen = first_seen[id];
    for (;;) {
        atomic_store_explicit(&worker_cpu[id], current_cpu(), memory_order_relaxed);
        unsigned long now = atomic_load_explicit(&generation, memory_order_acquire);
        const long deadline = monotonic_nanoseconds() + SPIN_NANOSECONDS;
        for (int spin = 1; now == seen; spin++) {
            cpu_relax();
            now = atomic_load_explicit(&generation, memory_order_acquire);
            if (spin % 64 == 0 && monotonic_nanoseconds() > deadline) break;
        }
        if (now == seen) {
            pthread_mutex_lock(&sleep_lock);
            atomic_fetch_add(&sleepers, 1);
            // seq_cst against the caller's bump-then-read-sleepers: one of us sees the other.
            while ((now = atomic_load(&generation)) == seen) pthread_cond_wait(&wake, &sleep_lock);
            atomic_fetch_sub(&sleepers, 1);
            pthread_mutex_unlock(&sleep_lock);
        }
        seen = now;
        if (id < job_helpers) {
            int caller = atomic_load_explicit(&caller_cpu, memory_order_relaxed);
            if (caller >= 0 && current_cpu() == caller) move_off(&caller, 1);
            run_tasks();
        }
        atomic_fetch_add_explicit(&finished, 1, memory_order_release);
    }
    return 0;
}

/// The caller's CPU, after moving the caller off it if a helper of the job last ran there (a
/// sleeping or spinning helper would wake there and wait for the caller's time slice).
static int settle_caller(int helpers) {
    int cpu = current_cpu();
    if (cpu < 0) return cpu;
    int avoid[MAX_WORKERS];
    int clash = 0;
    for (int i = 0; i < helpers; i++) {
        avoid[i] = atomic_load_explicit(&worker_cpu[i], memory_order_relaxed);
        clash |= avoid[i] == cpu;
    }
    if (!clash) return cpu;
    move_off(avoid, helpers);
    return current_cpu();
}

void cplatform_parallel_for(long count, int threads, cplatform_task task, void *context) {
    int helpers = threads - 1;
    if (helpers > MAX_WORKERS) helpers = MAX_WORKERS;
    if (helpers > count - 1) helpers = (int)(count - 1);
    if (helpers <= 0 || pthread_mutex_trylock(&job_lock) != 0) {
        for (long i = 0; i < count; i++) task(context, i);
        return;
    }
    while (started < helpers) {
        pthread_t thread;
        first_seen[started] = atomic_load(&generation);
        atomic_store(&worker_cpu[started], -1);
        if (pthread_create(&thread, 0, worker, (void *)(intptr_t)started) != 0) break;
        pthread_detach(thread);
        started++;
    }
    const int workers = started;  /* every started worker acknowledges each job */
    job_helpers = helpers < started ? helpers : started;
    job_task = task;
    job_context = context;
    job_count = count;
    atomic_store_explicit(&next_index, 0, memory_order_relaxed);
    atomic_store_explicit(&finished, 0, memory_order_relaxed);
    atomic_store_explicit(&caller_cpu, settle_caller(job_helpers), memory_order_relaxed);
    atomic_fetch_add(&generation, 1);
    if (atomic_load(&sleepers) > 0) {
        pthread_mutex_lock(&sleep_lock);
        pthread_cond_broadcast(&wake);
        pthread_mutex_unlock(&sleep_lock);
    }
    run_tasks();
    while (atomic_load_explicit(&finished, memory_order_acquire) < workers) cpu_relax();
    pthread_mutex_unlock(&job_lock);
}

static _Thread_local int thread_limit = 0;

int cplatform_thread_limit(void) { return thread_limit; }

void cplatform_set_thread_limit(int limit) { thread_limit = limit; }

static _Thread_local long *counter = NULL;

void *cplatform_counter(void) { return counter; }

void cplatform_set_counter(void *c) { counter = (long *)c; }

void cplatform_count(long n) {
    if (counter) __atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

static _Thread_local int kernel_choice = 0;

int cplatform_kernel_choice(void) { return kernel_choice; }

void cplatform_set_kernel_choice(int choice) { kernel_choice = choice; }
