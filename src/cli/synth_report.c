/* The synthesis report (synth_report.h): yosys's counts per layer beside
 * the estimates, as a text table and as JSON. */
#include "synth_report.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit_rtl.h"
#include "json_doc.h"

bool synth_report_build(const Dataflow *df, const SynthStat *stat, const SynthInstances *ins,
                        const char *stat_path, SynthReport *r, Diag *d)
{
    memset(r, 0, sizeof *r);
    if (!synth_module_count(stat, stat->top, &r->total))
        return diag_error(d, stat_path, NULL, NULL, "the hierarchy under %s is broken",
                          stat->top);
    if (stat->has_total) {
        /* the design hierarchy section sums the design itself: the two
         * must agree, or the report was misread */
        SynthCount whole;
        synth_cells_count(&stat->total, &whole);
        if (!synth_count_equal(&whole, &r->total)) {
            diag_error(d, stat_path, NULL, NULL, "the modules under %s do not add up to the "
                       "design total (%lld vs %lld LUTs)", stat->top, r->total.lut, whole.lut);
            diag_set_exit(d, EXIT_INTERNAL);
            return false;
        }
    }
    r->n_layers = df->n_layers;
    r->layers = calloc((size_t)(df->n_layers ? df->n_layers : 1), sizeof *r->layers);
    if (!r->layers)
        return diag_error(d, stat_path, NULL, NULL, "out of memory");
    r->top_level = r->total;
    for (int k = 0; k < df->n_layers; k++) {
        SynthLayer *l = &r->layers[k];
        rtl_instance_name(df, k, l->instance, sizeof l->instance);
        l->module = synth_instance_module(ins, l->instance);
        if (!l->module || !synth_module_count(stat, l->module, &l->count)) {
            l->module = NULL;
            r->missing++;
            continue;
        }
        synth_count_add(&r->top_level, &l->count, -1);
    }
    return true;
}

void synth_report_free(SynthReport *r)
{
    free(r->layers);
    memset(r, 0, sizeof *r);
}

/* ---- the table ------------------------------------------------------------------ */

static void table_counts(TextBuf *b, const SynthCount *c)
{
    tb_printf(b, " %7lld %6lld %7lld %6lld %5lld", c->lut, c->lutram, c->ff, synth_bram18(c),
              c->dsp);
}

void synth_table(const Dataflow *df, const SynthReport *r, const SynthRun *run, TextBuf *b)
{
    tb_printf(b, "\nsynthesis: %s, synth_xilinx -family xc7, %.1f s (%s)\n",
              run->version[0] ? run->version : "yosys", run->seconds, run->stat);
    tb_printf(b, "%3s  %-32s %-11s %7s %6s %7s %6s %5s  |  %7s %6s %5s\n", "#", "layer", "kind",
              "LUT", "LUTRAM", "FF", "BRAM18", "DSP", "est.LUT", "BRAM18", "DSP");
    for (int k = 0; k < df->n_layers; k++) {
        const Layer *l = &df->layers[k];
        char name[40];
        size_t len = strlen(l->name);
        if (len > 32)
            snprintf(name, sizeof name, "...%s", l->name + len - 29);
        else
            snprintf(name, sizeof name, "%s", l->name);
        tb_printf(b, "%3d  %-32s %-11s", k, name, layer_kind_name(l->kind));
        if (r->layers[k].module)
            table_counts(b, &r->layers[k].count);
        else
            tb_printf(b, " %7s %6s %7s %6s %5s", "-", "-", "-", "-", "-");
        tb_printf(b, "  |  %7lld %6lld %5lld\n", (long long)l->luts, (long long)l->bram18,
                  (long long)l->dsp);
    }
    tb_printf(b, "%3s  %-32s %-11s", "", "(top level: I/O, glue)", "");
    table_counts(b, &r->top_level);
    tb_puts(b, "\n");
    tb_printf(b, "%3s  %-32s %-11s", "", "total", "");
    table_counts(b, &r->total);
    tb_printf(b, "  |  %7lld %6lld %5lld\n", (long long)df->total_luts, (long long)df->total_bram18,
              (long long)df->total_dsp);
    tb_printf(b, "LUT: LUT1..LUT6 as logic; LUTRAM: LUTs used as memory (RAM32M = 4); "
              "BRAM18: RAMB18E1 + 2 x RAMB36E1 (here %lld + 2 x %lld)\n", r->total.ramb18,
              r->total.ramb36);
    if (r->missing)
        tb_printf(b, "%d layer%s not in %s (\"-\"; counted in the top level): was the rtl "
                  "built from another model or config?\n", r->missing,
                  r->missing == 1 ? " is" : "s are", run->cells);
}

/* ---- JSON ------------------------------------------------------------------------ */

static void json_counts(JsonDoc *doc, cJSON *o, const SynthCount *c)
{
    jd_int(doc, o, "lut", c->lut);
    jd_int(doc, o, "lutram", c->lutram);
    jd_int(doc, o, "ff", c->ff);
    jd_int(doc, o, "ramb18", c->ramb18);
    jd_int(doc, o, "ramb36", c->ramb36);
    jd_int(doc, o, "bram18", synth_bram18(c));
    jd_int(doc, o, "dsp", c->dsp);
}

static void json_estimate(JsonDoc *doc, cJSON *parent, long long luts, long long bram18,
                          long long dsp)
{
    cJSON *o = jd_object(doc, parent, "estimate");
    jd_int(doc, o, "luts", luts);
    jd_int(doc, o, "bram18", bram18);
    jd_int(doc, o, "dsp", dsp);
}

void synth_json(const Dataflow *df, const SynthReport *r, const SynthRun *run, TextBuf *b)
{
    JsonDoc doc;
    json_doc_init(&doc);
    cJSON *root = doc.root;
    jd_string(&doc, root, "tool", run->version);
    jd_string(&doc, root, "command", "synth_xilinx -family xc7");
    jd_string(&doc, root, "stat", run->stat);
    jd_number_as(&doc, root, "seconds", "%.1f", run->seconds);
    jd_string(&doc, root, "bram18", "RAMB18E1 + 2 * RAMB36E1");
    jd_string(&doc, root, "lutram", "LUTs used as memory: RAM32M and RAM64M 4 each, RAM32X1D 2, "
              "SRL16E 1, ...");
    cJSON *layers = jd_array(&doc, root, "layers");
    for (int k = 0; k < df->n_layers; k++) {
        const Layer *l = &df->layers[k];
        const SynthLayer *s = &r->layers[k];
        cJSON *o = jd_object(&doc, layers, NULL);
        jd_int(&doc, o, "index", k);
        jd_string(&doc, o, "name", l->name);
        jd_string(&doc, o, "kind", layer_kind_name(l->kind));
        jd_string(&doc, o, "instance", s->instance);
        jd_string(&doc, o, "module", s->module);
        if (s->module)
            json_counts(&doc, o, &s->count);
        json_estimate(&doc, o, l->luts, l->bram18, l->dsp);
    }
    json_counts(&doc, jd_object(&doc, root, "top_level"), &r->top_level);
    cJSON *total = jd_object(&doc, root, "total");
    json_counts(&doc, total, &r->total);
    json_estimate(&doc, total, df->total_luts, df->total_bram18, df->total_dsp);
    jd_int(&doc, root, "layers_not_found", r->missing);
    json_doc_finish(&doc, b);
}

bool write_synth_json(const Dataflow *df, const SynthReport *r, const SynthRun *run,
                      const char *dir, Diag *d)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/synth.json", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    TextBuf b;
    tb_init(&b);
    synth_json(df, r, run, &b);
    FILE *f = b.oom ? NULL : fopen(tmp, "wb");
    bool ok = f && fwrite(tb_str(&b), 1, b.len, f) == b.len;
    ok = f && fclose(f) == 0 && ok && rename(tmp, path) == 0;
    tb_free(&b);
    if (!ok) {
        diag_error(d, path, NULL, NULL, "cannot write: %s", strerror(errno));
        diag_set_exit(d, EXIT_USAGE);
        remove(tmp);
    }
    return ok;
}
