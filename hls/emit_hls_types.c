/* Beat types of the hls target: for each packed format, a typedef and
 * static inline helpers in <name>.h, so kernels and host code read and
 * write elements the same way:
 *
 *   T_zero()          a beat with every bit 0
 *   T_get(&b, k)      element k as int32_t (sign-extended; BIPOLAR -1/+1)
 *   T_put(&b, k, v)   sets element k of a beat in which it is still 0
 *   T_matches(&a, &b) BIPOLAR formats of XNOR layers: positions where a and
 *                     b agree (XNOR, then popcount over the n valid bits)
 *
 * each written only when some kernel or the host uses it (HlsType flags).
 * No loops: with a constant k (the kernels' unrolled loops) every helper
 * reduces to wiring in hardware. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit_hls_internal.h"

const char *hls_type_desc(const HlsType *t, char *buf, int size)
{
    char dtn[16];
    if (t->words)
        snprintf(buf, (size_t)size, "%s x %d = %d bits in %d words", hls_dt_name(t->dt, dtn),
                 t->n, t->bits, t->words);
    else
        snprintf(buf, (size_t)size, "%s x %d = %d bit%s", hls_dt_name(t->dt, dtn), t->n,
                 t->bits, t->bits == 1 ? "" : "s");
    return buf;
}

static uint64_t mask_of(int bits)
{
    return bits >= 64 ? ~(uint64_t)0 : ((uint64_t)1 << bits) - 1u;
}

/* The code of value v: BIPOLAR 1 for v >= 0, others the low bits. */
static uint64_t encode(qc_dtype dt, int32_t v)
{
    if (dt.kind == QC_BIPOLAR)
        return v >= 0 ? 1u : 0u;
    return (uint64_t)(uint32_t)v & mask_of(dt.bits);
}

void hls_emit_word(TextBuf *b, const HlsType *t, const int32_t *v)
{
    uint64_t w[64] = { 0 };
    int n_words = t->words ? t->words : 1;
    uint64_t *words = w, *big = NULL;
    if (n_words > 64) {
        big = calloc((size_t)n_words, sizeof *big);
        if (!big) {
            b->oom = true;
            return;
        }
        words = big;
    }
    int bits = t->dt.bits;
    for (int k = 0; k < t->n; k++) {
        uint64_t code = encode(t->dt, v[k]);
        int pos = k * bits, i = pos / 64, s = pos % 64;
        words[i] |= code << s;
        if (s + bits > 64)
            words[i + 1] |= code >> (64 - s);
    }
    if (!t->words) {
        int digits = atoi(t->scalar + 4) / 4;   /* "uint16_t": 4 hex digits */
        tb_printf(b, "0x%0*llx%s", digits, (unsigned long long)words[0], digits >= 8 ? "u" : "");
    } else {
        tb_puts(b, "{ { ");
        for (int i = 0; i < n_words; i++)
            tb_printf(b, "%s0x%016llxu", i ? ", " : "", (unsigned long long)words[i]);
        tb_puts(b, " } }");
    }
    free(big);
}

/* The statement decoding `code` (uint32_t) into the value returned. */
static void emit_decode(TextBuf *h, const HlsType *t)
{
    switch (t->dt.kind) {
    case QC_BIPOLAR:
        tb_puts(h, "    return (int32_t)code * 2 - 1;   /* 1 is +1, 0 is -1 */\n");
        break;
    case QC_INT:
    case QC_TERNARY: {
        unsigned long long sign = 1ull << (t->dt.bits - 1);
        tb_printf(h, "    return (int32_t)((int64_t)(code ^ 0x%llxu) - 0x%llx);   /* sign-extended */\n",
                  sign, sign);
        break;
    }
    default:
        tb_puts(h, "    return (int32_t)code;\n");
        break;
    }
}

static void emit_encode(TextBuf *h, const HlsType *t, const char *ctype)
{
    if (t->dt.kind == QC_BIPOLAR)
        tb_printf(h, "    %s code = v >= 0 ? 1u : 0u;   /* +1 is 1, -1 is 0 */\n", ctype);
    else
        tb_printf(h, "    %s code = (uint32_t)v & 0x%llxu;\n", ctype,
                  (unsigned long long)mask_of(t->dt.bits));
}

static void emit_scalar(TextBuf *h, const HlsType *t)
{
    const char *n = t->name;
    int b = t->dt.bits;
    char desc[96];
    if (b == 1)
        tb_printf(h, "/* %s: element k in bit k */\n", hls_type_desc(t, desc, sizeof desc));
    else
        tb_printf(h, "/* %s: element k in bits [%d*k + %d : %d*k] */\n",
                  hls_type_desc(t, desc, sizeof desc), b, b - 1, b);
    char shift[16];
    if (b == 1)
        snprintf(shift, sizeof shift, "k");
    else
        snprintf(shift, sizeof shift, "(%d * k)", b);
    tb_printf(h, "typedef %s %s_t;\n\n", t->scalar, n);
    if (t->put)
        tb_printf(h, "static inline %s_t %s_zero(void)\n{\n    return 0;\n}\n\n", n, n);
    if (t->get) {
        tb_printf(h, "static inline int32_t %s_get(const %s_t *b, int k)\n{\n", n, n);
        tb_printf(h, "    uint32_t code = (uint32_t)(*b >> %s) & 0x%llxu;\n\n", shift,
                  (unsigned long long)mask_of(b));
        emit_decode(h, t);
        tb_puts(h, "}\n\n");
    }
    if (t->put) {
        tb_printf(h, "static inline void %s_put(%s_t *b, int k, int32_t v)\n{\n", n, n);
        emit_encode(h, t, "uint32_t");
        tb_printf(h, "\n    *b = (%s_t)(*b | (%s_t)code << %s);\n}\n\n", n, n, shift);
    }
    if (t->matches) {
        tb_printf(h, "/* positions where a and b hold the same bit: XNOR, then popcount */\n");
        tb_printf(h, "static inline int32_t %s_matches(const %s_t *a, const %s_t *b)\n{\n", n, n,
                  n);
        tb_printf(h, "    return hls_popcount64(~(uint64_t)(*a ^ *b) & 0x%llxu);\n}\n\n",
                  (unsigned long long)mask_of(t->bits));
    }
}

static void emit_struct(TextBuf *h, const HlsType *t)
{
    const char *n = t->name;
    int b = t->dt.bits;
    bool straddles = 64 % b != 0;
    char desc[96];
    tb_printf(h, "/* %s: element k in bits [%d*k + %d : %d*k] of the words\n"
              " * taken together, word 0 the lowest */\n",
              hls_type_desc(t, desc, sizeof desc), b, b - 1, b);
    tb_printf(h, "typedef struct {\n    uint64_t w[%d];\n} %s_t;\n\n", t->words, n);
    if (t->put)
        tb_printf(h, "static inline %s_t %s_zero(void)\n{\n    %s_t b = { { 0 } };\n\n"
                  "    return b;\n}\n\n", n, n, n);
    if (t->get) {
        tb_printf(h, "static inline int32_t %s_get(const %s_t *b, int k)\n{\n", n, n);
        tb_printf(h, "    int pos = %d * k, i = pos / 64, s = pos %% 64;\n", b);
        tb_puts(h, "    uint64_t bits = b->w[i] >> s;\n    uint32_t code;\n\n");
        if (straddles)
            tb_printf(h, "    if (s + %d > 64)   /* the element continues in the next word */\n"
                      "        bits |= b->w[i + 1] << (64 - s);\n", b);
        tb_printf(h, "    code = (uint32_t)bits & 0x%llxu;\n", (unsigned long long)mask_of(b));
        emit_decode(h, t);
        tb_puts(h, "}\n\n");
    }
    if (t->put) {
        tb_printf(h, "static inline void %s_put(%s_t *b, int k, int32_t v)\n{\n", n, n);
        emit_encode(h, t, "uint64_t");
        tb_printf(h, "    int pos = %d * k, i = pos / 64, s = pos %% 64;\n\n", b);
        tb_puts(h, "    b->w[i] |= code << s;\n");
        if (straddles)
            tb_printf(h, "    if (s + %d > 64)\n        b->w[i + 1] |= code >> (64 - s);\n", b);
        tb_puts(h, "}\n\n");
    }
    if (t->matches) {
        tb_printf(h, "/* positions where a and b hold the same bit: XNOR, then popcount */\n");
        tb_printf(h, "static inline int32_t %s_matches(const %s_t *a, const %s_t *b)\n{\n", n, n,
                  n);
        for (int i = 0; i < t->words; i++) {
            int valid = t->bits - 64 * i < 64 ? t->bits - 64 * i : 64;
            tb_printf(h, "%s hls_popcount64(~(a->w[%d] ^ b->w[%d])", i ? "         +" : "    return",
                      i, i);
            if (valid < 64)
                tb_printf(h, " & 0x%llxu", (unsigned long long)mask_of(valid));
            tb_puts(h, i + 1 < t->words ? ")\n" : ");\n}\n\n");
        }
    }
}

void hls_emit_types(const HlsPlan *p, TextBuf *h)
{
    tb_puts(h, "/* ---- stream beats and weight words ---------------------------------------\n"
               " * A word packs n elements of one datatype, element 0 in the low bits, BIPOLAR\n"
               " * as one bit (1 for +1). Up to 64 bits it is one unsigned integer; wider, a\n"
               " * struct of 64-bit words, word 0 the lowest. For each type T:\n"
               " *   T_zero()           a word with every bit 0\n"
               " *   T_get(&b, k)       element k\n"
               " *   T_put(&b, k, v)    sets element k, which must still be 0\n"
               " *   T_matches(&a, &b)  (XNOR layers) how many of the n bits agree\n"
               " * (those the code uses). */\n\n");
    if (p->popcount)
        tb_puts(h, "/* The number of 1 bits in x, with adds and shifts only */\n"
                   "static inline int32_t hls_popcount64(uint64_t x)\n{\n"
                   "    x = x - ((x >> 1) & 0x5555555555555555u);\n"
                   "    x = (x & 0x3333333333333333u) + ((x >> 2) & 0x3333333333333333u);\n"
                   "    x = (x + (x >> 4)) & 0x0F0F0F0F0F0F0F0Fu;\n"
                   "    return (int32_t)((x * 0x0101010101010101u) >> 56);\n}\n\n");
    for (int k = 0; k < p->n_types; k++) {
        if (p->types[k].words)
            emit_struct(h, &p->types[k]);
        else
            emit_scalar(h, &p->types[k]);
    }
}
