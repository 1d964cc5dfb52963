/* Packing of sub-byte codes, LSB-first.
 *
 * Each value becomes a code of dt.bits bits (qc_encode), and the codes are
 * laid end to end as one continuous bit stream: element i occupies stream
 * bits [i*bits, (i+1)*bits), and stream bit k is bit (k % 8) of byte k / 8.
 * So element 0 sits in the low bits of byte 0, and a width that does not
 * divide 8 (3, 5, 6, 7) simply continues into the next byte.
 *
 *   INT4 {1, -2, 3}: codes 0x1, 0xE, 0x3 -> bytes 0xE1 0x03
 *   UINT3 {1, 2, 3, 4, 5}: codes at stream bits 0, 3, 6, 9, 12
 *                    -> bytes 0xD1 0x58   (element 2 spans bytes 0 and 1)
 *
 * Widths 1..32 work; the models use 1..8. The last byte is zero-padded.
 * All functions expect a valid dtype (qc_dtype_valid). */
#ifndef QC_PACK_H
#define QC_PACK_H

#include <stddef.h>
#include <stdint.h>

#include "qc_dtype.h"

/* The dt.bits-bit code of value. INTn, UINTn and TERNARY keep the low
 * dt.bits bits of the two's complement value (TERNARY -1 -> 0x3); BINARY
 * keeps bit 0; BIPOLAR maps value >= 0 to 1 (+1) and value < 0 to 0 (-1),
 * the sign convention of BipolarQuant. value should lie in dt's range;
 * otherwise it is silently truncated (saturate first with qc_saturate). */
uint32_t qc_encode(qc_dtype dt, int32_t value);

/* The value of a code: sign-extended for INTn and TERNARY, 0 -> -1 and
 * 1 -> +1 for BIPOLAR. Bits above dt.bits are ignored. TERNARY code 0x2 is
 * not a ternary value and decodes as INT2 would, to -2. UINT32 codes above
 * INT32_MAX do not fit int32_t and wrap to negative. */
int32_t qc_decode(qc_dtype dt, uint32_t code);

/* Bytes needed for n packed elements: ceil(n * bits / 8). */
size_t qc_packed_bytes(qc_dtype dt, size_t n);

/* Packs n values into out, which must hold qc_packed_bytes(dt, n) bytes;
 * every one of those bytes is written (padding bits are 0). */
void qc_pack(qc_dtype dt, const int32_t *values, size_t n, uint8_t *out);

/* Element index of a packed stream, decoded. */
int32_t qc_unpack_one(qc_dtype dt, const uint8_t *packed, size_t index);

/* Decodes n elements of a packed stream into out. */
void qc_unpack(qc_dtype dt, const uint8_t *packed, size_t n, int32_t *out);

#endif
