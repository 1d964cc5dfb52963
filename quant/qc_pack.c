/* LSB-first bit-stream packing; see qc_pack.h for the layout. */
#include "qc_pack.h"

#include <string.h>

static uint32_t low_mask(unsigned bits)
{
    return bits >= 32 ? 0xFFFFFFFFu : ((uint32_t)1 << bits) - 1u;
}

uint32_t qc_encode(qc_dtype dt, int32_t value)
{
    switch (dt.kind) {
    case QC_BIPOLAR:
        return value >= 0 ? 1u : 0u;
    case QC_BINARY:
        return (uint32_t)value & 1u;
    default:
        /* Converting to uint32_t is modulo 2^32, i.e. two's complement. */
        return (uint32_t)value & low_mask(dt.bits);
    }
}

int32_t qc_decode(qc_dtype dt, uint32_t code)
{
    uint32_t sign;

    if (dt.bits == 0 || dt.bits > 32)
        return 0;
    code &= low_mask(dt.bits);
    if (dt.kind == QC_BIPOLAR)
        return code ? 1 : -1;
    sign = (uint32_t)1 << (dt.bits - 1);
    if ((dt.kind == QC_INT || dt.kind == QC_TERNARY || dt.bits == 32) && (code & sign)) {
        /* Negative: value = -(~code & mask) - 1, computed without ever
         * converting an out-of-range unsigned to a signed type. */
        return -(int32_t)(~code & low_mask(dt.bits)) - 1;
    }
    return (int32_t)code;
}

size_t qc_packed_bytes(qc_dtype dt, size_t n)
{
    return (n * dt.bits + 7) / 8;
}

/* ORs the low `width` bits of code into the stream at bit position pos,
 * one byte-sized piece at a time. */
static void put_bits(uint8_t *out, size_t pos, unsigned width, uint32_t code)
{
    while (width > 0) {
        unsigned off = (unsigned)(pos % 8);
        unsigned take = 8 - off < width ? 8 - off : width;

        out[pos / 8] |= (uint8_t)((code & low_mask(take)) << off);
        code >>= take;
        pos += take;
        width -= take;
    }
}

/* Reads `width` bits of the stream starting at bit position pos. */
static uint32_t get_bits(const uint8_t *in, size_t pos, unsigned width)
{
    uint32_t code = 0;
    unsigned got = 0;

    while (got < width) {
        unsigned off = (unsigned)(pos % 8);
        unsigned take = 8 - off < width - got ? 8 - off : width - got;

        code |= ((uint32_t)(in[pos / 8] >> off) & low_mask(take)) << got;
        got += take;
        pos += take;
    }
    return code;
}

void qc_pack(qc_dtype dt, const int32_t *values, size_t n, uint8_t *out)
{
    size_t i;

    memset(out, 0, qc_packed_bytes(dt, n));
    for (i = 0; i < n; ++i)
        put_bits(out, i * dt.bits, dt.bits, qc_encode(dt, values[i]));
}

int32_t qc_unpack_one(qc_dtype dt, const uint8_t *packed, size_t index)
{
    return qc_decode(dt, get_bits(packed, index * dt.bits, dt.bits));
}

void qc_unpack(qc_dtype dt, const uint8_t *packed, size_t n, int32_t *out)
{
    size_t i;

    for (i = 0; i < n; ++i)
        out[i] = qc_unpack_one(dt, packed, i);
}
