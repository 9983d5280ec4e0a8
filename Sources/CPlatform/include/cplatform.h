#ifndef CPLATFORM_H
#define CPLATFORM_H
#include <stdint.h>

/// Our few lines of C: cpuid/xgetbv and malloc tuning, which Swift cannot reach itself.

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
/// after a job each spins briefly (about 50 µs) for the next one, then sleeps on a condition
/// variable, so back-to-back jobs start in microseconds without a worker burning a core
/// between them. A call made while another thread's job runs (or from inside a task) runs
/// its tasks on the caller alone.
typedef void (*cplatform_task)(void *context, long index);
void cplatform_parallel_for(long count, int threads, cplatform_task task, void *context);

#endif
