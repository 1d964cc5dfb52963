#include "targets.h"

#include <fnmatch.h>
#include <stdio.h>
#include <string.h>

#include "emit_hls.h"
#include "emit_ice40.h"
#include "emit_mcu.h"
#include "emit_ref.h"
#include "emit_rtl.h"

static bool emit_ref_target(const TargetInput *in, OutTree *out, Diag *d)
{
    return emit_ref(in->g, in->model, in->name, out, d);
}

static bool emit_hls_target(const TargetInput *in, OutTree *out, Diag *d)
{
    return emit_hls(in->df, in->model, in->name, out, d);
}

static bool emit_rtl_target(const TargetInput *in, OutTree *out, Diag *d)
{
    return emit_rtl(in->df, in->model, in->name, out, d);
}

static bool emit_mcu_target(const TargetInput *in, OutTree *out, Diag *d)
{
    return emit_mcu(in->g, in->model, in->name, out, d);
}

static bool emit_npu_target(const TargetInput *in, OutTree *out, Diag *d)
{
    return emit_npu(in->g, in->model, in->name, out, in->notes, d);
}

static bool emit_ice40_target(const TargetInput *in, OutTree *out, Diag *d)
{
    BuildConfig defaults;
    config_defaults(&defaults);
    const BuildConfig *cfg = in->cfg ? in->cfg : &defaults;
    char fit[512];
    bool ok = emit_ice40(in->df, cfg, in->model, in->name, out, fit, sizeof fit, d);
    if (ok && fit[0] && in->notes)
        tb_printf(in->notes, "ice40: the estimate does not fit the %s: %s; make stops before "
                  "synthesis (ice40/fit.txt)\n", cfg->device ? cfg->device : "up5k", fit);
    return ok;
}

/* The order is the order build emits and verify reports them. */
const Target targets[] = {
    { "ref", false, emit_ref_target, NULL, "", "", false, "%" },
    { "hls", true, emit_hls_target, NULL, "_csim", "", false, "%_csim" },
    { "rtl", true, emit_rtl_target, "sim", "_rtlsim", "", true, "obj_dir synth %_rtlsim *.vcd" },
    { "mcu", false, emit_mcu_target, NULL, "", " for the host; mcu/size_report.json", false, "%" },
    { "npu", false, emit_npu_target, NULL, "", "; npu/layers.json", false, "%" },
    { "ice40", true, emit_ice40_target, "gatesim", "_gatesim",
      " (the netlist); make alone: the bitstream and report.json", false,
      "gatesim_obj runner_obj %_gatesim %_gatesim.v %_serial %.json %.asc %.bin layers.txt ice40_report "
      "report.json report.json.tmp nextpnr_report.json *.log" },
};
const int n_targets = (int)(sizeof targets / sizeof targets[0]);

_Static_assert(sizeof targets / sizeof targets[0] <= 32, "a TargetSet has 32 bits");

bool target_made_by_make(const Target *t, const char *model_name, const char *rel)
{
    for (const char *p = t->make_products; *p;) {
        size_t len = strcspn(p, " ");
        char pattern[256];
        size_t used = 0;
        for (size_t k = 0; k < len && used + 1 < sizeof pattern; k++)
            used += (size_t)snprintf(pattern + used, sizeof pattern - used, "%s",
                                     p[k] == '%' ? model_name : (char[]){ p[k], 0 });
        /* the product itself, or anything inside a folder it is */
        size_t plen = strlen(pattern);
        if (fnmatch(pattern, rel, 0) == 0 || (!strncmp(rel, pattern, plen) && rel[plen] == '/'))
            return true;
        p += len;
        p += strspn(p, " ");
    }
    return false;
}

int target_find(const char *name, size_t len)
{
    for (int k = 0; k < n_targets; k++)
        if (strlen(targets[k].name) == len && !strncmp(name, targets[k].name, len))
            return k;
    return -1;
}

void target_names(char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; k < n_targets && used < size; k++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", k ? ", " : "", targets[k].name);
}

bool target_set_parse(const char *list, bool allow_none, TargetSet *set, char *err,
                      size_t err_size)
{
    *set = 0;
    if (allow_none && !strcmp(list, "none"))
        return true;
    for (const char *p = list;;) {
        size_t len = strcspn(p, ",");
        int k = target_find(p, len);
        if (len == 3 && !strncmp(p, "all", 3))
            *set |= (TargetSet)((1ull << n_targets) - 1);
        else if (k >= 0)
            *set |= (TargetSet)1 << k;
        else {
            char names[128];
            target_names(names, sizeof names);
            snprintf(err, err_size, "unknown target '%.*s' in '%s' (targets: %s, as a "
                     "comma-separated list; all%s)", (int)len, p, list, names,
                     allow_none ? "; none" : "");
            return false;
        }
        if (!p[len])
            return true;
        p += len + 1;
    }
}
