#include "target_support.h"

#include <string.h>

#include "build_config.h"
#include "dataflow.h"
#include "emit_names.h"
#include "emit_ref.h"
#include "emit_util.h"
#include "streamline.h"
#include "targets.h"

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

static void print_status(const char *target, const Diag *d, const char *model_path, FILE *out)
{
    if (!d->failed) {
        fprintf(out, "  %-4s supported\n", target);
        return;
    }
    fprintf(out, "  %-4s not supported:\n", target);
    print_reasons(d, model_path, out);
}

void target_support_print(Graph *g, const char *model_path, FILE *out)
{
    fprintf(out, "targets:\n");
    Diag integer;
    diag_init(&integer);
    if (!streamline_graph(g, true, &integer)) {
        /* every target starts from the integer graph */
        char names[128];
        target_names(names, sizeof names);
        fprintf(out, "  %s: not supported: the integer graph cannot be built:\n", names);
        print_reasons(&integer, model_path, out);
        return;
    }
    /* the steps build runs before the emitters: dataflow (for the targets
     * that need it), then the names every emitter prints */
    BuildConfig cfg;
    Dataflow df;
    config_defaults(&cfg);
    memset(&df, 0, sizeof df);
    Diag lowering, naming;
    diag_init(&lowering);
    diag_init(&naming);
    bool have_df = dataflow_build(g, &cfg, &df, &lowering);
    bool named = emit_names(g, have_df ? &df : NULL, &naming);
    char name[64];
    ref_model_name(model_path, name, sizeof name);
    for (int t = 0; t < n_targets; t++) {
        Diag d;
        diag_init(&d);
        if (!named) {
            d = naming;
        } else if (targets[t].needs_dataflow && !have_df) {
            d = lowering;
        } else {
            OutTree tree;
            outtree_init(&tree);
            TargetInput in = { g, have_df ? &df : NULL, model_path, name, NULL, &cfg };
            targets[t].emit(&in, &tree, &d);
            outtree_free(&tree);
        }
        print_status(targets[t].name, &d, model_path, out);
    }
    dataflow_free(&df);
    config_free(&cfg);
}
