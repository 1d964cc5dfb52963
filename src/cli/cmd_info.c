/* qonnxc info MODEL: what is in a model, after cleanup. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_limits.h"
#include "frontend.h"
#include "input_type.h"
#include "target_support.h"

const CliCommand cli_info = {
    "info", "MODEL [--limit NAME=VALUE]...",
    "ops, tensors, datatypes, parameter bits; says when the input is unquantized; per "
    "target, supported or every reason not",
    "  --limit NAME=VALUE    a resource limit (docs/limits.md)\n",
    cmd_info,
    false,
    false,
};

static bool is_op(const Node *n, const char *op)
{
    return n->domain_kind == DOMAIN_QONNX ? !strcmp(n->op_type, op) : false;
}

static bool is_quantizer(const Node *n)
{
    return is_op(n, "Quant") || is_op(n, "IntQuant") || is_op(n, "BipolarQuant");
}

static bool all_values(const Value *v, double x)
{
    for (int64_t k = 0; v && k < v->count; k++)
        if (value_get(v, k) != x)
            return false;
    return v != NULL;
}

/* Bit width of a quantizer node: 1 for BipolarQuant and 1-bit Quant. */
static int quantizer_bits(const Node *n)
{
    if (is_op(n, "BipolarQuant"))
        return 1;
    const Tensor *bw = n->n_inputs > 3 ? n->inputs[3] : NULL;
    return bw && bw->value && bw->value->count >= 1 ? (int)value_get(bw->value, 0) : 0;
}

/* The QONNX datatype of a tensor, as far as the graph says: an annotation,
 * or what the quantizer producing it guarantees. */
static const char *tensor_datatype(const Tensor *t, char *buf, size_t size)
{
    if (t->qdt)
        return t->qdt;
    const Node *p = t->producer;
    if (p && is_quantizer(p)) {
        int bits = quantizer_bits(p);
        bool scaled = !all_values(p->inputs[1]->value, 1.0) ||
                      (p->n_inputs > 2 && p->inputs[2] && !all_values(p->inputs[2]->value, 0.0));
        bool bipolar = is_op(p, "BipolarQuant") ||
                       (bits == 1 && node_attr_int(p, "signed", 1));
        if (bipolar)
            snprintf(buf, size, scaled ? "SCALEDBIPOLAR" : "BIPOLAR");
        else
            snprintf(buf, size, "%s%s%d%s", scaled ? "SCALED" : "",
                     node_attr_int(p, "signed", 1) ? "INT" : "UINT", bits, "");
        return buf;
    }
    if (p && is_op(p, "MultiThreshold"))
        return node_attr_string(p, "out_dtype", "FLOAT32");
    return elem_type_is_float(t->elem_type) ? "FLOAT32" : elem_type_name(t->elem_type);
}

/* A constant is a parameter unless it only configures an op: quantizer
 * scale/zero-point/bit width, or a shape/axes operand. */
static bool is_parameter_use(const Node *n, int input)
{
    if (is_quantizer(n) || is_op(n, "Trunc"))
        return input == 0;
    if (!strcmp(n->op_type, "Reshape") || !strcmp(n->op_type, "Unsqueeze") ||
        !strcmp(n->op_type, "Squeeze") || !strcmp(n->op_type, "Pad") ||
        !strcmp(n->op_type, "Clip") || !strcmp(n->op_type, "Gather"))
        return input == 0;
    return true;
}

static void print_params(Graph *g)
{
    long long params = 0, bits = 0, quantized = 0;
    /* width[t]: bit width of constant t at its first parameter use, one
     * walk over the nodes (a walk per constant is quadratic on big models) */
    graph_number_tensors(g);
    int *width = calloc((size_t)(g->n_tensors ? g->n_tensors : 1), sizeof *width);
    for (int k = 0; width && k < g->n_nodes; k++) {
        const Node *n = g->nodes[k];
        for (int i = 0; i < n->n_inputs; i++) {
            const Tensor *c = n->inputs[i];
            if (c && c->value && !width[c->id] && is_parameter_use(n, i))
                width[c->id] = is_quantizer(n) ? quantizer_bits(n) : 32;
        }
    }
    for (int t = 0; width && t < g->n_tensors; t++) {
        const Tensor *c = g->tensors[t];
        if (!c->value || !width[t])
            continue;
        params += c->value->count;
        bits += (long long)width[t] * c->value->count;
        if (width[t] < 32)
            quantized += c->value->count;
    }
    free(width);
    printf("parameters: %lld (%lld quantized), total weight bits: %lld (%.1f KiB)\n", params,
           quantized, bits, (double)bits / 8.0 / 1024.0);
}

static void print_ports(const char *title, Tensor *const *ts, int n)
{
    char shape[128], dt[32];
    printf("%s:\n", title);
    for (int k = 0; k < n; k++)
        printf("  %-24s %-8s %-18s %s\n", ts[k]->name, elem_type_name(ts[k]->elem_type),
               shape_str(&ts[k]->shape, shape, sizeof shape),
               tensor_datatype(ts[k], dt, sizeof dt));
}

static void print_op_histogram(const Graph *g)
{
    printf("ops (%d nodes):\n", g->n_nodes);
    /* op types in order of first appearance (resolved ops: a few dozen types) */
    const char **types = calloc((size_t)(g->n_nodes ? g->n_nodes : 1), sizeof *types);
    int *counts = calloc((size_t)(g->n_nodes ? g->n_nodes : 1), sizeof *counts);
    int n_types = 0;
    for (int k = 0; types && counts && k < g->n_nodes; k++) {
        int j = 0;
        while (j < n_types && strcmp(types[j], g->nodes[k]->op_type))
            j++;
        if (j == n_types)
            types[n_types++] = g->nodes[k]->op_type;
        counts[j]++;
    }
    for (int j = 0; j < n_types; j++)
        printf("  %-20s %d\n", types[j], counts[j]);
    free(types);
    free(counts);
}

static int max_int(int a, int b)
{
    return a > b ? a : b;
}

/* One row per node output: tensor, the op producing it, shape, datatype;
 * each column as wide as its longest entry (names run from "31" in a
 * FINN export to 60 characters in a PyTorch one). */
static void print_tensors(const Graph *g)
{
    char shape[128], dt[32];
    int name_w = (int)strlen("tensor"), op_w = (int)strlen("op"), shape_w = (int)strlen("shape");
    for (int k = 0; k < g->n_nodes; k++)
        for (int o = 0; o < g->nodes[k]->n_outputs; o++) {
            const Tensor *t = g->nodes[k]->outputs[o];
            if (!t)
                continue;
            name_w = max_int(name_w, (int)strlen(t->name));
            op_w = max_int(op_w, (int)strlen(g->nodes[k]->op_type));
            shape_w = max_int(shape_w, (int)strlen(shape_str(&t->shape, shape, sizeof shape)));
        }
    printf("activations:\n");
    printf("  %-*s %-*s %-*s %s\n", name_w, "tensor", op_w, "op", shape_w, "shape", "datatype");
    for (int k = 0; k < g->n_nodes; k++) {
        const Node *n = g->nodes[k];
        for (int o = 0; o < n->n_outputs; o++) {
            const Tensor *t = n->outputs[o];
            if (t)
                printf("  %-*s %-*s %-*s %s\n", name_w, t->name, op_w, n->op_type, shape_w,
                       shape_str(&t->shape, shape, sizeof shape),
                       tensor_datatype(t, dt, sizeof dt));
        }
    }
}

/* The integer graph and every target need a quantized input; say so early. */
static void print_unquantized_inputs(const Graph *g)
{
    for (int k = 0; k < g->n_inputs; k++)
        if (!graph_input_is_quantized(g, g->inputs[k]))
            printf("  note: input '%s' is unquantized: golden runs it as float; the integer "
                   "engine and the targets\n        need its fixed-point type: --input-type "
                   "TYPE or the config key input_type (docs/cli.md)\n", g->inputs[k]->name);
}

int cmd_info(int argc, char **argv)
{
    const char *model = NULL;
    for (int k = 1; k < argc; k++) {
        if (!strcmp(argv[k], "--limit") && k + 1 < argc) {
            if (cli_limit_option("info", argv[++k]) != EXIT_OK)
                return EXIT_USAGE;
        } else if (argv[k][0] == '-' || model) {
            return cli_usage_error("info", "expects exactly one MODEL argument");
        } else {
            model = argv[k];
        }
    }
    if (!model)
        return cli_usage_error("info", "expects exactly one MODEL argument");
    Diag d;
    diag_init(&d);
    Graph *g = frontend_load(model, &d);
    if (!g)
        return cli_fail(&d);
    printf("model: %s\n", model);
    printf("opsets:");
    for (int k = 0; k < g->n_opsets; k++)
        printf(" %s:%lld", *g->opsets[k].domain ? g->opsets[k].domain : "ai.onnx",
               (long long)g->opsets[k].version);
    printf("\n");
    print_op_histogram(g);
    print_ports("inputs", g->inputs, g->n_inputs);
    print_unquantized_inputs(g);
    print_ports("outputs", g->outputs, g->n_outputs);
    print_tensors(g);
    print_params(g);
    fflush(stdout);
    target_support_print(g, model, stdout);
    graph_free(g);
    return EXIT_OK;
}
