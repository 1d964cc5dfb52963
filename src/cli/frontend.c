#include "frontend.h"

#include "cleanup.h"
#include "config.h"
#include "input_type.h"
#include "load_onnx.h"

Graph *frontend_load(const char *path, Diag *d)
{
    return frontend_load_with(path, NULL, d);
}

/* The input type of the options: --input-type wins over the config. */
static bool options_input_type(const FrontendOptions *o, InputType *t, Diag *d)
{
    t->bits = 0;
    if (o && o->input_type) {
        char err[256];
        if (input_type_parse(o->input_type, t, err, sizeof err))
            return true;
        diag_error(d, NULL, NULL, NULL, "--input-type: %s", err);
        diag_set_exit(d, EXIT_USAGE);
        return false;
    }
    if (!o || !o->config)
        return true;
    BuildConfig cfg;
    bool ok = config_load(&cfg, o->config, d);
    if (ok)
        *t = cfg.input_type;
    config_free(&cfg);
    return ok;
}

Graph *frontend_load_with(const char *path, const FrontendOptions *o, Diag *d)
{
    InputType type;
    if (!options_input_type(o, &type, d))
        return NULL;
    Graph *g = onnx_load_file(path, d);
    if (!g)
        return NULL;
    bool ok = cleanup_graph(g, true, d);
    /* the Quant node goes on the cleaned-up graph, whose consumers are the
     * real ones; a second cleanup sorts it in and infers its shape */
    if (ok && type.bits)
        ok = graph_insert_input_quant(g, &type, d) && cleanup_graph(g, true, d);
    if (!ok) {
        graph_free(g);
        return NULL;
    }
    return g;
}
