/* IntConv -> SWG + MVAU.
 *
 * The sliding-window generator turns the NHWC image into one window per
 * output pixel, elements in [kh][kw][c] order; the MVAU multiplies each
 * window by the weights, so they are reordered from ONNX's [O][I][kh][kw]
 * to [O][kh][kw][I]. Padding is the SWG's (value 0, which is why a BIPOLAR
 * image cannot be padded: the integer graph already forbids xnor with
 * padding). Only group 1 and 2-D kernels. */
#include <stdio.h>

#include "lower_internal.h"
#include "op_int_params.h"

bool lower_conv(Lower *L, const Node *n)
{
    IntDot dot;
    if (!int_dot_params(&L->ctx, n, &dot))
        return false;
    const Tensor *x = dot.x, *wt = dot.w, *y = dot.y;
    const Value *w = wt->value;
    if (!w || !w->i || w->shape.rank != 4)
        return lower_fail(L, n, "weights must be a constant integer tensor [O, I, kh, kw]");
    if (dot.groups != 1)
        return lower_fail(L, n, "grouped/depthwise convolutions (group %lld) are not supported",
                          (long long)dot.groups);
    if (x->shape.rank != 4)
        return lower_fail(L, n, "only 2-D convolutions are supported");
    int64_t C = x->shape.dims[1], H = x->shape.dims[2], W = x->shape.dims[3];
    if (!lower_order_is(L->order, lower_nhwc_order(L, C, H, W), L->elems))
        return lower_fail(L, n, "its input '%s' does not stream in NHWC order (a layout op "
                          "before it reorders the image)", x->name);
    qc_dtype wdt, acc_dt;
    if (!lower_tensor_dt(L, n, wt, &wdt) || !lower_tensor_dt(L, n, y, &acc_dt))
        return false;

    char swg_name[512];
    snprintf(swg_name, sizeof swg_name, "%s:swg", n->name);
    Layer *swg = lower_add_layer(L, LAYER_SWG, swg_name, n);
    if (!swg || !lower_window(L, n, &w->shape.dims[2], 0, swg))
        return false;
    bool padded = swg->pad_top || swg->pad_left || swg->pad_bottom || swg->pad_right;
    if (padded && (L->dt.kind == QC_BIPOLAR || qc_dtype_min(L->dt) > 0))
        return lower_fail(L, n, "padding needs the value 0, which the %s input cannot hold",
                          x->qdt);
    swg->pad_value = 0;
    swg->out.dt = L->dt;
    int64_t kh = swg->k_h, kw = swg->k_w, OH = swg->out_h, OW = swg->out_w;
    swg->out.elems = OH * OW * kh * kw * C;
    int64_t O = w->shape.dims[0], windows = swg->out.elems;

    /* adding a layer may move the array: swg is not used below */
    Layer *mv = lower_add_layer(L, LAYER_MVAU, n->name, n);
    if (!mv)
        return false;
    mv->in.elems = windows;
    mv->mh = O;
    mv->mw = kh * kw * C;
    mv->vectors = OH * OW;
    mv->xnor = dot.xnor;
    mv->wdt = wdt;
    mv->acc_dt = acc_dt;
    mv->out.dt = acc_dt;
    mv->out.elems = O * OH * OW;
    mv->weights = arena_array(&L->df->arena, (size_t)(mv->mh * mv->mw), sizeof *mv->weights);
    if (!mv->weights)
        return lower_fail(L, n, "out of memory");
    for (int64_t o = 0; o < O; o++)
        for (int64_t i = 0; i < kh; i++)
            for (int64_t j = 0; j < kw; j++)
                for (int64_t c = 0; c < C; c++) {
                    int64_t v = w->i[((o * C + c) * kh + i) * kw + j];
                    if (!lower_need_i32(L, n, v, "weight"))
                        return false;
                    mv->weights[o * mv->mw + (i * kw + j) * C + c] = (int32_t)v;
                }
    return lower_advance(L, n, y, lower_nhwc_order(L, O, OH, OW), true);
}
