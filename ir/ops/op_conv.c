/* Conv: X (N x C x D1 ... Dn) with weights W (M x C/group x k1 ... kn) and
 * an optional bias B (M), for 1 to 3 spatial dims, with group, strides,
 * dilations, pads and auto_pad.
 *
 * Evaluation is im2col followed by a register-blocked matrix product: for
 * each image and group, the receptive fields are unrolled into a matrix
 * with one row per (channel, kernel position) and one column per output
 * position, and the group's weight rows multiply it. Every output element
 * is still one float32 sum over (channel, kernel position) in natural
 * order starting from zero, with the bias added last; the blocking only
 * decides which sums run side by side (and lets the compiler vectorise
 * across output positions). The executor may ask for another summation
 * (op_golden_sum) to measure what float32 rounding does. */
#include <stdlib.h>
#include <string.h>

#include "op_math.h"
#include "resource_limits.h"

typedef struct ConvGeom {
    int64_t group;
    int64_t m, cg;          /* output channels, input channels per group (-1: unknown) */
    Window w;               /* nsp == 0: geometry unknown */
    Shape out;
} ConvGeom;

/* Everything about a Conv the shapes of X, W and B (any part possibly
 * unknown) determine, checked; out gets every dim that is known. */
static bool conv_geom(const OpCtx *ctx, const Node *n, const Shape *x, const Shape *wt,
                      const Shape *b, ConvGeom *cg)
{
    memset(cg, 0, sizeof *cg);
    cg->out.rank = -1;
    cg->m = cg->cg = -1;
    const Attr *ga = node_attr(n, "group");
    if (ga && (ga->kind != ATTR_INT || ga->i < 1 || ga->i > ((int64_t)1 << 31)))
        return op_error(ctx, n, "attribute 'group' must be a positive int");
    cg->group = ga ? ga->i : 1;
    int nsp = 0;
    if (wt->rank >= 0 && !window_spatial_rank(ctx, n, wt->rank, "W", &nsp))
        return false;
    if (x->rank >= 0) {
        int xn;
        if (!window_spatial_rank(ctx, n, x->rank, "X", &xn))
            return false;
        if (nsp && xn != nsp)
            return op_error(ctx, n, "X has rank %d but W has rank %d", x->rank, wt->rank);
        nsp = xn;
    }
    if (!nsp) {
        int count;
        op_attr_ints(n, "kernel_shape", &count);
        nsp = count;
    }
    if (!nsp)
        return true; /* nothing to check the attributes against yet */
    bool kernel_known = wt->rank >= 0;
    int64_t kernel[WIN_MAX_SPATIAL];
    for (int k = 0; kernel_known && k < nsp; k++) {
        kernel[k] = wt->dims[2 + k];
        kernel_known = kernel[k] >= 0;
    }
    /* without the weights' kernel, kernel_shape (if any) stands alone */
    bool has_kernel_attr = node_attr(n, "kernel_shape") != NULL;
    if (!kernel_known && !has_kernel_attr) {
        cg->w.nsp = 0;
    } else if (!window_read(ctx, n, nsp, kernel_known ? kernel : NULL, 0, &cg->w)) {
        return false;
    }
    if (wt->rank >= 0) {
        cg->m = wt->dims[0];
        cg->cg = wt->dims[1];
        if (cg->m >= 0 && cg->m % cg->group)
            return op_error(ctx, n, "group %lld does not divide the %lld output channels",
                            (long long)cg->group, (long long)cg->m);
    }
    int64_t c = x->rank >= 0 ? x->dims[1] : -1;
    if (c >= 0 && c % cg->group)
        return op_error(ctx, n, "group %lld does not divide the %lld input channels",
                        (long long)cg->group, (long long)c);
    if (c >= 0 && cg->cg >= 0 && c != cg->cg * cg->group)
        return op_error(ctx, n, "X has %lld channels but W expects %lld x group %lld",
                        (long long)c, (long long)cg->cg, (long long)cg->group);
    bool bias_fits = !b || b->rank < 0 ||
                     (b->rank == 1 && (cg->m < 0 || b->dims[0] < 0 || b->dims[0] == cg->m));
    if (!bias_fits) {
        char s[96];
        return op_error(ctx, n, "B has shape %s; [%lld] expected", shape_str(b, s, sizeof s),
                        (long long)cg->m);
    }
    if (x->rank < 0)
        return true;
    cg->out.rank = x->rank;
    cg->out.dims[0] = x->dims[0];
    cg->out.dims[1] = cg->m;
    for (int k = 0; k < nsp; k++)
        cg->out.dims[2 + k] = -1;
    if (cg->w.nsp) {
        if (!window_apply(ctx, n, &x->dims[2], &cg->w))
            return false;
        for (int k = 0; k < nsp; k++)
            cg->out.dims[2 + k] = cg->w.out[k];
    }
    return true;
}

static const Tensor *conv_bias_tensor(const Node *n)
{
    return n->n_inputs > 2 ? n->inputs[2] : NULL;
}

static bool conv_check(const OpCtx *ctx, const Node *n)
{
    const Tensor *b = conv_bias_tensor(n);
    ConvGeom cg;
    return conv_geom(ctx, n, &n->inputs[0]->shape, &n->inputs[1]->shape, b ? &b->shape : NULL,
                     &cg);
}

static bool conv_infer(const OpCtx *ctx, Node *n)
{
    const Tensor *b = conv_bias_tensor(n);
    ConvGeom cg;
    if (!math_infer_float(ctx, n, n->inputs[0], "X") ||
        !math_infer_float(ctx, n, n->inputs[1], "W") ||
        !conv_geom(ctx, n, &n->inputs[0]->shape, &n->inputs[1]->shape, b ? &b->shape : NULL,
                   &cg))
        return false;
    op_set_output(n, 0, n->inputs[0]->elem_type, &cg.out);
    return true;
}

/* ---- the matrix product ------------------------------------------------ */

#define GEMM_MR 8 /* weight rows per block */
#define GEMM_NR 8 /* output positions per block */

/* c[m x p] (row stride p) = a[m x k] (row-major) times b[k x p] (row stride
 * ldb >= p rounded up to GEMM_NR; the columns past p are read, not used). */
static void conv_gemm(int64_t m, int64_t k, int64_t p, int64_t ldb, const float *a,
                      const float *b, float *c)
{
    int64_t i = 0;
    for (; i + GEMM_MR <= m; i += GEMM_MR)
        for (int64_t j = 0; j < p; j += GEMM_NR) {
            float acc[GEMM_MR][GEMM_NR] = { { 0 } };
            const float *ai = a + i * k;
            for (int64_t q = 0; q < k; q++) {
                const float *bq = b + q * ldb + j;
                for (int r = 0; r < GEMM_MR; r++) {
                    float ar = ai[r * k + q];
                    for (int t = 0; t < GEMM_NR; t++)
                        acc[r][t] += ar * bq[t];
                }
            }
            size_t cols = (size_t)(p - j < GEMM_NR ? p - j : GEMM_NR);
            for (int r = 0; r < GEMM_MR; r++)
                memcpy(c + (i + r) * p + j, acc[r], cols * sizeof(float));
        }
    for (; i < m; i++)
        for (int64_t j = 0; j < p; j += GEMM_NR) {
            float acc[GEMM_NR] = { 0 };
            for (int64_t q = 0; q < k; q++) {
                const float *bq = b + q * ldb + j;
                float ar = a[i * k + q];
                for (int t = 0; t < GEMM_NR; t++)
                    acc[t] += ar * bq[t];
            }
            size_t cols = (size_t)(p - j < GEMM_NR ? p - j : GEMM_NR);
            memcpy(c + i * p + j, acc, cols * sizeof(float));
        }
}

/* The same product with each sum taken as `sum` says (op_math.h
 * math_dot_as), row by row so b is read along its rows: only for measuring
 * golden's float32 rounding. acc: p doubles of scratch. */
static void conv_gemm_as(GoldenSum sum, int64_t m, int64_t k, int64_t p, int64_t ldb,
                         const float *a, const float *b, float *c, double *acc)
{
    for (int64_t i = 0; i < m; i++) {
        const float *ai = a + i * k;
        float *ci = c + i * p;
        if (sum == GOLDEN_SUM_DOUBLE) {
            /* each product of two floats is exact in double */
            for (int64_t j = 0; j < p; j++)
                acc[j] = 0.0;
            for (int64_t q = 0; q < k; q++)
                for (int64_t j = 0; j < p; j++)
                    acc[j] += (double)ai[q] * (double)b[q * ldb + j];
            for (int64_t j = 0; j < p; j++)
                ci[j] = (float)acc[j];
        } else {
            for (int64_t j = 0; j < p; j++)
                ci[j] = 0.0f;
            for (int64_t q = k - 1; q >= 0; q--)
                for (int64_t j = 0; j < p; j++)
                    ci[j] += ai[q] * b[q * ldb + j];
        }
    }
}

/* ---- im2col ------------------------------------------------------------ */

/* Unrolls the receptive fields of `cg` channels of one image (x: cg x ID x
 * IH x IW) into col: one row of ldc floats per (channel, kd, kh, kw), entry
 * (od, oh, ow) the input under that kernel tap, 0 in the padding. */
static void conv_im2col(const Window *w, int64_t cg, const float *x, float *col, int64_t ldc)
{
    const int64_t ID = w->in[0], IH = w->in[1], IW = w->in[2];
    const int64_t OD = w->out[0], OH = w->out[1], OW = w->out[2];
    for (int64_t c = 0; c < cg; c++)
        for (int64_t kd = 0; kd < w->kernel[0]; kd++)
            for (int64_t kh = 0; kh < w->kernel[1]; kh++)
                for (int64_t kw = 0; kw < w->kernel[2]; kw++, col += ldc) {
                    int64_t dw = kw * w->dilation[2] - w->pad_begin[2];
                    /* output columns whose tap falls inside the input row */
                    int64_t lo = 0, hi = OW;
                    while (lo < OW && lo * w->stride[2] + dw < 0)
                        lo++;
                    while (hi > lo && (hi - 1) * w->stride[2] + dw >= IW)
                        hi--;
                    float *dst = col;
                    for (int64_t od = 0; od < OD; od++) {
                        int64_t id = od * w->stride[0] + kd * w->dilation[0] - w->pad_begin[0];
                        for (int64_t oh = 0; oh < OH; oh++, dst += OW) {
                            int64_t ih = oh * w->stride[1] + kh * w->dilation[1] - w->pad_begin[1];
                            if (id < 0 || id >= ID || ih < 0 || ih >= IH) {
                                memset(dst, 0, (size_t)OW * sizeof(float));
                                continue;
                            }
                            const float *src = x + ((c * ID + id) * IH + ih) * IW;
                            for (int64_t ow = 0; ow < lo; ow++)
                                dst[ow] = 0.0f;
                            if (w->stride[2] == 1) {
                                if (hi > lo)
                                    memcpy(dst + lo, src + lo + dw,
                                           (size_t)(hi - lo) * sizeof(float));
                            } else {
                                for (int64_t ow = lo; ow < hi; ow++)
                                    dst[ow] = src[ow * w->stride[2] + dw];
                            }
                            for (int64_t ow = hi; ow < OW; ow++)
                                dst[ow] = 0.0f;
                        }
                    }
                }
}

/* ---- eval -------------------------------------------------------------- */

static bool conv_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    if (!math_need_input(ctx, n, in, 0) || !math_need_input(ctx, n, in, 1))
        return false;
    const Value *x = in[0], *wt = in[1], *b = n->n_inputs > 2 ? in[2] : NULL;
    if (!math_need_float(ctx, n, x, "X") || !math_need_float(ctx, n, wt, "W") ||
        (b && !math_need_float(ctx, n, b, "B")))
        return false;
    ConvGeom cg;
    if (!conv_geom(ctx, n, &x->shape, &wt->shape, b ? &b->shape : NULL, &cg))
        return false;
    Value *y = op_new_value(ctx, n, x->elem_type, &cg.out);
    if (!y)
        return false;
    Window w;
    window_to_3d(&cg.w, &w);
    int64_t batch = x->shape.dims[0], c = x->shape.dims[1], m = cg.m, mg = m / cg.group;
    int64_t in_plane = w.in[0] * w.in[1] * w.in[2];
    int64_t p = w.out[0] * w.out[1] * w.out[2];
    int64_t kvol = w.kernel[0] * w.kernel[1] * w.kernel[2], k = cg.cg * kvol;
    int64_t ldc = (p + GEMM_NR - 1) / GEMM_NR * GEMM_NR;
    /* a 1x1 kernel with stride 1 and no padding reads the input as it is */
    bool direct = kvol == 1 && ldc == p && in_plane == p;
    for (int d = 0; d < WIN_MAX_SPATIAL; d++)
        direct = direct && w.stride[d] == 1 && w.pad_begin[d] == 0;
    float *col = NULL;
    int64_t col_len;
    if (!direct && y->count > 0) {
        /* the scratch counts as an activation (limit activation-bytes) */
        int64_t live = 0;
        if (!__builtin_mul_overflow(k, ldc, &col_len) && col_len <= ((int64_t)1 << 31) &&
            (live = limits_add(limits_live_bytes(),
                               (y->count + col_len) * (int64_t)sizeof(float))) >
                limit(LIMIT_ACTIVATION_BYTES)) {
            value_free(y);
            return limit_error(ctx->d, ctx->g ? ctx->g->path : NULL, n->name, n->op_type,
                               LIMIT_ACTIVATION_BYTES, live,
                               "the unrolled input (%lld x %lld floats), with the activations "
                               "alive,", (long long)k, (long long)ldc);
        }
        if (__builtin_mul_overflow(k, ldc, &col_len) || col_len > ((int64_t)1 << 31) ||
            !(col = calloc((size_t)(col_len ? col_len : 1), sizeof(float)))) {
            value_free(y);
            diag_set_exit(ctx->d, EXIT_LIMIT);
            return op_error(ctx, n, "the unrolled input (%lld x %lld floats) is too large",
                            (long long)k, (long long)ldc);
        }
    }
    GoldenSum sum = op_golden_sum(ctx);
    double *acc = NULL;
    if (sum != GOLDEN_SUM_FLOAT32 && y->count > 0 &&
        !(acc = malloc((size_t)(p ? p : 1) * sizeof *acc))) {
        free(col);
        value_free(y);
        return op_error(ctx, n, "out of memory");
    }
    for (int64_t img = 0; y->count > 0 && img < batch; img++)
        for (int64_t g = 0; g < cg.group; g++) {
            const float *xg = x->f + (img * c + g * cg.cg) * in_plane;
            float *yg = y->f + (img * m + g * mg) * p;
            if (!direct)
                conv_im2col(&w, cg.cg, xg, col, ldc);
            if (sum == GOLDEN_SUM_FLOAT32)
                conv_gemm(mg, k, p, ldc, wt->f + g * mg * k, direct ? xg : col, yg);
            else
                conv_gemm_as(sum, mg, k, p, ldc, wt->f + g * mg * k, direct ? xg : col, yg,
                             acc);
            for (int64_t oc = 0; b && oc < mg; oc++) {
                float bias = b->f[g * mg + oc];
                float *row = yg + oc * p;
                for (int64_t j = 0; j < p; j++)
                    row[j] += bias;
            }
        }
    free(col);
    free(acc);
    out[0] = y;
    return true;
}

const OpDef op_conv = { OP_CONV, "Conv", DOMAIN_ONNX, 2, 3, 1, 1, conv_check, conv_infer, conv_eval };
