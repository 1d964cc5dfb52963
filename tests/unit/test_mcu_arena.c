/* The mcu/npu activation arena planner (src/emit_mcu_arena.c) on synthetic
 * plans: a chain reaches the lower bound, lifetimes that never meet share
 * bytes, and on random lifetimes no two tensors alive together overlap. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "emit_mcu_internal.h"

typedef struct Fake {
    Graph g;
    Tensor t[64];
    RefTensor r[64];
    RefPlan p;
} Fake;

/* n tensors: bytes[k] (I8, so bytes == elements), lifetime [def[k], last[k]]. */
static Fake *fake(int n, const int64_t *bytes, const int *def, const int *last, int layers)
{
    Fake *f = calloc(1, sizeof *f);
    ck_assert_ptr_nonnull(f);
    f->g.path = "fake.onnx";
    f->g.n_tensors = n;
    for (int k = 0; k < n; k++) {
        f->t[k].id = k;
        f->t[k].name = "t";
        f->r[k].t = &f->t[k];
        f->r[k].fmt = REF_I8;
        f->r[k].size = bytes[k];
        f->r[k].count = bytes[k];
        f->r[k].def = def[k];
        f->r[k].last = last[k];
        f->r[k].buf = 0;
    }
    f->p.g = &f->g;
    f->p.tensors = f->r;
    f->p.n_layers = layers;
    return f;
}

static void check_no_overlap(const McuArena *a)
{
    for (int i = 0; i < a->n; i++) {
        const McuSlot *x = &a->slots[i];
        ck_assert_int_ge(x->offset, 0);
        ck_assert_int_eq(x->offset % 8, 0);
        ck_assert_int_le(x->offset + x->bytes, a->bytes);
        for (int j = i + 1; j < a->n; j++) {
            const McuSlot *y = &a->slots[j];
            bool alive = x->def <= y->last && y->def <= x->last;
            bool overlap = x->offset < y->offset + y->bytes && y->offset < x->offset + x->bytes;
            ck_assert_msg(!(alive && overlap), "slots %d and %d overlap while alive", i, j);
        }
    }
}

START_TEST(test_chain)
{
    /* x -> l0 -> l1 -> l2 -> l3 (output affine = layer 4) */
    int64_t bytes[] = { 800, 3200, 1600, 1600, 40 };
    int def[] = { -1, 0, 1, 2, 3 }, last[] = { 0, 1, 2, 3, 4 };
    Fake *f = fake(5, bytes, def, last, 4);
    McuArena a;
    Diag d;
    diag_init(&d);
    ck_assert(mcu_arena_plan(&f->p, &a, &d));
    check_no_overlap(&a);
    ck_assert_int_eq(a.lower_bound, 4800);
    ck_assert_int_eq(a.two_largest, 4800);
    ck_assert_int_eq(a.bytes, 4800);
    mcu_arena_free(&a);
    free(f);
}
END_TEST

START_TEST(test_disjoint_share)
{
    /* two tensors that never meet share offset 0 */
    int64_t bytes[] = { 100, 100 };
    int def[] = { 0, 2 }, last[] = { 1, 3 };
    Fake *f = fake(2, bytes, def, last, 3);
    McuArena a;
    Diag d;
    diag_init(&d);
    ck_assert(mcu_arena_plan(&f->p, &a, &d));
    ck_assert_int_eq(a.slots[0].offset, 0);
    ck_assert_int_eq(a.slots[1].offset, 0);
    ck_assert_int_eq(a.bytes, 104);
    mcu_arena_free(&a);
    free(f);
}
END_TEST

START_TEST(test_random)
{
    uint32_t s = 7u;
    for (int round = 0; round < 200; round++) {
        int64_t bytes[40];
        int def[40], last[40], n = 2 + round % 38;
        for (int k = 0; k < n; k++) {
            s = s * 1664525u + 1013904223u;
            bytes[k] = 1 + (s >> 8) % 5000;
            def[k] = (int)((s >> 4) % 20) - 1;
            last[k] = def[k] + (int)((s >> 16) % 6);
        }
        Fake *f = fake(n, bytes, def, last, 25);
        McuArena a;
        Diag d;
        diag_init(&d);
        ck_assert(mcu_arena_plan(&f->p, &a, &d));
        check_no_overlap(&a);
        ck_assert_int_ge(a.bytes, a.lower_bound);
        int64_t total = 0;
        for (int i = 0; i < a.n; i++)
            total += a.slots[i].bytes;
        ck_assert_int_le(a.bytes, total);
        mcu_arena_free(&a);
        free(f);
    }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("mcu_arena");
    TCase *tc = tcase_create("plan");
    tcase_add_test(tc, test_chain);
    tcase_add_test(tc, test_disjoint_share);
    tcase_add_test(tc, test_random);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
