#include "onnx_cut.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onnx/onnx.pb-c.h"

/* The whole file, malloc'ed; NULL if it cannot be read. */
static uint8_t *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    uint8_t *buf = NULL;
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (size >= 0 && fseek(f, 0, SEEK_SET) == 0 && (buf = malloc((size_t)size + 1)) &&
        fread(buf, 1, (size_t)size, f) != (size_t)size) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *len = (size_t)size;
    return buf;
}

static bool in_list(char **names, size_t n, const char *name)
{
    for (size_t k = 0; k < n; k++)
        if (!strcmp(names[k], name))
            return true;
    return false;
}

bool onnx_cut_before(const char *in_path, const char *out_path, const char *op_type, char *err,
                     size_t err_size)
{
    size_t len;
    uint8_t *buf = read_file(in_path, &len);
    if (!buf) {
        snprintf(err, err_size, "%s: cannot be read", in_path);
        return false;
    }
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, buf);
    free(buf);
    if (!m || !m->graph || m->graph->n_output < 1) {
        snprintf(err, err_size, "%s: not an ONNX model with an output", in_path);
        if (m)
            onnx__model_proto__free_unpacked(m, NULL);
        return false;
    }
    Onnx__GraphProto *g = m->graph;
    size_t cut = 0;
    while (cut < g->n_node && strcmp(g->node[cut]->op_type, op_type))
        cut++;
    if (cut == g->n_node || g->node[cut]->n_input < 1) {
        snprintf(err, err_size, "%s: no %s node", in_path, op_type);
        onnx__model_proto__free_unpacked(m, NULL);
        return false;
    }
    char *target = g->node[cut]->input[0];
    /* the nodes target depends on, walking back from the cut; needed
     * holds tensor names (pointers into the model) */
    size_t n = g->n_node, n_needed = 1, cap = 16;
    char **needed = malloc(cap * sizeof *needed);
    bool *keep = calloc(n, sizeof *keep);
    Onnx__NodeProto **order = malloc(n * sizeof *order);
    needed[0] = target;
    for (size_t k = cut; k-- > 0;) {
        Onnx__NodeProto *node = g->node[k];
        for (size_t o = 0; o < node->n_output && !keep[k]; o++)
            keep[k] = in_list(needed, n_needed, node->output[o]);
        for (size_t i = 0; keep[k] && i < node->n_input; i++) {
            if (n_needed == cap)
                needed = realloc(needed, (cap *= 2) * sizeof *needed);
            needed[n_needed++] = node->input[i];
        }
    }
    /* kept nodes first, in order; the others after them, freed with the model */
    size_t n_keep = 0;
    for (size_t k = 0; k < n; k++)
        if (keep[k])
            order[n_keep++] = g->node[k];
    for (size_t k = 0, j = n_keep; k < n; k++)
        if (!keep[k])
            order[j++] = g->node[k];
    memcpy(g->node, order, n * sizeof *order);
    /* the first output, renamed, its shape left to inference */
    Onnx__ValueInfoProto *out = g->output[0];
    char *old_name = out->name;
    Onnx__TypeProto__Tensor *tt = out->type ? out->type->tensor_type : NULL;
    Onnx__TensorShapeProto *old_shape = tt ? tt->shape : NULL;
    size_t n_output = g->n_output;
    out->name = target;
    if (tt)
        tt->shape = NULL;
    g->n_output = 1;
    g->n_node = n_keep;
    size_t size = onnx__model_proto__get_packed_size(m);
    uint8_t *packed = malloc(size);
    onnx__model_proto__pack(m, packed);
    g->n_node = n;
    g->n_output = n_output;
    out->name = old_name;
    if (tt)
        tt->shape = old_shape;
    onnx__model_proto__free_unpacked(m, NULL);
    free(needed);
    free(keep);
    free(order);
    FILE *f = fopen(out_path, "wb");
    bool ok = f && fwrite(packed, 1, size, f) == size;
    if (f && fclose(f) != 0)
        ok = false;
    free(packed);
    if (!ok)
        snprintf(err, err_size, "%s: cannot be written", out_path);
    return ok;
}
