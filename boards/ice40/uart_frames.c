/* uart_frames.c: stream elements <-> UART bytes (uart_frames.h). An
 * element is its code in ELEM_BITS bits: two's complement for signed
 * types, 1 for +1 and 0 for -1 in a bipolar one. */
#include "uart_frames.h"

static void put_bits(uint8_t *beat, long pos, int bits, uint64_t code)
{
    int b;
    for (b = 0; b < bits; b++, pos++)
        if ((code >> b) & 1u)
            beat[pos / 8] |= (uint8_t)(1u << (pos % 8));
}

static uint64_t get_bits(const uint8_t *beat, long pos, int bits)
{
    uint64_t code = 0;
    int b;
    for (b = 0; b < bits; b++, pos++)
        code |= (uint64_t)((beat[pos / 8] >> (pos % 8)) & 1u) << b;
    return code;
}

void uart_pack_input(const int32_t *elems, uint8_t *bytes)
{
    long beat, k;
    for (k = 0; k < IN_FRAME_BYTES; k++)
        bytes[k] = 0;
    for (beat = 0; beat < IN_BEATS; beat++)
        for (k = 0; k < IN_PER_BEAT; k++) {
            int32_t v = elems[beat * IN_PER_BEAT + k];
            uint64_t code = IN_ELEM_BITS == 1 ? (uint64_t)(v > 0)
                                              : (uint64_t)(uint32_t)v & ((1ull << IN_ELEM_BITS) - 1);
            put_bits(bytes + beat * IN_BEAT_BYTES, k * IN_ELEM_BITS, IN_ELEM_BITS, code);
        }
}

void uart_unpack_output(const uint8_t *bytes, int32_t *elems)
{
    long beat, k;
    for (beat = 0; beat < OUT_BEATS; beat++)
        for (k = 0; k < OUT_PER_BEAT; k++) {
            uint64_t code = get_bits(bytes + beat * OUT_BEAT_BYTES, k * OUT_ELEM_BITS,
                                     OUT_ELEM_BITS);
            int32_t v = (int32_t)code;
            if (OUT_BIPOLAR)
                v = code ? 1 : -1;
            else if (OUT_SIGNED && (code >> (OUT_ELEM_BITS - 1)) & 1u)
                v = (int32_t)((int64_t)code - ((int64_t)1 << OUT_ELEM_BITS));
            elems[beat * OUT_PER_BEAT + k] = v;
        }
}
