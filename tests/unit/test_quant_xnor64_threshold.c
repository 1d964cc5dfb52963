/* Binarized matrix-vector steps: qc_xnor64_threshold against match counts
 * and qc_threshold_bits64, qc_xnor64_threshold_or as a max-pool of such
 * bits, qc_ctz64. */
#include <check.h>
#include <stdint.h>
#include <stdlib.h>

#include "qc_threshold_bits.h"
#include "qc_xnor64.h"
#include "qc_xnor64_threshold.h"

static uint32_t rng_state = 0x7E5701u;

static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

#define MAX_ROWS 150
#define MAX_N 200

/* A random layer: rows of n bipolar weights, an input, thresholds. */
typedef struct Layer {
    size_t n, rows, words;
    int32_t x[MAX_N], w[MAX_ROWS][MAX_N], t[MAX_ROWS];
    uint64_t xw[4], ww[MAX_ROWS][4];
} Layer;

static void make_layer(Layer *L)
{
    L->n = 1 + rng() % MAX_N;
    L->rows = 1 + rng() % MAX_ROWS;
    L->words = qc_xnor64_words(L->n);
    for (size_t i = 0; i < L->n; i++)
        L->x[i] = rng() & 1u ? 1 : -1;
    qc_xnor64_pack(L->x, L->n, L->xw);
    for (size_t r = 0; r < L->rows; r++) {
        for (size_t i = 0; i < L->n; i++)
            L->w[r][i] = rng() & 1u ? 1 : -1;
        qc_xnor64_pack(L->w[r], L->n, L->ww[r]);
        /* thresholds around n/2, and a few outside 0..n */
        L->t[r] = (int32_t)(rng() % (L->n + 3)) - 1;
    }
}

/* The match counts, by definition. */
static void matches(const Layer *L, int32_t *m)
{
    for (size_t r = 0; r < L->rows; r++) {
        m[r] = 0;
        for (size_t i = 0; i < L->n; i++)
            m[r] += L->x[i] == L->w[r][i];
    }
}

/* The weights as one matrix, rows `words` apart. */
static void matrix(const Layer *L, uint64_t *w)
{
    for (size_t r = 0; r < L->rows; r++)
        for (size_t k = 0; k < L->words; k++)
            w[r * L->words + k] = L->ww[r][k];
}

START_TEST(test_ctz)
{
    ck_assert_uint_eq(qc_ctz64(1), 0);
    ck_assert_uint_eq(qc_ctz64(0x8000000000000000u), 63);
    ck_assert_uint_eq(qc_ctz64(0x50), 4);
}
END_TEST

START_TEST(test_threshold_agrees_with_counts)
{
    for (int trial = 0; trial < 300; trial++) {
        Layer L;
        int32_t m[MAX_ROWS];
        uint64_t w[MAX_ROWS * 4], got[3] = {~0u, ~0u, ~0u}, want[3];
        make_layer(&L);
        matches(&L, m);
        matrix(&L, w);
        qc_xnor64_threshold(L.xw, w, L.words, (int32_t)L.n, L.t, L.rows, got);
        qc_threshold_bits64(m, L.t, L.rows, want);
        for (size_t k = 0; k < qc_xnor64_words(L.rows); k++)
            ck_assert(got[k] == want[k]);
    }
}
END_TEST

START_TEST(test_or_is_a_maxpool)
{
    /* Four inputs against one layer: the OR of their bits, built with the
     * first call writing and the others ORing, is the bitwise max. */
    for (int trial = 0; trial < 200; trial++) {
        Layer L;
        uint64_t w[MAX_ROWS * 4], pooled[3], want[3] = {0, 0, 0};
        make_layer(&L);
        matrix(&L, w);
        for (int pos = 0; pos < 4; pos++) {
            uint64_t one[3];
            int32_t m[MAX_ROWS];
            for (size_t i = 0; i < L.n; i++)
                L.x[i] = rng() & 1u ? 1 : -1;
            qc_xnor64_pack(L.x, L.n, L.xw);
            matches(&L, m);
            qc_threshold_bits64(m, L.t, L.rows, one);
            for (size_t k = 0; k < qc_xnor64_words(L.rows); k++)
                want[k] |= one[k];
            if (pos == 0)
                qc_xnor64_threshold(L.xw, w, L.words, (int32_t)L.n, L.t, L.rows, pooled);
            else
                qc_xnor64_threshold_or(L.xw, w, L.words, (int32_t)L.n, L.t, L.rows, pooled);
        }
        for (size_t k = 0; k < qc_xnor64_words(L.rows); k++)
            ck_assert(pooled[k] == want[k]);
        if (L.rows % 64)
            ck_assert(pooled[L.rows / 64] >> (L.rows % 64) == 0); /* padding stays 0 */
    }
}
END_TEST

int main(void)
{
    Suite *s = suite_create("quant_xnor64_threshold");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_ctz);
    tcase_add_test(tc, test_threshold_agrees_with_counts);
    tcase_add_test(tc, test_or_is_a_maxpool);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
