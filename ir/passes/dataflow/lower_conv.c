/* IntConv -> SWG + MVAU, SWG + VVAU (depthwise), or a lone MVAU (1x1).
 *
 * The sliding-window generator turns the NHWC image into one window per
 * output pixel, elements in [kh][kw][c] order; the MVAU multiplies each
 * window by the weights, so they are reordered from ONNX's [O][I][kh][kw]
 * to [O][kh][kw][I]. Padding is the SWG's (value 0, which is why a BIPOLAR
 * image cannot be padded: the integer graph already forbids xnor with
 * padding).
 *
 * A 1x1 stride-1 convolution without padding needs no window: the MVAU
 * reads the image itself, one vector (pixel) of C channels at a time. A
 * 1x1 conv with strides keeps a SWG, whose kernel of one tap only drops
 * the pixels the strides skip (no line buffer; estimate.c).
 *
 * A depthwise convolution (group == C == O, one input channel per group)
 * becomes a SWG and a VVAU: output channel c is the dot product of the
 * window's taps of channel c with W[c]. Other groupings are refused. */
#include <stdio.h>

#include "lower_internal.h"
#include "op_int_params.h"

static bool is_pointwise(const IntDot *dot, const int64_t *kernel)
{
    const Window *w = &dot->win;
    return kernel[0] == 1 && kernel[1] == 1 && w->stride[0] == 1 && w->stride[1] == 1 &&
           !w->pad_begin[0] && !w->pad_begin[1] && !w->pad_end[0] && !w->pad_end[1];
}

/* The SWG in front of a conv; NULL (and an error) on failure. */
static Layer *add_swg(Lower *L, const Node *n, const Tensor *x, const int64_t *kernel)
{
    char swg_name[512];
    snprintf(swg_name, sizeof swg_name, "%s:swg", n->name);
    Layer *swg = lower_add_layer(L, LAYER_SWG, swg_name, n);
    if (!swg || !lower_window(L, n, kernel, 0, swg))
        return NULL;
    bool padded = swg->pad_top || swg->pad_left || swg->pad_bottom || swg->pad_right;
    if (padded && (L->dt.kind == QC_BIPOLAR || qc_dtype_min(L->dt) > 0)) {
        lower_fail(L, n, "padding needs the value 0, which the %s input cannot hold", x->qdt);
        return NULL;
    }
    swg->pad_value = 0;
    swg->out.dt = L->dt;
    swg->out.elems = swg->out_h * swg->out_w * swg->k_h * swg->k_w * swg->channels;
    return swg;
}

/* The depthwise conv's VVAU after its SWG (the last layer). */
static bool lower_vvau(Lower *L, const Node *n, const IntDot *dot, qc_dtype wdt, qc_dtype acc_dt)
{
    const Value *w = dot->w->value;
    const Layer *swg = &L->df->layers[L->df->n_layers - 1];
    int64_t C = swg->channels, kh = swg->k_h, kw = swg->k_w, OH = swg->out_h, OW = swg->out_w;
    Layer geom = *swg;
    L->elems = swg->out.elems;   /* the windows stream into the VVAU */
    L->src = L->df->n_layers - 1;
    L->src_port = 0;
    Layer *vv = lower_add_layer(L, LAYER_VVAU, n->name, n);
    if (!vv)
        return false;
    vv->channels = C;
    vv->in_h = geom.in_h;
    vv->in_w = geom.in_w;
    vv->out_h = OH;
    vv->out_w = OW;
    vv->k_h = (int)kh;
    vv->k_w = (int)kw;
    vv->stride_h = geom.stride_h;
    vv->stride_w = geom.stride_w;
    vv->vectors = OH * OW;
    vv->wdt = wdt;
    vv->acc_dt = acc_dt;
    vv->out.dt = acc_dt;
    vv->out.elems = C * OH * OW;
    vv->weights = arena_array(&L->df->arena, (size_t)(C * kh * kw), sizeof *vv->weights);
    if (!vv->weights)
        return lower_fail(L, n, "out of memory");
    for (int64_t c = 0; c < C; c++)
        for (int64_t k = 0; k < kh * kw; k++) {
            int64_t v = w->i[c * kh * kw + k];
            if (!lower_need_i32(L, n, v, "weight"))
                return false;
            vv->weights[c * kh * kw + k] = (int32_t)v;
        }
    return lower_advance(L, n, dot->y, lower_nhwc_order(L, C, OH, OW), true);
}

bool lower_conv(Lower *L, const Node *n)
{
    IntDot dot;
    if (!int_dot_params(&L->ctx, n, &dot))
        return false;
    const Tensor *x = dot.x, *wt = dot.w, *y = dot.y;
    const Value *w = wt->value;
    if (!w || !w->i || w->shape.rank != 4)
        return lower_fail(L, n, "weights must be a constant integer tensor [O, I, kh, kw]");
    if (x->shape.rank != 4)
        return lower_fail(L, n, "only 2-D convolutions are supported");
    int64_t C = x->shape.dims[1], H = x->shape.dims[2], W = x->shape.dims[3];
    bool depthwise = dot.groups > 1 && dot.groups == C && dot.cg == 1 && dot.og == 1;
    if (dot.groups != 1 && !depthwise)
        return lower_fail(L, n, "grouped convolutions (group %lld of %lld channels) are not "
                          "supported: only group 1 and depthwise (group = channels = "
                          "outputs)", (long long)dot.groups, (long long)C);
    if (depthwise && dot.xnor)
        return lower_fail(L, n, "a depthwise XNOR convolution is not supported");
    if (!lower_order_is(L->order, lower_nhwc_order(L, C, H, W), L->elems))
        return lower_fail(L, n, "its input '%s' does not stream in NHWC order (a layout op "
                          "before it reorders the image)", x->name);
    qc_dtype wdt, acc_dt;
    if (!lower_tensor_dt(L, n, wt, &wdt) || !lower_tensor_dt(L, n, y, &acc_dt))
        return false;
    const int64_t *kernel = &w->shape.dims[2];
    bool pointwise = !depthwise && is_pointwise(&dot, kernel);
    int64_t kh = 1, kw = 1, OH = H, OW = W, windows = L->elems;
    if (!pointwise) {
        Layer *swg = add_swg(L, n, x, kernel);
        if (!swg)
            return false;
        if (depthwise)
            return lower_vvau(L, n, &dot, wdt, acc_dt);
        kh = swg->k_h;
        kw = swg->k_w;
        OH = swg->out_h;
        OW = swg->out_w;
        windows = swg->out.elems;
        L->src = L->df->n_layers - 1;
        L->src_port = 0;
    } else if (y->shape.rank != 4 || y->shape.dims[2] != H || y->shape.dims[3] != W) {
        return lower_fail(L, n, "a 1x1 stride-1 convolution must keep the image size");
    }
    int64_t O = w->shape.dims[0];

    /* adding a layer may move the array: swg is not used below */
    L->elems = windows;
    Layer *mv = lower_add_layer(L, LAYER_MVAU, n->name, n);
    if (!mv)
        return false;
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
