/* IntAdd and IntScaledAdd -> JOIN: the two streams added element by
 * element in the add's integer ratio, out = mul_a * A + mul_b * B. The
 * MultiThreshold after the add (the quantizer of a residual block) is
 * fused by lower_threshold. Both inputs must stream their elements in the
 * same order, so an element of one meets its partner of the other. */
#include "lower_internal.h"
#include "op_int_params.h"

bool lower_join(Lower *L, const Node *n)
{
    IntAddParams p;
    if (!int_add_params(&L->ctx, n, &p))
        return false;
    if (!lower_use(L, n, p.b))
        return false;
    int b_src = L->src, b_port = L->src_port;
    qc_dtype b_dt = L->dt;
    int64_t *b_order = L->order, b_elems = L->elems;
    if (!lower_use(L, n, p.a))
        return false;
    if (b_elems != L->elems || !lower_order_is(L->order, b_order, L->elems))
        return lower_fail(L, n, "its inputs '%s' and '%s' do not stream the same elements in "
                          "the same order (a broadcast or a layout op on one side)", p.a->name,
                          p.b->name);
    if (L->dt.kind == QC_BIPOLAR || b_dt.kind == QC_BIPOLAR)
        return lower_fail(L, n, "adding BIPOLAR streams is not supported");
    if (!lower_need_i32(L, n, p.mul_a, "mul_a") || !lower_need_i32(L, n, p.mul_b, "mul_b"))
        return false;
    qc_dtype out_dt;
    if (!lower_tensor_dt(L, n, p.y, &out_dt))
        return false;
    const Shape *s = &p.a->shape;
    int64_t channels = L->elems;
    if (s->rank == 4 && lower_order_is(L->order, lower_nhwc_order(L, s->dims[1], s->dims[2],
                                                                  s->dims[3]), L->elems))
        channels = s->dims[1];
    int64_t *order = L->order;
    Layer *j = lower_add_layer(L, LAYER_JOIN, n->name, n);
    if (!j)
        return false;
    j->n_inputs = 2;
    j->src[1] = b_src;
    j->src_port[1] = b_port;
    j->in2.dt = b_dt;
    j->in2.elems = b_elems;
    j->channels = channels;
    j->mul_a = p.mul_a;
    j->mul_b = p.mul_b;
    j->acc_dt = out_dt;
    j->out.dt = out_dt;
    j->out.elems = L->elems;
    return lower_advance(L, n, p.y, order, true);
}
