/* Identity (the input, unchanged) and Dropout at inference (the same,
 * plus an all-true mask when that output is asked for). Tensors only:
 * optional and sequence types do not exist in this IR. */
#include "op_tensor.h"

static bool identity_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    if (!op_need_input(ctx, n, in, 0))
        return false;
    out[0] = op_value_reshaped(ctx, n, in[0], &in[0]->shape);
    return out[0] != NULL;
}

const OpDef op_identity = {
    OP_IDENTITY, "Identity", DOMAIN_ONNX, 1, 1, 1, 1, NULL, infer_same_as_input0, identity_eval,
};

/* ---- Dropout ----------------------------------------------------------- */

/* Training mode is input 2 from opset 12 (a bool scalar); qonnxc compiles
 * inference graphs, so a true value is an error. Before opset 7 the
 * `is_test` attribute defaulted to training, which inference engines
 * ignore: so does this. The ratio (attribute or input 1) does not matter
 * at inference. */
static bool dropout_training(const OpCtx *ctx, const Node *n, const Value *mode)
{
    if (mode && mode->count == 1 && (mode->f ? mode->f[0] != 0.0f : mode->i[0] != 0))
        return op_error(ctx, n, "training_mode is true; only inference (identity) Dropout is "
                        "supported");
    return true;
}

static bool dropout_check(const OpCtx *ctx, const Node *n)
{
    return dropout_training(ctx, n, op_const_input(n, 2));
}

static bool dropout_infer(const OpCtx *ctx, Node *n)
{
    if (!dropout_check(ctx, n))
        return false;
    op_set_output(n, 0, n->inputs[0]->elem_type, &n->inputs[0]->shape);
    op_set_output(n, 1, ET_BOOL, &n->inputs[0]->shape);
    return true;
}

static bool dropout_eval(const OpCtx *ctx, const Node *n, const Value *const *in, Value **out)
{
    if (!op_need_input(ctx, n, in, 0) ||
        !dropout_training(ctx, n, n->n_inputs > 2 ? in[2] : NULL))
        return false;
    out[0] = op_value_reshaped(ctx, n, in[0], &in[0]->shape);
    if (!out[0])
        return false;
    if (n->n_outputs > 1 && n->outputs[1]) {
        out[1] = op_new_value(ctx, n, ET_BOOL, &in[0]->shape);
        if (!out[1]) {
            value_free(out[0]);
            out[0] = NULL;
            return false;
        }
        for (int64_t k = 0; k < out[1]->count; k++)
            out[1]->i[k] = 1;
    }
    return true;
}

const OpDef op_dropout = {
    OP_DROPOUT, "Dropout", DOMAIN_ONNX, 1, 3, 1, 2, dropout_check, dropout_infer, dropout_eval,
};
