/* The host side of the hls target and its C simulation testbench:
 *
 *   model.h         the ref target's API (<name>_run, <name>_run_int,
 *                   <name>_quantize_input), so the ref target's .npy main
 *                   runs the hls target unchanged
 *   host.c          InputQuant and OutputAffine, emitted by the ref target's
 *                   own code (ref_emit_io) over integer frames kept in
 *                   stream order (NHWC), the packing of a frame into the
 *                   top's input beats and of its output beats back
 *   <name>_csim.c   the ref target's main (ref_emit_main)
 *   Makefile        ./<name>_csim with the strict flags
 *
 * The ref target's plan of the integer graph provides the boundary nodes;
 * its input and output tensors are replaced by int32 frames in the order
 * of the streams. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit_hls_internal.h"
#include "emit_ref_internal.h"
#include "qc_dtype_name.h"

/* The host's view of the boundary: the integer frames it keeps (stored as
 * the ref target would store them, int32_t) and, for each stream element,
 * where in them it lives. */
typedef struct HostIo {
    RefTensor x, y;          /* InputQuant's output; OutputAffine's input (or the labels) */
    int64_t *in_map;         /* stream element s is x[in_map[s]]; NULL: s itself */
    int64_t *out_map;        /* stream element s is y[out_map[s]]; NULL: s itself */
    bool labels;             /* the top writes class indices (LabelSelect) */
    Tensor labels_tensor;    /* [1, k]: what the host gives out then */
} HostIo;

/* An int32 frame of tensor t: channels-last for rank >= 3, as the ref target
 * stores images, row-major otherwise. */
static bool frame_tensor(const HlsPlan *p, const Tensor *t, RefTensor *r, Diag *d)
{
    memset(r, 0, sizeof *r);
    r->t = t;
    r->buf = -1;
    r->def = r->last = -1;
    r->fmt = REF_I32;
    r->shape = t->shape;
    if (!t->qdt || qc_dtype_parse(t->qdt, &r->dt) != 0 || !shape_known(&t->shape) ||
        t->shape.rank < 1 || shape_count(&t->shape) < 1)
        return diag_error(d, p->df->path, NULL, NULL, "hls target: tensor '%s' needs an "
                          "integer datatype and a known shape", t->name);
    r->count = shape_count(&t->shape);
    const int64_t *dims = t->shape.dims;
    if (t->shape.rank >= 3) {
        if (dims[0] != 1)
            return diag_error(d, p->df->path, NULL, NULL, "hls target: tensor '%s' has batch "
                              "%lld; a frame must have batch 1", t->name, (long long)dims[0]);
        r->channels_last = true;
        r->n = 1;
        r->c = dims[1];
        r->s = r->count / dims[1];
        r->inner = r->c;
    } else {
        r->inner = dims[t->shape.rank - 1];
    }
    r->rows = r->count / r->inner;
    r->row_words = (r->inner + 63) / 64;
    r->size = r->count;
    return true;
}

/* map[s] = stored index of element order[s] of r's row-major frame; NULL
 * in *map when that is s for every s. */
static bool stream_map(const HlsPlan *p, const RefTensor *r, const Stream *s,
                       const int64_t *order, const char *what, int64_t **map, Diag *d)
{
    char n1[16], n2[16];
    *map = NULL;
    if (r->count != s->elems)
        return diag_error(d, p->df->path, NULL, NULL, "hls target: the %s stream carries %lld "
                          "elements per frame, tensor '%s' has %lld", what, (long long)s->elems,
                          r->t->name, (long long)r->count);
    if (r->dt.kind != s->dt.kind || r->dt.bits != s->dt.bits)
        return diag_error(d, p->df->path, NULL, NULL, "hls target: the %s stream carries %s, "
                          "tensor '%s' is %s", what, hls_dt_name(s->dt, n1), r->t->name,
                          hls_dt_name(r->dt, n2));
    bool identity = true;
    for (int64_t k = 0; identity && k < r->count; k++)
        identity = ref_phys_index(r, order ? order[k] : k) == k;
    if (identity)
        return true;
    *map = malloc((size_t)r->count * sizeof **map);
    if (!*map)
        return diag_error(d, p->df->path, NULL, NULL, "out of memory");
    for (int64_t k = 0; k < r->count; k++)
        (*map)[k] = ref_phys_index(r, order ? order[k] : k);
    return true;
}

static bool is_rowmajor_layout(const Node *n)
{
    static const char *const ops[] = { "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity" };
    if (n->domain_kind != DOMAIN_ONNX)
        return false;
    for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++)
        if (!strcmp(n->op_type, ops[k]))
            return true;
    return false;
}

static bool host_io(const HlsPlan *p, RefPlan *rp, HostIo *io, Diag *d)
{
    const Dataflow *df = p->df;
    const Stream *first = p->streams[0].s, *last = p->streams[p->n_streams - 1].s;
    memset(io, 0, sizeof *io);
    if (df->in_tensor && df->in_tensor != rp->x->t)
        return diag_error(d, df->path, NULL, NULL, "hls target: the accelerator reads '%s', "
                          "not InputQuant's output '%s'", df->in_tensor->name, rp->x->t->name);
    if (!frame_tensor(p, rp->x->t, &io->x, d) ||
        !stream_map(p, &io->x, first, df->in_order, "input", &io->in_map, d))
        return false;
    io->labels = df->labels_out;
    if (io->labels) {
        /* the top writes k labels: the host hands them out as they are */
        Tensor *t = &io->labels_tensor;
        t->name = "labels";
        t->shape.rank = 2;
        t->shape.dims[0] = 1;
        t->shape.dims[1] = last->elems;
        memset(&io->y, 0, sizeof io->y);
        io->y.t = t;
        io->y.dt = last->dt;
        io->y.fmt = REF_I32;
        io->y.shape = t->shape;
        io->y.count = io->y.size = io->y.inner = last->elems;
        io->y.rows = 1;
        io->y.buf = -1;
        return true;
    }
    /* between the last layer's tensor and OutputAffine only reshapes */
    const Tensor *t = rp->y->t;
    while (df->out_tensor && t != df->out_tensor && t->producer &&
           is_rowmajor_layout(t->producer))
        t = t->producer->inputs[0];
    if (df->out_tensor && t != df->out_tensor)
        return diag_error(d, df->path, NULL, NULL, "hls target: between the accelerator's output "
                          "'%s' and OutputAffine's input '%s' the host can only reshape",
                          df->out_tensor->name, rp->y->t->name);
    return frame_tensor(p, rp->y->t, &io->y, d) &&
           stream_map(p, &io->y, last, df->out_order, "output", &io->out_map, d);
}

static void host_io_free(HostIo *io)
{
    free(io->in_map);
    free(io->out_map);
}

/* ---- model.h ------------------------------------------------------------- */

static void emit_model_h(const HlsPlan *p, const RefPlan *rp, const HostIo *io, TextBuf *b)
{
    char s1[96], s2[96], d1[16];
    const char *u = p->upper;
    tb_printf(b, "/* model.h: %s through its hls target, generated by qonnxc: the ref\n"
              " * target's API over the C simulation of %s_top, so the same testbench\n"
              " * runs both.\n *\n", p->name, p->name);
    tb_puts(b, " * Frames are arrays in the graph's row-major (NCHW) order. The functions share\n"
               " * static buffers: call them from one thread at a time. */\n");
    tb_printf(b, "#ifndef %s_MODEL_H\n#define %s_MODEL_H\n\n#include <stdint.h>\n\n", u, u);
    tb_printf(b, "#define %s_INPUT_SIZE %lld      /* floats per frame: input %s */\n", u,
              (long long)shape_count(&rp->graph_in->shape),
              shape_str(&rp->graph_in->shape, s1, sizeof s1));
    if (io->labels)
        tb_printf(b, "#define %s_OUTPUT_SIZE %lld     /* labels per frame, largest score first */\n",
                  u, (long long)io->y.count);
    else
        tb_printf(b, "#define %s_OUTPUT_SIZE %lld     /* floats per frame: output %s */\n", u,
                  (long long)shape_count(&rp->graph_out->shape),
                  shape_str(&rp->graph_out->shape, s2, sizeof s2));
    tb_printf(b, "#define %s_INT_INPUT_SIZE %lld  /* integers after InputQuant: %s %s */\n", u,
              (long long)io->x.count, shape_str(&io->x.shape, s1, sizeof s1),
              hls_dt_name(io->x.dt, d1));
    if (io->labels)
        tb_printf(b, "#define %s_INT_OUTPUT_SIZE %lld /* the labels, %s */\n\n", u,
                  (long long)io->y.count, hls_dt_name(io->y.dt, d1));
    else
        tb_printf(b, "#define %s_INT_OUTPUT_SIZE %lld /* integers before OutputAffine: %s %s */\n\n",
                  u, (long long)io->y.count, shape_str(&io->y.shape, s2, sizeof s2),
                  hls_dt_name(io->y.dt, d1));
    tb_puts(b, "/* What the functions return. */\n");
    tb_printf(b, "#define %s_OK 0\n", u);
    tb_printf(b, "#define %s_BAD_INPUT 1     /* a value the integers cannot hold: NaN, or outside "
              "the input's datatype */\n", u);
    tb_printf(b, "#define %s_NULL_ARGUMENT 2\n\n", u);
    if (io->labels)
        tb_printf(b, "/* One frame: %s_INPUT_SIZE floats in, the %s_OUTPUT_SIZE labels (class\n"
                  " * indices) of the largest scores out, as floats. */\n", u, u);
    else
        tb_printf(b, "/* One frame: %s_INPUT_SIZE floats in, %s_OUTPUT_SIZE floats out. */\n", u,
                  u);
    tb_printf(b, "int %s_run(const float *in, float *out);\n\n", p->name);
    tb_printf(b, "/* The integer layers alone (the top function): in holds %s_INT_INPUT_SIZE\n"
              " * integers (what InputQuant gives), out receives %s_INT_OUTPUT_SIZE (%s),\n"
              " * both in the graph's order. */\n", u, u,
              io->labels ? "the labels" : "what OutputAffine takes");
    tb_printf(b, "int %s_run_int(const int32_t *in, int32_t *out);\n\n", p->name);
    tb_printf(b, "/* The input quantizer alone: the %s_INT_INPUT_SIZE integers %s_run_int takes. */\n",
              u, p->name);
    tb_printf(b, "int %s_quantize_input(const float *in, int32_t *out);\n\n#endif\n", p->name);
}

/* ---- host.c -------------------------------------------------------------- */

static void emit_store_input(const RefTensor *x, TextBuf *b)
{
    tb_puts(b, "/* The quantized input as an integer frame (graph order) */\n");
    tb_puts(b, "static void store_int_input(const int32_t *in, int32_t *out)\n{\n");
    if (x->channels_last && x->c > 1 && x->s > 1)
        tb_printf(b, "    enum { C = %lld, S = %lld };   /* channels, positions */\n    int c, s;\n\n"
                  "    for (c = 0; c < C; ++c)\n        for (s = 0; s < S; ++s)\n"
                  "            out[c * S + s] = in[s * C + c];\n}\n\n",
                  (long long)x->c, (long long)x->s);
    else
        tb_printf(b, "    enum { COUNT = %lld };\n    int i;\n\n    for (i = 0; i < COUNT; ++i)\n"
                  "        out[i] = in[i];\n}\n\n", (long long)x->count);
}

static void emit_map(TextBuf *b, const char *name, const int64_t *map, int64_t n, const char *what)
{
    int32_t *v = malloc((size_t)n * sizeof *v);
    char decl[96];
    if (!v) {
        b->oom = true;
        return;
    }
    for (int64_t k = 0; k < n; k++)
        v[k] = (int32_t)map[k];
    tb_printf(b, "/* %s */\n", what);
    snprintf(decl, sizeof decl, "static const int32_t %s[%lld]", name, (long long)n);
    emit_array_i32(b, decl, v, (size_t)n, 16);
    tb_puts(b, "\n");
    free(v);
}

static void emit_streams(const HlsPlan *p, const HostIo *io, TextBuf *b)
{
    const char *u = p->upper, *n = p->name;
    const char *tin = p->types[p->streams[0].type].name;
    const char *tout = p->types[p->streams[p->n_streams - 1].type].name;
    tb_puts(b, "/* ---- frames and streams -------------------------------------------------- */\n\n");
    tb_printf(b, "static int32_t x[%lld];   /* InputQuant's output%s */\n", (long long)io->x.count,
              io->x.channels_last ? ", channels innermost" : "");
    if (io->labels)
        tb_printf(b, "static int32_t y[%lld];   /* the labels */\n", (long long)io->y.count);
    else
        tb_printf(b, "static int32_t y[%lld];   /* OutputAffine's input%s */\n",
                  (long long)io->y.count, io->y.channels_last ? ", channels innermost" : "");
    tb_printf(b, "static %s_in_t in_beats[%s_IN_BEATS];\n", n, u);
    tb_printf(b, "static %s_out_t out_beats[%s_OUT_BEATS];\n\n", n, u);
    if (io->in_map)
        emit_map(b, "in_map", io->in_map, io->x.count, "input stream element s is x[in_map[s]]");
    if (io->out_map)
        emit_map(b, "out_map", io->out_map, io->y.count, "output stream element s is "
                 "y[out_map[s]]");
    tb_printf(b, "/* One frame: x packed into beats, through %s_top, y unpacked */\n", n);
    tb_puts(b, "static void forward(void)\n{\n    int b, k;\n\n");
    tb_printf(b, "    for (b = 0; b < %s_IN_BEATS; ++b) {\n", u);
    tb_printf(b, "        %s_t beat = %s_zero();\n\n", tin, tin);
    tb_printf(b, "        for (k = 0; k < %s_IN_PER_BEAT; ++k)\n", u);
    if (io->in_map)
        tb_printf(b, "            %s_put(&beat, k, x[in_map[b * %s_IN_PER_BEAT + k]]);\n", tin, u);
    else
        tb_printf(b, "            %s_put(&beat, k, x[b * %s_IN_PER_BEAT + k]);\n", tin, u);
    tb_puts(b, "        in_beats[b] = beat;\n    }\n");
    tb_printf(b, "    %s_top(in_beats, out_beats);\n", n);
    tb_printf(b, "    for (b = 0; b < %s_OUT_BEATS; ++b)\n", u);
    tb_printf(b, "        for (k = 0; k < %s_OUT_PER_BEAT; ++k)\n", u);
    if (io->out_map)
        tb_printf(b, "            y[out_map[b * %s_OUT_PER_BEAT + k]] = %s_get(&out_beats[b], k);\n}\n\n",
                  u, tout);
    else
        tb_printf(b, "            y[b * %s_OUT_PER_BEAT + k] = %s_get(&out_beats[b], k);\n}\n\n", u,
                  tout);
}

static void emit_api(const HlsPlan *p, const HostIo *io, TextBuf *b)
{
    const char *u = p->upper, *n = p->name;
    tb_puts(b, "/* ---- entry points --------------------------------------------------------- */\n\n");
    tb_printf(b, "int %s_run(const float *in, float *out)\n{\n    int status%s;\n\n", n,
              io->labels ? ", k" : "");
    tb_printf(b, "    if (!in || !out)\n        return %s_NULL_ARGUMENT;\n", u);
    tb_printf(b, "    status = input_quant(in, x);\n");
    tb_printf(b, "    if (status != %s_OK)\n        return status;\n    forward();\n", u);
    if (io->labels)
        tb_printf(b, "    for (k = 0; k < %s_OUTPUT_SIZE; ++k)\n        out[k] = (float)y[k];\n", u);
    else
        tb_puts(b, "    output_affine(y, out);\n");
    tb_printf(b, "    return %s_OK;\n}\n\n", u);
    tb_printf(b, "int %s_run_int(const int32_t *in, int32_t *out)\n{\n    int status%s;\n\n", n,
              io->labels ? ", k" : "");
    tb_printf(b, "    if (!in || !out)\n        return %s_NULL_ARGUMENT;\n", u);
    tb_printf(b, "    status = load_int_input(in, x);\n");
    tb_printf(b, "    if (status != %s_OK)\n        return status;\n    forward();\n", u);
    if (io->labels)
        tb_printf(b, "    for (k = 0; k < %s_INT_OUTPUT_SIZE; ++k)\n        out[k] = y[k];\n", u);
    else
        tb_puts(b, "    store_int_output(y, out);\n");
    tb_printf(b, "    return %s_OK;\n}\n\n", u);
    tb_printf(b, "int %s_quantize_input(const float *in, int32_t *out)\n{\n    int status;\n\n", n);
    tb_printf(b, "    if (!in || !out)\n        return %s_NULL_ARGUMENT;\n", u);
    tb_printf(b, "    status = input_quant(in, x);\n");
    tb_printf(b, "    if (status != %s_OK)\n        return status;\n", u);
    tb_printf(b, "    store_int_input(x, out);\n    return %s_OK;\n}\n", u);
}

static bool emit_host_c(const HlsPlan *p, RefPlan *rp, const HostIo *io, TextBuf *b, Diag *d)
{
    TextBuf data, code;
    bool headers[QH_COUNT] = { false };
    tb_init(&data);
    tb_init(&code);
    bool ok = io->labels ? ref_emit_input_io(rp, &data, &code, headers, d)
                         : ref_emit_io(rp, &data, &code, headers, d);
    for (int h = 0; ok && h < QH_COUNT; h++)
        if (headers[h])
            ok = diag_error(d, p->df->path, NULL, NULL, "internal error: the host side of the "
                            "hls target needs %s", ref_quant_header_names[h]);
    if (ok) {
        const char *base = strrchr(rp->model_path, '/');
        tb_printf(b, "/* host.c: the host side of the hls target of %s, generated by qonnxc\n"
                  " * from %s:\n *\n", p->name, base ? base + 1 : rp->model_path);
        tb_printf(b, " *   float frame -> input_quant (InputQuant) -> x, packed into beats ->\n"
                  " *   %s_top -> beats unpacked into y -> %s\n *\n", p->name,
                  io->labels ? "the labels" : "output_affine (OutputAffine) -> float frame");
        tb_puts(b, " * The float boundary is the ref target's code, on int32_t frames stored as\n"
                   " * the ref target stores them (images channels innermost). */\n");
        tb_printf(b, "#include <float.h>\n#include <math.h>\n#include <stdint.h>\n\n"
                  "#include \"model.h\"\n#include \"%s.h\"\n\n", p->name);
        tb_puts(b, "/* The float boundary replays the golden executor's float32 operations: it\n"
                   " * needs float arithmetic in float (and double in double), no excess precision. */\n"
                   "#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0\n"
                   "#error \"this executor needs FLT_EVAL_METHOD == 0 (SSE, not x87, on x86)\"\n"
                   "#endif\n\n");
        emit_streams(p, io, b);
        if (data.len) {
            tb_puts(b, "/* ---- constants of the float boundary ------------------------------------ */\n\n");
            tb_write(b, tb_str(&data), data.len);
        }
        tb_puts(b, "/* ---- the float boundary and integer frames ------------------------------ */\n\n");
        tb_write(b, tb_str(&code), code.len);
        emit_store_input(&io->x, b);
        emit_api(p, io, b);
        if (data.oom || code.oom)
            b->oom = true;
    }
    tb_free(&data);
    tb_free(&code);
    return ok;
}

static void emit_makefile(const HlsPlan *p, TextBuf *b)
{
    const char *n = p->name;
    tb_printf(b, "# Builds the C simulation of the hls target of %s, generated by qonnxc.\n", n);
    tb_printf(b, "#   make                              ./%s_csim [--int] IN.npy OUT.npy\n", n);
    tb_puts(b, "#   make CFLAGS='-O3 -march=native'   other optimization flags; STRICT stays\n");
    tb_printf(b, "# The HLS sources are %s.c and %s.h (top function %s_top).\n\n", n, n, n);
    tb_puts(b, "CC = cc\nCFLAGS = -O2\n");
    tb_puts(b, "STRICT = -std=c99 -Wall -Wextra -Werror -pedantic -ffp-contract=off\n");
    tb_printf(b, "SOURCES = %s_csim.c host.c %s.c\n\n", n, n);
    tb_printf(b, "%s_csim: $(SOURCES) $(wildcard *.h)\n", n);
    tb_puts(b, "\t$(CC) $(STRICT) $(CFLAGS) $(LDFLAGS) -o $@ $(SOURCES) -lm\n\n");
    tb_printf(b, "clean:\n\trm -f %s_csim\n\n.PHONY: clean\n", n);
}

/* Names go into comments: a "*" "/" in one would end the comment. */
static void comment_safe_names(Graph *g)
{
    for (int k = 0; k < g->n_nodes; k++)
        for (char *c = (char *)g->nodes[k]->name; c && (c = strstr(c, "*/")) != NULL; c++)
            c[1] = '|';
    for (int k = 0; k < g->n_tensors; k++)
        for (char *c = (char *)g->tensors[k]->name; c && (c = strstr(c, "*/")) != NULL; c++)
            c[1] = '|';
}

bool hls_emit_host(HlsPlan *p, const char *model_path, OutTree *out, Diag *d)
{
    if (!p->df->g)
        return diag_error(d, model_path, NULL, NULL, "hls target: the dataflow graph has no "
                          "integer graph for the host side");
    Graph *g = (Graph *)p->df->g;
    comment_safe_names(g);
    RefPlan rp;
    HostIo io;
    memset(&io, 0, sizeof io);
    /* the ref target's plan finds the float boundary and reserves its names */
    bool ok = ref_plan(&rp, g, p->name, model_path, d) && host_io(p, &rp, &io, d);
    if (ok) {
        static const char *const reserved[] = { "x", "y", "in_beats", "out_beats", "in_map",
                                                "out_map", "store_int_input" };
        static const char *const suffixes[] = { "", "_t", "_zero", "_get", "_put", "_matches" };
        char tmp[64], name[80];
        for (size_t k = 0; k < sizeof reserved / sizeof reserved[0]; k++)
            ref_unique_name(&rp, reserved[k], tmp);
        for (int k = 0; k < p->n_names; k++)
            for (size_t s = 0; s < sizeof suffixes / sizeof suffixes[0]; s++) {
                snprintf(name, sizeof name, "%s%s", p->names[k], suffixes[s]);
                ref_unique_name(&rp, name, tmp);
            }
        rp.x = &io.x;
        rp.y = &io.y;
        if (io.labels)
            rp.graph_out = &io.labels_tensor;
    }
    TextBuf *b = ok ? outtree_add(out, "hls/host.c") : NULL;
    ok = ok && (b || diag_error(d, model_path, NULL, NULL, "out of memory"));
    ok = ok && emit_host_c(p, &rp, &io, b, d);
    b = ok ? outtree_add(out, "hls/model.h") : NULL;
    if (b)
        emit_model_h(p, &rp, &io, b);
    char path[128];
    snprintf(path, sizeof path, "hls/%s_csim.c", p->name);
    b = ok ? outtree_add(out, path) : NULL;
    if (b)
        ref_emit_main(&rp, b);
    b = ok ? outtree_add(out, "hls/Makefile") : NULL;
    if (b)
        emit_makefile(p, b);
    if (ok && !b)
        ok = diag_error(d, model_path, NULL, NULL, "out of memory");
    host_io_free(&io);
    ref_plan_free(&rp);
    return ok;
}
