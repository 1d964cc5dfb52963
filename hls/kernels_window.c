/* The window kernels of the hls target, SWG, MAXPOOL and POOL, as template text
 * (hls_subst fills the @KEY@ placeholders). Both keep the last KH image
 * rows in a line buffer and read an image row as soon as the next row of
 * outputs needs it, so they stream with a latency of about KH rows:
 *
 *   window_head    signature, constants, line buffer, the row reads and the
 *                  loop over the output beats of one output row
 *   swg_body       one beat of a window: elements in [kh][kw][C] order,
 *                  padding PAD (the layer's pad_value)
 *   maxpool_body   one beat of a pixel: per channel the max over the window,
 *                  padding never wins
 *   pool_body      one beat of a pixel: per channel the sum over the window
 *                  (average pool), then the Trunc's shift and rounding
 *   swg_pointwise  a SWG with a one-tap window and no padding (1x1 conv with
 *                  strides): passes the pixels the strides keep, no buffer
 *   window_drain   image rows below the last window (read, unused), only
 *                  emitted when there are such rows */
#include "emit_hls_internal.h"

const char hls_window_head[] =
    "static void @FN@(const @IN@_t in[@IN_BEATS@], @OUT@_t out[@OUT_BEATS@])\n"
    "{\n"
    "    enum {\n"
    "        IN_H = @IN_H@, IN_W = @IN_W@, C = @C@, OUT_H = @OUT_H@, OUT_W = @OUT_W@,\n"
    "        KH = @KH@, KW = @KW@, SH = @SH@, SW = @SW@, PT = @PT@, PL = @PL@,@PAD_ENUM@\n"
    "        IN_PER_BEAT = @IN_PB@, OUT_PER_BEAT = @OUT_PB@,\n"
    "        ROW_BEATS = IN_W * C / IN_PER_BEAT,       /* input beats per image row */\n"
    "        @UNIT_BEATS@ = @UNIT@ / OUT_PER_BEAT,   /* output beats per @UNIT_NAME@ */\n"
    "        NEW_ROWS = @NEW_ROWS@   /* the most image rows one row of outputs reads */\n"
    "    };\n"
    "    @ELEM_T@ rows[KH][IN_W * C];   /* the last KH image rows: row r in rows[r % KH] */\n"
    "    int next = 0;                /* the next image row to read */\n"
    "    int i = 0, o = 0, oy, ox, r, b, t, j@EXTRA_VARS@;\n"
    "#pragma HLS ARRAY_PARTITION variable=rows complete dim=1\n"
    "\n"
    "    for (oy = 0; oy < OUT_H; ++oy) {\n"
    "        int need = oy * SH - PT + KH;   /* this row of outputs reads image rows < need */\n"
    "\n"
    "        if (need > IN_H)\n"
    "            need = IN_H;\n"
    "        for (r = 0; r < NEW_ROWS; ++r) {\n"
    "            if (next < need) {\n"
    "                for (b = 0; b < ROW_BEATS; ++b) {\n"
    "#pragma HLS PIPELINE II=1\n"
    "                    @IN@_t x = in[i++];\n"
    "\n"
    "                    for (j = 0; j < IN_PER_BEAT; ++j) {\n"
    "#pragma HLS UNROLL\n"
    "                        rows[next % KH][b * IN_PER_BEAT + j] = (@ELEM_T@)@IN@_get(&x, j);\n"
    "                    }\n"
    "                }\n"
    "                ++next;\n"
    "            }\n"
    "        }\n"
    "        for (ox = 0; ox < OUT_W; ++ox) {\n"
    "            for (t = 0; t < @UNIT_BEATS@; ++t) {\n"
    "#pragma HLS PIPELINE II=1\n"
    "                @OUT@_t y = @OUT@_zero();\n"
    "\n"
    "                for (j = 0; j < OUT_PER_BEAT; ++j) {\n"
    "#pragma HLS UNROLL\n";

const char hls_swg_body[] =
    "                    int e = t * OUT_PER_BEAT + j;   /* element [kh][kw][c] of the window */\n"
    "                    int iy = oy * SH - PT + e / (KW * C), ix = ox * SW - PL + e / C % KW;\n"
    "                    int inside = iy >= 0 && iy < IN_H && ix >= 0 && ix < IN_W;\n"
    "\n"
    "                    @OUT@_put(&y, j, inside ? rows[iy % KH][ix * C + e % C] : PAD);\n"
    "                }\n"
    "                out[o++] = y;\n"
    "            }\n"
    "        }\n"
    "    }\n";

const char hls_maxpool_body[] =
    "                    int c = t * OUT_PER_BEAT + j;\n"
    "                    int32_t m = @MIN@;   /* the least @DT@: padding never wins */\n"
    "\n"
    "                    for (ky = 0; ky < KH; ++ky) {\n"
    "#pragma HLS UNROLL\n"
    "                        for (kx = 0; kx < KW; ++kx) {\n"
    "#pragma HLS UNROLL\n"
    "                            int iy = oy * SH - PT + ky, ix = ox * SW - PL + kx;\n"
    "\n"
    "                            if (iy >= 0 && iy < IN_H && ix >= 0 && ix < IN_W &&\n"
    "                                rows[iy % KH][ix * C + c] > m)\n"
    "                                m = rows[iy % KH][ix * C + c];\n"
    "                        }\n"
    "                    }\n"
    "                    @OUT@_put(&y, j, m);\n"
    "                }\n"
    "                out[o++] = y;\n"
    "            }\n"
    "        }\n"
    "    }\n";

const char hls_pool_body[] =
    "                    int c = t * OUT_PER_BEAT + j;\n"
    "                    int32_t sum = 0;   /* a padded tap adds 0 */\n"
    "\n"
    "                    for (ky = 0; ky < KH; ++ky) {\n"
    "#pragma HLS UNROLL\n"
    "                        for (kx = 0; kx < KW; ++kx) {\n"
    "#pragma HLS UNROLL\n"
    "                            int iy = oy * SH - PT + ky, ix = ox * SW - PL + kx;\n"
    "\n"
    "                            if (iy >= 0 && iy < IN_H && ix >= 0 && ix < IN_W)\n"
    "                                sum += rows[iy % KH][ix * C + c];\n"
    "                        }\n"
    "                    }\n"
    "                    @OUT@_put(&y, j, @FN@_round(sum));\n"
    "                }\n"
    "                out[o++] = y;\n"
    "            }\n"
    "        }\n"
    "    }\n";

const char hls_swg_pointwise_template[] =
    "/* @LAYER@: SWG of a one-tap window (a 1x1 convolution with strides)\n"
    " * over a @IN_H@ x @IN_W@ x @C@ image: the pixels of rows and columns that are\n"
    " * multiples of the strides @SH@ x @SW@ pass, the others are dropped; no line\n"
    " * buffer.\n"
    " *   in:  @IN_DESC@ per beat, @IN_BEATS@ beats\n"
    " *   out: @OUT_DESC@ per beat, @OUT_BEATS@ beats */\n"
    "static void @FN@(const @IN@_t in[@IN_BEATS@], @OUT@_t out[@OUT_BEATS@])\n"
    "{\n"
    "    enum { IN_H = @IN_H@, IN_W = @IN_W@, OUT_H = @OUT_H@, OUT_W = @OUT_W@, SH = @SH@, SW = @SW@,\n"
    "           PIX_BEATS = @C@ / @IN_PB@ };   /* beats per pixel */\n"
    "    int y, x, t, i = 0, o = 0;\n"
    "\n"
    "    for (y = 0; y < IN_H; ++y) {\n"
    "        for (x = 0; x < IN_W; ++x) {\n"
    "            int keep = y % SH == 0 && x % SW == 0 && y / SH < OUT_H && x / SW < OUT_W;\n"
    "\n"
    "            for (t = 0; t < PIX_BEATS; ++t) {\n"
    "#pragma HLS PIPELINE II=1\n"
    "                @IN@_t b = in[i++];\n"
    "\n"
    "                if (keep)\n"
    "                    out[o++] = b;\n"
    "            }\n"
    "        }\n"
    "    }\n"
    "}\n"
    "\n";

const char hls_window_drain[] =
    "    for (r = 0; r < IN_H; ++r) {   /* image rows below the last window: read, unused */\n"
    "        if (r >= next) {\n"
    "            for (b = 0; b < ROW_BEATS; ++b) {\n"
    "#pragma HLS PIPELINE II=1\n"
    "                (void)in[i++];\n"
    "            }\n"
    "        }\n"
    "    }\n";
