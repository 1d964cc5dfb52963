/* IntSumPool -> POOL: a streaming average pool over the NHWC image (the
 * window sums, then the Trunc's shift and rounding), global or windowed.
 * A MultiThreshold after it stays a THRESHOLD layer. */
#include "lower_internal.h"
#include "op_int_params.h"
#include "op_math.h"

bool lower_pool(Lower *L, const Node *n)
{
    SumPoolParams sp;
    if (!sum_pool_params(&L->ctx, n, &sp))
        return false;
    const Tensor *x = sp.x, *y = sp.y;
    if (x->shape.rank != 4)
        return lower_fail(L, n, "only 2-D pools are supported");
    int64_t C = x->shape.dims[1], H = x->shape.dims[2], W = x->shape.dims[3];
    if (!lower_order_is(L->order, lower_nhwc_order(L, C, H, W), L->elems))
        return lower_fail(L, n, "its input '%s' does not stream in NHWC order", x->name);
    if (L->dt.kind == QC_BIPOLAR)
        return lower_fail(L, n, "a sum of BIPOLAR values is not supported");
    qc_dtype out_dt;
    if (!lower_tensor_dt(L, n, y, &out_dt))
        return false;
    Layer *pl = lower_add_layer(L, LAYER_POOL, n->name, n);
    if (!pl || !lower_window(L, n, NULL, WIN_CEIL_MODE, pl))
        return false;
    pl->shift = sp.shift;
    pl->rounding = sp.rounding;
    pl->acc_dt = out_dt;
    pl->out.dt = out_dt;
    pl->out.elems = C * pl->out_h * pl->out_w;
    return lower_advance(L, n, y, lower_nhwc_order(L, C, pl->out_h, pl->out_w), true);
}
