/* IntMaxPool -> MAXPOOL: a streaming max pool over the NHWC image.
 * Padding never wins, so it is filled with the datatype's minimum. */
#include "lower_internal.h"
#include "op_math.h"

bool lower_maxpool(Lower *L, const Node *n)
{
    const Tensor *x = n->inputs[0], *y = n->outputs[0];
    if (x->shape.rank != 4)
        return lower_fail(L, n, "only 2-D pools are supported");
    int64_t C = x->shape.dims[1], H = x->shape.dims[2], W = x->shape.dims[3];
    if (!lower_order_is(L->order, lower_nhwc_order(L, C, H, W), L->elems))
        return lower_fail(L, n, "its input '%s' does not stream in NHWC order", x->name);
    Layer *mp = lower_add_layer(L, LAYER_MAXPOOL, n->name, n);
    if (!mp || !lower_window(L, n, NULL, WIN_CEIL_MODE, mp))
        return false;
    mp->pad_value = (int32_t)qc_dtype_min(L->dt);
    mp->out.dt = L->dt;
    mp->out.elems = C * mp->out_h * mp->out_w;
    return lower_advance(L, n, y, lower_nhwc_order(L, C, mp->out_h, mp->out_w), true);
}
