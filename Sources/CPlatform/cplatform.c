#include "cplatform.h"

#if defined(__GLIBC__)
#include <malloc.h>
int cplatform_keep_freed_memory(int mmap_threshold, int trim_threshold) {
    return mallopt(M_MMAP_THRESHOLD, mmap_threshold) && mallopt(M_TRIM_THRESHOLD, trim_threshold);
}
#else
int cplatform_keep_freed_memory(int mmap_threshold, int trim_threshold) { return 0; }
#endif

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static uint64_t read_xcr0(void) {
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((uint64_t)edx << 32) | eax;
}

cplatform_features cplatform_read_features(void) {
    cplatform_features f = {0};
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return f;
    int osxsave = (ecx >> 27) & 1;
    int avx = (ecx >> 28) & 1;
    int fma = (ecx >> 12) & 1;
    if (!osxsave || !avx) return f;
    uint64_t xcr0 = read_xcr0();
    int ymm_saved = (xcr0 & 0x6) == 0x6;            /* SSE and AVX state */
    int zmm_saved = (xcr0 & 0xe6) == 0xe6;          /* plus opmask, ZMM_Hi256, Hi16_ZMM */
    if (!ymm_saved) return f;
    if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return f;
    f.fma = fma;
    f.avx2 = (ebx >> 5) & 1;
    if (zmm_saved) {
        f.avx512f = (ebx >> 16) & 1;
        f.avx512dq = (ebx >> 17) & 1;
        f.avx512cd = (ebx >> 28) & 1;
        f.avx512bw = (ebx >> 30) & 1;
        f.avx512vl = (ebx >> 31) & 1;
    }
    return f;
}
#else
cplatform_features cplatform_read_features(void) {
    cplatform_features f = {0};
    return f;
}
#endif
