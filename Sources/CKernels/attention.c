#include "ckernels.h"
#include <stdlib.h>
#include "vector8.h"

/// Attention for heads a few floats wide (MulT: 5 and 10). Per query row, everything runs
/// along the keys, eight at a time: the scores are `d` broadcast-multiply-adds over the keys
/// transposed to `[d, lk]`, then one pass each for the max, the exponentials and the output's
/// `dv` dot products. GEMMs with an inner dimension of 5 spend their time packing; here nothing
/// `tq x tk` is ever stored, only one row at a time. Heads are read and written in place in
/// `[T, heads·d]` rows (`ld*` strides), so no permutation copies them out or back.

static inline long round8(long n) { return (n + 7) & ~7L; }

long ck_attention_work_size(int tk, int d, int dv) { return round8(tk) * (2L * d + 2L * dv + 2); }

/// `dst[c * ld + j] = src[j * stride + c]` for `j < rows`, zero for `rows <= j < ld`.
CK_INLINE void transpose_padded(const float *src, long stride, int rows, int width, long ld,
                               float *dst) {
    for (int c = 0; c < width; c++) {
        float *row = dst + c * ld;
        for (int j = 0; j < rows; j++) row[j] = src[j * stride + c];
        for (long j = rows; j < ld; j++) row[j] = 0;
    }
}

/// `row[j] = q · kt[:, j]` for `j < round8(lk)` (`kt` rows `ld` apart); the keys from `lk` to
/// that bound get −inf. Nothing past it is written: the callers' loops stop there too, since a
/// query sees only its first `lk` keys (all of them, or fewer under the future mask).
CK_INLINE void scores(const float *qi, int d, const float *kt, long ld, int lk, float *row) {
    const long limit = round8(lk);
    for (long jb = 0; jb < limit; jb += 8) {
        v8f acc = v8_splat(0);
        for (int c = 0; c < d; c++) acc += v8_splat(qi[c]) * v8_load(kt + c * ld + jb);
        v8_store(row + jb, acc);
    }
    for (long j = lk; j < limit; j++) row[j] = -INFINITY;
}

/// The keys query `i` sees: all `lk`, or under the future mask the first `i + 1 + |lk − lq|`.
CK_INLINE int visible_keys(const ck_attention_head *h, int i) {
    if (!h->causal) return h->lk;
    const long limit = (long)i + 1 + labs((long)h->lk - h->lq);
    return limit < h->lk ? (int)limit : h->lk;
}
CK_INLINE void zero_rows(float *x, long stride, long from, long to, int width) {
    for (long i = from; i < to; i++)
        for (int c = 0; c < width; c++) x[i * stride + c] = 0;
}

CK_INLINE void attention_forward(const ck_attention_head *h, float dropout, uint32_t seed,
                                 float *lse, float *work) {
    const int lq = h->lq, lk = h->lk, d = h->d, dv = h->dv;
    const long ld = round8(lk);
    float *kt = work, *vt = kt + d * ld, *row = vt + dv * ld;
    transpose_padded(h->k, h->ldk, lk, d, ld, kt);
    transpose_padded(h->v, h->ldv, lk, dv, ld, vt);
    const uint32_t threshold = ck_dropout_threshold(dropout);
    const float keep = 1 / (1 - dropout);
    for (int i = 0; i < lq; i++) {
        float *o = h->out + i * h->ldo;
        if (lk == 0) {
            for (int c = 0; c < dv; c++) o[c] = 0;
            lse[i] = INFINITY;
            continue;
        }
        // Only the keys this query sees (a triangle under the future mask), in blocks of 8.
        const int visible = visible_keys(h, i);
        const long lv = round8(visible);
        scores(h->q + i * h->ldq, d, kt, ld, visible, row);
        v8f m8 = v8_splat(-INFINITY);
        for (long jb = 0; jb < lv; jb += 8) m8 = v8_max(m8, v8_load(row + jb));
        const float m = v8_hmax(m8);
        v8f sum8 = v8_splat(0);
        for (long jb = 0; jb < lv; jb += 8) {
            v8f e = v8_exp(v8_load(row + jb) - m);
            v8_store(row + jb, e);
            sum8 += e;
        }
        const float total = v8_sum(sum8);
        lse[i] = m + logf(total);
        const v8f inv = v8_splat(1 / total);
        for (long jb = 0; jb < lv; jb += 8) {
            v8f p = v8_load(row + jb) * inv;
            if (dropout > 0)
                p *= v8_dropout_factors(seed, (uint32_t)(i * lk + jb), threshold, keep);
            v8_store(row + jb, p);
        }
        for (int c = 0; c < dv; c++) {
            v8f acc = v8_splat(0);
            for (long jb = 0; jb < lv; jb += 8)
                acc += v8_load(row + jb) * v8_load(vt + c * ld + jb);
            o[c] = v8_sum(acc);
        }
    }
    zero_rows(h->out, h->ldo, lq, h->tq, dv);
}

CK_INLINE void attention_backward(const ck_attention_head *h, float dropout, uint32_t seed,
                                  const float *dout, const float *lse, float *gq, float *gk,
                                  float *gv, float *work) {
    const int lq = h->lq, lk = h->lk, d = h->d, dv = h->dv;
    const long ld = round8(lk);
    float *kt = work, *vt = kt + d * ld, *gkt = vt + dv * ld, *gvt = gkt + d * ld;
    float *p = gvt + dv * ld, *g = p + ld;
    transpose_padded(h->k, h->ldk, lk, d, ld, kt);
    transpose_padded(h->v, h->ldv, lk, dv, ld, vt);
    memset(gkt, 0, sizeof(float) * (d + dv) * ld);
    const uint32_t threshold = ck_dropout_threshold(dropout);
    const float keep = 1 / (1 - dropout);
    for (int i = 0; i < lq; i++) {
        const float *qi = h->q + i * h->ldq, *doi = dout + i * h->ldo;
        float *gqi = gq + i * h->ldq;
        if (lse[i] == INFINITY) {
            for (int c = 0; c < d; c++) gqi[c] = 0;
            continue;
        }
        // P (recomputed) into p, P' = P ⊙ factors into g for the moment; only the keys this
        // query sees (the others have P = 0 and add nothing to any gradient).
        const int visible = visible_keys(h, i);
        const long lv = round8(visible);
        scores(qi, d, kt, ld, visible, p);
        for (long jb = 0; jb < lv; jb += 8) {
            v8f e = v8_exp(v8_load(p + jb) - lse[i]);
            v8_store(p + jb, e);
            v8_store(g + jb,
                     dropout > 0
                         ? e * v8_dropout_factors(seed, (uint32_t)(i * lk + jb), threshold, keep)
                         : e);
        }
        // dV += P'ᵀ·dO
        for (int c = 0; c < dv; c++) {
            const v8f doc = v8_splat(doi[c]);
            for (long jb = 0; jb < lv; jb += 8)
                v8_store(gvt + c * ld + jb, v8_load(gvt + c * ld + jb) + doc * v8_load(g + jb));
        }
        // dP = (dO·Vᵀ) ⊙ factors; dS = P ⊙ (dP − Σⱼ dP·P)
        v8f dot8 = v8_splat(0);
        for (long jb = 0; jb < lv; jb += 8) {
            v8f acc = v8_splat(0);
            for (int c = 0; c < dv; c++) acc += v8_splat(doi[c]) * v8_load(vt + c * ld + jb);
            if (dropout > 0)
                acc *= v8_dropout_factors(seed, (uint32_t)(i * lk + jb), threshold, keep);
            v8_store(g + jb, acc);
            dot8 += acc * v8_load(p + jb);
        }
        const v8f dot = v8_splat(v8_sum(dot8));
        for (long jb = 0; jb < lv; jb += 8)
            v8_store(g + jb, v8_load(p + jb) * (v8_load(g + jb) - dot));
        // dQ = dS·K, dK += dSᵀ·Q
        for (int c = 0; c < d; c++) {
            const v8f qc = v8_splat(qi[c]);
            v8f acc = v8_splat(0);
            for (long jb = 0; jb < lv; jb += 8) {
                const v8f ds = v8_load(g + jb);
                acc += ds * v8_load(kt + c * ld + jb);
                v8_store(gkt + c * ld + jb, v8_load(gkt + c * ld + jb) + qc * ds);
            }
            gqi[c] = v8_sum(acc);
        }
    }
    zero_rows(gq, h->ldq, lq, h->tq, d);
    for (int j = 0; j < lk; j++) {
        for (int c = 0; c < d; c++) gk[j * h->ldk + c] = gkt[c * ld + j];
        for (int c = 0; c < dv; c++) gv[j * h->ldv + c] = gvt[c * ld + j];
    }
    zero_rows(gk, h->ldk, lk, h->tk, d);
    zero_rows(gv, h->ldv, lk, h->tk, dv);
}

#define CK_AVX2 __attribute__((target("avx2,fma")))

CK_AVX2 void ck_attention_forward_avx2(const ck_attention_head *head, float dropout, uint32_t seed,
                                       float *lse, float *work) {
    attention_forward(head, dropout, seed, lse, work);
}

void ck_attention_forward_generic(const ck_attention_head *head, float dropout, uint32_t seed,
                                  float *lse, float *work) {
    attention_forward(head, dropout, seed, lse, work);
}

CK_AVX2 void ck_attention_backward_avx2(const ck_attention_head *head, float dropout, uint32_t seed,
                                        const float *dout, const float *lse, float *gq, float *gk,
                                        float *gv, float *work) {
    attention_backward(head, dropout, seed, dout, lse, gq, gk, gv, work);
}

void ck_attention_backward_generic(const ck_attention_head *head, float dropout, uint32_t seed,
                                   const float *dout, const float *lse, float *gq, float *gk,
                                   float *gv, float *work) {
    attention_backward(head, dropout, seed, dout, lse, gq, gk, gv, work);
}
