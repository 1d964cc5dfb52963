/* IntConv (domain qonnxc): the integer convolution of X (N x C x D1 ...,
 * 1 to 3 spatial dims) with the constant integer weights W
 * (O x C/group x k1 ...), docs/integer-graph.md.
 *
 * Attributes as Conv's: kernel_shape, pads, strides, dilations, group,
 * auto_pad; and xnor (0/1). Padding contributes 0 to the sums, so xnor=1
 * (X and W only -1/+1; out = number of matching positions over the window,
 * (C/group * k1 * ... + dot) / 2) requires no padding: a bipolar value
 * cannot be 0.
 *
 * |X| times the largest sum of |W| over one output channel bounds every
 * partial sum: when it fits int32 the sums run in int32 (im2col, and no
 * multiplies for weights of 0 and +-1), else in int64; beyond int64 the
 * node fails. */
#include <stdlib.h>
#include <string.h>

#include "op_int.h"
#include "op_int_params.h"
#include "op_math.h"

typedef struct IntConvGeom {
    int64_t group, m, cg;   /* output channels, input channels per group */
    int nsp;
    Window w;
    Shape out;
} IntConvGeom;

/* The geometry: the parameters (int_dot_params, W's shape and the
 * attributes) and, when X's shape is known, the output's. */
static bool ic_geom(const OpCtx *ctx, const Node *n, const Shape *x, IntConvGeom *g, bool *xnor)
{
    memset(g, 0, sizeof *g);
    g->out.rank = -1;
    IntDot p;
    if (!int_dot_params(ctx, n, &p))
        return false;
    *xnor = p.xnor;
    g->group = p.groups;
    g->m = p.out_c;
    g->cg = p.cg;
    g->nsp = p.win.nsp;
    g->w = p.win;
    if (x->rank < 0)
        return true;
    if (x->rank != p.w->shape.rank)
        return op_error(ctx, n, "X has rank %d but W has rank %d", x->rank, p.w->shape.rank);
    if (x->dims[1] >= 0 && x->dims[1] != p.in_c)
        return op_error(ctx, n, "X has %lld channels; W expects %lld (x %lld groups)",
                        (long long)x->dims[1], (long long)g->cg, (long long)g->group);
    if (!window_apply(ctx, n, &x->dims[2], &g->w))
        return false;
    g->out.rank = x->rank;
    g->out.dims[0] = x->dims[0];
    g->out.dims[1] = g->m;
    for (int k = 0; k < g->nsp; k++)
        g->out.dims[2 + k] = g->w.out[k];
    return true;
}

static bool ic_pads_zero(const Window *w)
{
    for (int k = 0; k < w->nsp; k++)
        if (w->pad_begin[k] || w->pad_end[k])
            return false;
    return true;
}

static bool ic_check(const OpCtx *ctx, const Node *n)
{
    bool xnor;
    IntConvGeom g;
    if (!int_need_const(ctx, n, 1, "W"))
        return false;
    const Value *w = n->inputs[1]->value;
    if (!w->i)
        return op_error(ctx, n, "W must be an integer tensor, not %s", elem_type_name(w->elem_type));
    if (!ic_geom(ctx, n, &n->inputs[0]->shape, &g, &xnor))
        return false;
    if (xnor && !int_need_bipolar(ctx, n, w, "W"))
        return false;
    if (xnor && g.out.rank >= 0 && !ic_pads_zero(&g.w))
        return op_error(ctx, n, "xnor=1 needs a convolution without padding");
    return true;
}

static bool ic_infer(const OpCtx *ctx, Node *n)
{
    IntConvGeom g;
    bool xnor;
    if (!ic_geom(ctx, n, &n->inputs[0]->shape, &g, &xnor))
        return false;
    op_set_output(n, 0, INT_GRAPH_ELEM_TYPE, &g.out);
    return true;
}

/* Output positions o in [0, out) whose input position o * stride + off
 * lies in [0, in): *o0 .. *o1 (exclusive; empty when o0 >= o1). */
static void valid_outputs(int64_t off, int64_t stride, int64_t in, int64_t out, int64_t *o0,
                          int64_t *o1)
{
    /* o >= ceil(-off / stride), o <= floor((in - 1 - off) / stride) */
    int64_t lo = off >= 0 ? 0 : (-off + stride - 1) / stride;
    int64_t top = in - 1 - off;
    int64_t hi = top < 0 ? -1 : top / stride;
    *o0 = lo;
    *o1 = hi + 1 < out ? hi + 1 : out;
}

/* One kernel tap (kd, kh, kw): the outputs it reaches, [lo[a], hi[a]) on
 * each axis, and its input offset off[a] from the output's window origin. */
typedef struct {
    int64_t off[3], lo[3], hi[3];
} TapReach;

static void tap_reach(const Window *w, int64_t kd, int64_t kh, int64_t kw, TapReach *t)
{
    const int64_t k[3] = { kd, kh, kw };
    for (int a = 0; a < 3; a++) {
        t->off[a] = k[a] * w->dilation[a] - w->pad_begin[a];
        valid_outputs(t->off[a], w->stride[a], w->in[a], w->out[a], &t->lo[a], &t->hi[a]);
    }
}

/* The input index the tap reads for output (od, oh, 0); output ow of that
 * row reads it plus ow * stride[2], in range for ow in [lo[2], hi[2]). */
static int64_t tap_row_base(const Window *w, const TapReach *t, int64_t od, int64_t oh)
{
    return ((od * w->stride[0] + t->off[0]) * w->in[1] + oh * w->stride[1] + t->off[1]) *
           w->in[2] + t->off[2];
}

/* The sizes both paths index by: taps in a kernel, products per output,
 * the input and output planes, output channels per group, input channels. */
typedef struct {
    int64_t kvol, per_out, in_plane, out_plane, mg, C;
} ConvSizes;

static ConvSizes conv_sizes(const IntConvGeom *g, const Window *w)
{
    ConvSizes z;
    z.kvol = w->kernel[0] * w->kernel[1] * w->kernel[2];
    z.per_out = g->cg * z.kvol;
    z.in_plane = w->in[0] * w->in[1] * w->in[2];
    z.out_plane = w->out[0] * w->out[1] * w->out[2];
    z.mg = g->m / g->group;
    z.C = g->cg * g->group;
    return z;
}

/* The general path: int64, tap by tap over the output plane. */
static void conv_int64(const Value *x, const Value *wv, const IntConvGeom *g1, const Window *w,
                       bool xnor, Value *y)
{
    const ConvSizes z = conv_sizes(g1, w);
    const int64_t OH = w->out[1], OW = w->out[2];
    for (int64_t b = 0; b < x->shape.dims[0]; b++)
        for (int64_t o = 0; o < g1->m; o++) {
            int64_t *yo = y->i + (b * g1->m + o) * z.out_plane;
            int64_t grp = o / z.mg;
            for (int64_t ci = 0; ci < g1->cg; ci++) {
                const int64_t *xc = x->i + (b * z.C + grp * g1->cg + ci) * z.in_plane;
                const int64_t *wk = wv->i + (o * g1->cg + ci) * z.kvol;
                for (int64_t kd = 0; kd < w->kernel[0]; kd++)
                    for (int64_t kh = 0; kh < w->kernel[1]; kh++)
                        for (int64_t kw = 0; kw < w->kernel[2]; kw++) {
                            int64_t wt = wk[(kd * w->kernel[1] + kh) * w->kernel[2] + kw];
                            if (!wt)
                                continue;
                            TapReach t;
                            tap_reach(w, kd, kh, kw, &t);
                            for (int64_t od = t.lo[0]; od < t.hi[0]; od++)
                                for (int64_t oh = t.lo[1]; oh < t.hi[1]; oh++) {
                                    int64_t *yr = yo + (od * OH + oh) * OW;
                                    int64_t base = tap_row_base(w, &t, od, oh);
                                    const int64_t sw = w->stride[2];
                                    for (int64_t ow = t.lo[2]; ow < t.hi[2]; ow++)
                                        yr[ow] += wt * xc[base + ow * sw];
                                }
                        }
            }
            if (xnor)
                for (int64_t j = 0; j < z.out_plane; j++)
                    yo[j] = (z.per_out + yo[j]) / 2;
        }
}

/* a += wt * row over n elements, four at a time in a GCC/Clang vector
 * (the -O2 vectoriser leaves loops of unknown length scalar). */
typedef int32_t I32x4 __attribute__((vector_size(16)));

static void add_row(int32_t *restrict a, const int32_t *restrict row, int32_t wt, int64_t n)
{
    if (!wt)
        return;
    int64_t p = 0;
    I32x4 x, r;
#define ROW_LOOP(OP)                                   \
    for (; p + 4 <= n; p += 4) {                       \
        memcpy(&x, a + p, sizeof x);                   \
        memcpy(&r, row + p, sizeof r);                 \
        OP;                                            \
        memcpy(a + p, &x, sizeof x);                   \
    }
    if (wt == 1) {
        ROW_LOOP(x += r)
    } else if (wt == -1) {
        ROW_LOOP(x -= r)
    } else {
        I32x4 w4 = { wt, wt, wt, wt };
        ROW_LOOP(x += w4 * r)
    }
#undef ROW_LOOP
    for (; p < n; p++)
        a[p] += wt * row[p];
}

/* sum_k w[k] * col[k * stride], four partial sums at a time. */
static int64_t dot_column(const int64_t *w, const int32_t *col, int64_t stride, int64_t n)
{
    int64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0, k = 0;
    for (; k + 4 <= n; k += 4) {
        s0 += w[k] * col[k * stride];
        s1 += w[k + 1] * col[(k + 1) * stride];
        s2 += w[k + 2] * col[(k + 2) * stride];
        s3 += w[k + 3] * col[(k + 3) * stride];
    }
    for (; k < n; k++)
        s0 += w[k] * col[k * stride];
    return s0 + s1 + s2 + s3;
}

/* Below this many output positions the int32 path takes dot products
 * instead of accumulating rows. */
#define CONV_SMALL_P 16

/* Output channels accumulated together in the int32 path. */
#define CONV_BLOCK 8

/* The int32 path, when every partial sum fits: the receptive fields
 * unrolled into a [C/group * taps, positions] matrix (padding 0), then
 * each weight adds, subtracts or multiply-adds one row into a block of
 * output channels. Weights of 0 and +-1 (every bipolar and ternary layer)
 * need no multiply. Returns false only when out of memory. */
static bool conv_int32(const Value *x, const Value *wv, const IntConvGeom *g1, const Window *w,
                       bool xnor, Value *y)
{
    const ConvSizes z = conv_sizes(g1, w);
    const int64_t K = z.per_out, P = z.out_plane, OH = w->out[1], OW = w->out[2];
    int32_t *col = malloc((size_t)(K * P > 0 ? K * P : 1) * sizeof *col);
    int32_t *acc = malloc((size_t)(P > 0 ? CONV_BLOCK * P : 1) * sizeof *acc);
    if (!col || !acc) {
        free(col);
        free(acc);
        return false;
    }
    for (int64_t b = 0; b < x->shape.dims[0]; b++)
        for (int64_t grp = 0; grp < g1->group; grp++) {
            memset(col, 0, (size_t)(K * P) * sizeof *col);
            for (int64_t ci = 0; ci < g1->cg; ci++) {
                const int64_t *xc = x->i + (b * z.C + grp * g1->cg + ci) * z.in_plane;
                for (int64_t kd = 0; kd < w->kernel[0]; kd++)
                    for (int64_t kh = 0; kh < w->kernel[1]; kh++)
                        for (int64_t kw = 0; kw < w->kernel[2]; kw++) {
                            int32_t *row = col + (ci * z.kvol + (kd * w->kernel[1] + kh) *
                                                  w->kernel[2] + kw) * P;
                            TapReach t;
                            tap_reach(w, kd, kh, kw, &t);
                            for (int64_t od = t.lo[0]; od < t.hi[0]; od++)
                                for (int64_t oh = t.lo[1]; oh < t.hi[1]; oh++) {
                                    int32_t *r = row + (od * OH + oh) * OW;
                                    int64_t base = tap_row_base(w, &t, od, oh);
                                    for (int64_t ow = t.lo[2]; ow < t.hi[2]; ow++)
                                        r[ow] = (int32_t)xc[base + ow * w->stride[2]];
                                }
                        }
            }
            if (P < CONV_SMALL_P) {
                /* few positions: one dot product over the taps each */
                for (int64_t o = grp * z.mg; o < (grp + 1) * z.mg; o++)
                    for (int64_t p = 0; p < P; p++) {
                        int64_t sum = dot_column(wv->i + o * K, col + p, P, K);
                        y->i[(b * g1->m + o) * P + p] = xnor ? (K + sum) / 2 : sum;
                    }
                continue;
            }
            const int64_t o_end = (grp + 1) * z.mg;
            for (int64_t o0 = grp * z.mg; o0 < o_end; o0 += CONV_BLOCK) {
                int64_t nb = o_end - o0 < CONV_BLOCK ? o_end - o0 : CONV_BLOCK;
                memset(acc, 0, (size_t)(nb * P) * sizeof *acc);
                for (int64_t k = 0; k < K; k++)
                    for (int64_t j = 0; j < nb; j++)
                        add_row(acc + j * P, col + k * P, (int32_t)wv->i[(o0 + j) * K + k], P);
                for (int64_t j = 0; j < nb; j++) {
                    int64_t *yo = y->i + (b * g1->m + o0 + j) * P;
                    const int32_t *a = acc + j * P;
                    for (int64_t p = 0; p < P; p++)
                        yo[p] = xnor ? (K + a[p]) / 2 : a[p];
                }
            }
        }
    free(col);
    free(acc);
    return true;
}

static bool ic_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    bool xnor;
    IntConvGeom g1;
    if (!int_need_int(ctx, n, in, 0, "X") || !int_need_int(ctx, n, in, 1, "W"))
        return false;
    const Value *x = in[0], *wv = in[1];
    if (!ic_geom(ctx, n, &x->shape, &g1, &xnor))
        return false;
    /* the geometry is W's tensor's; the value must be of that shape */
    if (!shape_equal(&wv->shape, &n->inputs[1]->shape))
        return op_error(ctx, n, "W's value does not have W's shape");
    if (xnor && !ic_pads_zero(&g1.w))
        return op_error(ctx, n, "xnor=1 needs a convolution without padding");
    if (xnor && (!int_need_bipolar(ctx, n, x, "X") || !int_need_bipolar(ctx, n, wv, "W")))
        return false;
    Window w;
    window_to_3d(&g1.w, &w);
    const int64_t kvol = w.kernel[0] * w.kernel[1] * w.kernel[2];
    const int64_t per_out = g1.cg * kvol;
    int64_t max_x = int_max_abs(x), l1, bound;
    if (!int_check_weight_bound(ctx, n, max_x, wv, g1.m, per_out, per_out, 1, &l1))
        return false;
    Value *y = op_new_value(ctx, n, INT_GRAPH_ELEM_TYPE, &g1.out);
    if (!y)
        return false;
    const int64_t cols = per_out * w.out[0] * w.out[1] * w.out[2];
    bool small = !__builtin_mul_overflow(max_x, l1, &bound) && bound < INT32_MAX &&
                 per_out < INT32_MAX && cols < ((int64_t)1 << 27);
    if (!small || !conv_int32(x, wv, &g1, &w, xnor, y))
        conv_int64(x, wv, &g1, &w, xnor, y);
    out[0] = y;
    return true;
}

const OpDef op_qonnxc_int_conv = {
    OP_INT_CONV, "IntConv", DOMAIN_QONNXC, 2, 2, 1, 1, ic_check, ic_infer, ic_eval,
};
