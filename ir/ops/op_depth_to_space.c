/* DepthToSpace and SpaceToDepth on N x C x H x W tensors, block size b:
 *   DepthToSpace: [N, C, H, W] -> [N, C/(b*b), H*b, W*b]; mode DCR (the
 *     default: depth is ordered block row, block column, channel) or CRD
 *     (channel, block row, block column; from opset 11);
 *   SpaceToDepth: [N, C, H, W] -> [N, C*b*b, H/b, W/b], DCR order. */
#include "op_tensor.h"

#include <string.h>

static bool blocksize(const OpCtx *ctx, const Node *n, int64_t *b)
{
    /* outputs written on every path: GCC -O2 cannot see that op_error returns false */
    *b = 0;
    const Attr *a = node_attr(n, "blocksize");
    if (!a || a->kind != ATTR_INT)
        return op_error(ctx, n, "needs the int attribute 'blocksize'");
    if (a->i < 1 || a->i > (1 << 20))
        return op_error(ctx, n, "blocksize %lld is out of range", (long long)a->i);
    *b = a->i;
    return true;
}

/* true for CRD, false for DCR; false with an error for an unknown mode */
static bool dts_mode(const OpCtx *ctx, const Node *n, bool *crd)
{
    const char *mode = node_attr_string(n, "mode", "DCR");
    *crd = !strcmp(mode, "CRD");
    if (!*crd && strcmp(mode, "DCR"))
        return op_error(ctx, n, "mode '%s' is neither DCR nor CRD", mode);
    return true;
}

static bool d2s_check(const OpCtx *ctx, const Node *n)
{
    int64_t b;
    bool crd;
    return blocksize(ctx, n, &b) && dts_mode(ctx, n, &crd);
}

static bool s2d_check(const OpCtx *ctx, const Node *n)
{
    int64_t b;
    return blocksize(ctx, n, &b);
}

/* Output shape; to_space selects DepthToSpace. Unknown dims stay unknown. */
static bool dts_shape(const OpCtx *ctx, const Node *n, const Shape *in, bool to_space, Shape *out)
{
    int64_t b;
    if (!blocksize(ctx, n, &b))
        return false;
    *out = *in;
    if (in->rank < 0)
        return true;
    if (in->rank != 4)
        return op_error(ctx, n, "input must have rank 4 (N, C, H, W), not %d", in->rank);
    int64_t c = in->dims[1], bb = b * b;
    if (to_space) {
        if (c >= 0 && c % bb)
            return op_error(ctx, n, "%lld channels are not a multiple of blocksize^2 = %lld",
                            (long long)c, (long long)bb);
        out->dims[1] = c < 0 ? -1 : c / bb;
        for (int k = 2; k < 4; k++)
            if (in->dims[k] >= 0 && !dim_mul(in->dims[k], b, &out->dims[k]))
                return op_error(ctx, n, "output extent overflows");
    } else {
        for (int k = 2; k < 4; k++) {
            if (in->dims[k] >= 0 && in->dims[k] % b)
                return op_error(ctx, n, "extent %lld of axis %d is not a multiple of the "
                                "blocksize %lld", (long long)in->dims[k], k, (long long)b);
            out->dims[k] = in->dims[k] < 0 ? -1 : in->dims[k] / b;
        }
        if (c >= 0 && !dim_mul(c, bb, &out->dims[1]))
            return op_error(ctx, n, "output extent overflows");
    }
    return true;
}

static bool dts_infer(const OpCtx *ctx, Node *n, bool to_space)
{
    Shape out;
    if (!dts_shape(ctx, n, &n->inputs[0]->shape, to_space, &out))
        return false;
    op_set_output(n, 0, n->inputs[0]->elem_type, &out);
    return true;
}

static bool d2s_infer(const OpCtx *ctx, Node *n)
{
    return dts_infer(ctx, n, true);
}

static bool s2d_infer(const OpCtx *ctx, Node *n)
{
    return dts_infer(ctx, n, false);
}

static bool dts_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out,
                     bool to_space)
{
    bool crd = false;
    int64_t b;
    Shape shape;
    if (!op_need_input(ctx, n, in, 0) || !blocksize(ctx, n, &b) ||
        (to_space && !dts_mode(ctx, n, &crd)) ||
        !dts_shape(ctx, n, &in[0]->shape, to_space, &shape))
        return false;
    const Value *x = in[0];
    Value *y = op_new_value(ctx, n, x->elem_type, &shape);
    if (!y)
        return false;
    /* Walk the space side [N, Cs, Hs, Ws] (DepthToSpace's output,
     * SpaceToDepth's input); the depth side has channel cd at (h, w) with
     * Hs = H*b, Ws = W*b. */
    const Shape *sp = to_space ? &shape : &x->shape, *dp = to_space ? &x->shape : &shape;
    int64_t N = sp->dims[0], Cs = sp->dims[1], Hs = sp->dims[2], Ws = sp->dims[3];
    int64_t Cd = dp->dims[1], Hd = dp->dims[2], Wd = dp->dims[3];
    int64_t s = 0;
    for (int64_t nn = 0; nn < N; nn++)
        for (int64_t c = 0; c < Cs; c++)
            for (int64_t h = 0; h < Hs; h++)
                for (int64_t w = 0; w < Ws; w++, s++) {
                    int64_t i = h % b, j = w % b;
                    int64_t cd = crd ? (c * b + i) * b + j : (i * b + j) * Cs + c;
                    int64_t d = ((nn * Cd + cd) * Hd + h / b) * Wd + w / b;
                    if (to_space)
                        value_move(y, s, x, d);
                    else
                        value_move(y, d, x, s);
                }
    out[0] = y;
    return true;
}

static bool d2s_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    return dts_eval(ctx, n, in, out, true);
}

static bool s2d_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    return dts_eval(ctx, n, in, out, false);
}

const OpDef op_depth_to_space = {
    OP_DEPTH_TO_SPACE, "DepthToSpace", DOMAIN_ONNX, 1, 1, 1, 1, d2s_check, d2s_infer, d2s_eval,
};

const OpDef op_space_to_depth = {
    OP_SPACE_TO_DEPTH, "SpaceToDepth", DOMAIN_ONNX, 1, 1, 1, 1, s2d_check, s2d_infer, s2d_eval,
};
