/* IntMatMul -> MVAU.
 *
 * X is [1, ..., K] and W [K, N]: MH = N, MW = K, one vector per position
 * of the middle dims. The MVAU's weight columns follow the stream order:
 * when X is a flattened NCHW image (spatial size > 1) the stream carries
 * it in HWC order, so column s of the MVAU is row order[s] of W (the CHW
 * index of the element the stream sends s-th). With several vectors the
 * stream must already be in X's row-major order. */
#include "lower_internal.h"
#include "op_int_params.h"

bool lower_matmul(Lower *L, const Node *n)
{
    IntDot dot;
    if (!int_dot_params(&L->ctx, n, &dot))
        return false;
    const Tensor *x = dot.x, *wt = dot.w, *y = dot.y;
    const Value *w = wt->value;
    if (!w || !w->i)
        return lower_fail(L, n, "weights must be a constant integer matrix [K, N]");
    int64_t K = dot.k, N = dot.out_c;
    if (x->shape.rank < 2 || x->shape.dims[x->shape.rank - 1] != K || L->elems % K)
        return lower_fail(L, n, "input '%s' is not [1, ..., %lld]", x->name, (long long)K);
    int64_t vectors = L->elems / K;
    bool permuted = !lower_order_is(L->order, lower_identity_order(L, L->elems), L->elems);
    if (vectors > 1 && permuted)
        return lower_fail(L, n, "input '%s' streams in an order that is not its row-major "
                          "order, and the MatMul has %lld vectors", x->name, (long long)vectors);
    qc_dtype wdt, acc_dt;
    if (!lower_tensor_dt(L, n, wt, &wdt) || !lower_tensor_dt(L, n, y, &acc_dt))
        return false;
    Layer *mv = lower_add_layer(L, LAYER_MVAU, n->name, n);
    if (!mv)
        return false;
    mv->mh = N;
    mv->mw = K;
    mv->vectors = vectors;
    mv->xnor = dot.xnor;
    mv->wdt = wdt;
    mv->acc_dt = acc_dt;
    mv->out.dt = acc_dt;
    mv->out.elems = N * vectors;
    mv->weights = arena_array(&L->df->arena, (size_t)(N * K), sizeof *mv->weights);
    if (!mv->weights)
        return lower_fail(L, n, "out of memory");
    for (int64_t h = 0; h < N; h++)
        for (int64_t s = 0; s < K; s++) {
            int64_t v = w->i[(vectors > 1 ? s : L->order[s]) * N + h];
            if (!lower_need_i32(L, n, v, "weight"))
                return false;
            mv->weights[h * K + s] = (int32_t)v;
        }
    return lower_advance(L, n, y, lower_identity_order(L, mv->out.elems), true);
}
