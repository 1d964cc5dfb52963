#include "op_math.h"

#include <string.h>

int64_t math_opset(const Node *n)
{
    return n->opset > 0 ? n->opset : MATH_OPSET_NEWEST;
}

bool math_need_input(const OpCtx *ctx, const Node *n, const Value *const *in, int k)
{
    if (k >= n->n_inputs || !in[k])
        return op_error(ctx, n, "input %d has no value", k);
    return true;
}

bool math_need_float(const OpCtx *ctx, const Node *n, const Value *v, const char *what)
{
    if (!v->f)
        return op_error(ctx, n, "%s must be a float tensor, not %s", what,
                        elem_type_name(v->elem_type));
    return true;
}

bool math_infer_float(const OpCtx *ctx, const Node *n, const Tensor *t, const char *what)
{
    if (t && t->elem_type != ET_UNDEFINED && !elem_type_is_float(t->elem_type))
        return op_error(ctx, n, "%s must be a float tensor, not %s", what,
                        elem_type_name(t->elem_type));
    return true;
}

int64_t math_wrap_int(int elem_type, int64_t v)
{
    switch (elem_type) {
    case ET_UINT8: return (uint8_t)v;
    case ET_INT8: return (int8_t)(uint8_t)v;
    case ET_UINT16: return (uint16_t)v;
    case ET_INT16: return (int16_t)(uint16_t)v;
    case ET_UINT32: return (uint32_t)v;
    case ET_INT32: return (int32_t)(uint32_t)v;
    case ET_BOOL: return v != 0;
    default: return v;
    }
}

int64_t math_int_from_double(double x)
{
    if (x != x)
        return 0;
    if (x >= 9.2233720368547758e18)
        return INT64_MAX;
    if (x <= -9.2233720368547758e18)
        return INT64_MIN;
    return (int64_t)x;
}

float math_dot_as(GoldenSum sum, const float *a, int64_t as, const float *b, int64_t bs,
                  int64_t k)
{
    if (sum == GOLDEN_SUM_DOUBLE) {
        /* each product of two floats is exact in double */
        double acc = 0.0;
        for (int64_t q = 0; q < k; q++)
            acc += (double)a[q * as] * (double)b[q * bs];
        return (float)acc;
    }
    float acc = 0.0f;
    if (sum == GOLDEN_SUM_FLOAT32_REVERSED)
        for (int64_t q = k - 1; q >= 0; q--)
            acc += a[q * as] * b[q * bs];
    else
        for (int64_t q = 0; q < k; q++)
            acc += a[q * as] * b[q * bs];
    return acc;
}

/* ---- broadcasting walk ------------------------------------------------- */

void bcast_plan(const Shape *out, const Shape *a, const Shape *b, BcastPlan *p)
{
    int64_t sa[MAX_RANK], sb[MAX_RANK];
    broadcast_strides(a, out, sa);
    broadcast_strides(b, out, sb);
    p->rank = 0;
    for (int k = 0; k < out->rank; k++) {
        int64_t d = out->dims[k];
        if (d == 1)
            continue;
        int r = p->rank;
        /* dim k continues the previous kept dim when, for both inputs,
         * stepping the previous one equals stepping k through all of it */
        if (r > 0 && p->sa[r - 1] == sa[k] * d && p->sb[r - 1] == sb[k] * d) {
            p->dims[r - 1] *= d;
            p->sa[r - 1] = sa[k];
            p->sb[r - 1] = sb[k];
            continue;
        }
        p->dims[r] = d;
        p->sa[r] = sa[k];
        p->sb[r] = sb[k];
        p->rank++;
    }
    if (p->rank == 0) {
        p->rank = 1;
        p->dims[0] = 1;
        p->sa[0] = p->sb[0] = 0;
    }
}

int64_t bcast_rows(const BcastPlan *p)
{
    int64_t rows = 1;
    for (int k = 0; k < p->rank - 1; k++)
        rows *= p->dims[k];
    return p->dims[p->rank - 1] ? rows : 0;
}

void bcast_rows_begin(BcastIter *it)
{
    memset(it, 0, sizeof *it);
}

void bcast_rows_next(const BcastPlan *p, BcastIter *it)
{
    for (int k = p->rank - 2; k >= 0; k--) {
        it->oa += p->sa[k];
        it->ob += p->sb[k];
        if (++it->idx[k] < p->dims[k])
            return;
        it->oa -= p->sa[k] * p->dims[k];
        it->ob -= p->sb[k] * p->dims[k];
        it->idx[k] = 0;
    }
}

/* ---- sliding windows --------------------------------------------------- */

/* Attribute values above this are rejected, which keeps the geometry's
 * int64 arithmetic far from overflow. */
#define WIN_ATTR_MAX ((int64_t)1 << 31)
/* Spatial extents above this are rejected for the same reason. */
#define WIN_EXTENT_MAX ((int64_t)1 << 40)

/* An INTS attribute of exactly `len` entries in [lo, WIN_ATTR_MAX], into
 * out; out keeps its defaults when the attribute is absent. */
static bool window_ints(const OpCtx *ctx, const Node *n, const char *name, int len, int nsp,
                        int64_t lo, int64_t *out, bool *present)
{
    const Attr *a = node_attr(n, name);
    if (present)
        *present = a != NULL;
    if (!a)
        return true;
    if (a->kind != ATTR_INTS)
        return op_error(ctx, n, "attribute '%s' must be a list of ints", name);
    if (a->n != len)
        return op_error(ctx, n, "attribute '%s' has %d entries; %d expected for %d spatial dims",
                        name, a->n, len, nsp);
    for (int k = 0; k < len; k++) {
        if (a->ints[k] < lo || a->ints[k] > WIN_ATTR_MAX)
            return op_error(ctx, n, "attribute '%s' entry %d is %lld; it must be in [%lld, %lld]",
                            name, k, (long long)a->ints[k], (long long)lo,
                            (long long)WIN_ATTR_MAX);
        out[k] = a->ints[k];
    }
    return true;
}

bool window_read(const OpCtx *ctx, const Node *n, int nsp, const int64_t *kernel, int options,
                 Window *w)
{
    memset(w, 0, sizeof *w);
    if (nsp < 1 || nsp > WIN_MAX_SPATIAL)
        return op_error(ctx, n, "%d spatial dims; 1 to %d are supported", nsp, WIN_MAX_SPATIAL);
    w->nsp = nsp;
    for (int k = 0; k < nsp; k++) {
        w->kernel[k] = kernel ? kernel[k] : 0;
        w->stride[k] = w->dilation[k] = 1;
        w->in[k] = w->out[k] = -1;
    }
    bool has_kernel, has_pads;
    int64_t attr_kernel[WIN_MAX_SPATIAL];
    if (!window_ints(ctx, n, "kernel_shape", nsp, nsp, 1, attr_kernel, &has_kernel))
        return false;
    if (!has_kernel && !kernel)
        return op_error(ctx, n, "attribute 'kernel_shape' is required");
    for (int k = 0; has_kernel && k < nsp; k++) {
        if (kernel && kernel[k] != attr_kernel[k])
            return op_error(ctx, n, "kernel_shape[%d] is %lld but the weights have %lld", k,
                            (long long)attr_kernel[k], (long long)kernel[k]);
        w->kernel[k] = attr_kernel[k];
    }
    for (int k = 0; k < nsp; k++)
        if (w->kernel[k] < 1 || w->kernel[k] > WIN_ATTR_MAX)
            return op_error(ctx, n, "kernel extent %lld on spatial dim %d is not supported",
                            (long long)w->kernel[k], k);
    int64_t pads[2 * WIN_MAX_SPATIAL] = { 0 };
    if (!window_ints(ctx, n, "strides", nsp, nsp, 1, w->stride, NULL) ||
        !window_ints(ctx, n, "dilations", nsp, nsp, 1, w->dilation, NULL) ||
        !window_ints(ctx, n, "pads", 2 * nsp, nsp, 0, pads, &has_pads))
        return false;
    for (int k = 0; k < nsp; k++) {
        w->pad_begin[k] = pads[k];
        w->pad_end[k] = pads[nsp + k];
    }
    const Attr *ap = node_attr(n, "auto_pad");
    if (ap) {
        if (ap->kind != ATTR_STRING)
            return op_error(ctx, n, "attribute 'auto_pad' must be a string");
        if (!strcmp(ap->s, "NOTSET") || !*ap->s)
            w->auto_pad = AUTO_PAD_NOTSET;
        else if (!strcmp(ap->s, "SAME_UPPER"))
            w->auto_pad = AUTO_PAD_SAME_UPPER;
        else if (!strcmp(ap->s, "SAME_LOWER"))
            w->auto_pad = AUTO_PAD_SAME_LOWER;
        else if (!strcmp(ap->s, "VALID"))
            w->auto_pad = AUTO_PAD_VALID;
        else
            return op_error(ctx, n, "auto_pad '%s' is not one of NOTSET, SAME_UPPER, "
                            "SAME_LOWER, VALID", ap->s);
    }
    if (w->auto_pad != AUTO_PAD_NOTSET && has_pads)
        for (int k = 0; k < 2 * nsp; k++)
            if (pads[k])
                return op_error(ctx, n, "explicit pads cannot be combined with auto_pad '%s'",
                                ap->s);
    const Attr *cm = node_attr(n, "ceil_mode");
    if (cm) {
        if (!(options & WIN_CEIL_MODE))
            return op_error(ctx, n, "attribute 'ceil_mode' is not defined for this op");
        if (cm->kind != ATTR_INT || (cm->i != 0 && cm->i != 1))
            return op_error(ctx, n, "attribute 'ceil_mode' must be 0 or 1");
        w->ceil_mode = cm->i == 1;
    }
    return true;
}

/* a / b rounded up, for a >= 0, b > 0 */
static int64_t div_up(int64_t a, int64_t b)
{
    return (a + b - 1) / b;
}

bool window_apply(const OpCtx *ctx, const Node *n, const int64_t *in, Window *w)
{
    for (int k = 0; k < w->nsp; k++) {
        w->in[k] = in[k];
        w->out[k] = -1;
        if (in[k] < 0)
            continue;
        if (in[k] > WIN_EXTENT_MAX)
            return op_error(ctx, n, "spatial extent %lld is too large", (long long)in[k]);
        int64_t s = w->stride[k], eff = (w->kernel[k] - 1) * w->dilation[k] + 1;
        if (w->auto_pad == AUTO_PAD_SAME_UPPER || w->auto_pad == AUTO_PAD_SAME_LOWER) {
            w->out[k] = div_up(in[k], s);
            int64_t total = (w->out[k] - 1) * s + eff - in[k];
            if (total < 0)
                total = 0;
            w->pad_begin[k] = w->auto_pad == AUTO_PAD_SAME_UPPER ? total / 2 : total - total / 2;
            w->pad_end[k] = total - w->pad_begin[k];
            if (w->out[k] < 1)
                return op_error(ctx, n, "spatial dim %d of the input is empty", k);
            continue;
        }
        if (w->auto_pad == AUTO_PAD_VALID)
            w->pad_begin[k] = w->pad_end[k] = 0;
        int64_t span = in[k] + w->pad_begin[k] + w->pad_end[k] - eff;
        if (span < 0)
            return op_error(ctx, n, "on spatial dim %d the window (extent %lld with dilation) "
                            "is larger than the padded input (%lld)", k, (long long)eff,
                            (long long)(in[k] + w->pad_begin[k] + w->pad_end[k]));
        if (w->ceil_mode && w->auto_pad == AUTO_PAD_NOTSET) {
            w->out[k] = div_up(span, s) + 1;
            /* the last window must start inside the input or its begin pad */
            if ((w->out[k] - 1) * s >= in[k] + w->pad_begin[k])
                w->out[k]--;
        } else {
            w->out[k] = span / s + 1;
        }
    }
    return true;
}

bool window_spatial_rank(const OpCtx *ctx, const Node *n, int rank, const char *what, int *nsp)
{
    if (rank < 3 || rank > 2 + WIN_MAX_SPATIAL)
        return op_error(ctx, n, "%s has rank %d; N x C x D1 ... with 1 to %d spatial dims "
                        "(rank 3 to %d) is supported", what, rank, WIN_MAX_SPATIAL,
                        2 + WIN_MAX_SPATIAL);
    *nsp = rank - 2;
    return true;
}

void window_to_3d(const Window *w, Window *w3)
{
    int lead = WIN_MAX_SPATIAL - w->nsp;
    memset(w3, 0, sizeof *w3);
    w3->nsp = WIN_MAX_SPATIAL;
    w3->auto_pad = w->auto_pad;
    w3->ceil_mode = w->ceil_mode;
    for (int k = 0; k < WIN_MAX_SPATIAL; k++) {
        int j = k - lead;
        bool real = j >= 0;
        w3->kernel[k] = real ? w->kernel[j] : 1;
        w3->stride[k] = real ? w->stride[j] : 1;
        w3->dilation[k] = real ? w->dilation[j] : 1;
        w3->pad_begin[k] = real ? w->pad_begin[j] : 0;
        w3->pad_end[k] = real ? w->pad_end[j] : 0;
        w3->in[k] = real ? w->in[j] : 1;
        w3->out[k] = real ? w->out[j] : 1;
    }
}

void window_tap_range(int64_t start, int64_t kernel, int64_t dilation, int64_t lo, int64_t hi,
                      int64_t *t0, int64_t *t1)
{
    *t0 = 0;
    *t1 = kernel;
    while (*t0 < kernel && start + *t0 * dilation < lo)
        (*t0)++;
    while (*t1 > *t0 && start + (*t1 - 1) * dilation >= hi)
        (*t1)--;
}

void window_taps_at(const Window *w3, int64_t od, int64_t oh, int64_t ow, int64_t s[3],
                    int64_t t0[3], int64_t t1[3])
{
    const int64_t o[3] = { od, oh, ow };
    for (int a = 0; a < 3; a++) {
        s[a] = o[a] * w3->stride[a] - w3->pad_begin[a];
        window_tap_range(s[a], w3->kernel[a], w3->dilation[a], 0, w3->in[a], &t0[a], &t1[a]);
    }
}

bool window_pool_geom(const OpCtx *ctx, const Node *n, int nsp, const Shape *x, Window *w,
                      Shape *out)
{
    out->rank = -1;
    return window_read(ctx, n, nsp, NULL, WIN_CEIL_MODE, w) &&
           window_pool_shape(ctx, n, x, w, out);
}

bool window_pool_shape(const OpCtx *ctx, const Node *n, const Shape *x, Window *w, Shape *out)
{
    out->rank = -1;
    if (x->rank < 0)
        return true;
    if (x->rank != w->nsp + 2)
        return op_error(ctx, n, "X has rank %d; kernel_shape has %d entries, so rank %d is "
                        "expected", x->rank, w->nsp, w->nsp + 2);
    if (!window_apply(ctx, n, &x->dims[2], w))
        return false;
    *out = *x;
    for (int k = 0; k < w->nsp; k++)
        out->dims[2 + k] = w->out[k];
    return true;
}
