/* Fix batch: every graph input's leading dim becomes 1, whether the model
 * declares it symbolic ("batch", "N") or as a number. The executors run one
 * frame at a time (exec_run_frames slices a batch into frames), and shape
 * inference then knows every static shape, which lets constant folding
 * resolve torch's Shape->Gather->...->Reshape flatten chain. */
#include "cleanup.h"

bool pass_fix_batch(Graph *g, Diag *d)
{
    (void)d;
    for (int k = 0; k < g->n_inputs; k++) {
        Tensor *t = g->inputs[k];
        if (t->shape.rank >= 1)
            t->shape.dims[0] = 1;
    }
    return true;
}
