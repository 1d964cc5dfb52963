/* The dataflow pipeline: one straight list of passes, the verifier after
 * each (QBE style). See dataflow.h for what each pass does. */
#include <string.h>

#include "dataflow.h"

static bool verified(Dataflow *df, const char *pass, Diag *d)
{
    return dataflow_verify(df, d) ||
           diag_invalid_after(d, df->path, "the dataflow graph", "pass", pass);
}

bool dataflow_build(const Graph *g, const BuildConfig *cfg, Dataflow *df, Diag *d)
{
    bool ok = lower_dataflow(g, cfg, df, d) && verified(df, "lower_dataflow", d) &&
              fold_dataflow(df, cfg, d) && verified(df, "fold_dataflow", d) &&
              insert_dwc(df, d) && verified(df, "insert_dwc", d) &&
              insert_fifo(df, cfg, d) && verified(df, "insert_fifo", d) &&
              size_skip_fifos(df, cfg, d) && verified(df, "size_skip_fifos", d);
    if (!ok) {
        dataflow_free(df);
        return false;
    }
    estimate_dataflow(df);
    return true;
}
