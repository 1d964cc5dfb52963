/* The front end is the pipeline (pipeline.h) stopped after cleanup. */
#include "frontend.h"

#include <string.h>

#include "config.h"
#include "pipeline.h"

Graph *frontend_load(const char *path, Diag *d)
{
    return frontend_load_with(path, NULL, d);
}

Graph *frontend_load_with(const char *path, const FrontendOptions *o, Diag *d)
{
    BuildConfig cfg;
    config_defaults(&cfg);
    PipelineOptions po = { .model = path, .input_type = o ? o->input_type : NULL, .cfg = &cfg,
                           .stop_after = "cleanup" };
    Pipeline p;
    memset(&p, 0, sizeof p);
    /* the config gives only the input type here, which --input-type overrides */
    bool ok = (!o || !o->config || o->input_type || config_load(&cfg, o->config, d)) &&
              pipeline_init(&p, &po, d) && pipeline_run(&p, d);
    Graph *g = ok ? p.g : NULL;
    if (ok)
        p.g = NULL;           /* the caller's now */
    pipeline_free(&p);
    config_free(&cfg);
    return g;
}
