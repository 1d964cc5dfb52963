/* The `mcu` target driver (and the shared generator the `npu` target runs):
 * the ref plan, the activation arena, the layers, then the files:
 *
 *   model.h            the same API as the ref target's model.h, plus the
 *                      arena size and the flash bytes of the constants
 *   model.c            constants (const: flash), ONE static arena, layer
 *                      functions, the float boundary, the entry points
 *   qc_*.{c,h}         the quant core files the model uses, verbatim
 *   main.c, Makefile   the ref target's, unchanged (host build, .npy I/O)
 *   size_report.json   flash bytes of weights and thresholds, arena bytes,
 *                      MACs per layer
 *
 * Between the input quantizer and the output affine the code is integer
 * only and calls nothing but the quant core and memcpy/memset. */
#include "emit_mcu.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit_mcu_internal.h"
#include "json_doc.h"
#include "emit_names.h"
#include "quant_sources.h"

/* ---- sizes of emitted constants ------------------------------------------ */

typedef struct ConstBytes {
    int64_t weights, thresholds, other;
} ConstBytes;

static int64_t ctype_bytes(const char *s, size_t n)
{
    static const struct { const char *name; int bytes; } types[] = {
        { "uint64_t", 8 }, { "int64_t", 8 }, { "double", 8 }, { "int32_t", 4 }, { "uint32_t", 4 },
        { "float", 4 },    { "int", 4 },     { "int16_t", 2 }, { "uint16_t", 2 }, { "int8_t", 1 },
        { "uint8_t", 1 },  { "char", 1 },
    };
    for (size_t k = 0; k < sizeof types / sizeof types[0]; k++)
        if (strlen(types[k].name) == n && !strncmp(s, types[k].name, n))
            return types[k].bytes;
    return 0;
}

/* Sums the arrays "static [const] TYPE NAME[a][b]" declared in text:
 * consts by kind (from the name), non-consts into *ram. */
static void scan_arrays(const char *text, ConstBytes *cb, int64_t *ram)
{
    for (const char *s = strstr(text, "static "); s; s = strstr(s + 1, "static ")) {
        const char *q = s + 7;
        bool is_const = !strncmp(q, "const ", 6);
        if (is_const)
            q += 6;
        size_t tl = strcspn(q, " ");
        int64_t bytes = ctype_bytes(q, tl);
        if (!bytes)
            continue;
        q += tl + 1;
        size_t nl = strcspn(q, "[( ;");
        const char *name = q;
        q += nl;
        if (*q != '[')
            continue;
        while (*q == '[') {
            bytes *= strtoll(q + 1, NULL, 10);
            q = strchr(q, ']');
            if (!q)
                return;
            q++;
        }
        char nm[128];
        snprintf(nm, sizeof nm, "%.*s", (int)(nl < 127 ? nl : 127), name);
        if (!is_const)
            *ram += bytes;
        else if (strstr(nm, "_weights"))
            cb->weights += bytes;
        else if (strstr(nm, "thresholds") || strstr(nm, "_bnorm_"))
            cb->thresholds += bytes;
        else
            cb->other += bytes;
    }
}

/* ---- model.c ------------------------------------------------------------- */

static const char *fmt_ctype(RefFormat f)
{
    return ref_ctype(f);
}

/* "(int8_t *)arena_at(123)" style pointer into the arena. */
static const char *arena_ptr(const McuArena *a, const RefTensor *t, bool is_const, char *buf,
                             size_t size)
{
    const McuSlot *s = mcu_arena_slot(a, t);
    snprintf(buf, size, "(%s%s *)(arena_bytes + %lld)", is_const ? "const " : "",
             fmt_ctype(s ? s->t->fmt : t->fmt), (long long)(s ? s->offset : 0));
    return buf;
}

typedef struct Gen {
    RefPlan p;
    McuArena arena;
    McuNpuLayer *npu;        /* NULL for mcu */
    McuLayerStats *stats;
    McuHeaders h;
    ConstBytes consts;
    int64_t other_ram;       /* function-local statics of the float boundary */
    const char *dir;
} Gen;

static void emit_forward(const Gen *m, TextBuf *b)
{
    char s1[128], s2[128], s3[128];
    const RefPlan *p = &m->p;
    tb_puts(b, "/* The integer layers, each reading and writing its tensors' places in the arena. */\n");
    tb_puts(b, "static void forward(void)\n{\n");
    for (int k = 0; k < p->n_layers; k++) {
        const RefLayer *l = &p->layers[k];
        if (l->kind == RL_ALIAS)
            tb_printf(b, "    /* %s: %s, same stored data */\n", l->node->name, l->node->op_type);
        else if (l->kind == RL_ADD)
            tb_printf(b, "    %s(%s,\n        %s,\n        %s);\n", l->fn,
                      arena_ptr(&m->arena, l->in[0], true, s1, sizeof s1),
                      arena_ptr(&m->arena, l->in[1], true, s2, sizeof s2),
                      arena_ptr(&m->arena, l->out, false, s3, sizeof s3));
        else
            tb_printf(b, "    %s(%s, %s);\n", l->fn,
                      arena_ptr(&m->arena, l->in[0], true, s1, sizeof s1),
                      arena_ptr(&m->arena, l->out, false, s2, sizeof s2));
    }
    tb_puts(b, "}\n\n");
}

/* The entry points of ref, on the arena: x as written by the input
 * quantizer, and x and y as read. */
static void emit_api(const Gen *m, TextBuf *b)
{
    char xs[128], ys[128], xc[128];
    arena_ptr(&m->arena, m->p.x, false, xs, sizeof xs);
    arena_ptr(&m->arena, m->p.x, true, xc, sizeof xc);
    arena_ptr(&m->arena, m->p.y, true, ys, sizeof ys);
    ref_emit_entry_points(&m->p, xs, xc, ys, b);
}

static int by_offset(const void *a, const void *b)
{
    const McuSlot *x = *(const McuSlot *const *)a, *y = *(const McuSlot *const *)b;
    if (x->offset != y->offset)
        return x->offset < y->offset ? -1 : 1;
    return x->def < y->def ? -1 : x->def > y->def;
}

static void emit_arena(const Gen *m, TextBuf *b)
{
    char s1[96], dn[16];
    tb_printf(b, "/* ---- the activation arena --------------------------------------------------\n"
              " *\n * %s_ARENA_BYTES bytes for every tensor, placed by lifetime (greedy by size,\n"
              " * src/emit_mcu_arena.c): tensors never alive at the same layer share bytes.\n"
              " * Layers: -1 is the input quantizer, %d the output affine.\n *\n",
              m->p.upper, m->p.n_layers);
    tb_printf(b, " *   %10s %10s  %-9s  %s\n", "offset", "bytes", "layers", "tensor");
    const McuSlot **order = malloc(((size_t)m->arena.n + 1) * sizeof *order);
    if (!order) {
        b->oom = true;
        return;
    }
    for (int i = 0; i < m->arena.n; i++)
        order[i] = &m->arena.slots[i];
    qsort(order, (size_t)m->arena.n, sizeof *order, by_offset);
    for (int i = 0; i < m->arena.n; i++) {
        const McuSlot *s = order[i];
        char span[32];
        snprintf(span, sizeof span, "%d..%d", s->def, s->last);
        tb_printf(b, " *   %10lld %10lld  %-9s  '%s' %s %s\n", (long long)s->offset,
                  (long long)s->bytes, span, s->t->t->name, ref_shape_str(s->t, s1, sizeof s1),
                  ref_dt_name(s->t->dt, dn));
    }
    free(order);
    tb_puts(b, " */\n");
    tb_printf(b, "static uint64_t arena[%lld];\n",
              (long long)(m->arena.bytes > 0 ? m->arena.bytes / 8 : 1));
    tb_puts(b, "#define arena_bytes ((unsigned char *)arena)\n\n");
}

static void emit_header_comment(const Gen *m, TextBuf *b)
{
    const RefPlan *p = &m->p;
    char s1[96], s2[96], d1[16], d2[16];
    const char *base = strrchr(p->model_path, '/');
    bool npu = m->npu != NULL;
    tb_printf(b, "/* model.c: %s executor of %s, generated by qonnxc from %s.\n", npu ? "NPU" : "MCU",
              p->name, base ? base + 1 : p->model_path);
    tb_puts(b, " *\n * C99 for Cortex-M class devices: no heap, no libc beyond <string.h> between\n"
               " * the input quantizer and the output affine, weights packed at their bit\n"
               " * width in const arrays (flash), all activations in one static arena.\n");
    bool npu_pool = false;
    for (int k = 0; npu && k < p->n_layers; k++)
        npu_pool = npu_pool || (p->layers[k].kind == RL_SUMPOOL && m->npu[k].on_npu);
    if (npu)
        tb_puts(b, " * Layers marked NPU requantize with the BNORM sequence (qc_bnorm_requant);\n"
                   " * the others run the CPU kernels of the mcu target.\n");
    if (npu_pool)
        tb_puts(b, " * An IntSumPool marked NPU is the NPU's AVGPOOL: its FLOOR shift is the\n"
                   " * BNORM sequence with bias 0 and scale 1, the same integers as its kernel.\n");
    tb_puts(b, " *\n");
    tb_printf(b, " *   %-28s %-28s float %s -> %s %s\n", "input_quant", "InputQuant",
              shape_str(&p->graph_in->shape, s1, sizeof s1), ref_shape_str(p->x, s2, sizeof s2),
              ref_dt_name(p->x->dt, d2));
    for (int k = 0; k < p->n_layers; k++) {
        const RefLayer *l = &p->layers[k];
        tb_printf(b, " *   %-28s %-28s %s %s -> %s %s%s\n", l->kind == RL_ALIAS ? "(none)" : l->fn,
                  l->node->op_type, ref_shape_str(l->in[0], s1, sizeof s1),
                  ref_dt_name(l->in[0]->dt, d1), ref_shape_str(l->out, s2, sizeof s2),
                  ref_dt_name(l->out->dt, d2),
                  npu && m->npu[k].on_npu ? " [NPU]" : npu && l->kind == RL_DOT ? " [CPU]" : "");
    }
    tb_printf(b, " *   %-28s %-28s %s %s -> float %s\n */\n", "output_affine", "OutputAffine",
              ref_shape_str(p->y, s1, sizeof s1), ref_dt_name(p->y->dt, d1),
              shape_str(&p->graph_out->shape, s2, sizeof s2));
}

static bool emit_model_c(Gen *m, TextBuf *b, Diag *d)
{
    RefPlan *p = &m->p;
    TextBuf data, layers, io;
    tb_init(&data);
    tb_init(&layers);
    tb_init(&io);
    bool ok = true;
    /* every layer, after a failed one too: the Diag collects each layer
     * the target cannot run (qonnxc info lists them all) */
    for (int k = 0; k < p->n_layers; k++) {
        RefLayer *l = &p->layers[k];
        TextBuf ld;
        tb_init(&ld);
        memset(&m->stats[k], 0, sizeof m->stats[k]);
        bool layer_ok;
        if (l->kind == RL_DOT)
            layer_ok = mcu_emit_dot(p, l, m->npu ? &m->npu[k] : NULL, &ld, &layers, &m->h,
                                    &m->stats[k], d);
        else
            layer_ok = ref_emit_layer(p, l, &ld, &layers, m->h.ref, d);
        ok = ok && layer_ok;
        if (layer_ok && l->kind != RL_DOT) {
            ConstBytes cb = { 0, 0, 0 };
            int64_t ram = 0;
            scan_arrays(tb_str(&ld), &cb, &ram);
            m->stats[k].threshold_bytes = cb.thresholds;
        }
        tb_write(&data, tb_str(&ld), ld.len);
        if (ld.oom)
            data.oom = true;
        tb_free(&ld);
    }
    ok = ok && ref_emit_io(p, &data, &io, m->h.ref, d);
    if (ok) {
        ref_emit_store_x(p, &io, m->h.ref);
        scan_arrays(tb_str(&data), &m->consts, &m->other_ram);
        scan_arrays(tb_str(&io), &m->consts, &m->other_ram);
        scan_arrays(tb_str(&layers), &m->consts, &m->other_ram);
        emit_header_comment(m, b);
        bool math = strstr(tb_str(&io), "floorf(") || strstr(tb_str(&io), "isnan(") ||
                    strstr(tb_str(&io), "ceilf(") || strstr(tb_str(&io), "truncf(");
        tb_puts(b, "#include <float.h>\n");
        if (math)
            tb_puts(b, "#include <math.h>   /* the float input quantizer only */\n");
        tb_puts(b, "#include <stdint.h>\n#include <string.h>\n\n#include \"model.h\"\n");
        for (int h = 0; h < QH_COUNT; h++)
            if (m->h.ref[h])
                tb_printf(b, "#include \"%s\"\n", ref_quant_header_names[h]);
        if (m->h.bnorm)
            tb_puts(b, "#include \"qc_bnorm_requant.h\"\n");
        if (m->h.xnor32)
            tb_puts(b, "#include \"qc_xnor.h\"\n");
        tb_puts(b, "\n/* The float boundary replays the golden executor's float32 operations: it\n"
                   " * needs float arithmetic in float (and double in double), no excess precision. */\n"
                   "#if !defined(FLT_EVAL_METHOD) || FLT_EVAL_METHOD != 0\n"
                   "#error \"this executor needs FLT_EVAL_METHOD == 0\"\n"
                   "#endif\n\n");
        tb_puts(b, "/* ---- weights, thresholds and constants (const: flash) --------------------- */\n\n");
        tb_write(b, tb_str(&data), data.len);
        emit_arena(m, b);
        ref_emit_layers_section(&layers, b);
        tb_puts(b, "/* ---- the float boundary and integer frames ------------------------------ */\n\n");
        tb_write(b, tb_str(&io), io.len);
        emit_forward(m, b);
        emit_api(m, b);
        if (data.oom || layers.oom || io.oom)
            b->oom = true;
    }
    tb_free(&data);
    tb_free(&layers);
    tb_free(&io);
    return ok;
}

static void emit_model_h(const Gen *m, TextBuf *b)
{
    const RefPlan *p = &m->p;
    const char *upper = p->upper;
    const char *base = strrchr(p->model_path, '/');
    tb_printf(b, "/* model.h: %s executor of %s, generated by qonnxc from %s.\n *\n",
              m->npu ? "NPU" : "MCU", p->name, base ? base + 1 : p->model_path);
    tb_puts(b, " * The API of the ref target. Frames are arrays in the graph's row-major (NCHW)\n"
               " * order. The functions share one static activation arena: call them from one\n"
               " * thread at a time. */\n");
    tb_printf(b, "#ifndef %s_MODEL_H\n#define %s_MODEL_H\n\n#include <stdint.h>\n\n", upper, upper);
    ref_emit_size_defines(p, b);
    tb_puts(b, "/* Memory (size_report.json has the details). */\n");
    tb_printf(b, "#define %s_ARENA_BYTES %lld         /* the static activation arena (RAM) */\n",
              upper, (long long)m->arena.bytes);
    tb_printf(b, "#define %s_WEIGHT_BYTES %lld        /* packed weights (const, flash) */\n", upper,
              (long long)m->consts.weights);
    tb_printf(b, "#define %s_THRESHOLD_BYTES %lld     /* thresholds / requantization (flash) */\n\n",
              upper, (long long)m->consts.thresholds);
    ref_emit_api_decls(p, b);
}

static void emit_size_report(const Gen *m, TextBuf *b)
{
    const RefPlan *p = &m->p;
    int64_t macs = 0, int8_weights = 0, packed_bound = 0, int8_acts = 0;
    char dn[16];
    for (int k = 0; k < p->n_layers; k++) {
        const McuLayerStats *s = &m->stats[k];
        macs += s->macs;
        if (s->dot) {
            const Value *w = p->layers[k].node->inputs[1]->value;
            int64_t count = w ? w->count : 0;
            int8_weights += count;
            packed_bound += (count * s->wdt.bits + 7) / 8;
        }
    }
    for (int i = 0; i < m->arena.n; i++)
        int8_acts += m->arena.slots[i].t->count * (m->arena.slots[i].t->fmt == REF_I32 ? 4 : 1);
    JsonDoc doc;
    json_doc_init(&doc);
    cJSON *root = doc.root;
    jd_string(&doc, root, "model", p->name);
    jd_string(&doc, root, "target", m->dir);
    cJSON *flash = jd_object(&doc, root, "flash");
    jd_int(&doc, flash, "weight_bytes", m->consts.weights);
    jd_int(&doc, flash, "threshold_bytes", m->consts.thresholds);
    jd_int(&doc, flash, "other_const_bytes", m->consts.other);
    jd_int(&doc, root, "arena_bytes", m->arena.bytes);
    jd_int(&doc, root, "arena_lower_bound_bytes", m->arena.lower_bound);
    jd_int(&doc, root, "arena_two_largest_alive_bytes", m->arena.two_largest);
    jd_int(&doc, root, "other_static_ram_bytes", m->other_ram);
    cJSON *int8 = jd_object(&doc, root, "int8_layout");
    jd_int(&doc, int8, "weight_bytes", int8_weights);
    jd_int(&doc, int8, "weight_bytes_at_bit_width", packed_bound);
    jd_int(&doc, int8, "activation_bytes", int8_acts);
    jd_int(&doc, root, "macs", macs);
    cJSON *layers = jd_array(&doc, root, "layers");
    for (int k = 0; k < p->n_layers; k++) {
        const RefLayer *l = &p->layers[k];
        const McuLayerStats *s = &m->stats[k];
        const McuSlot *slot = l->kind == RL_ALIAS ? NULL : mcu_arena_slot(&m->arena, l->out);
        char op[160];
        snprintf(op, sizeof op, "%s%s%s", l->node->op_type, l->thr ? "+MultiThreshold" : "",
                 l->pool ? "+IntMaxPool" : "");
        cJSON *o = jd_object(&doc, layers, NULL);
        jd_string(&doc, o, "name", l->node->name);
        jd_string(&doc, o, "op", op);
        jd_string(&doc, o, "function", l->kind == RL_ALIAS ? "" : l->fn);
        if (s->dot)
            jd_string(&doc, o, "weights", ref_dt_name(s->wdt, dn));
        jd_int(&doc, o, "weight_bytes", s->weight_bytes);
        jd_int(&doc, o, "threshold_bytes", s->threshold_bytes);
        jd_int(&doc, o, "macs", s->macs);
        if (slot) {
            jd_int(&doc, o, "output_offset", slot->offset);
            jd_int(&doc, o, "output_bytes", slot->bytes);
        }
        if (m->npu)
            jd_string(&doc, o, "unit", m->npu[k].on_npu ? "NPU" : "CPU");
    }
    json_doc_finish(&doc, b);
}

bool mcu_generate(const Graph *g, const char *model_path, const char *name, const char *dir,
                  McuAnalyse analyse, void *ctx, OutTree *out, Diag *d)
{
    Gen m;
    memset(&m, 0, sizeof m);
    m.dir = dir;
    char *safe_path = strdup(model_path ? model_path : "model.onnx");
    if (!safe_path)
        return diag_error(d, model_path, NULL, NULL, "out of memory");
    emit_comment_safe(safe_path);
    bool ok = ref_plan(&m.p, g, name, safe_path, dir, d);
    ok = ok && mcu_arena_plan(&m.p, &m.arena, d);
    if (ok) {
        m.stats = calloc((size_t)m.p.n_layers + 1, sizeof *m.stats);
        if (analyse)
            m.npu = calloc((size_t)m.p.n_layers + 1, sizeof *m.npu);
        if (!m.stats || (analyse && !m.npu))
            ok = diag_error(d, model_path, NULL, NULL, "out of memory");
    }
    if (ok && analyse)
        ok = analyse(&m.p, m.npu, ctx, d);
    char path[96];
    snprintf(path, sizeof path, "%s/model.c", dir);
    TextBuf *model_c = ok ? outtree_add(out, path) : NULL;
    ok = ok && model_c && emit_model_c(&m, model_c, d);
    snprintf(path, sizeof path, "%s/model.h", dir);
    TextBuf *model_h = ok ? outtree_add(out, path) : NULL;
    if (model_h)
        emit_model_h(&m, model_h);
    snprintf(path, sizeof path, "%s/main.c", dir);
    TextBuf *main_c = ok ? outtree_add(out, path) : NULL;
    if (main_c)
        ref_emit_main(&m.p, main_c);
    snprintf(path, sizeof path, "%s/size_report.json", dir);
    TextBuf *report = ok ? outtree_add(out, path) : NULL;
    if (report)
        emit_size_report(&m, report);
    /* the quant core files, and the sources the Makefile compiles */
    const char *wanted[QH_COUNT + 2];
    int n_wanted = 0;
    for (int h = 0; h < QH_COUNT; h++)
        if (m.h.ref[h])
            wanted[n_wanted++] = ref_quant_header_names[h];
    if (m.h.bnorm)
        wanted[n_wanted++] = "qc_bnorm_requant.h";
    if (m.h.xnor32)
        wanted[n_wanted++] = "qc_xnor.h";
    const QuantSource **files = calloc((size_t)quant_source_count + 1, sizeof *files);
    const char **c_files = calloc((size_t)quant_source_count + 3, sizeof *c_files);
    int n_files = ok && files ? quant_sources_needed(wanted, n_wanted, files) : -1;
    if (ok && n_files < 0)
        ok = diag_error(d, model_path, NULL, NULL, "internal error: quant core file missing");
    int n_c = 0;
    if (ok && c_files) {
        c_files[n_c++] = "main.c";
        c_files[n_c++] = "model.c";
    }
    for (int k = 0; ok && k < n_files; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, files[k]->name);
        ok = outtree_add_bytes(out, path, files[k]->text, files[k]->size);
        size_t len = strlen(files[k]->name);
        if (c_files && len > 2 && !strcmp(files[k]->name + len - 2, ".c"))
            c_files[n_c++] = files[k]->name;
    }
    snprintf(path, sizeof path, "%s/Makefile", dir);
    TextBuf *makefile = ok && c_files ? outtree_add(out, path) : NULL;
    if (makefile) {
        ref_emit_makefile(&m.p, c_files, n_c, makefile);
        tb_puts(makefile, "\n# The activation arena is one array that tensors of different C types\n"
                          "# reuse over time: type-based alias analysis must not reorder across it.\n"
                          "STRICT += -fno-strict-aliasing\n");
    }
    if (ok && (!model_h || !main_c || !makefile || !report || !files || !c_files))
        ok = diag_error(d, model_path, NULL, NULL, "out of memory");
    free(files);
    free(c_files);
    if (m.npu)
        for (int k = 0; k < m.p.n_layers; k++)
            free(m.npu[k].ch);
    free(m.npu);
    free(m.stats);
    mcu_arena_free(&m.arena);
    ref_plan_free(&m.p);
    free(safe_path);
    return ok;
}

bool emit_mcu(const Graph *g, const char *model_path, const char *name, OutTree *out, Diag *d)
{
    return mcu_generate(g, model_path, name, "mcu", NULL, NULL, out, d);
}
