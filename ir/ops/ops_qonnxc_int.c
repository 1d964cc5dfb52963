/* The integer ops of the qonnxc domain (docs/integer-graph.md), one file
 * each: with them the interpreter is the int engine. */
#include "ops.h"

extern const OpDef op_qonnxc_input_quant;      /* op_input_quant.c */
extern const OpDef op_qonnxc_int_matmul;       /* op_int_matmul.c */
extern const OpDef op_qonnxc_int_conv;         /* op_int_conv.c */
extern const OpDef op_qonnxc_multithreshold;   /* op_int_multithreshold.c */
extern const OpDef op_qonnxc_int_maxpool;      /* op_int_maxpool.c */
extern const OpDef op_qonnxc_int_add;          /* op_int_add.c */
extern const OpDef op_qonnxc_int_scaled_add;   /* op_int_add.c */
extern const OpDef op_qonnxc_int_sum_pool;     /* op_int_sum_pool.c */
extern const OpDef op_qonnxc_output_affine;    /* op_output_affine.c */

const OpDef *const qonnxc_int_ops[] = {
    &op_qonnxc_input_quant,
    &op_qonnxc_int_matmul,
    &op_qonnxc_int_conv,
    &op_qonnxc_multithreshold,
    &op_qonnxc_int_maxpool,
    &op_qonnxc_int_add,
    &op_qonnxc_int_scaled_add,
    &op_qonnxc_int_sum_pool,
    &op_qonnxc_output_affine,
    NULL,
};
