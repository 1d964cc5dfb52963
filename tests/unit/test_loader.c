/* The ONNX loader on models built with onnx_builder (every encoding and
 * attribute kind, the malformed inputs a user or a fuzzer can hand it),
 * a fixed-seed mutation fuzz of loading and cleanup, and the real models
 * of tests/models through cleanup_graph and the golden executor. */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cleanup.h"
#include "exec.h"
#include "load_onnx.h"
#include "npy.h"
#include "onnx_builder.h"
#include "ops.h"
#include "run_cli.h"

#define IN(...) ((const char *[]){ __VA_ARGS__ })
#define DIMS(...) ((const int64_t[]){ __VA_ARGS__ })

/* ---- helpers --------------------------------------------------------------- */

static Graph *load_ok(const OnnxBuilder *b)
{
    Diag d;
    diag_init(&d);
    Graph *g = ob_load(b, &d);
    ck_assert_msg(g != NULL, "load failed: %s", d.msg);
    ck_assert(!d.failed);
    return g;
}

/* Loading fails with a message that starts with "<file>: " and holds reason. */
static void check_load_fails_at(int line, const OnnxBuilder *b, const char *reason)
{
    Diag d;
    diag_init(&d);
    Graph *g = ob_load(b, &d);
    ck_assert_msg(g == NULL, "line %d: loaded, expected '%s'", line, reason);
    ck_assert_int_eq(d.exit_code, EXIT_BAD_MODEL);
    char prefix[300];
    snprintf(prefix, sizeof prefix, "%s: ", "bad.onnx");
    ck_assert_msg(strncmp(d.msg, prefix, strlen(prefix)) == 0, "line %d: '%s' lacks the file name",
                  line, d.msg);
    ck_assert_msg(strstr(d.msg, reason), "line %d: '%s' lacks '%s'", line, d.msg, reason);
}
#define check_load_fails(b, reason) check_load_fails_at(__LINE__, b, reason)

static Node *find_node(const Graph *g, const char *name)
{
    for (int k = 0; k < g->n_nodes; k++)
        if (!strcmp(g->nodes[k]->name, name))
            return g->nodes[k];
    return NULL;
}

static bool file_there(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* ---- graph structure -------------------------------------------------------- */

START_TEST(test_initializer_listed_as_input_is_constant)
{
    /* older exporters list every initializer among the graph inputs too */
    OnnxBuilder *b = ob_new("init_inputs");
    ob_input(b, "x", ET_FLOAT, 2, DIMS(1, 2));
    ob_input(b, "w", ET_FLOAT, 1, DIMS(2));
    ob_init_f32(b, "w", 1, DIMS(2), (const float[]){ 3, 4 });
    ob_node(b, "Mul", NULL, "mul", 2, IN("x", "w"), 1, IN("y"));
    ob_output(b, "y", ET_FLOAT, 2, DIMS(1, 2));
    Graph *g = load_ok(b);
    ob_free(b);
    ck_assert_int_eq(g->n_inputs, 1);
    ck_assert_str_eq(g->inputs[0]->name, "x");
    Tensor *w = graph_find_tensor(g, "w");
    ck_assert_ptr_nonnull(w->value);
    ck_assert(!w->is_graph_input);
    ck_assert(w->value->f[0] == 3 && w->value->f[1] == 4);
    ck_assert_ptr_eq(g->nodes[0]->inputs[1], w);
    graph_free(g);
}
END_TEST

START_TEST(test_symbolic_and_missing_dims)
{
    OnnxBuilder *b = ob_new("dims");
    ob_input(b, "x", ET_FLOAT, 3, DIMS(-1, 3, -1));
    ob_input(b, "no_shape", ET_FLOAT, -1, NULL);
    ob_input(b, "no_type", ET_UNDEFINED, -1, NULL);
    ob_node(b, "Add", NULL, "add", 2, IN("x", "no_shape"), 1, IN("y"));
    ob_node(b, "Relu", NULL, "relu", 1, IN("no_type"), 1, IN("z"));
    ob_output(b, "y", ET_FLOAT, 3, DIMS(-1, 3, -1));
    ob_output(b, "z", ET_FLOAT, -1, NULL);
    Graph *g = load_ok(b);
    ob_free(b);
    const Tensor *x = g->inputs[0];
    ck_assert_int_eq(x->shape.rank, 3);
    ck_assert(x->shape.dims[0] == -1 && x->shape.dims[1] == 3 && x->shape.dims[2] == -1);
    ck_assert_int_eq(x->elem_type, ET_FLOAT);
    ck_assert_int_eq(g->inputs[1]->shape.rank, -1);
    ck_assert_int_eq(g->inputs[2]->elem_type, ET_UNDEFINED);
    ck_assert_int_eq(g->outputs[0]->shape.rank, 3);
    graph_free(g);
}
END_TEST

START_TEST(test_unnamed_nodes_and_shared_constant)
{
    OnnxBuilder *b = ob_new("shared");
    ob_input(b, "x", ET_FLOAT, 1, DIMS(2));
    ob_init_f32(b, "c", 1, DIMS(2), (const float[]){ 1, 2 });
    ob_node(b, "Mul", NULL, NULL, 2, IN("x", "c"), 1, IN("a"));
    ob_node(b, "Add", NULL, "", 2, IN("a", "c"), 1, IN("b"));
    ob_node(b, "Add", NULL, NULL, 2, IN("c", "b"), 1, IN("y"));
    ob_output(b, "y", ET_FLOAT, 1, DIMS(2));
    Graph *g = load_ok(b);
    ob_free(b);
    ck_assert_int_eq(g->n_nodes, 3);
    for (int k = 0; k < 3; k++)
        ck_assert_str_eq(g->nodes[k]->name, "");
    Tensor *c = graph_find_tensor(g, "c");
    ck_assert_ptr_eq(g->nodes[0]->inputs[1], c);
    ck_assert_ptr_eq(g->nodes[1]->inputs[1], c);
    ck_assert_ptr_eq(g->nodes[2]->inputs[0], c);
    ck_assert_ptr_eq(g->nodes[1]->inputs[0]->producer, g->nodes[0]);
    ck_assert_int_eq(g->n_tensors, 5); /* c, x, a, b, y */
    graph_free(g);
}
END_TEST

START_TEST(test_omitted_optional_ports)
{
    OnnxBuilder *b = ob_new("optional");
    ob_input(b, "x", ET_FLOAT, 1, DIMS(4));
    ob_node(b, "Clip", NULL, "clip", 3, IN("x", "", "max"), 1, IN("y"));
    ob_node(b, "Dropout", NULL, "drop", 1, IN("y"), 2, IN("z", ""));
    ob_init_f32(b, "max", 0, NULL, (const float[]){ 6 });
    ob_output(b, "z", ET_FLOAT, 1, DIMS(4));
    Graph *g = load_ok(b);
    ob_free(b);
    Node *clip = find_node(g, "clip");
    ck_assert_int_eq(clip->n_inputs, 3);
    ck_assert_ptr_null(clip->inputs[1]);
    ck_assert_str_eq(clip->inputs[2]->name, "max");
    Node *drop = find_node(g, "drop");
    ck_assert_int_eq(drop->n_outputs, 2);
    ck_assert_ptr_null(drop->outputs[1]);
    graph_free(g);
}
END_TEST

START_TEST(test_opsets_and_domains)
{
    OnnxBuilder *b = ob_new("opsets");
    ob_opset(b, "", 11);
    ob_opset(b, "", 14); /* replaces */
    ob_opset(b, "onnx.brevitas", 1);
    ob_opset(b, "qonnx.custom_op.general", 2);
    ob_input(b, "x", ET_FLOAT, 1, DIMS(4));
    ob_init_f32(b, "s", 0, NULL, (const float[]){ 1 });
    ob_node(b, "BipolarQuant", "onnx.brevitas", "bq", 2, IN("x", "s"), 1, IN("a"));
    ob_node(b, "Relu", "ai.onnx", "relu", 1, IN("a"), 1, IN("y"));
    ob_node(b, "Thing", "com.example", "other", 1, IN("a"), 1, IN("z"));
    ob_output(b, "y", ET_FLOAT, 1, DIMS(4));
    ob_output(b, "z", ET_FLOAT, 1, DIMS(4));
    Graph *g = load_ok(b);
    ob_free(b);
    ck_assert_int_eq(g->n_opsets, 3);
    ck_assert_int_eq(graph_opset(g, DOMAIN_ONNX), 14);
    Node *bq = find_node(g, "bq"), *relu = find_node(g, "relu"), *other = find_node(g, "other");
    ck_assert_int_eq(bq->domain_kind, DOMAIN_QONNX);
    ck_assert_str_eq(bq->domain, "onnx.brevitas");
    ck_assert_int_eq(bq->opset, 1); /* the first QONNX spelling imported */
    ck_assert_int_eq(relu->domain_kind, DOMAIN_ONNX);
    ck_assert_int_eq(relu->opset, 14);
    ck_assert_int_eq(other->domain_kind, DOMAIN_UNKNOWN);
    ck_assert_int_eq(other->opset, 0);
    graph_free(g);
}
END_TEST

/* ---- attributes and tensor data -------------------------------------------- */

START_TEST(test_all_attribute_kinds)
{
    OnnxBuilder *b = ob_new("attrs");
    ob_input(b, "x", ET_FLOAT, 1, DIMS(2));
    ObNode *n = ob_node(b, "Custom", "com.example", "n", 1, IN("x"), 1, IN("y"));
    ob_attr_int(n, "i", -7);
    ob_attr_float(n, "f", 0.125f);
    ob_attr_string(n, "s", "HALF_EVEN");
    ob_attr_ints(n, "ints", 3, DIMS(1, -2, 3));
    ob_attr_ints(n, "no_ints", 0, NULL);
    ob_attr_floats(n, "floats", 2, (const float[]){ 1.5f, -2 });
    ob_attr_strings(n, "strings", 2, IN("a", "bc"));
    ob_attr_tensor(n, "t", ET_INT8, 2, DIMS(1, 3), (const int8_t[]){ -128, 0, 127 });
    ob_attr_graph(n, "body", "sub");
    ob_output(b, "y", ET_FLOAT, 1, DIMS(2));
    Graph *g = load_ok(b);
    ob_free(b);
    const Node *node = g->nodes[0];
    ck_assert_int_eq(node->n_attrs, 9);
    ck_assert_int_eq(node_attr_int(node, "i", 0), -7);
    ck_assert(node_attr_float(node, "f", 0) == 0.125f);
    ck_assert_str_eq(node_attr_string(node, "s", ""), "HALF_EVEN");
    const Attr *a = node_attr(node, "ints");
    ck_assert(a->kind == ATTR_INTS && a->n == 3 && a->ints[0] == 1 && a->ints[1] == -2 &&
              a->ints[2] == 3);
    a = node_attr(node, "no_ints");
    ck_assert(a->kind == ATTR_INTS && a->n == 0);
    a = node_attr(node, "floats");
    ck_assert(a->kind == ATTR_FLOATS && a->n == 2 && a->floats[0] == 1.5f && a->floats[1] == -2);
    a = node_attr(node, "strings");
    ck_assert(a->kind == ATTR_STRINGS && a->n == 2);
    ck_assert_str_eq(a->strings[0], "a");
    ck_assert_str_eq(a->strings[1], "bc");
    a = node_attr(node, "t");
    ck_assert(a->kind == ATTR_TENSOR && a->t->elem_type == ET_INT8 && a->t->count == 3);
    ck_assert(a->t->shape.rank == 2 && a->t->shape.dims[1] == 3);
    ck_assert(a->t->i[0] == -128 && a->t->i[1] == 0 && a->t->i[2] == 127);
    ck_assert_int_eq(node_attr(node, "body")->kind, ATTR_GRAPH);
    /* absent or of another kind: the default */
    ck_assert_int_eq(node_attr_int(node, "s", 42), 42);
    ck_assert_ptr_null(node_attr(node, "missing"));
    graph_free(g);
}
END_TEST

/* One element type: the same data raw and typed, read as the same values. */
typedef struct Encoding {
    int elem_type;
    const void *data;
    double want[5];
} Encoding;

START_TEST(test_raw_and_typed_data)
{
    static const float f32[5] = { 1.5f, -0.0f, 3.4e38f, -1e-30f, 7 };
    static const double f64[5] = { 0.1, -2.5, 1e300, -1e-300, 8 };
    static const int64_t i64[5] = { INT64_MIN, INT64_MAX, -1, 0, 123456789012345 };
    static const int32_t i32[5] = { INT32_MIN, INT32_MAX, -1, 0, 65536 };
    static const int16_t i16[5] = { INT16_MIN, INT16_MAX, -1, 0, 300 };
    static const int8_t i8[5] = { -128, 127, -1, 0, 5 };
    static const uint8_t u8[5] = { 0, 255, 128, 1, 7 };
    static const uint16_t u16[5] = { 0, 65535, 32768, 1, 9 };
    static const bool b1[5] = { true, false, true, true, false };
    static const uint16_t f16[5] = { 0x3c00, 0xc100, 0x0001, 0x7bff, 0x8000 };
    const Encoding cases[] = {
        { ET_FLOAT, f32, { 1.5, -0.0, (double)3.4e38f, (double)-1e-30f, 7 } },
        { ET_DOUBLE, f64, { (float)0.1, -2.5, (float)1e300, (float)-1e-300, 8 } },
        { ET_INT64, i64, { (double)INT64_MIN, (double)INT64_MAX, -1, 0, 123456789012345.0 } },
        { ET_INT32, i32, { INT32_MIN, INT32_MAX, -1, 0, 65536 } },
        { ET_INT16, i16, { INT16_MIN, INT16_MAX, -1, 0, 300 } },
        { ET_INT8, i8, { -128, 127, -1, 0, 5 } },
        { ET_UINT8, u8, { 0, 255, 128, 1, 7 } },
        { ET_UINT16, u16, { 0, 65535, 32768, 1, 9 } },
        { ET_BOOL, b1, { 1, 0, 1, 1, 0 } },
        { ET_FLOAT16, f16, { 1.0, -2.5, 5.9604644775390625e-8, 65504, -0.0 } },
    };
    int n_cases = (int)(sizeof cases / sizeof cases[0]);
    OnnxBuilder *b = ob_new("encodings");
    ob_input(b, "x", ET_FLOAT, 1, DIMS(1));
    ob_node(b, "Relu", NULL, "r", 1, IN("x"), 1, IN("y"));
    ob_output(b, "y", ET_FLOAT, 1, DIMS(1));
    for (int c = 0; c < n_cases; c++) {
        char raw[32], typed[32];
        snprintf(raw, sizeof raw, "raw_%s", elem_type_name(cases[c].elem_type));
        snprintf(typed, sizeof typed, "typed_%s", elem_type_name(cases[c].elem_type));
        ob_init(b, raw, cases[c].elem_type, 1, DIMS(5), cases[c].data, OB_RAW);
        ob_init(b, typed, cases[c].elem_type, 1, DIMS(5), cases[c].data, OB_TYPED);
    }
    Graph *g = load_ok(b);
    ob_free(b);
    for (int c = 0; c < n_cases; c++) {
        for (int enc = 0; enc < 2; enc++) {
            char name[32];
            snprintf(name, sizeof name, "%s_%s", enc ? "typed" : "raw",
                     elem_type_name(cases[c].elem_type));
            const Tensor *t = graph_find_tensor(g, name);
            ck_assert_msg(t && t->value, "%s missing", name);
            ck_assert_int_eq(t->elem_type, cases[c].elem_type);
            ck_assert_int_eq(t->value->count, 5);
            ck_assert(t->shape.rank == 1 && t->shape.dims[0] == 5);
            for (int k = 0; k < 5; k++) {
                double got = value_get(t->value, k), want = cases[c].want[k];
                ck_assert_msg(got == want && signbit(got) == signbit(want),
                              "%s[%d] = %.17g, expected %.17g", name, k, got, want);
            }
        }
    }
    graph_free(g);
}
END_TEST

START_TEST(test_scalar_and_empty_tensors)
{
    OnnxBuilder *b = ob_new("shapes");
    ob_input(b, "x", ET_FLOAT, 1, DIMS(1));
    ob_init_f32(b, "scalar", 0, NULL, (const float[]){ 2.5f });
    ob_init_i64(b, "empty", 1, DIMS(0), NULL);
    ob_init(b, "empty_typed", ET_FLOAT, 2, DIMS(3, 0), NULL, OB_TYPED);
    ob_node(b, "Relu", NULL, "r", 1, IN("x"), 1, IN("y"));
    ob_output(b, "y", ET_FLOAT, 1, DIMS(1));
    Graph *g = load_ok(b);
    ob_free(b);
    const Value *v = graph_find_tensor(g, "scalar")->value;
    ck_assert(v->shape.rank == 0 && v->count == 1 && v->f[0] == 2.5f);
    v = graph_find_tensor(g, "empty")->value;
    ck_assert(v->shape.rank == 1 && v->count == 0);
    v = graph_find_tensor(g, "empty_typed")->value;
    ck_assert(v->shape.rank == 2 && v->count == 0);
    graph_free(g);
}
END_TEST

START_TEST(test_finn_datatype_annotation)
{
    OnnxBuilder *b = ob_new("annot");
    ob_input(b, "x", ET_FLOAT, 1, DIMS(2));
    ob_init_f32(b, "w", 1, DIMS(2), (const float[]){ 1, -1 });
    ob_node(b, "Mul", NULL, "mul", 2, IN("x", "w"), 1, IN("y"));
    ob_output(b, "y", ET_FLOAT, 1, DIMS(2));
    ob_annotate(b, "x", "finn_datatype", "INT4");
    ob_annotate(b, "w", "other_key", "ignored");
    ob_annotate(b, "w", "finn_datatype", "BIPOLAR");
    ob_annotate(b, "nowhere", "finn_datatype", "INT8"); /* names no tensor: ignored */
    Graph *g = load_ok(b);
    ob_free(b);
    ck_assert_str_eq(graph_find_tensor(g, "x")->qdt, "INT4");
    ck_assert_str_eq(graph_find_tensor(g, "w")->qdt, "BIPOLAR");
    ck_assert_ptr_null(graph_find_tensor(g, "y")->qdt);
    graph_free(g);
}
END_TEST

/* ---- malformed models ------------------------------------------------------ */

/* A one-node model named "bad"; tests add what makes it bad. */
static OnnxBuilder *bad_model(void)
{
    OnnxBuilder *b = ob_new("bad");
    ob_input(b, "x", ET_FLOAT, 1, DIMS(2));
    return b;
}

START_TEST(test_external_data_rejected)
{
    OnnxBuilder *b = bad_model();
    ob_init_external(b, "big_weight", ET_FLOAT, 2, DIMS(64, 64), "weights.bin");
    ob_node(b, "MatMul", NULL, "mm", 2, IN("x", "big_weight"), 1, IN("y"));
    ob_output(b, "y", ET_FLOAT, 1, DIMS(64));
    check_load_fails(b, "tensor 'big_weight': uses external data");
    ob_free(b);
}
END_TEST

START_TEST(test_dangling_input_rejected)
{
    OnnxBuilder *b = bad_model();
    ob_node(b, "Add", NULL, "add", 2, IN("x", "nowhere"), 1, IN("y"));
    ob_output(b, "y", ET_FLOAT, 1, DIMS(2));
    check_load_fails(b, "node 'add' (Add): input 1 'nowhere' is not produced by any node, "
                        "initializer or graph input");
    ob_free(b);
}
END_TEST

START_TEST(test_duplicate_outputs_rejected)
{
    OnnxBuilder *b = bad_model();
    ob_node(b, "Relu", NULL, "first", 1, IN("x"), 1, IN("a"));
    ob_node(b, "Neg", NULL, "second", 1, IN("x"), 1, IN("a"));
    ob_output(b, "a", ET_FLOAT, 1, DIMS(2));
    check_load_fails(b, "node 'second' (Neg): output 'a' is also written by node 'first'");
    ob_free(b);

    b = bad_model();
    ob_node(b, "Relu", NULL, "overwrites", 1, IN("x"), 1, IN("x"));
    ob_output(b, "x", ET_FLOAT, 1, DIMS(2));
    check_load_fails(b, "output 'x' is also a graph input or initializer");
    ob_free(b);

    b = bad_model();
    ob_node(b, "Relu", NULL, "r", 1, IN("x"), 1, IN("y"));
    ob_output(b, "y", ET_FLOAT, 1, DIMS(2));
    ob_output(b, "y", ET_FLOAT, 1, DIMS(2));
    check_load_fails(b, "graph output 'y' is listed twice");
    ob_free(b);
}
END_TEST

START_TEST(test_other_structural_errors)
{
    OnnxBuilder *b = bad_model();
    ob_node(b, "Relu", NULL, "r", 1, IN("x"), 1, IN("y"));
    ob_output(b, "z", ET_FLOAT, 1, DIMS(2));
    check_load_fails(b, "graph output 'z' is not produced by any node");
    ob_free(b);

    b = bad_model();
    ob_node(b, "Relu", NULL, "r", 1, IN("x"), 1, IN("y"));
    check_load_fails(b, "the graph has no outputs");
    ob_free(b);

    b = bad_model();
    ob_init_f32(b, "w", 1, DIMS(2), NULL);
    ob_init_f32(b, "w", 1, DIMS(2), NULL);
    ob_node(b, "Mul", NULL, "m", 2, IN("x", "w"), 1, IN("y"));
    ob_output(b, "y", ET_FLOAT, 1, DIMS(2));
    check_load_fails(b, "initializer 'w' is defined twice");
    ob_free(b);

    b = bad_model();
    ob_init(b, "strings", ET_STRING, 1, DIMS(0), NULL, OB_TYPED);
    ob_node(b, "Relu", NULL, "r", 1, IN("x"), 1, IN("y"));
    ob_output(b, "y", ET_FLOAT, 1, DIMS(2));
    check_load_fails(b, "tensor 'strings': element type string (8) is not supported");
    ob_free(b);
}
END_TEST

/* A model with one sizeable initializer, so truncating it cuts through data. */
static OnnxBuilder *sizeable_model(void)
{
    static float w[64 * 64];
    for (int k = 0; k < 64 * 64; k++)
        w[k] = (float)(k % 17) - 8;
    OnnxBuilder *b = ob_new("sizeable");
    ob_input(b, "x", ET_FLOAT, 2, DIMS(-1, 64));
    ob_init_f32(b, "w", 2, DIMS(64, 64), w);
    ob_node(b, "MatMul", NULL, "mm", 2, IN("x", "w"), 1, IN("y"));
    ob_output(b, "y", ET_FLOAT, 2, DIMS(-1, 64));
    return b;
}

static void write_bytes(const char *path, const unsigned char *buf, size_t len)
{
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fwrite(buf, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
}

static void check_file_fails(const char *path, const char *reason)
{
    Diag d;
    diag_init(&d);
    Graph *g = onnx_load_file(path, &d);
    ck_assert_msg(g == NULL, "%s loaded", path);
    ck_assert_int_eq(d.exit_code, EXIT_BAD_MODEL);
    ck_assert_msg(strncmp(d.msg, path, strlen(path)) == 0 && d.msg[strlen(path)] == ':',
                  "'%s' does not start with the file name", d.msg);
    ck_assert_msg(strstr(d.msg, reason), "'%s' lacks '%s'", d.msg, reason);
}

START_TEST(test_bad_files_rejected)
{
    char *dir = make_temp_dir("test_loader");
    ck_assert_ptr_nonnull(dir);
    char path[512];
    OnnxBuilder *b = sizeable_model();
    size_t len;
    unsigned char *buf = ob_serialize(b, &len);
    ob_free(b);

    /* the whole file loads, from disk too */
    snprintf(path, sizeof path, "%s/whole.onnx", dir);
    write_bytes(path, buf, len);
    Diag d;
    diag_init(&d);
    Graph *g = onnx_load_file(path, &d);
    ck_assert_msg(g, "%s", d.msg);
    ck_assert_str_eq(g->path, path);
    graph_free(g);

    snprintf(path, sizeof path, "%s/truncated.onnx", dir);
    write_bytes(path, buf, len / 2);
    check_file_fails(path, "not a valid ONNX protobuf (truncated or not an ONNX file)");

    srand(12345);
    for (size_t k = 0; k < len; k++)
        buf[k] = (unsigned char)(rand() >> 7);
    snprintf(path, sizeof path, "%s/random.onnx", dir);
    write_bytes(path, buf, 4096);
    check_file_fails(path, "not a valid ONNX protobuf");

    snprintf(path, sizeof path, "%s/empty.onnx", dir);
    write_bytes(path, buf, 0);
    check_file_fails(path, "the model has no graph");

    snprintf(path, sizeof path, "%s/missing.onnx", dir);
    check_file_fails(path, "cannot open");

    free(buf);
    rm_rf(dir);
    free(dir);
}
END_TEST

/* ---- fuzz --------------------------------------------------------------------- */

/* Loads a buffer and, if that works, runs cleanup on it: whatever happens,
 * a clean failure or a valid graph, and nothing leaks (under ASan). */
static void load_and_clean(const unsigned char *buf, size_t len)
{
    Diag d;
    diag_init(&d);
    Graph *g = onnx_load_mem(buf, len, "fuzz.onnx", &d);
    if (!g) {
        ck_assert(d.failed && strncmp(d.msg, "fuzz.onnx: ", 11) == 0);
        return;
    }
    if (cleanup_graph(g, true, &d))
        ck_assert(!d.failed);
    else
        ck_assert(d.failed && d.msg[0]);
    graph_free(g);
}

/* A small model touching many features: attributes, several encodings, an
 * Identity, a flatten chain, an annotation. */
static OnnxBuilder *fuzz_seed(void)
{
    OnnxBuilder *b = ob_new("seed");
    ob_opset(b, "qonnx.custom_op.general", 1);
    ob_input(b, "x", ET_FLOAT, 4, DIMS(-1, 2, 2, 2));
    ob_init_f32(b, "scale", 0, NULL, (const float[]){ 0.5f });
    ob_init_f32(b, "zero", 0, NULL, (const float[]){ 0 });
    ob_init_f32(b, "bits", 0, NULL, (const float[]){ 4 });
    ob_init_i64(b, "idx", 0, NULL, (const int64_t[]){ 0 });
    ob_init(b, "axes", ET_INT64, 1, DIMS(1), (const int64_t[]){ 0 }, OB_TYPED);
    ob_init_i64(b, "rest", 1, DIMS(1), (const int64_t[]){ -1 });
    ob_init_f32(b, "w", 2, DIMS(8, 3), (const float[]){ 1, -2, 3, -4, 5, -6, 7, -8, 1, -2, 3, -4,
                                                        5, -6, 7, -8, 1, -2, 3, -4, 5, -6, 7, -8 });
    ObNode *n = ob_node(b, "Quant", "qonnx.custom_op.general", "q", 4,
                        IN("x", "scale", "zero", "bits"), 1, IN("xq"));
    ob_attr_int(n, "signed", 1);
    ob_attr_int(n, "narrow", 0);
    ob_attr_string(n, "rounding_mode", "ROUND");
    ob_node(b, "Shape", NULL, NULL, 1, IN("xq"), 1, IN("s"));
    n = ob_node(b, "Gather", NULL, NULL, 2, IN("s", "idx"), 1, IN("n"));
    ob_attr_int(n, "axis", 0);
    ob_node(b, "Unsqueeze", NULL, NULL, 2, IN("n", "axes"), 1, IN("n1"));
    n = ob_node(b, "Concat", NULL, NULL, 2, IN("n1", "rest"), 1, IN("spec"));
    ob_attr_int(n, "axis", 0);
    ob_node(b, "Reshape", NULL, "flat", 2, IN("xq", "spec"), 1, IN("f"));
    ob_node(b, "MatMul", NULL, "mm", 2, IN("f", "w"), 1, IN("m"));
    ob_node(b, "Identity", NULL, "out", 1, IN("m"), 1, IN("y"));
    ob_output(b, "y", ET_FLOAT, 2, DIMS(-1, 3));
    ob_annotate(b, "xq", "finn_datatype", "INT4");
    return b;
}

START_TEST(test_fuzz_load_and_cleanup)
{
    OnnxBuilder *b = fuzz_seed();
    size_t len;
    unsigned char *seed = ob_serialize(b, &len);
    ob_free(b);
    unsigned char *buf = malloc(len);
    ck_assert_ptr_nonnull(buf);
    /* the seed itself, then every prefix of it */
    load_and_clean(seed, len);
    for (size_t cut = 0; cut < len; cut++)
        load_and_clean(seed, cut);
    /* then byte mutations: 1 to 4 random bytes, or a byte bumped by one */
    srand(2024);
    for (int iter = 0; iter < 4000; iter++) {
        memcpy(buf, seed, len);
        int edits = 1 + rand() % 4;
        for (int e = 0; e < edits; e++) {
            size_t at = (size_t)rand() % len;
            buf[at] = rand() % 2 ? (unsigned char)rand() : (unsigned char)(buf[at] + 1);
        }
        load_and_clean(buf, len);
    }
    free(buf);
    free(seed);
}
END_TEST

/* ---- the real models -------------------------------------------------------- */

static const char *const model_names[] = {
    "TFC_1W1A", "TFC_1W2A", "TFC_2W2A", "UNSW_MLP_W2A2",
    "CNV_1W1A_RANDOM", "CNV_1W2A_RANDOM", "CNV_2W2A_RANDOM",
};

static void model_file(const char *name, const char *leaf, char *path, size_t size)
{
    snprintf(path, size, "%s/models/%s/%s", TESTS_DIR, name, leaf);
    if (!file_there(path))
        snprintf(path, size, "/work/shared/models/%s/%s", name, leaf);
}

/* Frame 0 of the model's inputs.npy, as a value. */
static Value *first_frame(const char *name)
{
    char path[512];
    model_file(name, "inputs.npy", path, sizeof path);
    Diag d;
    diag_init(&d);
    NpyArray a;
    ck_assert_msg(npy_read(path, &a, &d), "%s", d.msg);
    float *f;
    ck_assert_msg(npy_to_f32(&a, &f, &d), "%s", d.msg);
    Shape s = { a.rank, { 0 } };
    for (int k = 0; k < a.rank; k++)
        s.dims[k] = a.shape[k];
    s.dims[0] = 1;
    Value *v = value_new(ET_FLOAT, &s);
    ck_assert_ptr_nonnull(v);
    memcpy(v->f, f, (size_t)v->count * sizeof(float));
    free(f);
    npy_free(&a);
    return v;
}

/* Loads the model, cleans it with verification, and checks the cleaned
 * graph computes exactly what the graph as loaded computes on frame 0. */
START_TEST(test_real_models)
{
    const char *name = model_names[_i];
    char path[512];
    model_file(name, "model.onnx", path, sizeof path);
    Diag d;
    diag_init(&d);
    Graph *raw = onnx_load_file(path, &d), *clean = onnx_load_file(path, &d);
    ck_assert_msg(raw && clean, "%s", d.msg);
    ck_assert_msg(graph_resolve_ops(raw, &d), "%s: %s", name, d.msg);
    ck_assert_msg(cleanup_graph(clean, true, &d), "%s: %s", name, d.msg);

    /* cleaned: named, shapes known, no Identity, no foldable Shape left */
    ck_assert(clean->names_unique);
    for (int k = 0; k < clean->n_nodes; k++) {
        const Node *n = clean->nodes[k];
        ck_assert_msg(strcmp(n->op_type, "Identity") && strcmp(n->op_type, "Shape"),
                      "%s: node '%s' (%s) left after cleanup", name, n->name, n->op_type);
        for (int o = 0; o < n->n_outputs; o++)
            ck_assert_msg(!n->outputs[o] || shape_known(&n->outputs[o]->shape),
                          "%s: output '%s' of '%s' has no static shape", name,
                          n->outputs[o]->name, n->name);
    }
    for (int k = 0; k < clean->n_outputs; k++)
        ck_assert_str_eq(clean->outputs[k]->name, raw->outputs[k]->name);

    Value *x = first_frame(name);
    ck_assert_int_eq(raw->n_inputs, 1);
    Value *want[4] = { 0 }, *got[4] = { 0 };
    ck_assert_int_le(raw->n_outputs, 4);
    ck_assert_msg(exec_run(raw, (const Value *const *)&x, want, &d), "%s: %s", name, d.msg);
    ck_assert_msg(exec_run(clean, (const Value *const *)&x, got, &d), "%s: %s", name, d.msg);
    for (int k = 0; k < raw->n_outputs; k++) {
        ck_assert(shape_equal(&want[k]->shape, &got[k]->shape));
        for (int64_t j = 0; j < want[k]->count; j++)
            ck_assert_msg(value_get(want[k], j) == value_get(got[k], j),
                          "%s: output %d element %lld: %g before cleanup, %g after", name, k,
                          (long long)j, value_get(want[k], j), value_get(got[k], j));
        value_free(want[k]);
        value_free(got[k]);
    }
    value_free(x);
    graph_free(raw);
    graph_free(clean);
}
END_TEST

static Suite *loader_suite(void)
{
    Suite *s = suite_create("loader");
    TCase *tc = tcase_create("loader");
    tcase_add_test(tc, test_initializer_listed_as_input_is_constant);
    tcase_add_test(tc, test_symbolic_and_missing_dims);
    tcase_add_test(tc, test_unnamed_nodes_and_shared_constant);
    tcase_add_test(tc, test_omitted_optional_ports);
    tcase_add_test(tc, test_opsets_and_domains);
    tcase_add_test(tc, test_all_attribute_kinds);
    tcase_add_test(tc, test_raw_and_typed_data);
    tcase_add_test(tc, test_scalar_and_empty_tensors);
    tcase_add_test(tc, test_finn_datatype_annotation);
    tcase_add_test(tc, test_external_data_rejected);
    tcase_add_test(tc, test_dangling_input_rejected);
    tcase_add_test(tc, test_duplicate_outputs_rejected);
    tcase_add_test(tc, test_other_structural_errors);
    tcase_add_test(tc, test_bad_files_rejected);
    tcase_add_test(tc, test_fuzz_load_and_cleanup);
    suite_add_tcase(s, tc);
    TCase *models = tcase_create("real_models");
    tcase_add_loop_test(models, test_real_models, 0,
                        (int)(sizeof model_names / sizeof model_names[0]));
    suite_add_tcase(s, models);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(loader_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
