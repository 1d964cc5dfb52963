/* Writing the graph as ONNX (ir/core/save_onnx.c): what onnx_save_mem
 * writes, onnx_load_mem reads back as the same graph (ops, names,
 * attributes, constants, datatypes), and what it cannot write is an error
 * naming the node and the attribute. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "load_onnx.h"
#include "save_onnx.h"

#define TFC TESTS_DIR "/models/TFC_1W1A/model.onnx"

static Graph *load(const char *path)
{
    Diag d;
    diag_init(&d);
    Graph *g = onnx_load_file(path, &d);
    ck_assert_msg(g, "%s", d.msg);
    return g;
}

static Graph *round_trip(const Graph *g)
{
    Diag d;
    diag_init(&d);
    uint8_t *buf;
    size_t len;
    ck_assert_msg(onnx_save_mem(g, &buf, &len, &d), "%s", d.msg);
    Graph *back = onnx_load_mem(buf, len, "saved.onnx", &d);
    free(buf);
    ck_assert_msg(back, "%s", d.msg);
    return back;
}

static void same_attr(const Attr *a, const Attr *b)
{
    ck_assert_str_eq(a->name, b->name);
    ck_assert_int_eq(a->kind, b->kind);
    switch (a->kind) {
    case ATTR_FLOAT: ck_assert(a->f == b->f); break;
    case ATTR_INT: ck_assert_int_eq(a->i, b->i); break;
    case ATTR_STRING: ck_assert_str_eq(a->s, b->s); break;
    case ATTR_INTS:
        ck_assert_int_eq(a->n, b->n);
        ck_assert(!memcmp(a->ints, b->ints, sizeof *a->ints * (size_t)a->n));
        break;
    case ATTR_FLOATS:
        ck_assert_int_eq(a->n, b->n);
        ck_assert(!memcmp(a->floats, b->floats, sizeof *a->floats * (size_t)a->n));
        break;
    default: break;
    }
}

static void same_value(const Value *a, const Value *b)
{
    ck_assert_int_eq(a->shape.rank, b->shape.rank);
    ck_assert_int_eq(a->count, b->count);
    for (int k = 0; k < a->shape.rank; k++)
        ck_assert_int_eq(a->shape.dims[k], b->shape.dims[k]);
    if (a->f)
        ck_assert(!memcmp(a->f, b->f, sizeof *a->f * (size_t)a->count));
    else
        ck_assert(!memcmp(a->i, b->i, sizeof *a->i * (size_t)a->count));
}

/* The QONNX model as loaded (Quant nodes with string and int attributes,
 * float initializers, annotated datatypes) comes back node for node. */
START_TEST(test_round_trip_as_loaded)
{
    Graph *g = load(TFC), *back = round_trip(g);
    ck_assert_int_eq(back->n_nodes, g->n_nodes);
    ck_assert_int_eq(back->n_inputs, g->n_inputs);
    ck_assert_int_eq(back->n_outputs, g->n_outputs);
    for (int k = 0; k < g->n_nodes; k++) {
        const Node *a = g->nodes[k], *b = back->nodes[k];
        ck_assert_str_eq(a->name, b->name);
        ck_assert_str_eq(a->op_type, b->op_type);
        ck_assert_str_eq(a->domain ? a->domain : "", b->domain ? b->domain : "");
        ck_assert_int_eq(a->n_inputs, b->n_inputs);
        ck_assert_int_eq(a->n_attrs, b->n_attrs);
        for (int i = 0; i < a->n_inputs; i++)
            ck_assert_str_eq(a->inputs[i]->name, b->inputs[i]->name);
        for (int i = 0; i < a->n_attrs; i++)
            same_attr(&a->attrs[i], &b->attrs[i]);
    }
    int constants = 0;
    for (int k = 0; k < g->n_tensors; k++) {
        const Tensor *t = g->tensors[k];
        const Tensor *u = graph_find_tensor(back, t->name);
        ck_assert_msg(u, "tensor '%s' lost", t->name);
        ck_assert_str_eq(t->qdt ? t->qdt : "-", u->qdt ? u->qdt : "-");
        if (t->value) {
            ck_assert_msg(u->value, "constant '%s' lost its value", t->name);
            same_value(t->value, u->value);
            constants++;
        }
    }
    ck_assert_int_gt(constants, 0);
    graph_free(back);
    graph_free(g);
}
END_TEST

/* A graph-valued attribute (If, Loop bodies) has no writer: an error that
 * names the node and the attribute, nothing returned. */
START_TEST(test_graph_attribute_is_an_error)
{
    Graph *g = load(TFC);
    Node *n = NULL;
    for (int k = 0; k < g->n_nodes && !n; k++)
        if (g->nodes[k]->n_attrs > 0)
            n = g->nodes[k];
    ck_assert(n);
    n->attrs[0].kind = ATTR_GRAPH;
    Diag d;
    diag_init(&d);
    uint8_t *buf = NULL;
    size_t len = 0;
    ck_assert(!onnx_save_mem(g, &buf, &len, &d));
    ck_assert_ptr_null(buf);
    ck_assert_msg(strstr(d.msg, n->name) && strstr(d.msg, n->attrs[0].name) &&
                  strstr(d.msg, "cannot be written"), "%s", d.msg);
    graph_free(g);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("save_onnx");
    TCase *tc = tcase_create("save_onnx");
    tcase_add_test(tc, test_round_trip_as_loaded);
    tcase_add_test(tc, test_graph_attribute_is_an_error);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
