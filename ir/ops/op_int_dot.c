/* int_dot_params: the parameters of IntMatMul and IntConv, decoded once
 * for the int engine (op_int_matmul.c, op_int_conv.c) and every backend. */
#include <string.h>

#include "op_int_params.h"

static bool dot_xnor(const OpCtx *ctx, const Node *n, bool *xnor)
{
    const Attr *a = node_attr(n, "xnor");
    if (a && (a->kind != ATTR_INT || (a->i != 0 && a->i != 1)))
        return op_error(ctx, n, "attribute 'xnor' must be 0 or 1");
    *xnor = a && a->i == 1;
    return true;
}

/* W [O, C/group, k1, ...]: group, channels and the window's attributes. */
static bool conv_params(const OpCtx *ctx, const Node *n, IntDot *p)
{
    const Shape *ws = &p->w->shape;
    const Attr *ga = node_attr(n, "group");
    if (ga && (ga->kind != ATTR_INT || ga->i < 1 || ga->i > ((int64_t)1 << 31)))
        return op_error(ctx, n, "attribute 'group' must be a positive int");
    p->groups = ga ? ga->i : 1;
    int nsp;
    if (!window_spatial_rank(ctx, n, ws->rank, "W", &nsp))
        return false;
    p->out_c = ws->dims[0];
    p->cg = ws->dims[1];
    if (p->out_c % p->groups)
        return op_error(ctx, n, "%lld output channels do not split into %lld groups",
                        (long long)p->out_c, (long long)p->groups);
    if (!window_read(ctx, n, nsp, &ws->dims[2], 0, &p->win))
        return false;
    p->in_c = p->cg * p->groups;
    p->og = p->out_c / p->groups;
    p->k = p->cg;
    for (int k = 0; k < nsp; k++)
        p->k *= p->win.kernel[k];
    return true;
}

bool int_dot_params(const OpCtx *ctx, const Node *n, IntDot *p)
{
    memset(p, 0, sizeof *p);
    OpKind kind = node_kind(n);
    if (kind != OP_INT_CONV && kind != OP_INT_MATMUL)
        return op_error(ctx, n, "is not an IntConv or IntMatMul");
    p->conv = kind == OP_INT_CONV;
    p->x = n->inputs[0];
    p->w = n->inputs[1];
    p->y = n->outputs[0];
    p->groups = 1;
    if (!dot_xnor(ctx, n, &p->xnor))
        return false;
    if (p->conv)
        return conv_params(ctx, n, p);
    char sw[96];
    if (p->w->shape.rank != 2)
        return op_error(ctx, n, "W must be a matrix [K, N], not of shape %s",
                        shape_str(&p->w->shape, sw, sizeof sw));
    p->k = p->in_c = p->cg = p->w->shape.dims[0];
    p->out_c = p->og = p->w->shape.dims[1];
    return true;
}
