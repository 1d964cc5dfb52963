#include "target_support.h"

#include <string.h>

#include "build_config.h"
#include "dataflow.h"
#include "emit_hls.h"
#include "emit_mcu.h"
#include "emit_ref.h"
#include "emit_rtl.h"
#include "emit_util.h"
#include "streamline.h"

enum { T_REF, T_HLS, T_RTL, T_MCU, T_NPU, T_COUNT };
static const char *const target_names[T_COUNT] = { "ref", "hls", "rtl", "mcu", "npu" };

/* The reasons in d, one line each, without the model path every message
 * starts with. */
static void print_reasons(const Diag *d, const char *model_path, FILE *out)
{
    size_t plen = strlen(model_path);
    const char *line = d->msg;
    while (*line) {
        const char *end = strchr(line, '\n');
        size_t len = end ? (size_t)(end - line) : strlen(line);
        if (len > plen + 2 && !strncmp(line, model_path, plen) && !strncmp(line + plen, ": ", 2)) {
            line += plen + 2;
            len -= plen + 2;
        }
        fprintf(out, "    - %.*s\n", (int)len, line);
        line += len;
        if (*line == '\n')
            line++;
    }
}

static void print_status(int t, const Diag *d, const char *model_path, FILE *out)
{
    if (!d->failed) {
        fprintf(out, "  %-4s supported\n", target_names[t]);
        return;
    }
    fprintf(out, "  %-4s not supported:\n", target_names[t]);
    print_reasons(d, model_path, out);
}

void target_support_print(Graph *g, const char *model_path, FILE *out)
{
    Diag d[T_COUNT];
    for (int t = 0; t < T_COUNT; t++)
        diag_init(&d[t]);
    fprintf(out, "targets:\n");
    Diag integer;
    diag_init(&integer);
    if (!streamline_graph(g, true, &integer)) {
        /* every target starts from the integer graph */
        fprintf(out, "  ref, hls, rtl, mcu, npu: not supported: the integer graph cannot be "
                     "built:\n");
        print_reasons(&integer, model_path, out);
        return;
    }
    const char *name = "model";
    OutTree tree;
    /* the dataflow targets: the lowering, then each emitter */
    BuildConfig cfg;
    Dataflow df;
    config_defaults(&cfg);
    memset(&df, 0, sizeof df);
    Diag lowering;
    diag_init(&lowering);
    bool have_df = dataflow_build(g, &cfg, &df, &lowering);
    for (int t = T_HLS; t <= T_RTL; t++) {
        if (!have_df) {
            d[t] = lowering;
            continue;
        }
        outtree_init(&tree);
        if (t == T_HLS)
            emit_hls(&df, model_path, name, &tree, &d[t]);
        else
            emit_rtl(&df, model_path, name, &tree, &d[t]);
        outtree_free(&tree);
    }
    dataflow_free(&df);
    config_free(&cfg);
    /* ref, mcu, npu: from the integer graph */
    for (int t = T_REF; t < T_COUNT; t++) {
        if (t == T_HLS || t == T_RTL)
            continue;
        outtree_init(&tree);
        if (t == T_REF)
            emit_ref(g, model_path, name, &tree, &d[t]);
        else if (t == T_MCU)
            emit_mcu(g, model_path, name, &tree, &d[t]);
        else
            emit_npu(g, model_path, name, &tree, NULL, &d[t]);
        outtree_free(&tree);
    }
    for (int t = 0; t < T_COUNT; t++)
        print_status(t, &d[t], model_path, out);
}
