#ifndef CKERNELS_VECTOR8_H
#define CKERNELS_VECTOR8_H
/// Eight floats as a clang/GCC vector: one ymm register in an AVX2 function, two xmm
/// registers elsewhere. Everything is `static inline` so that it compiles with the features
/// of the function it is inlined into.

// The helpers below pass vectors by value but are always inlined, so no call crosses the
// differing AVX / non-AVX calling conventions that -Wpsabi warns about.
#pragma clang diagnostic ignored "-Wpsabi"

#include <math.h>
#include <stdint.h>
#include <string.h>

typedef float v8f __attribute__((vector_size(32)));
typedef int32_t v8i __attribute__((vector_size(32)));

#define CK_INLINE static inline __attribute__((always_inline))

CK_INLINE v8f v8_load(const float *p) {
    v8f v;
    memcpy(&v, p, sizeof v);
    return v;
}

CK_INLINE void v8_store(float *p, v8f v) { memcpy(p, &v, sizeof v); }

CK_INLINE v8f v8_splat(float x) { return (v8f){x, x, x, x, x, x, x, x}; }

/// `mask ? a : b` lane by lane, `mask` all ones or all zeros per lane (a comparison's result).
CK_INLINE v8f v8_select(v8i mask, v8f a, v8f b) {
    return (v8f)(((v8i)a & mask) | ((v8i)b & ~mask));
}

CK_INLINE v8f v8_max(v8f a, v8f b) { return v8_select(a > b, a, b); }

CK_INLINE float v8_sum(v8f v) {
    v8f h = v + __builtin_shufflevector(v, v, 4, 5, 6, 7, 0, 1, 2, 3);
    h = h + __builtin_shufflevector(h, h, 2, 3, 0, 1, 6, 7, 4, 5);
    h = h + __builtin_shufflevector(h, h, 1, 0, 3, 2, 5, 4, 7, 6);
    return h[0];
}

CK_INLINE float v8_hmax(v8f v) {
    v8f h = v8_max(v, __builtin_shufflevector(v, v, 4, 5, 6, 7, 0, 1, 2, 3));
    h = v8_max(h, __builtin_shufflevector(h, h, 2, 3, 0, 1, 6, 7, 4, 5));
    h = v8_max(h, __builtin_shufflevector(h, h, 1, 0, 3, 2, 5, 4, 7, 6));
    return h[0];
}

/// Cephes `expf` (about 2 ulp), the same approximation as Swift's `VectorMath.exp`: x < -87.34
/// gives 0 (so −inf gives 0), x > 88.72 gives +inf, NaN stays NaN.
CK_INLINE v8f v8_exp(v8f x) {
    const v8f lo = v8_splat(-87.33654f), hi = v8_splat(88.72283f);
    v8f c = v8_select(x < lo, lo, x);
    c = v8_select(c > hi, hi, c);
    // 1.5·2²³: k's low mantissa bits hold round(x/ln 2)
    const v8f shifter = v8_splat(12582912.0f);
    v8f k = c * 1.44269504f + shifter;
    v8f n = k - shifter;
    v8f r = c - n * 0.693359375f - n * -2.12194440e-4f;
    v8f p = v8_splat(1.9875691500e-4f);
    p = p * r + 1.3981999507e-3f;
    p = p * r + 8.3334519073e-3f;
    p = p * r + 4.1665795894e-2f;
    p = p * r + 1.6666665459e-1f;
    p = p * r + 5.0000001201e-1f;
    p = p * (r * r) + r + 1.0f;
    v8i n32 = (v8i)k - 0x4B400000;
    v8i half = n32 >> 1;
    v8f scale1 = (v8f)((half + 127) << 23);
    v8f scale2 = (v8f)((n32 - half + 127) << 23);
    v8f result = p * scale1 * scale2;
    result = v8_select(x < lo, v8_splat(0.0f), result);
    result = v8_select(x > hi, v8_splat(INFINITY), result);
    return v8_select(x != x, x, result);
}

/// Dropout factors of elements `first ... first + 7` (0 or `keep`): kept when the top 24 bits
/// of a hash of the element's index are at least `threshold` (`ceil(p·2²⁴)`). The hash is a
/// Weyl step (a bijection of the index, offset by the seed) followed by Wellons's `lowbias32`
/// finaliser, so every element's draw depends only on the seed and its index: not on how the
/// work is split, on which variant runs, or on whether forward or backward asks.
CK_INLINE v8f v8_dropout_factors(uint32_t seed, uint32_t first, uint32_t threshold, float keep) {
    typedef uint32_t v8u __attribute__((vector_size(32)));
    v8u x = (v8u){0, 1, 2, 3, 4, 5, 6, 7} + first;
    x = x * 0x9E3779B1u + seed;
    x ^= x >> 16;
    x *= 0x7FEB352Du;
    x ^= x >> 15;
    x *= 0x846CA68Bu;
    x ^= x >> 16;
    v8i kept = (v8i)((x >> 8) >= threshold);
    return (v8f)(kept & (v8i)v8_splat(keep));
}

#endif
