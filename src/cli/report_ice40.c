/* The ice40 report beside the estimates (report_ice40.h). */
#include "report_ice40.h"

#include <stdio.h>
#include <string.h>

#include "emit_rtl.h"
#include "ice40_device.h"
#include "json_doc.h"

static bool readable(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f)
        fclose(f);
    return f != NULL;
}

static double number(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsNumber(v) ? v->valuedouble : -1;
}

/* The measured cells of the layer called `inst`, or -1s. */
static void measured(const cJSON *layers, const char *inst, long long *lut4, long long *ebr)
{
    const cJSON *l;
    *lut4 = *ebr = -1;
    cJSON_ArrayForEach(l, layers) {
        const cJSON *name = cJSON_GetObjectItemCaseSensitive(l, "name");
        if (cJSON_IsString(name) && !strcmp(name->valuestring, inst)) {
            *lut4 = (long long)number(l, "lut4");
            *ebr = (long long)number(l, "ebr");
        }
    }
}

bool ice40_report_table(const Dataflow *df, const char *dir, TextBuf *out, Diag *d)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/ice40/report.json", dir);
    if (!readable(path))
        return true;
    cJSON *root = json_read_file(path, d);
    if (!root)
        return false;
    const char *device = json_get_string(root, NULL, "device", path, d);
    const char *package = device ? json_get_string(root, NULL, "package", path, d) : NULL;
    const cJSON *layers = package ? json_get_array(root, NULL, "layers", path, d) : NULL;
    if (!layers) {
        cJSON_Delete(root);
        return false;
    }
    Ice40Estimate e = ice40_estimate(df);
    tb_printf(out, "\nice40 (%s, %s), %s: after yosys and nextpnr beside the estimate\n", device,
              package, path);
    tb_printf(out, "  clock asked %g MHz, fmax %.2f MHz (%s)\n", number(root, "clock_mhz"),
              number(root, "fmax_mhz"),
              cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(root, "timing_met")) ? "met"
                                                                                : "NOT met");
    tb_printf(out, "  logic cells %.0f of %.0f; LUT4 %.0f (estimate %lld); EBR %.0f of %.0f "
              "(estimate %lld); SPRAM %.0f; DSP %.0f\n", number(root, "logic_cells"),
              number(root, "logic_cells_available"), number(root, "lut4"), (long long)e.lut4,
              number(root, "ebr"), number(root, "ebr_available"), (long long)e.ebr,
              number(root, "spram"), number(root, "dsp"));
    tb_printf(out, "  %-32s %8s %8s %6s %6s\n", "layer", "LUT4", "est", "EBR", "est");
    for (int k = 0; k < df->n_layers; k++) {
        char inst[96];
        long long lut4, ebr;
        rtl_instance_name(df, k, inst, sizeof inst);
        measured(layers, inst, &lut4, &ebr);
        Ice40LayerEstimate le = ice40_estimate_layer(&df->layers[k]);
        tb_printf(out, "  %-32s %8lld %8lld %6lld %6lld\n", inst, lut4, (long long)le.lut4, ebr,
                  (long long)le.ebr);
    }
    cJSON_Delete(root);
    return true;
}
