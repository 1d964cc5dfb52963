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
#include "op_int_params.h"

/* The parameters (int_dot_params: K and N from W's shape), checked
 * against X's shape (unknown dims pass). */
static bool imm_dims(const OpCtx *ctx, const Node *n, const Shape *x, IntDot *p)
{
    char sx[96], sw[96];
    if (!int_dot_params(ctx, n, p))
        return false;
    if (x->rank >= 0 && x->rank < 1)
        return op_error(ctx, n, "X must have rank >= 1");
    if (x->rank >= 1 && x->dims[x->rank - 1] >= 0 && p->k >= 0 && x->dims[x->rank - 1] != p->k)
        return op_error(ctx, n, "cannot multiply %s by %s: inner dims differ",
                        shape_str(x, sx, sizeof sx), shape_str(&p->w->shape, sw, sizeof sw));
    return true;
}

static bool imm_check(const OpCtx *ctx, const Node *n)
{
    IntDot p;
    if (!int_need_const(ctx, n, 1, "W"))
        return false;
    const Value *w = n->inputs[1]->value;
    if (!w->i)
        return op_error(ctx, n, "W must be an integer tensor, not %s", elem_type_name(w->elem_type));
    if (!imm_dims(ctx, n, &n->inputs[0]->shape, &p))
        return false;
    return !p.xnor || int_need_bipolar(ctx, n, w, "W");
}

static bool imm_infer(const OpCtx *ctx, Node *n)
{
    IntDot p;
    const Tensor *x = n->inputs[0];
    if (!imm_dims(ctx, n, &x->shape, &p))
        return false;
    Shape out = x->shape;
    if (out.rank >= 1)
        out.dims[out.rank - 1] = p.out_c;
    op_set_output(n, 0, INT_GRAPH_ELEM_TYPE, &out);
    return true;
}

static bool imm_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    IntDot p;
    if (!int_need_int(ctx, n, in, 0, "X") || !int_need_int(ctx, n, in, 1, "W"))
        return false;
    const Value *x = in[0], *w = in[1];
    if (!imm_dims(ctx, n, &x->shape, &p))
        return false;
    /* the parameters are W's tensor's; the value must be of that shape */
    if (!shape_equal(&w->shape, &p.w->shape))
        return op_error(ctx, n, "W's value does not have W's shape");
    if (x->shape.rank < 1)
        return op_error(ctx, n, "X must have rank >= 1");
    const bool xnor = p.xnor;
    const int64_t K = p.k, N = p.out_c;
    if (xnor && (!int_need_bipolar(ctx, n, x, "X") || !int_need_bipolar(ctx, n, w, "W")))
        return false;
    int64_t l1; /* column j of W holds output j's weights */
    if (!int_check_weight_bound(ctx, n, int_max_abs(x), w, N, K, 1, N, &l1))
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
