/* LabelSelect (when the config asks for `labels: k`): the accelerator
 * ends with the indices of the k largest scores, largest first, ties to
 * the lower index, instead of the scores.
 *
 * That is the model's top-k only if the host's OutputAffine keeps the
 * order of the scores: one positive scale and one bias for every class.
 * The last layer must write one vector of scores in their own order. */
#include <stdio.h>

#include "lower_internal.h"

static bool order_preserving(const Value *v, bool positive)
{
    for (int64_t k = 0; k < v->count; k++)
        if (v->f[k] != v->f[0] || (positive && !(v->f[k] > 0)))
            return false;
    return true;
}

bool lower_labelselect(Lower *L, const Node *affine)
{
    Dataflow *df = L->df;
    int k = L->cfg->labels;
    const Layer *last = &df->layers[df->n_layers - 1];
    int64_t N = df->out_elems;
    if (affine && (!order_preserving(affine->inputs[1]->value, true) ||
                   !order_preserving(affine->inputs[2]->value, false)))
        return lower_fail(L, affine, "labels: %d needs an OutputAffine with one positive scale "
                          "and one bias for all classes (top-k of the integers is then top-k "
                          "of the scores)", k);
    if (last->kind != LAYER_MVAU || last->vectors != 1 ||
        !lower_order_is(df->out_order, lower_identity_order(L, N), N))
        return lower_fail(L, last->node, "labels: %d needs the last layer to be a matrix "
                          "layer writing one vector of scores", k);
    if (k > N)
        return lower_fail(L, last->node, "labels: %d asks for more labels than the %lld "
                          "classes", k, (long long)N);
    char name[64];
    snprintf(name, sizeof name, "labelselect");
    for (int s = 2; dataflow_find_layer(df, name) >= 0; s++)
        snprintf(name, sizeof name, "labelselect_%d", s);
    Layer *l = lower_add_layer(L, LAYER_LABELSELECT, name, NULL);
    if (!l)
        return false;
    l->channels = N;
    l->k = k;
    unsigned bits = 1;
    while (bits < 31 && ((int64_t)1 << bits) < N)
        bits++;
    l->out.dt = qc_dtype_uint(bits);
    l->out.elems = k;
    df->labels_out = true;
    return true;
}
