#ifndef CKERNELS_H
#define CKERNELS_H
#include <stdint.h>

/// Hot loops that Swift cannot compile for AVX2: Swift has no per-function target attributes,
/// so its SIMD8 code runs as pairs of SSE instructions. Each kernel here is one C body compiled
/// twice, `_avx2` (AVX2 + FMA, for CPUs whose cpuid says so) and `_generic` (baseline x86-64
/// or whatever the target is); Swift picks one at run time (`InstructionSet`).

/// One head of one sequence: row-major matrices whose rows are `ld*` floats apart (a head's
/// columns inside `[T, heads·d]` rows). `q [tq, d]` is already scaled; `k [tk, d]`,
/// `v [tk, dv]`, `out [tq, dv]`; only the first `lq` queries and `lk` keys take part. With
/// `causal` set, query `i` sees key `j` only when `j − i < 1 + |lk − lq|`: the official MulT's
/// `buffered_future_mask` (`triu(−inf, 1 + |Lk − Lq|)`) on this sequence's true lengths.
typedef struct {
    int tq, lq, tk, lk, d, dv, causal;
    const float *q, *k, *v;
    float *out;
    long ldq, ldk, ldv, ldo;
} ck_attention_head;

/// Scratch floats that one call of `ck_attention_forward_*` / `ck_attention_backward_*`
/// needs for `tk` keys.
long ck_attention_work_size(int tk, int d, int dv);

/// `ceil(p·2²⁴)`: an element is dropped when the top 24 bits of its hash are below this.
uint32_t ck_dropout_threshold(float p);

/// Forward: for queries `i < lq`, `P = softmax(q·kᵀ)` over the first `lk` keys, `lse[i]` its
/// log-sum-exp (+inf when `lk == 0`), `out[i] = Σⱼ P[i,j]·D[i,j]·v[j]` where `D` is 0 (with
/// probability `dropout`) or `1/(1 − dropout)`, drawn from `seed` and the element's index
/// `i·lk + j`. Rows `i ≥ lq` of `out` are 0.
void ck_attention_forward_avx2(const ck_attention_head *head, float dropout, uint32_t seed,
                               float *lse, float *work);
void ck_attention_forward_generic(const ck_attention_head *head, float dropout, uint32_t seed,
                                  float *lse, float *work);

/// Backward for the upstream `dout` (rows `ldo` apart): the weights are recomputed from `lse`
/// and the mask from `seed`. Writes (does not add) `gq`, `gk`, `gv`, laid out as `q`, `k`, `v`;
/// rows past `lq` / `lk` are 0.
void ck_attention_backward_avx2(const ck_attention_head *head, float dropout, uint32_t seed,
                                const float *dout, const float *lse, float *gq, float *gk,
                                float *gv, float *work);
void ck_attention_backward_generic(const ck_attention_head *head, float dropout, uint32_t seed,
                                   const float *dout, const float *lse, float *gq, float *gk,
                                   float *gv, float *work);

/// Inverted dropout of `x[0 ..< count]` into `out` (which may be `x`): element `i` is scaled
/// by 0 (with probability `p`) or `1/(1 − p)`, drawn from `seed` and its index `first + i`, so
/// the backward pass redraws the forward mask from the seed alone, and a tensor split into
/// pieces (with their offsets as `first`) gets the mask it would get whole.
void ck_dropout_avx2(const float *x, float *out, long count, uint32_t first, float p,
                     uint32_t seed);
void ck_dropout_generic(const float *x, float *out, long count, uint32_t first, float p,
                        uint32_t seed);

#endif
