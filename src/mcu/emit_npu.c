/* The `npu` target: per layer, the NPU's constraints (ir/npu_bnorm.h:
 * npu_layer_check) and the exact BNORM search (npu_bnorm_search, every
 * output channel); layers that pass run the BNORM sequence, the others
 * keep the mcu kernels. The code is the mcu target's generator
 * (emit_mcu.c: mcu_generate) with this analysis plugged in; the table goes
 * to npu/layers.json and, for the command line, into a text table. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit_mcu.h"
#include "emit_mcu_internal.h"
#include "json_doc.h"
#include "op_int_params.h"
#include "op_quant.h"

typedef struct Row {
    const char *name;       /* the node's, owned by the graph */
    char op[64], fn[64];
    bool on_npu, dot;
    char reason[256];
} Row;

typedef struct Table {
    Row *rows;
    int n;
} Table;

/* An IntSumPool (average pooling before a Trunc): on the NPU's AVGPOOL
 * when npu_layer_check finds it exact (global, 8-bit in and out, a FLOOR
 * Trunc: floor(sum / 2^shift) is the BNORM sequence with bias 0 and scale
 * 1) and every shifted sum fits the output, which the NPU would clip.
 * The emitted arithmetic is then the CPU kernel's, bit for bit. */
static bool analyse_sumpool(RefPlan *p, RefLayer *l, McuNpuLayer *u, Diag *d)
{
    OpCtx ctx = { p->g, d };
    SumPoolParams sp;
    if (!sum_pool_params(&ctx, l->node, &sp))
        return false;
    const RefTensor *x = l->in[0];
    if (!sp.shift) {
        snprintf(u->reason, sizeof u->reason, "an average pool without a Trunc (its quantizer "
                 "becomes thresholds on the sum): the NPU's AVGPOOL writes the average itself");
        return true;
    }
    NpuLayerDesc desc;
    memset(&desc, 0, sizeof desc);
    desc.op = NPU_LAYER_AVGPOOL;
    desc.in_dt = x->dt;
    desc.out_dt = l->out->dt;
    desc.rounding = qonnx_rounding_name(sp.rounding);
    int nsp = x->shape.rank - 2;
    desc.global_pool = nsp >= 1 && sp.win.nsp == nsp;
    desc.pool_area = 1;
    for (int k = 0; k < sp.win.nsp; k++) {
        desc.pool_area *= sp.win.kernel[k];
        desc.global_pool = desc.global_pool && sp.win.kernel[k] == x->shape.dims[2 + k] &&
                           sp.win.pad_begin[k] == 0 && sp.win.pad_end[k] == 0;
    }
    if (npu_layer_check(&desc, u->reason, sizeof u->reason))
        return true;
    /* the NPU clips its result to the output's 8 bits; the Trunc does not */
    int64_t lo = desc.pool_area * qc_dtype_min(x->dt), hi = desc.pool_area * qc_dtype_max(x->dt);
    int64_t div = (int64_t)1 << sp.shift;
    int64_t out_lo = lo >= 0 ? lo / div : -((-lo + div - 1) / div), out_hi = hi / div;
    if (out_lo < qc_dtype_min(desc.out_dt) || out_hi > qc_dtype_max(desc.out_dt)) {
        snprintf(u->reason, sizeof u->reason, "average pool whose shifted sums reach %lld..%lld, "
                 "past its 8-bit output: the NPU would clip them", (long long)out_lo,
                 (long long)out_hi);
        return true;
    }
    u->on_npu = true;
    return true;
}

static bool analyse_layer(RefPlan *p, RefLayer *l, McuNpuLayer *u, Diag *d)
{
    if (l->kind == RL_SUMPOOL)
        return analyse_sumpool(p, l, u, d);
    NpuLayerDesc desc;
    memset(&desc, 0, sizeof desc);
    desc.op = l->kind == RL_DOT ? NPU_LAYER_DOT : l->kind == RL_ADD ? NPU_LAYER_ADD
                                                                    : NPU_LAYER_OTHER;
    if (desc.op != NPU_LAYER_DOT) {
        npu_layer_check(&desc, u->reason, sizeof u->reason);
        return true;
    }
    desc.has_threshold = l->thr != NULL;
    desc.out_scale = 1;
    if (l->thr) {
        OpCtx ctx = { p->g, d };
        MultiThresholdParams mt;
        if (!multithreshold_params(&ctx, l->thr, &mt))
            return false;
        desc.out_scale = mt.out_scale;
    }
    desc.in_dt = l->in[0]->dt;
    desc.out_dt = l->out->dt;
    desc.first = l->in[0] == p->x;
    if (!mcu_dot_desc(p, l, &desc, d))
        return false;
    if (npu_layer_check(&desc, u->reason, sizeof u->reason))
        return true;
    /* exactness, channel by channel (the thresholds are read under a name
     * of their own, so the emitted arrays keep theirs) */
    int64_t lo, hi;
    RefThresholds th;
    if (!mcu_dot_acc_range(p, l, &lo, &hi, d) ||
        !ref_thresholds_read(p, l->thr, "npu_analysis", NULL, l->out, desc.out_c, lo, hi, &th,
                             d))
        return false;
    u->ch = calloc((size_t)desc.out_c, sizeof *u->ch);
    if (!u->ch) {
        free(th.t);
        return diag_error(d, p->g->path, NULL, NULL, "out of memory");
    }
    unsigned bias_bits = npu_bias_bits(desc.wdt.bits);
    int64_t *clo = malloc((size_t)desc.out_c * sizeof *clo), *chi = malloc((size_t)desc.out_c * sizeof *chi);
    bool ok = clo && chi;
    if (!ok) {
        free(clo);
        free(chi);
        free(th.t);
        return diag_error(d, p->g->path, NULL, NULL, "out of memory");
    }
    if (!mcu_dot_channel_ranges(p, l, clo, chi, d)) {
        free(clo);
        free(chi);
        free(th.t);
        return false;
    }
    for (int64_t c = 0; ok && c < desc.out_c; c++) {
        char why[200];
        const int32_t *t = th.t + (th.rows == 1 ? 0 : c) * th.levels;
        if (!npu_bnorm_search(t, (int)th.levels, th.bias, qc_dtype_min(desc.out_dt),
                              qc_dtype_max(desc.out_dt), clo[c], chi[c], bias_bits,
                              desc.wdt.bits == 8, &u->ch[c], why, sizeof why)) {
            snprintf(u->reason, sizeof u->reason, "channel %lld (accumulators %lld..%lld): %s",
                     (long long)c, (long long)clo[c], (long long)chi[c], why);
            ok = false;
        }
    }
    free(clo);
    free(chi);
    free(th.t);
    u->on_npu = ok;
    if (!ok) {
        free(u->ch);
        u->ch = NULL;
    }
    return true;
}

static bool analyse(RefPlan *p, McuNpuLayer *npu, void *ctx, Diag *d)
{
    Table *t = ctx;
    t->rows = calloc((size_t)p->n_layers + 1, sizeof *t->rows);
    if (!t->rows)
        return diag_error(d, p->g->path, NULL, NULL, "out of memory");
    /* every layer, after a failed one too: the Diag collects each layer
     * the target cannot run */
    bool ok = true;
    for (int k = 0; k < p->n_layers; k++) {
        RefLayer *l = &p->layers[k];
        if (!analyse_layer(p, l, &npu[k], d)) {
            ok = false;
            continue;
        }
        Row *r = &t->rows[t->n++];
        r->name = l->node->name;
        snprintf(r->op, sizeof r->op, "%s%s%s", l->node->op_type, l->thr ? "+MultiThreshold" : "",
                 l->pool ? "+IntMaxPool" : "");
        snprintf(r->fn, sizeof r->fn, "%s", l->kind == RL_ALIAS ? "" : l->fn);
        r->on_npu = npu[k].on_npu;
        r->dot = l->kind == RL_DOT;
        snprintf(r->reason, sizeof r->reason, "%s", npu[k].on_npu ? "" : npu[k].reason);
    }
    return ok;
}

static void emit_layers_json(const Table *t, const char *name, TextBuf *b)
{
    int on = 0;
    for (int k = 0; k < t->n; k++)
        on += t->rows[k].on_npu;
    JsonDoc doc;
    json_doc_init(&doc);
    jd_string(&doc, doc.root, "model", name);
    jd_int(&doc, doc.root, "layers_on_npu", on);
    jd_int(&doc, doc.root, "layers", t->n);
    cJSON *table = jd_array(&doc, doc.root, "table");
    for (int k = 0; k < t->n; k++) {
        const Row *r = &t->rows[k];
        cJSON *o = jd_object(&doc, table, NULL);
        jd_string(&doc, o, "name", r->name);
        jd_string(&doc, o, "op", r->op);
        jd_string(&doc, o, "unit", r->on_npu ? "NPU" : "CPU");
        jd_string(&doc, o, "reason", r->reason);
    }
    json_doc_finish(&doc, b);
}

bool emit_npu(const Graph *g, const char *model_path, const char *name, OutTree *out,
              TextBuf *table, Diag *d)
{
    Table t = { NULL, 0 };
    bool ok = mcu_generate(g, model_path, name, "npu", analyse, &t, out, d);
    TextBuf *json = ok ? outtree_add(out, "npu/layers.json") : NULL;
    if (ok && !json)
        ok = diag_error(d, model_path, NULL, NULL, "out of memory");
    if (ok)
        emit_layers_json(&t, name, json);
    if (ok && table) {
        int on = 0;
        for (int k = 0; k < t.n; k++)
            on += t.rows[k].on_npu;
        /* columns as wide as their longest entry */
        int name_w = (int)strlen("layer"), op_w = (int)strlen("op");
        for (int k = 0; k < t.n; k++) {
            int n = (int)strlen(t.rows[k].name), o = (int)strlen(t.rows[k].op);
            name_w = n > name_w ? n : name_w;
            op_w = o > op_w ? o : op_w;
        }
        tb_printf(table, "npu: %d of %d layers on the NPU\n", on, t.n);
        tb_printf(table, "  %-*s %-*s %-4s %s\n", name_w, "layer", op_w, "op", "unit", "reason");
        for (int k = 0; k < t.n; k++)
            tb_printf(table, "  %-*s %-*s %-4s %s\n", name_w, t.rows[k].name, op_w,
                      t.rows[k].op, t.rows[k].on_npu ? "NPU" : "CPU", t.rows[k].reason);
    }
    free(t.rows);
    return ok;
}
