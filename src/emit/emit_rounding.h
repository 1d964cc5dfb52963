/* Integer rounding of a division by D = 2^shift in emitted C (the Trunc's
 * shift in IntSumPool, ref and hls alike): the emitted code computes the
 * floor quotient `fl` of `sum` and the remainder `rem` (0 <= rem < D),
 * then adds the condition below (the definitions of op_quant.h's table). */
#ifndef QONNXC_EMIT_ROUNDING_H
#define QONNXC_EMIT_ROUNDING_H

#include "op_quant.h"

/* The C expression, in fl, rem, sum and D, that is 1 when `mode` rounds
 * sum / D up from fl, else 0. */
const char *emit_round_up_condition(QonnxRounding mode);

#endif
