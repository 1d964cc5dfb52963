/* The host side of the rtl target's simulation:
 *
 *   host.h, host.c    InputQuant and OutputAffine, emitted by the ref
 *                     target's own code (ref_emit_io) over integer frames,
 *                     and the orders of the stream elements in them
 *   model.h           the ref target's API, which the harness provides on
 *                     the simulation, so the ref target's main links
 *   ref_main.c.inc    the ref target's main.c (ref_emit_main)
 *   npy_io.c          its .npy reader and writer, for the harness
 *   rtlsim_design.h   the design as the harness sees it: beat formats,
 *                     streams, FIFOs, estimates
 *
 * The ref target's plan of the integer graph provides the boundary nodes;
 * its input and output tensors are replaced by int32 frames (images
 * channels innermost, as the ref target stores them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit_ref_internal.h"
#include "emit_rtl_internal.h"
#include "qc_dtype_name.h"

typedef struct Host {
    const Dataflow *df;
    const char *name;
    char upper[64];
    RefTensor x, y;          /* InputQuant's output; OutputAffine's input (or the labels) */
    int64_t *in_map, *out_map; /* stream element s is x[in_map[s]] (y[out_map[s]]) */
    bool labels;
    Tensor labels_tensor;
} Host;

static bool frame_tensor(const Host *h, const Tensor *t, RefTensor *r, Diag *d)
{
    memset(r, 0, sizeof *r);
    r->t = t;
    r->buf = r->def = r->last = -1;
    r->fmt = REF_I32;
    r->shape = t->shape;
    if (!t->qdt || qc_dtype_parse(t->qdt, &r->dt) != 0 || !shape_known(&t->shape) ||
        t->shape.rank < 1 || shape_count(&t->shape) < 1)
        return diag_error(d, h->df->path, NULL, NULL, "rtl target: tensor '%s' needs an "
                          "integer datatype and a known shape", t->name);
    r->count = shape_count(&t->shape);
    if (t->shape.rank >= 3) {
        if (t->shape.dims[0] != 1)
            return diag_error(d, h->df->path, NULL, NULL, "rtl target: tensor '%s' has batch "
                              "%lld; a frame must have batch 1", t->name,
                              (long long)t->shape.dims[0]);
        r->channels_last = true;
        r->n = 1;
        r->c = t->shape.dims[1];
        r->s = r->count / r->c;
        r->inner = r->c;
    } else {
        r->inner = t->shape.dims[t->shape.rank - 1];
    }
    r->rows = r->count / r->inner;
    r->row_words = (r->inner + 63) / 64;
    r->size = r->count;
    return true;
}

static bool stream_map(const Host *h, const RefTensor *r, const Stream *s, const int64_t *order,
                       int64_t **map, Diag *d)
{
    if (r->count != s->elems)
        return diag_error(d, h->df->path, NULL, NULL, "rtl target: a boundary stream carries "
                          "%lld elements per frame, tensor '%s' has %lld", (long long)s->elems,
                          r->t->name, (long long)r->count);
    *map = malloc((size_t)r->count * sizeof **map);
    if (!*map)
        return diag_error(d, h->df->path, NULL, NULL, "out of memory");
    for (int64_t k = 0; k < r->count; k++)
        (*map)[k] = ref_phys_index(r, order ? order[k] : k);
    return true;
}

static bool host_io(Host *h, RefPlan *rp, Diag *d)
{
    const Dataflow *df = h->df;
    const Stream *first = &df->layers[0].in, *last = &df->layers[df->n_layers - 1].out;
    if (df->in_tensor && df->in_tensor != rp->x->t)
        return diag_error(d, df->path, NULL, NULL, "rtl target: the accelerator reads '%s', "
                          "not InputQuant's output '%s'", df->in_tensor->name, rp->x->t->name);
    if (!frame_tensor(h, rp->x->t, &h->x, d) ||
        !stream_map(h, &h->x, first, df->in_order, &h->in_map, d))
        return false;
    h->labels = df->labels_out;
    if (h->labels) {
        Tensor *t = &h->labels_tensor;
        t->name = "labels";
        t->shape.rank = 2;
        t->shape.dims[0] = 1;
        t->shape.dims[1] = last->elems;
        memset(&h->y, 0, sizeof h->y);
        h->y.t = t;
        h->y.dt = last->dt;
        h->y.fmt = REF_I32;
        h->y.shape = t->shape;
        h->y.count = h->y.size = h->y.inner = last->elems;
        h->y.rows = 1;
        h->y.buf = -1;
        return true;
    }
    /* between the last layer's tensor and OutputAffine only reshapes */
    const Tensor *t = rp->y->t;
    while (df->out_tensor && t != df->out_tensor && t->producer &&
           t->producer->domain_kind == DOMAIN_ONNX &&
           (!strcmp(t->producer->op_type, "Reshape") || !strcmp(t->producer->op_type, "Flatten") ||
            !strcmp(t->producer->op_type, "Squeeze") || !strcmp(t->producer->op_type, "Unsqueeze") ||
            !strcmp(t->producer->op_type, "Identity")))
        t = t->producer->inputs[0];
    if (df->out_tensor && t != df->out_tensor)
        return diag_error(d, df->path, NULL, NULL, "rtl target: between the accelerator's output "
                          "'%s' and OutputAffine's input '%s' the host can only reshape",
                          df->out_tensor->name, rp->y->t->name);
    return frame_tensor(h, rp->y->t, &h->y, d) &&
           stream_map(h, &h->y, last, df->out_order, &h->out_map, d);
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

/* ---- host.h and model.h ------------------------------------------------------ */

static void emit_host_h(const Host *h, const RefPlan *rp, TextBuf *b)
{
    const Stream *first = &h->df->layers[0].in;
    tb_printf(b, "/* host.h: the float boundary of %s's rtl simulation, generated by qonnxc.\n"
              " * Frames are in the graph's row-major order; stream elements in the order\n"
              " * the accelerator reads and writes them. */\n", h->name);
    tb_puts(b, "#ifndef RTL_HOST_H\n#define RTL_HOST_H\n\n#include <stdint.h>\n\n");
    tb_printf(b, "#define RTL_INPUT_SIZE %lld       /* floats per input frame */\n",
              (long long)shape_count(&rp->graph_in->shape));
    tb_printf(b, "#define RTL_OUTPUT_SIZE %lld      /* %s per output frame */\n",
              (long long)(h->labels ? h->y.count : shape_count(&rp->graph_out->shape)),
              h->labels ? "labels" : "floats");
    tb_printf(b, "#define RTL_INT_OUTPUT_SIZE %lld  /* integers before OutputAffine */\n",
              (long long)h->y.count);
    tb_printf(b, "#define RTL_IN_ELEMS %lld         /* input stream elements per frame */\n",
              (long long)h->x.count);
    tb_printf(b, "#define RTL_OUT_ELEMS %lld        /* output stream elements per frame */\n",
              (long long)h->y.count);
    tb_printf(b, "#define RTL_IN_MIN %lldLL\n#define RTL_IN_MAX %lldLL\n#define RTL_IN_BIPOLAR %d\n\n",
              (long long)qc_dtype_min(first->dt), (long long)qc_dtype_max(first->dt),
              first->dt.kind == QC_BIPOLAR);
    tb_puts(b, "/* InputQuant on a float frame (or the check of an integer frame), then\n"
               " * the input stream's elements; 0, or 1 for a value the input's datatype\n"
               " * cannot hold */\n");
    tb_puts(b, "int rtl_input_stream(const float *in, int32_t *elems);\n");
    tb_puts(b, "int rtl_int_input_stream(const int32_t *in, int32_t *elems);\n");
    tb_puts(b, "/* the output stream's elements -> OutputAffine (float frame), or the integers */\n");
    tb_puts(b, "void rtl_output_frame(const int32_t *elems, float *out);\n");
    tb_puts(b, "void rtl_output_int(const int32_t *elems, int32_t *out);\n\n");
    tb_puts(b, "/* npy_io.c: the ref target's .npy I/O. A file of N frames of the model's\n"
               " * input (malloc'ed floats); OUT frames, float32 or (as_int) int32. 1 on\n"
               " * success, 0 with a message on stderr. */\n");
    tb_puts(b, "int rtlsim_read_frames(const char *path, float **data, long *frames);\n");
    tb_puts(b, "int rtlsim_write_frames(const char *path, const void *data, long frames, int as_int);\n\n");
    tb_puts(b, "#endif\n");
}

static void emit_model_h(const Host *h, const RefPlan *rp, TextBuf *b)
{
    const char *u = h->upper;
    tb_printf(b, "/* model.h: the ref target's API of %s, provided by the rtl simulation\n"
              " * (one frame per call, rtlsim_main.cpp), so the ref target's main links. */\n",
              h->name);
    tb_printf(b, "#ifndef %s_MODEL_H\n#define %s_MODEL_H\n\n#include <stdint.h>\n\n", u, u);
    tb_printf(b, "#define %s_INPUT_SIZE %lld\n", u, (long long)shape_count(&rp->graph_in->shape));
    tb_printf(b, "#define %s_OUTPUT_SIZE %lld\n", u,
              (long long)(h->labels ? h->y.count : shape_count(&rp->graph_out->shape)));
    tb_printf(b, "#define %s_INT_INPUT_SIZE %lld\n", u, (long long)h->x.count);
    tb_printf(b, "#define %s_INT_OUTPUT_SIZE %lld\n\n", u, (long long)h->y.count);
    tb_printf(b, "#define %s_OK 0\n#define %s_BAD_INPUT 1\n#define %s_NULL_ARGUMENT 2\n\n", u, u, u);
    tb_printf(b, "int %s_run(const float *in, float *out);\n", h->name);
    tb_printf(b, "int %s_run_int(const int32_t *in, int32_t *out);\n", h->name);
    tb_printf(b, "int %s_quantize_input(const float *in, int32_t *out);\n\n#endif\n", h->name);
}

/* ---- host.c ------------------------------------------------------------------ */

static bool emit_host_c(const Host *h, RefPlan *rp, TextBuf *b, Diag *d)
{
    TextBuf data, code;
    bool headers[QH_COUNT] = { false };
    tb_init(&data);
    tb_init(&code);
    bool ok = h->labels ? ref_emit_input_io(rp, &data, &code, headers, d)
                        : ref_emit_io(rp, &data, &code, headers, d);
    for (int k = 0; ok && k < QH_COUNT; k++)
        if (headers[k])
            ok = diag_error(d, h->df->path, NULL, NULL, "internal error: the host side of the "
                            "rtl target needs %s", ref_quant_header_names[k]);
    if (ok) {
        tb_printf(b, "/* host.c: the float boundary of %s's rtl simulation, generated by\n"
                  " * qonnxc: the ref target's InputQuant and OutputAffine on int32 frames\n"
                  " * (images channels innermost), and the stream orders. */\n", h->name);
        tb_puts(b, "#include <float.h>\n#include <math.h>\n#include <stdint.h>\n\n"
                   "#include \"host.h\"\n#include \"model.h\"\n\n");
        tb_puts(b, "#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0\n"
                   "#error \"the float boundary needs FLT_EVAL_METHOD == 0 (SSE, not x87, on x86)\"\n"
                   "#endif\n\n");
        tb_printf(b, "static int32_t x[%lld];   /* InputQuant's output */\n", (long long)h->x.count);
        tb_printf(b, "static int32_t y[%lld];   /* %s */\n\n", (long long)h->y.count,
                  h->labels ? "the labels" : "OutputAffine's input");
        emit_map(b, "in_map", h->in_map, h->x.count, "input stream element s is x[in_map[s]]");
        if (h->out_map)
            emit_map(b, "out_map", h->out_map, h->y.count, "output stream element s is "
                     "y[out_map[s]]");
        tb_write(b, tb_str(&data), data.len);
        tb_write(b, tb_str(&code), code.len);
        const char *u = h->upper;
        tb_puts(b, "int rtl_input_stream(const float *in, int32_t *elems)\n{\n    int s, status;\n\n");
        tb_printf(b, "    status = input_quant(in, x);\n    if (status != %s_OK)\n        return status;\n", u);
        tb_puts(b, "    for (s = 0; s < RTL_IN_ELEMS; ++s)\n        elems[s] = x[in_map[s]];\n"
                   "    return 0;\n}\n\n");
        tb_puts(b, "int rtl_int_input_stream(const int32_t *in, int32_t *elems)\n{\n    int s, status;\n\n");
        tb_printf(b, "    status = load_int_input(in, x);\n    if (status != %s_OK)\n        return status;\n", u);
        tb_puts(b, "    for (s = 0; s < RTL_IN_ELEMS; ++s)\n        elems[s] = x[in_map[s]];\n"
                   "    return 0;\n}\n\n");
        if (h->labels) {
            tb_puts(b, "void rtl_output_frame(const int32_t *elems, float *out)\n{\n    int s;\n\n"
                       "    for (s = 0; s < RTL_OUT_ELEMS; ++s)\n        out[s] = (float)elems[s];\n}\n\n");
            tb_puts(b, "void rtl_output_int(const int32_t *elems, int32_t *out)\n{\n    int s;\n\n"
                       "    for (s = 0; s < RTL_OUT_ELEMS; ++s)\n        out[s] = elems[s];\n}\n\n");
        } else {
            tb_puts(b, "void rtl_output_frame(const int32_t *elems, float *out)\n{\n    int s;\n\n"
                       "    for (s = 0; s < RTL_OUT_ELEMS; ++s)\n        y[out_map[s]] = elems[s];\n"
                       "    output_affine(y, out);\n}\n\n");
            tb_puts(b, "void rtl_output_int(const int32_t *elems, int32_t *out)\n{\n    int s;\n\n"
                       "    for (s = 0; s < RTL_OUT_ELEMS; ++s)\n        y[out_map[s]] = elems[s];\n"
                       "    store_int_output(y, out);\n}\n\n");
        }
        tb_printf(b, "int %s_quantize_input(const float *in, int32_t *out)\n{\n    int s, status;\n\n",
                  h->name);
        tb_printf(b, "    status = input_quant(in, x);\n    if (status != %s_OK)\n        return status;\n", u);
        if (h->x.channels_last && h->x.c > 1 && h->x.s > 1)
            tb_printf(b, "    for (s = 0; s < %lld; ++s)\n        out[(s %% %lld) * %lld + s / %lld] = x[s];\n",
                      (long long)h->x.count, (long long)h->x.c, (long long)h->x.s,
                      (long long)h->x.c);
        else
            tb_printf(b, "    for (s = 0; s < %lld; ++s)\n        out[s] = x[s];\n", (long long)h->x.count);
        tb_printf(b, "    return %s_OK;\n}\n", u);
        if (data.oom || code.oom)
            b->oom = true;
    }
    tb_free(&data);
    tb_free(&code);
    return ok;
}

static void emit_npy_io(const Host *h, TextBuf *b)
{
    const char *u = h->upper;
    tb_printf(b, "/* npy_io.c: the ref target's .npy reader and writer (its main.c, included\n"
              " * with its main renamed) for the rtl simulation of %s. */\n", h->name);
    tb_puts(b, "#define main rtlsim_ref_main\n#include \"ref_main.c.inc\"\n#undef main\n\n"
               "#include \"host.h\"\n\n");
    tb_puts(b, "int rtlsim_read_frames(const char *path, float **data, long *frames)\n{\n"
               "    Array in;\n    int i, fits;\n\n    if (!read_npy(path, &in))\n        return 0;\n"
               "    fits = in.rank == IN_RANK + 1;\n    for (i = 0; fits && i < IN_RANK; ++i)\n"
               "        fits = in.shape[i + 1] == in_dims[i];\n    if (!fits) {\n"
               "        free(in.data);\n");
    tb_printf(b, "        return fail(path, \"shape does not fit the model's input\");\n    }\n"
              "    *data = in.data;\n    *frames = in.shape[0];\n    return 1;\n}\n\n");
    tb_puts(b, "int rtlsim_write_frames(const char *path, const void *data, long frames, int as_int)\n{\n");
    tb_printf(b, "    long per = as_int ? %s_INT_OUTPUT_SIZE : %s_OUTPUT_SIZE;\n\n", u, u);
    tb_puts(b, "    return as_int ? write_npy(path, \"<i4\", frames, int_dims, INT_RANK, data, frames * per)\n"
               "                  : write_npy(path, \"<f4\", frames, out_dims, OUT_RANK, data, frames * per);\n}\n");
}

/* ---- rtlsim_design.h --------------------------------------------------------- */

static const char *sig_type(int bits)
{
    return bits <= 8 ? "CData" : bits <= 16 ? "SData" : bits <= 32 ? "IData" : bits <= 64 ? "QData" : NULL;
}

static void emit_design_h(const Host *h, TextBuf *b)
{
    const Dataflow *df = h->df;
    const Layer *first = &df->layers[0], *last = &df->layers[df->n_layers - 1];
    const char *n = h->name;
    char inst[80], s[16], prev[80];
    int n_fifos = 0;
    for (int k = 0; k < df->n_layers; k++)
        n_fifos += df->layers[k].kind == LAYER_FIFO;
    tb_printf(b, "// rtlsim_design.h: %s_top as the harness (rtlsim_main.cpp) sees it,\n"
              "// generated by qonnxc.\n", n);
    tb_printf(b, "#include \"V%s_top.h\"\n#include \"V%s_top___024root.h\"\n\n", n, n);
    tb_printf(b, "typedef V%s_top Top;\n#define RTLSIM_NAME \"%s\"\n", n, n);
    tb_printf(b, "#define RTLSIM_RUN %s_run\n#define RTLSIM_RUN_INT %s_run_int\n\n", n, n);
    tb_printf(b, "enum {\n    IN_BEATS = %lld, IN_PER_BEAT = %d, IN_ELEM_BITS = %d, IN_WORDS = %d,\n",
              (long long)first->in.beats, first->in.elems_per_beat, first->in.dt.bits,
              (first->in.bits + 31) / 32);
    tb_printf(b, "    OUT_BEATS = %lld, OUT_PER_BEAT = %d, OUT_ELEM_BITS = %d, OUT_WORDS = %d,\n",
              (long long)last->out.beats, last->out.elems_per_beat, last->out.dt.bits,
              (last->out.bits + 31) / 32);
    tb_printf(b, "    OUT_SIGNED = %d, OUT_BIPOLAR = %d,\n",
              last->out.dt.kind == QC_INT || last->out.dt.kind == QC_TERNARY,
              last->out.dt.kind == QC_BIPOLAR);
    tb_printf(b, "    N_STREAMS = %d, N_FIFOS = %d\n};\n", df->n_layers + 1, n_fifos);
    tb_printf(b, "static const long long EST_CYCLES = %lld, EST_LATENCY = %lld;\n\n",
              (long long)df->bottleneck_cycles, (long long)df->latency_cycles);
    tb_puts(b, "static const char *const stream_names[N_STREAMS] = {\n");
    snprintf(prev, sizeof prev, "the input");
    for (int k = 0; k <= df->n_layers; k++) {
        rtl_stream_name(df, k, s, sizeof s);
        if (k < df->n_layers)
            rtl_instance_name(df, k, inst, sizeof inst);
        else
            snprintf(inst, sizeof inst, "the output");
        tb_printf(b, "    \"%s: %s -> %s\",\n", s, prev, inst);
        snprintf(prev, sizeof prev, "%s", inst);
    }
    tb_puts(b, "};\n\n");
    tb_puts(b, "static inline void stream_state(const Top *t, int k, int *valid, int *ready)\n{\n"
               "    switch (k) {\n");
    for (int k = 0; k <= df->n_layers; k++) {
        rtl_stream_name(df, k, s, sizeof s);
        if (k == 0 || k == df->n_layers)
            tb_printf(b, "    case %d: *valid = t->%s_tvalid; *ready = t->%s_tready; break;\n", k, s, s);
        else
            tb_printf(b, "    case %d: *valid = t->rootp->%s_top__DOT__%s_tvalid; "
                      "*ready = t->rootp->%s_top__DOT__%s_tready; break;\n", k, n, s, n, s);
    }
    tb_puts(b, "    default: *valid = *ready = 0;\n    }\n}\n\n");
    tb_printf(b, "static const char *const fifo_names[%d] = {", n_fifos ? n_fifos : 1);
    for (int k = 0, f = 0; k < df->n_layers; k++)
        if (df->layers[k].kind == LAYER_FIFO) {
            rtl_instance_name(df, k, inst, sizeof inst);
            tb_printf(b, "%s\n    \"%s\"", f++ ? "," : "", inst);
        }
    tb_printf(b, "%s};\nstatic const long fifo_depths[%d] = {", n_fifos ? "\n" : " \"\" ",
              n_fifos ? n_fifos : 1);
    for (int k = 0, f = 0; k < df->n_layers; k++)
        if (df->layers[k].kind == LAYER_FIFO)
            tb_printf(b, "%s %lld", f++ ? "," : "", (long long)df->layers[k].depth);
    tb_printf(b, "%s };\n\n", n_fifos ? "" : " 0");
    tb_puts(b, "static inline unsigned fifo_occupancy(const Top *t, int f)\n{\n    switch (f) {\n");
    for (int k = 0, f = 0; k < df->n_layers; k++)
        if (df->layers[k].kind == LAYER_FIFO) {
            rtl_instance_name(df, k, inst, sizeof inst);
            tb_printf(b, "    case %d: return t->rootp->%s_top__DOT__%s_occupancy;\n", f++, n, inst);
        }
    tb_puts(b, "    default: (void)t; return 0;\n    }\n}\n\n");
    /* beats <-> signals */
    tb_puts(b, "static inline void put_input(Top *t, const uint32_t *w)\n{\n");
    if (sig_type(first->in.bits))
        tb_printf(b, "    t->s_axis_tdata = (%s)((uint64_t)w[0]%s);\n", sig_type(first->in.bits),
                  first->in.bits > 32 ? " | (uint64_t)w[1] << 32" : "");
    else
        tb_puts(b, "    for (int k = 0; k < IN_WORDS; k++)\n        t->s_axis_tdata[k] = w[k];\n");
    tb_puts(b, "}\n\nstatic inline void get_output(const Top *t, uint32_t *w)\n{\n");
    if (sig_type(last->out.bits)) {
        tb_puts(b, "    w[0] = (uint32_t)t->m_axis_tdata;\n");
        if (last->out.bits > 32)
            tb_puts(b, "    w[1] = (uint32_t)((uint64_t)t->m_axis_tdata >> 32);\n");
    } else {
        tb_puts(b, "    for (int k = 0; k < OUT_WORDS; k++)\n        w[k] = t->m_axis_tdata[k];\n");
    }
    tb_puts(b, "}\n");
}

static void host_free(Host *h)
{
    free(h->in_map);
    free(h->out_map);
}

bool rtl_emit_host(const Dataflow *df, const char *model_path, const char *name, OutTree *out,
                   Diag *d)
{
    if (!df->g)
        return diag_error(d, model_path, NULL, NULL, "rtl target: the dataflow graph has no "
                          "integer graph for the host side");
    Host h;
    memset(&h, 0, sizeof h);
    h.df = df;
    h.name = name;
    snprintf(h.upper, sizeof h.upper, "%s", name);
    for (char *c = h.upper; *c; c++)
        if (*c >= 'a' && *c <= 'z')
            *c = (char)(*c - 'a' + 'A');
    RefPlan rp;
    memset(&rp, 0, sizeof rp);
    bool ok = ref_plan(&rp, (Graph *)df->g, name, model_path, d) && host_io(&h, &rp, d);
    if (ok) {
        static const char *const reserved[] = { "x", "y", "in_map", "out_map", "rtl_input_stream",
                                                "rtl_int_input_stream", "rtl_output_frame",
                                                "rtl_output_int" };
        char tmp[64];
        for (size_t k = 0; k < sizeof reserved / sizeof reserved[0]; k++)
            ref_unique_name(&rp, reserved[k], tmp);
        rp.x = &h.x;
        rp.y = &h.y;
        if (h.labels)
            rp.graph_out = &h.labels_tensor;
    }
    struct {
        const char *path;
        int which;
    } files[] = { { "rtl/host.c", 0 }, { "rtl/host.h", 1 }, { "rtl/model.h", 2 },
                  { "rtl/ref_main.c.inc", 3 }, { "rtl/npy_io.c", 4 }, { "rtl/rtlsim_design.h", 5 } };
    for (size_t k = 0; ok && k < sizeof files / sizeof files[0]; k++) {
        TextBuf *b = outtree_add(out, files[k].path);
        if (!b) {
            ok = diag_error(d, model_path, NULL, NULL, "out of memory");
            break;
        }
        switch (files[k].which) {
        case 0: ok = emit_host_c(&h, &rp, b, d); break;
        case 1: emit_host_h(&h, &rp, b); break;
        case 2: emit_model_h(&h, &rp, b); break;
        case 3: ref_emit_main(&rp, b); break;
        case 4: emit_npy_io(&h, b); break;
        case 5: emit_design_h(&h, b); break;
        }
    }
    host_free(&h);
    ref_plan_free(&rp);
    return ok;
}
