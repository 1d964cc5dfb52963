/* Integer requantization in the TI-NPU style (the BNORM sequence): an
 * accumulator is brought back to a narrow activation type with one add, one
 * multiply and one shift per channel, no float and no division:
 *
 *     out = clip(floor((acc + bias) * scale / 2^shift), out_dt)
 *
 * The shift is an arithmetic shift right, i.e. it rounds toward minus
 * infinity: (-7 * 1) >> 1 = -4, not -3. Computed exactly (the intermediate
 * product has up to 64 bits), so the result never depends on overflow or on
 * how the C compiler shifts negative numbers. */
#ifndef QC_BNORM_REQUANT_H
#define QC_BNORM_REQUANT_H

#include <stdint.h>

#include "qc_dtype.h"

/* shift: 0..31. out_dt: the output datatype; its range is further limited
 * to int32_t (matters only for UINT32). */
int32_t qc_bnorm_requant(int32_t acc, int32_t bias, int32_t scale, unsigned shift,
                         qc_dtype out_dt);

#endif
