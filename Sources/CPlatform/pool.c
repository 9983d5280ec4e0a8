#include "cplatform.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

/// A small persistent thread pool for `cplatform_parallel_for`. One job at a time (a mutex
/// taken with trylock; a caller that finds it busy runs its tasks alone). A job is published by
/// bumping `generation`; every worker claims indices with `fetch_add` on `next_index` and then
/// counts itself out with `finished`, and the caller returns only when all have, so no worker
/// still looks at a job when the next is published.

enum { MAX_WORKERS = 63, SPIN_ROUNDS = 4000 };

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
/// The generation before each worker's first job: a worker that starts after that job is
/// published must still take part in it.
static unsigned long first_seen[MAX_WORKERS];

static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
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
        unsigned long now = atomic_load_explicit(&generation, memory_order_acquire);
        for (int spin = 0; now == seen && spin < SPIN_ROUNDS; spin++) {
            cpu_relax();
            now = atomic_load_explicit(&generation, memory_order_acquire);
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
        if (id < job_helpers) run_tasks();
        atomic_fetch_add_explicit(&finished, 1, memory_order_release);
    }
    return 0;
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
