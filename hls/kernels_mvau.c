/* The MVAU kernel of the hls target, as template text (hls_subst fills the
 * @KEY@ placeholders; emit_hls_layers.c picks the parts):
 *
 *   head          comment, signature, constants, the loop nest down to the
 *                 input beat of one pipelined synapse fold
 *   mac_xnor      BIPOLAR x BIPOLAR: per PE, popcount of the XNOR of SIMD bits
 *   mac_int       any other datatypes: the beat's SIMD elements, then per PE
 *                 SIMD multiply-accumulates
 *   act_*         after the last synapse fold, per PE: thresholds (one row
 *                 per channel or one shared row) or the accumulator itself
 *   tail          the output beat and the closing braces
 *
 * The loop nest is FINN's: for each vector, for each of NF neuron folds,
 * for each of SF synapse folds, PE x SIMD MACs in one pipelined iteration.
 * Neuron nf * PE + p of fold nf is computed by PE p. */
#include "emit_hls_internal.h"

const char hls_mvau_head[] =
    "/* @LAYER@: MVAU (matrix-vector-activation unit)\n"
    " * of @MH@ neurons x @MW@ synapses, @VECTORS@ vector(s) per frame; PE = @PE@ neurons and\n"
    " * SIMD = @SIMD@ synapses per cycle: @NF@ neuron fold(s) of @SF@ synapse fold(s).\n"
    " *   in:  @IN_DESC@ per beat, @IN_BEATS@ beats\n"
    " *   out: @OUT_DESC@ per beat, @OUT_BEATS@ beats\n"
    " *   @MAC_DESC@\n"
    " *   @ACT_DESC@ */\n"
    "static void @FN@(const @IN@_t in[@IN_BEATS@], @OUT@_t out[@OUT_BEATS@])\n"
    "{\n"
    "    enum { VECTORS = @VECTORS@, NF = @NF@, SF = @SF@, PE = @PE@, SIMD = @SIMD@@LEVELS@ };\n"
    "    @IN@_t vec[SF];   /* the current vector: read in neuron fold 0, reused by the others */\n"
    "    @ACC_T@ acc[PE];\n"
    "    int v, nf, sf, p@MAC_VARS@, i = 0, o = 0;\n"
    "#pragma HLS ARRAY_PARTITION variable=@FN@_weights complete dim=1\n"
    "@THR_PARTITION@"
    "#pragma HLS ARRAY_PARTITION variable=acc complete dim=1\n"
    "\n"
    "    for (v = 0; v < VECTORS; ++v)\n"
    "        for (nf = 0; nf < NF; ++nf)\n"
    "            for (sf = 0; sf < SF; ++sf) {\n"
    "#pragma HLS PIPELINE II=1\n"
    "                @IN@_t x;\n"
    "@X_DECL@"
    "\n"
    "                if (nf == 0)\n"
    "                    vec[sf] = in[i++];\n"
    "                x = vec[sf];\n";

const char hls_mvau_mac_xnor[] =
    "                for (p = 0; p < PE; ++p) {\n"
    "#pragma HLS UNROLL\n"
    "                    acc[p] = (sf == 0 ? 0 : acc[p]) +\n"
    "                             @IN@_matches(&x, &@FN@_weights[p][nf * SF + sf]);\n"
    "                }\n";

const char hls_mvau_mac_int[] =
    "                for (s = 0; s < SIMD; ++s) {\n"
    "#pragma HLS UNROLL\n"
    "                    xs[s] = @IN@_get(&x, s);\n"
    "                }\n"
    "                for (p = 0; p < PE; ++p) {\n"
    "#pragma HLS UNROLL\n"
    "                    const @W@_t *w = &@FN@_weights[p][nf * SF + sf];\n"
    "                    @ACC_T@ sum = sf == 0 ? 0 : acc[p];\n"
    "\n"
    "                    for (s = 0; s < SIMD; ++s) {\n"
    "#pragma HLS UNROLL\n"
    "                        sum += (@ACC_T@)xs[s] * @W@_get(w, s);\n"
    "                    }\n"
    "                    acc[p] = sum;\n"
    "                }\n";

const char hls_mvau_act_thresholds[] =
    "                if (sf == SF - 1) {\n"
    "                    @OUT@_t y = @OUT@_zero();\n"
    "\n"
    "                    for (p = 0; p < PE; ++p) {\n"
    "#pragma HLS UNROLL\n"
    "                        int32_t count = 0;\n"
    "                        int t;\n"
    "\n"
    "                        for (t = 0; t < LEVELS; ++t) {\n"
    "#pragma HLS UNROLL\n"
    "                            count += acc[p] >= @FN@_thresholds@THR_INDEX@;\n"
    "                        }\n"
    "                        @OUT@_put(&y, p, @ACT_EXPR@);\n"
    "                    }\n";

const char hls_mvau_act_none[] =
    "                if (sf == SF - 1) {\n"
    "                    @OUT@_t y = @OUT@_zero();\n"
    "\n"
    "                    for (p = 0; p < PE; ++p) {\n"
    "#pragma HLS UNROLL\n"
    "                        @OUT@_put(&y, p, @ACC_OUT@);\n"
    "                    }\n";

const char hls_mvau_tail[] =
    "                    out[o++] = y;\n"
    "                }\n"
    "            }\n"
    "}\n"
    "\n";
