#include "op_int.h"

bool int_need_int(const OpCtx *ctx, const Node *n, const Value *const *in, int k,
                  const char *what)
{
    if (k >= n->n_inputs || !in[k])
        return op_error(ctx, n, "%s (input %d) has no value", what, k);
    if (!in[k]->i)
        return op_error(ctx, n, "%s must be an integer tensor, not %s", what,
                        elem_type_name(in[k]->elem_type));
    return true;
}

bool int_need_const(const OpCtx *ctx, const Node *n, int k, const char *what)
{
    if (k >= n->n_inputs || !n->inputs[k])
        return op_error(ctx, n, "%s (input %d) is missing", what, k);
    if (!n->inputs[k]->value)
        return op_error(ctx, n, "%s (input %d, '%s') must be a constant", what, k,
                        n->inputs[k]->name);
    return true;
}

bool int_need_bipolar(const OpCtx *ctx, const Node *n, const Value *v, const char *what)
{
    for (int64_t k = 0; k < v->count; k++) {
        if (v->i && (v->i[k] == 1 || v->i[k] == -1))
            continue;
        double x = value_get(v, k);
        if (x != 1 && x != -1)
            return op_error(ctx, n, "%s must hold only -1 and +1 (xnor=1); element %lld is %g",
                            what, (long long)k, x);
    }
    return true;
}

int64_t int_max_abs(const Value *v)
{
    int64_t m = 0;
    if (!v->i) {
        for (int64_t k = 0; k < v->count; k++) {
            double a = v->f[k] < 0 ? -(double)v->f[k] : (double)v->f[k];
            if (!(a < 9.2e18))
                return INT64_MAX;
            if ((int64_t)a + 1 > m)
                m = (int64_t)a + 1;
        }
        return m;
    }
    for (int64_t k = 0; k < v->count; k++) {
        int64_t x = v->i[k];
        if (x == INT64_MIN)
            return INT64_MAX;
        if (x < 0)
            x = -x;
        if (x > m)
            m = x;
    }
    return m;
}

bool int_check_acc_bound(const OpCtx *ctx, const Node *n, int64_t max_abs_x,
                         int64_t max_weight_l1)
{
    int64_t bound;
    if (__builtin_mul_overflow(max_abs_x, max_weight_l1, &bound) || bound >= INT_ACC_LIMIT)
        return op_error(ctx, n, "inputs up to %lld in magnitude times weights summing to %lld "
                        "in magnitude could overflow the int64 accumulator",
                        (long long)max_abs_x, (long long)max_weight_l1);
    return true;
}

bool int_check_weight_bound(const OpCtx *ctx, const Node *n, int64_t max_abs_x, const Value *w,
                            int64_t n_out, int64_t n_taps, int64_t out_step, int64_t tap_step,
                            int64_t *max_l1)
{
    int64_t l1 = 0;
    for (int64_t o = 0; o < n_out; o++) {
        int64_t s = 0;
        for (int64_t t = 0; t < n_taps; t++) {
            int64_t v = w->i[o * out_step + t * tap_step];
            if (v == INT64_MIN || __builtin_add_overflow(s, v < 0 ? -v : v, &s))
                return int_check_acc_bound(ctx, n, 1, INT64_MAX);
        }
        l1 = s > l1 ? s : l1;
    }
    *max_l1 = l1;
    return int_check_acc_bound(ctx, n, max_abs_x, l1);
}

bool int_pool_window(const OpCtx *ctx, const Node *n, Window *w)
{
    int nsp;
    op_attr_ints(n, "kernel_shape", &nsp);
    if (!node_attr(n, "kernel_shape"))
        return op_error(ctx, n, "attribute 'kernel_shape' is required");
    return window_read(ctx, n, nsp, NULL, WIN_CEIL_MODE, w);
}
