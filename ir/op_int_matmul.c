/* IntMatMul (domain qonnxc): X [.., K] (integer) times the constant
 * integer weights W [K, N] (docs/integer-graph.md).
 *
 *   xnor = 0:  out[.., n] = sum_k X[.., k] * W[k, n]
 *   xnor = 1:  X and W hold only -1/+1 (BIPOLAR); out[.., n] is the number
 *              of k where X[.., k] == W[k, n], i.e. (K + dot) / 2: the
 *              XNOR-popcount form, in [0, K].
 *
 * Computed in int64; a bound on |X| times the largest column sum of |W|
 * is checked first, so no sum can overflow. */
#include <stdlib.h>

#include "op_int.h"

static bool imm_xnor(const OpCtx *ctx, const Node *n, bool *xnor)
{
    const Attr *a = node_attr(n, "xnor");
    if (a && (a->kind != ATTR_INT || (a->i != 0 && a->i != 1)))
        return op_error(ctx, n, "attribute 'xnor' must be 0 or 1");
    *xnor = a && a->i == 1;
    return true;
}

/* K and N from W's shape, checked against X's (unknown dims pass). */
static bool imm_dims(const OpCtx *ctx, const Node *n, const Shape *x, const Shape *w,
                     int64_t *k, int64_t *nn)
{
    char sx[96], sw[96];
    if (w->rank != 2)
        return op_error(ctx, n, "W must be a matrix [K, N], not of shape %s",
                        shape_str(w, sw, sizeof sw));
    if (x->rank >= 0 && x->rank < 1)
        return op_error(ctx, n, "X must have rank >= 1");
    *k = w->dims[0];
    *nn = w->dims[1];
    if (x->rank >= 1 && x->dims[x->rank - 1] >= 0 && *k >= 0 && x->dims[x->rank - 1] != *k)
        return op_error(ctx, n, "cannot multiply %s by %s: inner dims differ",
                        shape_str(x, sx, sizeof sx), shape_str(w, sw, sizeof sw));
    return true;
}

static bool imm_check(const OpCtx *ctx, const Node *n)
{
    bool xnor;
    int64_t k, nn;
    if (!imm_xnor(ctx, n, &xnor) || !int_need_const(ctx, n, 1, "W"))
        return false;
    const Value *w = n->inputs[1]->value;
    if (!w->i)
        return op_error(ctx, n, "W must be an integer tensor, not %s", elem_type_name(w->elem_type));
    if (xnor && !int_need_bipolar(ctx, n, w, "W"))
        return false;
    return imm_dims(ctx, n, &n->inputs[0]->shape, &w->shape, &k, &nn);
}

static bool imm_infer(const OpCtx *ctx, Node *n)
{
    int64_t k, nn;
    const Tensor *x = n->inputs[0];
    if (!imm_dims(ctx, n, &x->shape, &n->inputs[1]->shape, &k, &nn))
        return false;
    Shape out = x->shape;
    if (out.rank >= 1)
        out.dims[out.rank - 1] = nn;
    op_set_output(n, 0, INT_GRAPH_ELEM_TYPE, &out);
    return true;
}

static bool imm_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    bool xnor;
    int64_t K, N;
    if (!imm_xnor(ctx, n, &xnor) || !int_need_int(ctx, n, in, 0, "X") ||
        !int_need_int(ctx, n, in, 1, "W"))
        return false;
    const Value *x = in[0], *w = in[1];
    if (!imm_dims(ctx, n, &x->shape, &w->shape, &K, &N))
        return false;
    if (x->shape.rank < 1)
        return op_error(ctx, n, "X must have rank >= 1");
    if (xnor && (!int_need_bipolar(ctx, n, x, "X") || !int_need_bipolar(ctx, n, w, "W")))
        return false;
    int64_t l1 = 0;
    for (int64_t j = 0; j < N; j++) {
        int64_t col = 0;
        for (int64_t p = 0; p < K; p++) {
            int64_t v = w->i[p * N + j];
            if (v == INT64_MIN || __builtin_add_overflow(col, v < 0 ? -v : v, &col))
                return int_check_acc_bound(ctx, n, 1, INT64_MAX);
        }
        l1 = col > l1 ? col : l1;
    }
    if (!int_check_acc_bound(ctx, n, int_max_abs(x), l1))
        return false;
    Shape s = x->shape;
    s.dims[s.rank - 1] = N;
    Value *y = op_new_value(ctx, n, INT_GRAPH_ELEM_TYPE, &s);
    if (!y)
        return false;
    int64_t rows = 1;
    for (int d = 0; d < x->shape.rank - 1; d++)
        rows *= x->shape.dims[d];
    for (int64_t r = 0; r < rows; r++) {
        int64_t *yr = y->i + r * N;
        const int64_t *xr = x->i + r * K;
        for (int64_t p = 0; p < K; p++) {
            int64_t xv = xr[p];
            if (!xv)
                continue;
            const int64_t *wp = w->i + p * N;
            for (int64_t j = 0; j < N; j++)
                yr[j] += xv * wp[j];
        }
        if (xnor)
            for (int64_t j = 0; j < N; j++)
                yr[j] = (K + yr[j]) / 2;
    }
    out[0] = y;
    return true;
}

const OpDef op_qonnxc_int_matmul = {
    OP_INT_MATMUL, "IntMatMul", DOMAIN_QONNXC, 2, 2, 1, 1, imm_check, imm_infer, imm_eval,
};
