/* The mcu/npu activation arena planner (src/emit_mcu_arena.c) on synthetic
 * plans: a chain reaches the lower bound, lifetimes that never meet share
 * bytes, and on random lifetimes no two tensors alive together overlap;
 * and on the real plan of a residual block (tests/helpers/brevitas_cnn.h),
 * the skip tensor stays alive, in bytes of its own, from its producer to
 * the IntAdd that reads it. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "brevitas_cnn.h"
#include "cleanup.h"
#include "emit_mcu_internal.h"
#include "emit_names.h"
#include "streamline.h"

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

/* A skip tensor: written by layer 0, read by layers 1 (the branch) and 3
 * (the add). The branch's tensors (written by 1 and 2) are the same size;
 * a planner that freed the skip tensor after its first reader would put
 * the branch's second tensor in its bytes. */
START_TEST(test_skip_synthetic)
{
    /* x, skip, branch1, branch2, sum */
    int64_t bytes[] = { 64, 256, 256, 256, 256 };
    int def[] = { -1, 0, 1, 2, 3 }, last[] = { 0, 3, 2, 3, 4 };
    Fake *f = fake(5, bytes, def, last, 4);
    McuArena a;
    Diag d;
    diag_init(&d);
    ck_assert(mcu_arena_plan(&f->p, &a, &d));
    check_no_overlap(&a);
    const McuSlot *skip = mcu_arena_slot(&a, &f->r[1]), *b2 = mcu_arena_slot(&a, &f->r[3]);
    ck_assert_int_eq(skip->def, 0);
    ck_assert_int_eq(skip->last, 3);
    ck_assert(skip->offset + skip->bytes <= b2->offset || b2->offset + b2->bytes <= skip->offset);
    /* three 256-byte tensors alive at layer 2 and 3 (skip, branch1/2, sum) */
    ck_assert_int_eq(a.bytes, 768);
    mcu_arena_free(&a);
    free(f);
}
END_TEST

/* The plan of a real residual block: conv (a4) -> convr1 -> convr2 ->
 * IntAdd(a4, .). */
START_TEST(test_skip_residual_plan)
{
    Diag d;
    diag_init(&d);
    OnnxBuilder *b = brevitas_cnn(1, true, 3);
    Graph *g = ob_load(b, &d);
    ob_free(b);
    ck_assert_msg(g, "%s", d.msg);
    ck_assert_msg(cleanup_graph(g, true, &d) && streamline_graph(g, true, &d) &&
                  emit_names(g, NULL, &d), "%s", d.msg);
    RefPlan p;
    McuArena a;
    ck_assert_msg(ref_plan(&p, g, "res", "res.onnx", "mcu", &d), "%s", d.msg);
    ck_assert_msg(mcu_arena_plan(&p, &a, &d), "%s", d.msg);
    check_no_overlap(&a);
    int add = -1, convp = -1, convr2 = -1;
    for (int k = 0; k < p.n_layers; k++) {
        if (!strcmp(p.layers[k].node->op_type, "IntAdd"))
            add = k;
        else if (!strcmp(p.layers[k].node->name, "convp"))
            convp = k;
        else if (!strcmp(p.layers[k].node->name, "convr2"))
            convr2 = k;
    }
    ck_assert_msg(add > 0 && convp >= 0 && convr2 > convp && add > convr2, "add %d convp %d "
                  "convr2 %d", add, convp, convr2);
    /* the skip tensor: convp's output, one of the add's inputs */
    const RefTensor *skip = p.layers[convp].out;
    ck_assert(p.layers[add].in[0] == skip || p.layers[add].in[1] == skip);
    const McuSlot *s = mcu_arena_slot(&a, skip);
    ck_assert_ptr_nonnull(s);
    ck_assert_int_eq(s->def, convp);
    ck_assert_int_eq(s->last, add);
    /* no tensor written inside the branch shares its bytes */
    for (int i = 0; i < a.n; i++) {
        const McuSlot *o = &a.slots[i];
        if (o == s || o->def <= convp || o->def > add)
            continue;
        ck_assert_msg(o->offset >= s->offset + s->bytes || s->offset >= o->offset + o->bytes,
                      "'%s' (layers %d..%d) overlaps the skip tensor", o->t->t->name, o->def,
                      o->last);
    }
    mcu_arena_free(&a);
    ref_plan_free(&p);
    graph_free(g);
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("mcu_arena");
    TCase *tc = tcase_create("plan");
    tcase_add_test(tc, test_chain);
    tcase_add_test(tc, test_disjoint_share);
    tcase_add_test(tc, test_random);
    tcase_add_test(tc, test_skip_synthetic);
    tcase_add_test(tc, test_skip_residual_plan);
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
