/* The kernels of the dataflow DAG's own layers, as template text
 * (hls_subst fills the @KEY@ placeholders):
 *
 *   fork   one stream copied to two, beat by beat (a residual block's
 *          skip path and its convolutions)
 *   join   two streams added element by element in the add's integer
 *          ratio, then the thresholds of the quantizer after the add
 *   vvau   depthwise convolution after a SWG: per output pixel and
 *          channel, the dot product of the window's taps of that channel
 *          with the channel's weights; PE channels per beat
 *
 * The average pool is a window kernel (kernels_window.c, pool_body). */
#include "emit_hls_internal.h"

const char hls_fork_template[] =
    "/* @LAYER@: FORK\n"
    " * the stream copied to two outputs, beat by beat; a beat leaves when both\n"
    " * outputs take it.\n"
    " *   in, out0, out1: @IN_DESC@ per beat, @IN_BEATS@ beats */\n"
    "static void @FN@(const @IN@_t in[@IN_BEATS@],\n"
    "@FN_PAD@ @OUT@_t out0[@IN_BEATS@], @OUT@_t out1[@IN_BEATS@])\n"
    "{\n"
    "    int b;\n"
    "\n"
    "    for (b = 0; b < @IN_BEATS@; ++b) {\n"
    "#pragma HLS PIPELINE II=1\n"
    "        @IN@_t x = in[b];\n"
    "\n"
    "        out0[b] = x;\n"
    "        out1[b] = x;\n"
    "    }\n"
    "}\n"
    "\n";

const char hls_join_head[] =
    "/* @LAYER@: JOIN\n"
    " * two streams added element by element, sum = @MUL_A@ * a + @MUL_B@ * b (@SUM_DT@);\n"
    " * @ACT_DESC@;\n"
    " * @PE@ of @C@ channels per beat.\n"
    " *   a:   @IN_DESC@ per beat, @IN_BEATS@ beats\n"
    " *   b:   @IN2_DESC@ per beat, @IN_BEATS@ beats\n"
    " *   out: @OUT_DESC@ per beat, @IN_BEATS@ beats */\n"
    "static void @FN@(const @IN@_t a[@IN_BEATS@], const @IN2@_t b[@IN_BEATS@],\n"
    "@FN_PAD@ @OUT@_t out[@IN_BEATS@])\n"
    "{\n"
    "    enum { BEATS = @IN_BEATS@, PE = @PE@, CF = @CF@@LEVELS@ };   /* CF: channel folds */\n"
    "    int i, p, cf = 0@T_VAR@;\n"
    "@THR_PARTITION@"
    "\n"
    "    for (i = 0; i < BEATS; ++i) {\n"
    "#pragma HLS PIPELINE II=1\n"
    "        @IN@_t x = a[i];\n"
    "        @IN2@_t z = b[i];\n"
    "        @OUT@_t y = @OUT@_zero();\n"
    "\n"
    "        for (p = 0; p < PE; ++p) {\n"
    "#pragma HLS UNROLL\n"
    "            int32_t sum = @MUL_A@ * @IN@_get(&x, p) + @MUL_B@ * @IN2@_get(&z, p);\n";

const char hls_join_act_thresholds[] =
    "            int32_t count = 0;\n"
    "\n"
    "            for (t = 0; t < LEVELS; ++t) {\n"
    "#pragma HLS UNROLL\n"
    "                count += sum >= @FN@_thresholds@THR_INDEX@;\n"
    "            }\n"
    "            @OUT@_put(&y, p, @ACT_EXPR@);   /* channel cf * PE + p */\n";

const char hls_join_act_none[] =
    "            @OUT@_put(&y, p, sum);\n";

const char hls_join_tail[] =
    "        }\n"
    "        out[i] = y;\n"
    "        cf = cf == CF - 1 ? 0 : cf + 1;\n"
    "    }\n"
    "}\n"
    "\n";

const char hls_vvau_head[] =
    "/* @LAYER@: VVAU (depthwise convolution)\n"
    " * @VECTORS@ windows of @K@ taps x @C@ channels ([k][c] order, from the SWG):\n"
    " *   acc[c] = sum over the taps k of in[k][c] * W[c][k] (@MAC_DESC@);\n"
    " *   @ACT_DESC@;\n"
    " *   @PE@ channels per beat.\n"
    " *   in:  @IN_DESC@ per beat, @IN_BEATS@ beats\n"
    " *   out: @OUT_DESC@ per beat, @OUT_BEATS@ beats */\n"
    "static void @FN@(const @IN@_t in[@IN_BEATS@], @OUT@_t out[@OUT_BEATS@])\n"
    "{\n"
    "    enum { VECTORS = @VECTORS@, K = @K@, PE = @PE@, CF = @CF@@LEVELS@ };   /* CF: channel folds */\n"
    "    int32_t acc[CF][PE];   /* one window's sums, channel cf * PE + p */\n"
    "    int v, k, cf, p, i = 0, o = 0@T_VAR@;\n"
    "#pragma HLS ARRAY_PARTITION variable=acc complete dim=2\n"
    "#pragma HLS ARRAY_PARTITION variable=@FN@_weights complete dim=1\n"
    "@THR_PARTITION@"
    "\n"
    "    for (v = 0; v < VECTORS; ++v) {\n"
    "        for (k = 0; k < K; ++k) {\n"
    "            for (cf = 0; cf < CF; ++cf) {\n"
    "#pragma HLS PIPELINE II=1\n"
    "                @IN@_t x = in[i++];\n"
    "\n"
    "                for (p = 0; p < PE; ++p) {\n"
    "#pragma HLS UNROLL\n"
    "                    const @W@_t *w = &@FN@_weights[p][cf * K + k];   /* W[cf * PE + p][k] */\n"
    "                    int32_t prod = @IN@_get(&x, p) * @W@_get(w, 0);\n"
    "\n"
    "                    acc[cf][p] = k == 0 ? prod : acc[cf][p] + prod;\n"
    "                }\n"
    "            }\n"
    "        }\n"
    "        for (cf = 0; cf < CF; ++cf) {\n"
    "#pragma HLS PIPELINE II=1\n"
    "            @OUT@_t y = @OUT@_zero();\n"
    "\n"
    "            for (p = 0; p < PE; ++p) {\n"
    "#pragma HLS UNROLL\n";

const char hls_vvau_act_thresholds[] =
    "                int32_t count = 0;\n"
    "\n"
    "                for (t = 0; t < LEVELS; ++t) {\n"
    "#pragma HLS UNROLL\n"
    "                    count += acc[cf][p] >= @FN@_thresholds@THR_INDEX@;\n"
    "                }\n"
    "                @OUT@_put(&y, p, @ACT_EXPR@);\n";

const char hls_vvau_act_none[] =
    "                @OUT@_put(&y, p, acc[cf][p]);\n";

const char hls_vvau_tail[] =
    "            }\n"
    "            out[o++] = y;\n"
    "        }\n"
    "    }\n"
    "}\n"
    "\n";
