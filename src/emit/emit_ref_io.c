/* The float boundary of a reference executor, and the integer entry
 * points' conversions:
 *
 *   input_quant()      float frame (logical order) -> the stored x, replaying
 *                      InputQuant's float32 operations one by one, as the
 *                      golden executor does them (docs/integer-graph.md)
 *   output_affine()    the stored y -> float frame (logical order):
 *                      (float)((double)A[c] * y + (double)B[c])
 *   load_int_input()   int32 frame (logical order) -> the stored x, checking
 *                      every value against x's datatype
 *   store_int_output() the stored y -> int32 frame (logical order)
 *
 * Per-channel constants are indexed along axis 1 (axis 0 for rank 1): the
 * innermost stored axis. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "op_int_params.h"
#include "op_quant.h"
#include "ref_plan.h"

/* ---- loops over a tensor's elements ------------------------------------- */

/* Nested loops visiting every element of t once, with C expressions for
 * its logical index, stored index and channel. */
typedef struct Walk {
    char li[48], pi[48], ch[16];
    bool nested;               /* channels-last: loops over c, s */
    bool batched;              /* an outer loop over n */
} Walk;

static void walk_open(TextBuf *b, const RefTensor *t, Walk *w)
{
    memset(w, 0, sizeof *w);
    if (t->channels_last && t->c > 1 && t->s > 1) {
        w->nested = true;
        w->batched = t->n > 1;
        if (w->batched)
            tb_printf(b, "    enum { N = %lld, C = %lld, S = %lld };   /* frames, channels, "
                      "positions */\n", (long long)t->n, (long long)t->c, (long long)t->s);
        else
            tb_printf(b, "    enum { C = %lld, S = %lld };   /* channels, positions */\n",
                      (long long)t->c, (long long)t->s);
        return;
    }
    if (t->rows > 1 && t->inner > 1)
        tb_printf(b, "    enum { COUNT = %lld, C = %lld };\n", (long long)t->count,
                  (long long)t->inner);
    else
        tb_printf(b, "    enum { COUNT = %lld };\n", (long long)t->count);
}

/* Declares the loop variables. */
static void walk_vars(TextBuf *b, const Walk *w)
{
    if (w->nested)
        tb_printf(b, "    int %sc, s;\n", w->batched ? "n, " : "");
    else
        tb_puts(b, "    int i;\n");
}

static void walk_begin(TextBuf *b, const RefTensor *t, Walk *w, const char **ind)
{
    if (w->nested) {
        if (w->batched) {
            tb_puts(b, "    for (n = 0; n < N; ++n)\n");
            snprintf(w->li, sizeof w->li, "(n * C + c) * S + s");
            snprintf(w->pi, sizeof w->pi, "(n * S + s) * C + c");
        } else {
            snprintf(w->li, sizeof w->li, "c * S + s");
            snprintf(w->pi, sizeof w->pi, "s * C + c");
        }
        tb_printf(b, "%sfor (c = 0; c < C; ++c)\n", w->batched ? "        " : "    ");
        tb_printf(b, "%sfor (s = 0; s < S; ++s) {\n", w->batched ? "            " : "        ");
        snprintf(w->ch, sizeof w->ch, "c");
        *ind = w->batched ? "                " : "            ";
        return;
    }
    snprintf(w->li, sizeof w->li, "i");
    snprintf(w->pi, sizeof w->pi, "i");
    snprintf(w->ch, sizeof w->ch, "%s", t->rows > 1 && t->inner > 1 ? "i % C" : "i");
    tb_puts(b, "    for (i = 0; i < COUNT; ++i) {\n");
    *ind = "        ";
}

static void walk_end(TextBuf *b, const Walk *w)
{
    tb_puts(b, w->nested && w->batched ? "            }\n" : w->nested ? "        }\n" : "    }\n");
}

/* Opens the loops of a function that fills the stored input x from `in`.
 * A bit-packed x is gathered as +1 / -1 values first, packed by
 * walk_fill_end. */
static void walk_fill_begin(TextBuf *b, const RefTensor *x, Walk *w, const char **ind,
                            bool *headers)
{
    bool bits = x->fmt == REF_BITS;
    walk_open(b, x, w);
    if (bits) {
        tb_printf(b, "    enum { ROWS = %lld, INNER = %lld, WORDS = %lld };\n",
                  (long long)x->rows, (long long)x->inner, (long long)x->row_words);
        tb_printf(b, "    static int32_t values[%lld];   /* +1 / -1, in stored order */\n",
                  (long long)x->count);
        headers[QH_XNOR64] = true;
    }
    walk_vars(b, w);
    if (bits)
        tb_puts(b, "    int r;\n");
    tb_puts(b, "\n");
    walk_begin(b, x, w, ind);
}

/* Closes walk_fill_begin's loops, packs a bit-packed x, returns OK. */
static void walk_fill_end(const RefPlan *p, TextBuf *b, const RefTensor *x, const Walk *w)
{
    walk_end(b, w);
    if (x->fmt == REF_BITS)
        tb_puts(b, "    for (r = 0; r < ROWS; ++r)\n"
                   "        qc_xnor64_pack(&values[r * INNER], INNER, &out[r * WORDS]);\n");
    tb_printf(b, "    return %s_OK;\n}\n\n", p->upper);
}

/* Opens the loops of a function that reads the stored output y from `in`
 * (read_expr gives the element). */
static void walk_read_begin(TextBuf *b, const RefTensor *y, Walk *w, const char **ind,
                            bool *headers)
{
    walk_open(b, y, w);
    if (y->fmt == REF_BITS && y->rows > 1)
        tb_printf(b, "    enum { INNER = %lld, WORDS = %lld };\n", (long long)y->inner,
                  (long long)y->row_words);
    if (y->fmt == REF_BITS)
        headers[QH_XNOR64] = true;
    walk_vars(b, w);
    tb_puts(b, "\n");
    walk_begin(b, y, w, ind);
}

/* ---- per-channel constants ----------------------------------------------- */

typedef struct Param {
    bool per_channel;
    int64_t count;             /* 1, or the channels */
    const Value *v;
    char name[64];             /* the array, when per channel */
} Param;

/* A constant of the boundary op n that is per tensor or varies only along
 * the channel axis of x. */
static bool param_read(RefPlan *p, const Node *n, const Value *v, const RefTensor *x,
                       const char *what, Param *out, Diag *d)
{
    char buf[96], base[128];
    memset(out, 0, sizeof *out);
    out->v = v;
    out->count = 1;
    if (v->count == 1)
        return true;
    int xr = x->shape.rank, pr = v->shape.rank, axis = xr >= 2 ? 1 : 0;
    bool ok = pr <= xr && xr >= 1;
    for (int j = 0; ok && j < pr; j++) {
        int a = xr - pr + j;
        if (v->shape.dims[j] != 1 && (a != axis || v->shape.dims[j] != x->shape.dims[axis]))
            ok = false;
    }
    if (!ok || v->count != x->inner)
        return node_error(d, p->g, n, "the %s target needs the %s (shape %s) per tensor or per "
                          "channel (axis %d)", p->target, what, shape_str(&v->shape, buf, sizeof buf), axis);
    out->per_channel = true;
    out->count = v->count;
    snprintf(base, sizeof base, "%s_%s", n->name && n->name[0] ? n->name : n->op_type, what);
    ref_unique_name(p, base, out->name);
    return true;
}

static float param_value(const Param *prm, int64_t k)
{
    return (float)value_get(prm->v, k);
}

static void param_emit(const Param *prm, const char *comment, TextBuf *data)
{
    if (!prm->per_channel)
        return;
    float *vals = malloc((size_t)prm->count * sizeof *vals);
    char decl[128];
    if (!vals) {
        data->oom = true;
        return;
    }
    for (int64_t k = 0; k < prm->count; k++)
        vals[k] = param_value(prm, k);
    tb_printf(data, "/* %s, per channel */\n", comment);
    snprintf(decl, sizeof decl, "static const float %s[%lld]", prm->name, (long long)prm->count);
    emit_array_f32(data, decl, vals, (size_t)prm->count, 6);
    tb_puts(data, "\n");
    free(vals);
}

/* The C expression of the parameter for channel expression ch. */
static const char *param_expr(const Param *prm, const char *ch, char buf[96])
{
    char lit[32];
    if (prm->per_channel)
        snprintf(buf, 96, "%s[%s]", prm->name, ch);
    else
        snprintf(buf, 96, "%s", c_float(param_value(prm, 0), lit));
    return buf;
}

/* ---- input quantizer ----------------------------------------------------- */

static const char *const rounding_fn[] = {
    [QROUND_HALF_EVEN] = "round_half_even", [QROUND_HALF_UP] = "round_half_up",
    [QROUND_HALF_DOWN] = "round_half_down", [QROUND_CEIL] = "ceilf",
    [QROUND_FLOOR] = "floorf",              [QROUND_UP] = "round_up",
    [QROUND_DOWN] = "truncf",
};

/* The helper reproducing qonnx_round (ir/op_quant.c) for one mode; the
 * C library's own functions need none. */
static void emit_rounding_helper(QonnxRounding mode, TextBuf *code)
{
    switch (mode) {
    case QROUND_HALF_EVEN:
    case QROUND_HALF_UP:
    case QROUND_HALF_DOWN:
        tb_printf(code, "/* y rounded to the nearest integer, ties %s (qonnx rounding mode %s);\n"
                  " * floor is exact, so is the fraction */\n",
                  mode == QROUND_HALF_EVEN ? "to even" : mode == QROUND_HALF_UP
                                                             ? "away from zero"
                                                             : "toward zero",
                  qonnx_rounding_name(mode));
        tb_printf(code, "static float %s(float y)\n{\n", rounding_fn[mode]);
        tb_puts(code, "    float f = floorf(y), frac = y - f;\n");
        if (mode == QROUND_HALF_EVEN)
            tb_puts(code, "    int odd = floorf(f * 0.5f) * 2.0f != f;   /* exact: f is an integer */\n");
        tb_puts(code, "\n    /* no branches: the fractions of real inputs are unpredictable */\n");
        tb_printf(code, "    return f + (float)((frac > 0.5f) | ((frac == 0.5f) & (%s)));\n}\n\n",
                  mode == QROUND_HALF_EVEN ? "odd" : mode == QROUND_HALF_UP ? "y >= 0.0f"
                                                                            : "y < 0.0f");
        break;
    case QROUND_UP:
        tb_puts(code, "/* y rounded away from zero (qonnx rounding mode UP) */\n");
        tb_puts(code, "static float round_up(float y)\n{\n    return y < 0.0f ? floorf(y) : ceilf(y);\n}\n\n");
        break;
    default:
        break;
    }
}

/* The integer rounding runs in two loops (GCC threads a single loop's
 * clamped constants through the rounding and leaves branches it cannot
 * vectorize). The first ends with this clamp of t: rounding is monotone
 * and keeps integers, so clamping t first to one step beyond [lo, hi]
 * changes no result; it also maps NaN (flagged in `bad`) to lo - 1 and
 * keeps the conversion to int32_t exact. */
static void emit_clamp_t(int64_t lo, int64_t hi, const char *ind, TextBuf *code)
{
    tb_printf(code, "%sbad |= t != t;   /* NaN */\n", ind);
    tb_printf(code, "%st = t >= %lld.0f ? t : %lld.0f;   /* and NaN */\n", ind,
              (long long)(lo - 1), (long long)(lo - 1));
    tb_printf(code, "%st = t <= %lld.0f ? t : %lld.0f;\n", ind, (long long)(hi + 1),
              (long long)(hi + 1));
}

/* The second loop: the clamped t rounded into the int32_t q, clamped to
 * [lo, hi], without branches or library calls. q starts as t toward zero;
 * floor corrects it by one; the nearest modes then compare the fraction
 * t - floor(t), computed in float as qonnx_round (ir/ops/op_quant.c) does,
 * with one half. (The nested conditional of the tie vectorizes under GCC
 * 12, where `|` and `&` of the comparisons did not.) */
static void emit_int_rounding(QonnxRounding mode, int64_t lo, int64_t hi, const char *ind,
                              TextBuf *code)
{
    tb_printf(code, "%sq = (int32_t)t;   /* toward zero */\n", ind);
    switch (mode) {
    case QROUND_HALF_EVEN:
    case QROUND_HALF_UP:
    case QROUND_HALF_DOWN:
        tb_printf(code, "%sq -= (float)q > t ? 1 : 0;   /* floor */\n", ind);
        tb_printf(code, "%sfrac = t - (float)q;\n", ind);
        tb_printf(code, "%sq += frac > 0.5f ? 1 : frac == 0.5f ? %s : 0;   /* nearest, ties %s */\n",
                  ind, mode == QROUND_HALF_EVEN ? "(q & 1)" : mode == QROUND_HALF_UP
                                                                 ? "(t >= 0.0f)"
                                                                 : "(t < 0.0f)",
                  mode == QROUND_HALF_EVEN ? "to even" : mode == QROUND_HALF_UP ? "away from zero"
                                                                                : "toward zero");
        break;
    case QROUND_FLOOR:
        tb_printf(code, "%sq -= (float)q > t ? 1 : 0;   /* floor */\n", ind);
        break;
    case QROUND_CEIL:
        tb_printf(code, "%sq += (float)q < t ? 1 : 0;   /* ceil */\n", ind);
        break;
    case QROUND_UP:
        tb_printf(code, "%sq += (float)q < t ? 1 : (float)q > t ? -1 : 0;   /* away from zero */\n",
                  ind);
        break;
    case QROUND_DOWN:
        break;
    }
    tb_printf(code, "%sq = q < %lld ? %lld : q;\n", ind, (long long)lo, (long long)lo);
    tb_printf(code, "%sq = q > %lld ? %lld : q;\n", ind, (long long)hi, (long long)hi);
}

/* The values per block of the two-loop quantizer: its float staging array
 * holds one block. A divisor of the count, so that every block is whole
 * and each loop has a constant trip count (GCC's -O2 vectorizes only loops
 * that need no scalar epilogue): the largest up to 256 that is a multiple
 * of 8, else of 4, else the whole count. */
static int64_t staging_block(int64_t count)
{
    for (int64_t multiple = 8; multiple >= 4; multiple /= 2)
        for (int64_t b = 256; b >= multiple; b--)
            if (count % b == 0 && b % multiple == 0)
                return b;
    return count;
}

/* The channels-last store of a staged input: dest[(n, s, c)] = planar[(n, c, s)]. */
static void emit_channels_last_store(const RefTensor *x, const char *dest, TextBuf *code)
{
    tb_puts(code, "    /* channels-last */\n");
    if (x->n > 1) {
        tb_puts(code, "    for (n = 0; n < N; ++n)\n        for (s = 0; s < S; ++s)\n"
                      "            for (c = 0; c < C; ++c)\n");
        tb_printf(code, "                %s[(n * S + s) * C + c] = planar[(n * C + c) * S + s];\n",
                  dest);
    } else {
        tb_puts(code, "    for (s = 0; s < S; ++s)\n        for (c = 0; c < C; ++c)\n");
        tb_printf(code, "            %s[s * C + c] = planar[c * S + s];\n", dest);
    }
}

/* The words of a bit-packed input from `signs` (one byte per value, 0 or
 * 1): eight bytes read as a little-endian uint64_t (byte j at bit 8j),
 * times 0x0102040810204080, put byte j's bit at bit 56 + j and nothing else
 * in bits 56..63 (every other product bit lands at its own position below
 * 56 or beyond 63: no carries). */
static void emit_pack_signs(TextBuf *code)
{
    tb_puts(code, "    for (r = 0; r < ROWS; ++r)\n"
                  "        for (k = 0; k < WORDS; ++k) {\n"
                  "            const unsigned char *s = &signs[(r * WORDS + k) * 64];\n"
                  "            uint64_t word = 0;\n\n"
                  "            for (g = 0; g < 8; ++g, s += 8) {\n"
                  "                uint64_t eight = (uint64_t)s[0] | (uint64_t)s[1] << 8 | "
                  "(uint64_t)s[2] << 16 |\n"
                  "                                 (uint64_t)s[3] << 24 | (uint64_t)s[4] << 32 | "
                  "(uint64_t)s[5] << 40 |\n"
                  "                                 (uint64_t)s[6] << 48 | (uint64_t)s[7] << 56;\n\n"
                  "                word |= (eight * 0x0102040810204080u) >> 56 << 8 * g;\n"
                  "            }\n"
                  "            out[r * WORDS + k] = word;\n"
                  "        }\n");
}

static bool emit_input_quant(RefPlan *p, TextBuf *data, TextBuf *code, bool *headers, Diag *d)
{
    const Node *n = p->input_quant;
    const RefTensor *x = p->x;
    OpCtx ctx = { p->g, d };
    InputQuantParams iq;
    if (!input_quant_params(&ctx, n, &iq))
        return false;
    static const char *const c_ops[] = { [IQ_STEP_MUL] = "*", [IQ_STEP_ADD] = "+",
                                         [IQ_STEP_SUB] = "-", [IQ_STEP_DIV] = "/" };
    const int n_steps = iq.n_steps;
    const InputQuantMode mode = iq.mode;
    Param prm[INPUT_QUANT_MAX_STEPS + 2];
    const char *ops[INPUT_QUANT_MAX_STEPS];
    char shape[96], dtn[16], what[32];
    for (int k = 1; k < n->n_inputs; k++) {
        const Value *v = n->inputs[k] ? n->inputs[k]->value : NULL;
        if (!v)
            return node_error(d, p->g, n, "input %d must be a constant", k);
        if (k <= n_steps)
            snprintf(what, sizeof what, "step%d", k);
        else
            snprintf(what, sizeof what, k == iq.scale_input ? "scale" : "zeropt");
        if (!param_read(p, n, v, x, what, &prm[k - 1], d))
            return false;
    }
    for (int k = 0; k < n_steps; k++)
        ops[k] = c_ops[iq.steps[k]];
    bool sign_quant = mode == IQ_QUANT && iq.bits == 1 && iq.is_signed;
    QonnxRounding rounding = iq.rounding;
    int64_t lo = 0, hi = 0;
    if (mode == IQ_QUANT)
        qonnx_int_range(iq.bits, iq.is_signed, iq.narrow, &lo, &hi);
    const Param *scale = mode == IQ_QUANT ? &prm[iq.scale_input - 1] : NULL;
    const Param *zeropt = mode == IQ_QUANT ? &prm[iq.zeropt_input - 1] : NULL;
    bool zp_zero = true;
    for (int64_t k = 0; zeropt && k < zeropt->count; k++)
        zp_zero = zp_zero && param_value(zeropt, k) == 0.0f;

    for (int k = 0; k < n_steps; k++) {
        char c[64];
        snprintf(c, sizeof c, "%s: step %d, %s", n->name, k + 1,
                 input_quant_step_name(iq.steps[k]));
        param_emit(&prm[k], c, data);
    }
    if (scale) {
        char c[64];
        snprintf(c, sizeof c, "%s: scale", n->name);
        param_emit(scale, c, data);
        snprintf(c, sizeof c, "%s: zero point (an integer)", n->name);
        param_emit(zeropt, c, data);
    }
    /* Vectorizable form: no branch and no library call in the loop. A NaN or
     * a value outside the datatype sets `bad`, checked after the loop; the
     * rounding is done in integers, which needs the clamped values (one
     * step beyond the range) to be exact floats and int32_t: 2^24. Wider
     * quantizers call the rounding helper and return at the first NaN. */
    bool int_rounding = mode == IQ_QUANT && !sign_quant && lo - 1 >= -(1LL << 24) &&
                        hi + 1 <= (1LL << 24);
    bool fallback = mode == IQ_QUANT && !sign_quant && !int_rounding;
    if (fallback)
        emit_rounding_helper(rounding, code);

    /* comment */
    tb_printf(code, "/* %s: InputQuant, float %s -> %s", n->name,
              shape_str(&x->shape, shape, sizeof shape), ref_dt_name(x->dt, dtn));
    if (x->channels_last)
        tb_puts(code, ", stored channels-last");
    tb_puts(code, ":\n *   v = x");
    for (int k = 0; k < n_steps; k++)
        tb_printf(code, ", v = v %s c%d", ops[k], k + 1);
    if (mode == IQ_BIPOLAR)
        tb_puts(code, ", out = v >= 0 ? +1 : -1 */\n");
    else if (mode == IQ_INTEGER)
        tb_puts(code, ", out = v, which must be an integer of the datatype */\n");
    else if (sign_quant)
        tb_puts(code, ", t = v / scale + zeropt, q = t >= 0 ? +1 : -1, out = q - zeropt */\n");
    else
        tb_printf(code, ",\n *   q = clamp(%s(v / scale + zeropt), %lld, %lld), out = q - zeropt\n"
                  " * each operation in float32, as the golden executor does it%s */\n",
                  rounding_fn[rounding], (long long)lo, (long long)hi,
                  int_rounding ? ";\n * the rounding in integers, without branches, so that the loop "
                                 "vectorizes" : "");
    bool bits_out = x->fmt == REF_BITS;
    /* The microcontroller targets keep RAM instead: one loop, no staging
     * arrays (the rounding in integers all the same). */
    bool low_ram = !strcmp(p->target, "mcu") || !strcmp(p->target, "npu");
    bool two_loops = int_rounding && !low_ram;
    tb_printf(code, "static int input_quant(const float *restrict in, %s *out)\n{\n",
              ref_ctype(x->fmt));
    Walk w;
    const char *ind;
    walk_open(code, x, &w);
    bool use_planar = w.nested && !low_ram;
    /* the loop writes the values in the input's (logical) order; a
     * channels-last or bit-packed x gets them from this staging array */
    const char *stage = "out";
    /* A bit-packed x in the input's order: one byte per value, packed eight
     * at a time by a multiplication (pack_signs) instead of bit by bit. */
    bool sign_bytes = bits_out && !w.nested && !low_ram && !two_loops;
    if (bits_out) {
        tb_printf(code, "    enum { ROWS = %lld, INNER = %lld, WORDS = %lld };\n",
                  (long long)x->rows, (long long)x->inner, (long long)x->row_words);
        if (sign_bytes)
            tb_printf(code, "    static unsigned char signs[%lld];   /* 1 for +1, 0 for -1; rows "
                      "padded with 0 to whole words */\n", (long long)(x->rows * x->row_words * 64));
        else
            tb_printf(code, "    static int32_t values[%lld];   /* +1 / -1, in stored order */\n",
                      (long long)x->count);
        headers[QH_XNOR64] = true;
        stage = "values";
    }
    if (use_planar) {
        tb_printf(code, "    static %s planar[%lld];   /* in the input's order: channels first */\n",
                  bits_out ? "int32_t" : ref_ctype(x->fmt), (long long)x->count);
        stage = "planar";
    }
    int64_t block = two_loops ? staging_block(x->count) : 0;
    if (two_loops) {
        tb_printf(code, "    enum { TOTAL = %lld, BLOCK = %lld };   /* values, and values a block */\n",
                  (long long)x->count, (long long)block);
        tb_puts(code, "    static float staged[BLOCK];   /* t, clamped, for one block */\n");
    }
    if (!fallback && mode != IQ_BIPOLAR && !sign_quant)
        tb_puts(code, "    int bad = 0;   /* a NaN, or a value outside the datatype */\n");
    walk_vars(code, &w);
    if (two_loops)
        tb_printf(code, "    int %sbase;\n", w.nested ? "i, " : "");
    if (bits_out)
        tb_puts(code, sign_bytes ? "    int r, k, g;\n" : "    int r;\n");
    tb_puts(code, "\n");
    if (two_loops) {
        /* blocks of the logical order: element i, its channel */
        tb_puts(code, "    for (base = 0; base < TOTAL; base += BLOCK) {\n"
                      "        for (i = base; i < base + BLOCK; ++i) {\n");
        ind = "            ";
        snprintf(w.li, sizeof w.li, "i");
        if (w.nested)
            snprintf(w.ch, sizeof w.ch, x->n > 1 ? "i / S %% C" : "i / S");
        else
            snprintf(w.ch, sizeof w.ch, "%s", x->rows > 1 && x->inner > 1 ? "i % C" : "i");
    } else {
        walk_begin(code, x, &w, &ind);
    }
    bool half = rounding == QROUND_HALF_EVEN || rounding == QROUND_HALF_UP ||
                rounding == QROUND_HALF_DOWN;
    if (two_loops)
        tb_printf(code, "%sfloat v = in[%s], t;\n\n", ind, w.li);
    else if (mode == IQ_QUANT)
        tb_printf(code, "%sfloat v = in[%s], t%s;\n%sint32_t q;\n\n", ind, w.li,
                  int_rounding && half ? ", frac" : "", ind);
    else if (mode == IQ_INTEGER)
        tb_printf(code, "%sfloat v = in[%s];\n%sint inside;\n\n", ind, w.li, ind);
    else
        tb_printf(code, "%sfloat v = in[%s];\n\n", ind, w.li);
    char e1[96], e2[96];
    for (int k = 0; k < n_steps; k++)
        tb_printf(code, "%sv = v %s %s;\n", ind, ops[k], param_expr(&prm[k], w.ch, e1));
    char value[160];
    if (mode == IQ_BIPOLAR) {
        snprintf(value, sizeof value, "v >= 0.0f ? 1 : -1");
    } else if (mode == IQ_INTEGER) {
        int64_t vlo = qc_dtype_min(x->dt), vhi = qc_dtype_max(x->dt);
        if (bits_out) {
            tb_printf(code, "%sinside = v == 1.0f || v == -1.0f;\n", ind);
            tb_printf(code, "%sbad |= !inside;   /* outside the input's datatype */\n", ind);
            snprintf(value, sizeof value, "v > 0.0f ? 1 : -1");
        } else {
            tb_printf(code, "%sinside = v >= %lld.0f && v <= %lld.0f;\n", ind, (long long)vlo,
                      (long long)vhi);
            tb_printf(code, "%sv = inside ? v : 0.0f;   /* keeps the conversion defined */\n", ind);
            tb_printf(code, "%sbad |= !inside | ((float)(int32_t)v != v);   /* outside the input's "
                      "datatype, or not an integer */\n", ind);
            snprintf(value, sizeof value, "(int32_t)v");
        }
    } else {
        tb_printf(code, "%st = v / %s;\n", ind, param_expr(scale, w.ch, e1));
        if (!zp_zero)
            tb_printf(code, "%st = t + %s;\n", ind, param_expr(zeropt, w.ch, e2));
        if (sign_quant) {
            tb_printf(code, "%sq = t >= 0.0f ? 1 : -1;\n", ind);
        } else if (int_rounding) {
            emit_clamp_t(lo, hi, ind, code);
            if (!two_loops)
                emit_int_rounding(rounding, lo, hi, ind, code);
        } else {
            tb_printf(code, "%sif (isnan(t))\n%s    return %s_BAD_INPUT;\n", ind, ind, p->upper);
            tb_printf(code, "%st = %s(t);\n", ind, rounding_fn[rounding]);
            tb_printf(code, "%st = t < %lld.0f ? %lld.0f : t;\n", ind, (long long)lo,
                      (long long)lo);
            tb_printf(code, "%st = t > %lld.0f ? %lld.0f : t;\n", ind, (long long)hi,
                      (long long)hi);
            tb_printf(code, "%sq = (int32_t)t;\n", ind);
        }
        if (zp_zero)
            snprintf(value, sizeof value, "q");
        else
            snprintf(value, sizeof value, "q - (int32_t)%s", param_expr(zeropt, w.ch, e2));
    }
    const char *ctype = bits_out ? "int32_t" : ref_ctype(x->fmt);
    if (two_loops)
        tb_printf(code, "%sstaged[i - base] = t;\n        }\n", ind);
    else if (sign_bytes)
        tb_printf(code, "%ssigns[%s] = (unsigned char)((%s) > 0);\n", ind,
                  x->rows > 1 ? "i / INNER * WORDS * 64 + i % INNER" : "i", value);
    else
        tb_printf(code, strchr(value, ' ') ? "%s%s[%s] = (%s)(%s);\n" : "%s%s[%s] = (%s)%s;\n",
                  ind, stage, use_planar ? w.li : w.pi, ctype, value);
    if (two_loops) {
        /* the second loop of the block: the rounding */
        tb_puts(code, "        for (i = base; i < base + BLOCK; ++i) {\n");
        tb_printf(code, "            float t = staged[i - base]%s;\n            int32_t q;\n\n",
                  half ? ", frac" : "");
        emit_int_rounding(rounding, lo, hi, ind, code);
        if (!zp_zero)
            snprintf(value, sizeof value, "q - (int32_t)%s", param_expr(zeropt, w.ch, e2));
        tb_printf(code, strchr(value, ' ') ? "%s%s[i] = (%s)(%s);\n        }\n    }\n"
                                           : "%s%s[i] = (%s)%s;\n        }\n    }\n",
                  ind, stage, ctype, value);
    } else {
        walk_end(code, &w);
    }
    if (!fallback && mode != IQ_BIPOLAR && !sign_quant)
        tb_printf(code, "    if (bad)\n        return %s_BAD_INPUT;\n", p->upper);
    if (use_planar)
        emit_channels_last_store(x, bits_out ? "values" : "out", code);
    if (sign_bytes)
        emit_pack_signs(code);
    else if (bits_out)
        tb_puts(code, "    for (r = 0; r < ROWS; ++r)\n"
                      "        qc_xnor64_pack(&values[r * INNER], INNER, &out[r * WORDS]);\n");
    tb_printf(code, "    return %s_OK;\n}\n\n", p->upper);
    return true;
}

/* ---- output affine ------------------------------------------------------- */

/* The C expression reading stored element `pi` (at most 47 chars) of t as
 * an int32_t; READ_EXPR_SIZE holds the longest form. */
#define READ_EXPR_SIZE 160
static void read_expr(const RefTensor *t, const char *pi, char *buf, size_t size)
{
    if (t->fmt != REF_BITS)
        snprintf(buf, size, "in[%s]", pi);
    else if (t->rows == 1)
        snprintf(buf, size, "qc_xnor64_get(in, %s)", pi);
    else
        snprintf(buf, size, "qc_xnor64_get(&in[(%s) / INNER * WORDS], (%s) %% INNER)", pi, pi);
}

static bool emit_output_affine(RefPlan *p, TextBuf *data, TextBuf *code, bool *headers, Diag *d)
{
    const Node *n = p->output_affine;
    const RefTensor *y = p->y;
    Param a, b;
    char dtn[16], shape[96], e1[96], e2[96], rd[READ_EXPR_SIZE], c[64];
    OpCtx ctx = { p->g, d };
    OutputAffineParams oa;
    if (!output_affine_params(&ctx, n, &oa))
        return false;
    const Value *av = oa.a ? oa.a->value : NULL, *bv = oa.b ? oa.b->value : NULL;
    if (!av || !bv)
        return node_error(d, p->g, n, "A and B must be constants");
    if (av->count > 1) {
        int rank = y->shape.rank;
        int64_t axis = oa.channel_axis;
        if (axis < 0)
            axis += rank;
        if ((rank >= 2 ? axis != 1 : axis != 0) || av->count != y->inner)
            return node_error(d, p->g, n, "the %s target needs the channel axis to be axis 1 "
                              "(the stored innermost axis)", p->target);
    }
    /* A and B are 1-D: as parameters they vary along the channel axis */
    memset(&a, 0, sizeof a);
    memset(&b, 0, sizeof b);
    a.v = av;
    b.v = bv;
    a.count = av->count;
    b.count = bv->count;
    a.per_channel = av->count > 1;
    b.per_channel = bv->count > 1;
    snprintf(c, sizeof c, "%s_scale", n->name && n->name[0] ? n->name : "output");
    ref_unique_name(p, c, a.name);
    snprintf(c, sizeof c, "%s_bias", n->name && n->name[0] ? n->name : "output");
    ref_unique_name(p, c, b.name);
    snprintf(c, sizeof c, "%s: A (scale)", n->name);
    param_emit(&a, c, data);
    snprintf(c, sizeof c, "%s: B (bias)", n->name);
    param_emit(&b, c, data);
    tb_printf(code, "/* %s: OutputAffine, %s %s -> float: out = A[c] * y + B[c],\n"
              " * in double, rounded once to float */\n", n->name, ref_dt_name(y->dt, dtn),
              shape_str(&y->shape, shape, sizeof shape));
    tb_printf(code, "static void output_affine(const %s *in, float *out)\n{\n", ref_ctype(y->fmt));
    Walk w;
    const char *ind;
    walk_read_begin(code, y, &w, &ind, headers);
    read_expr(y, w.pi, rd, sizeof rd);
    tb_printf(code, "%sout[%s] = (float)((double)%s * %s + (double)%s);\n", ind, w.li,
              param_expr(&a, w.ch, e1), rd, param_expr(&b, w.ch, e2));
    walk_end(code, &w);
    tb_puts(code, "}\n\n");
    return true;
}

/* ---- integer entry points ------------------------------------------------ */

static void emit_load_int(const RefPlan *p, TextBuf *code, bool *headers)
{
    const RefTensor *x = p->x;
    char dtn[16];
    int64_t lo = qc_dtype_min(x->dt), hi = qc_dtype_max(x->dt);
    bool bits = x->fmt == REF_BITS;
    tb_printf(code, "/* An integer frame (logical order) into the stored input, each value checked "
              "against %s */\n", ref_dt_name(x->dt, dtn));
    tb_printf(code, "static int load_int_input(const int32_t *in, %s *out)\n{\n",
              ref_ctype(x->fmt));
    Walk w;
    const char *ind;
    walk_fill_begin(code, x, &w, &ind, headers);
    if (bits)
        tb_printf(code, "%sif (in[%s] != 1 && in[%s] != -1)\n", ind, w.li, w.li);
    else
        tb_printf(code, "%sif (in[%s] < %lld || in[%s] > %lld)\n", ind, w.li, (long long)lo, w.li,
                  (long long)hi);
    tb_printf(code, "%s    return %s_BAD_INPUT;\n", ind, p->upper);
    if (bits)
        tb_printf(code, "%svalues[%s] = in[%s];\n", ind, w.pi, w.li);
    else
        tb_printf(code, "%sout[%s] = (%s)in[%s];\n", ind, w.pi, ref_ctype(x->fmt), w.li);
    walk_fill_end(p, code, x, &w);
}

static void emit_store_int(const RefPlan *p, TextBuf *code, bool *headers)
{
    const RefTensor *y = p->y;
    char rd[READ_EXPR_SIZE];
    tb_puts(code, "/* The stored output as an integer frame (logical order) */\n");
    tb_printf(code, "static void store_int_output(const %s *in, int32_t *out)\n{\n",
              ref_ctype(y->fmt));
    Walk w;
    const char *ind;
    walk_read_begin(code, y, &w, &ind, headers);
    read_expr(y, w.pi, rd, sizeof rd);
    tb_printf(code, "%sout[%s] = %s;\n", ind, w.li, rd);
    walk_end(code, &w);
    tb_puts(code, "}\n\n");
}

bool ref_emit_io(RefPlan *p, TextBuf *data, TextBuf *code, bool *headers, Diag *d)
{
    if (!emit_input_quant(p, data, code, headers, d) ||
        !emit_output_affine(p, data, code, headers, d))
        return false;
    emit_load_int(p, code, headers);
    emit_store_int(p, code, headers);
    return true;
}

bool ref_emit_input_io(RefPlan *p, TextBuf *data, TextBuf *code, bool *headers, Diag *d)
{
    if (!emit_input_quant(p, data, code, headers, d))
        return false;
    emit_load_int(p, code, headers);
    return true;
}
