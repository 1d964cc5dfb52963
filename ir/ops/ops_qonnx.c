/* The QONNX general ops (domain kind DOMAIN_QONNX: onnx.brevitas,
 * qonnx.custom_op.general, finn.custom_op.general, finn), one file each. */
#include "ops.h"

extern const OpDef op_qonnx_quant;            /* op_quant.c */
extern const OpDef op_qonnx_int_quant;        /* op_quant.c: Quant's newer name */
extern const OpDef op_qonnx_bipolar_quant;    /* op_bipolar_quant.c */
extern const OpDef op_qonnx_trunc;            /* op_trunc.c: versions 1 and 2 */
extern const OpDef op_qonnx_multithreshold;   /* op_multithreshold.c */

const OpDef *const qonnx_ops[] = {
    &op_qonnx_quant,
    &op_qonnx_int_quant,
    &op_qonnx_bipolar_quant,
    &op_qonnx_trunc,
    &op_qonnx_multithreshold,
    NULL,
};
