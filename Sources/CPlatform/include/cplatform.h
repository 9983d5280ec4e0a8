#ifndef CPLATFORM_H
#define CPLATFORM_H
#include <stdint.h>

/// Our few lines of C: cpuid/xgetbv, malloc tuning and a thread pool, which Swift cannot
/// reach itself.

/// The instruction-set extensions that decide which OpenBLAS kernel set can run.
/// Each flag is 1 only when the CPU reports the instructions (cpuid) *and* the
/// operating system saves the registers they use (xgetbv), as OpenBLAS itself checks.
typedef struct {
    int avx2;
    int fma;
    int avx512f;
    int avx512cd;
    int avx512bw;
    int avx512dq;
    int avx512vl;
} cplatform_features;

cplatform_features cplatform_read_features(void);

/// Keeps freed heap blocks of up to `mmap_threshold` bytes for reuse instead of returning
/// them to the kernel (glibc `mallopt`, which Swift cannot see through Glibc). Returns 1 on
/// success, 0 where unsupported.
int cplatform_keep_freed_memory(int mmap_threshold, int trim_threshold);

/// `task(context, i)` for every `i` in `0 ..< count`, spread over the calling thread and up
/// to `threads - 1` pool workers; returns when every call has returned. The workers persist:
/// after a job each polls for the next one for 2 ms, then sleeps on a condition variable, so
/// the jobs of a training step start in microseconds without a worker burning a core while
/// the program does something else. A caller that finds a worker on its CPU, or a worker
/// that finds itself on its caller's, moves to another allowed CPU, so the two do not share
/// a core while others idle. A call made while another thread's job runs (or from inside a
/// task) runs its tasks on the caller alone.
typedef void (*cplatform_task)(void *context, long index);
void cplatform_parallel_for(long count, int threads, cplatform_task task, void *context);

/// This OS thread's limit on the run's threads (0: none), for `BLAS.threads`: set to 1 while
/// the thread runs a chunk of a parallel loop (so products inside it are not split again) and by
/// `BLAS.withThreads`, without touching other threads (tests running side by side).
int cplatform_thread_limit(void);
void cplatform_set_thread_limit(int limit);

/// The multiply-add counter this OS thread adds to (NULL: none), for `MultiplyAdds.counting`:
/// a parallel loop hands its caller's counter to the workers running its chunks, so a count
/// covers exactly the work one caller started, whatever runs on other threads meanwhile.
void *cplatform_counter(void);
void cplatform_set_counter(void *counter);
/// Adds `n` to this thread's counter, if it has one (atomically: a loop's workers share it).
void cplatform_count(long n);

/// This OS thread's choice of kernel variant (0: none, else the variant's index + 1), for
/// `InstructionSet.withVariant`: tests compare the variants without changing other threads'.
int cplatform_kernel_choice(void);
void cplatform_set_kernel_choice(int choice);

#endif
