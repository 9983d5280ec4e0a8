#include "ckernels.h"
#include "vector8.h"

uint32_t ck_dropout_threshold(float p) { return (uint32_t)ceilf(p * 16777216.0f); }

CK_INLINE void dropout(const float *x, float *out, long count, uint32_t first, float p,
                       uint32_t seed) {
    const uint32_t threshold = ck_dropout_threshold(p);
    const float keep = 1 / (1 - p);
    long i = 0;
    for (; i + 8 <= count; i += 8)
        v8_store(out + i,
                 v8_load(x + i) * v8_dropout_factors(seed, first + (uint32_t)i, threshold, keep));
    if (i < count) {
        float tail[8] = {0};
        memcpy(tail, x + i, sizeof(float) * (count - i));
        v8f y = v8_load(tail) * v8_dropout_factors(seed, first + (uint32_t)i, threshold, keep);
        v8_store(tail, y);
        memcpy(out + i, tail, sizeof(float) * (count - i));
    }
}

__attribute__((target("avx2,fma"))) void ck_dropout_avx2(const float *x, float *out, long count,
                                                         uint32_t first, float p, uint32_t seed) {
    dropout(x, out, count, first, p, seed);
}

void ck_dropout_generic(const float *x, float *out, long count, uint32_t first, float p,
                        uint32_t seed) {
    dropout(x, out, count, first, p, seed);
}
