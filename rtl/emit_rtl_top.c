/* <name>_top.v: the dataflow graph as library modules.
 *
 * Layer k becomes instance "l<k>_<name>" of the module of its kind
 * (qnn_mvau, qnn_swg, qnn_maxpool, qnn_threshold, qnn_labelselect,
 * qnn_dwc, qnn_fifo, and for the DAG's layers qnn_fork, qnn_add,
 * qnn_vvau, qnn_pool), its parameters the layer's folding and datatypes.
 * The instances are wired through one stream per output port
 * (rtl_streams.c): input i of layer k reads the stream of port
 * src_port[i] of layer src[i]; in a chain st1 .. st<n-1>, the first layer
 * reading the top's s_axis, the last writing m_axis. The tvalid/tready of
 * every stream and the occupancy of every FIFO are marked public for the
 * simulation harness (a Verilator metacomment; other tools ignore it).
 *
 * Weights and thresholds go into "<instance>_weights.mem" and
 * "<instance>_thresholds.mem" in the layouts qnn_mvau.v, qnn_vvau.v and
 * qnn_threshold.v document: hex words, one per line, element codes as
 * qc_pack writes them (two's complement, plain binary, BIPOLAR 1 for +1). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit_rtl.h"
#include "emit_rtl_internal.h"

bool rtl_layer_error(Diag *d, const Dataflow *df, const Layer *l, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bool ok = layer_verror(d, df, l, "rtl target: ", fmt, ap);
    va_end(ap);
    return ok;
}

void rtl_instance_name(const Dataflow *df, int k, char *out, size_t size)
{
    char id[48];
    c_identifier(df->layers[k].name, id, sizeof id);
    snprintf(out, size, "l%d_%s", k, id);
}

int rtl_count_width(int64_t depth)
{
    int w = 0;
    while (((int64_t)1 << w) < depth + 1)
        w++;
    return w < 1 ? 1 : w;
}

/* ---- element codes and memory words ---------------------------------------- */

static bool dt_signed(qc_dtype dt)
{
    return dt.kind == QC_INT || dt.kind == QC_TERNARY;
}

static uint64_t elem_code(qc_dtype dt, int64_t v)
{
    if (dt.kind == QC_BIPOLAR)
        return v > 0 ? 1u : 0u;
    return (uint64_t)v & (dt.bits >= 64 ? ~(uint64_t)0 : (((uint64_t)1 << dt.bits) - 1));
}

/* A memory word under construction: `bits` wide, LSB in w[0]. */
typedef struct Word {
    uint64_t *w;
    int bits, n;
} Word;

static bool word_init(Word *x, int bits)
{
    x->bits = bits;
    x->n = (bits + 63) / 64;
    x->w = calloc((size_t)x->n, sizeof *x->w);
    return x->w != NULL;
}

static void word_put(Word *x, int64_t pos, int nbits, uint64_t code)
{
    for (int b = 0; b < nbits; b++, pos++)
        if ((code >> b) & 1u)
            x->w[pos / 64] |= (uint64_t)1 << (pos % 64);
}

/* The word as hex digits, most significant first, and a newline; cleared. */
static void word_flush(Word *x, TextBuf *b)
{
    static const char hex[] = "0123456789abcdef";
    char line[520];
    int nd = (x->bits + 3) / 4, len = 0;
    for (int i = nd - 1; i >= 0; i--) {
        line[len++] = hex[(x->w[(4 * i) / 64] >> ((4 * i) % 64)) & 0xf];
        if (len == (int)sizeof line - 1) {
            tb_write(b, line, (size_t)len);
            len = 0;
        }
    }
    line[len++] = '\n';
    tb_write(b, line, (size_t)len);
    memset(x->w, 0, (size_t)x->n * sizeof *x->w);
}

/* Bits of a two's complement type holding every threshold, at least `min`. */
static int threshold_bits(const Layer *l, int min)
{
    int64_t lo = 0, hi = 0, n = l->thresholds_per_channel * l->n_thresholds;
    for (int64_t k = 0; k < n; k++) {
        if (l->thresholds[k] < lo)
            lo = l->thresholds[k];
        if (l->thresholds[k] > hi)
            hi = l->thresholds[k];
    }
    int bits = 1;
    while (bits < 32 && (lo < -((int64_t)1 << (bits - 1)) || hi > ((int64_t)1 << (bits - 1)) - 1))
        bits++;
    if (bits < min)
        bits = min;
    return bits > 32 ? 32 : bits;
}

static bool add_mem(OutTree *out, const char *file, TextBuf **b, const Dataflow *df, Diag *d)
{
    char path[160];
    snprintf(path, sizeof path, "rtl/%s", file);
    *b = outtree_add(out, path);
    return *b || diag_error(d, df->path, NULL, NULL, "out of memory");
}

/* qnn_threshold's layout: `channels / pe` words, word f holding channel
 * f*pe + p's thresholds in lane p, threshold t at (p*T + t) * tbits. */
static bool emit_thresholds(const Dataflow *df, const Layer *l, int64_t channels, int pe,
                            int tbits, const char *file, OutTree *out, Diag *d)
{
    TextBuf *b;
    Word w;
    if (!add_mem(out, file, &b, df, d))
        return false;
    if (!word_init(&w, pe * l->n_thresholds * tbits))
        return diag_error(d, df->path, NULL, NULL, "out of memory");
    qc_dtype tdt = qc_dtype_int((unsigned)tbits);
    for (int64_t f = 0; f < channels / pe; f++) {
        for (int p = 0; p < pe; p++) {
            int64_t row = l->thresholds_per_channel == 1 ? 0 : f * pe + p;
            for (int t = 0; t < l->n_thresholds; t++)
                word_put(&w, ((int64_t)p * l->n_thresholds + t) * tbits, tbits,
                         elem_code(tdt, l->thresholds[row * l->n_thresholds + t]));
        }
        word_flush(&w, b);
    }
    free(w.w);
    return true;
}

/* qnn_mvau's layout: NF * SF words, word nf*SF + sf holding the PE x SIMD
 * block W[nf*PE + p][sf*SIMD + s], element (p, s) at (p*SIMD + s) * wbits. */
static bool emit_weights(const Dataflow *df, const Layer *l, const char *file, OutTree *out,
                         Diag *d)
{
    TextBuf *b;
    Word w;
    int wbits = l->wdt.bits;
    if (!add_mem(out, file, &b, df, d))
        return false;
    if (!word_init(&w, l->pe * l->simd * wbits))
        return diag_error(d, df->path, NULL, NULL, "out of memory");
    int64_t nf_n = l->mh / l->pe, sf_n = l->mw / l->simd;
    for (int64_t nf = 0; nf < nf_n; nf++)
        for (int64_t sf = 0; sf < sf_n; sf++) {
            for (int p = 0; p < l->pe; p++)
                for (int s = 0; s < l->simd; s++) {
                    int64_t h = nf * l->pe + p, c = sf * l->simd + s;
                    word_put(&w, ((int64_t)p * l->simd + s) * wbits, wbits,
                             elem_code(l->wdt, l->weights[h * l->mw + c]));
                }
            word_flush(&w, b);
        }
    free(w.w);
    return true;
}

/* ---- instances ------------------------------------------------------------- */

typedef struct Inst {
    TextBuf *b;
    bool first;
} Inst;

static void param(Inst *x, const char *name, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void param(Inst *x, const char *name, const char *fmt, ...)
{
    char v[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v, sizeof v, fmt, ap);
    va_end(ap);
    tb_printf(x->b, "%s\n    .%s(%s)", x->first ? "" : ",", name, v);
    x->first = false;
}

static void inst_begin(Inst *x, TextBuf *b, const char *module)
{
    x->b = b;
    x->first = true;
    tb_printf(b, "%s #(", module);
}

static void inst_ports(Inst *x, const char *inst, const char *in, const char *out)
{
    tb_printf(x->b, "\n) %s (\n    .clk(clk),\n    .rst(rst),\n", inst);
    tb_printf(x->b, "    .s_axis_tdata(%s_tdata),\n    .s_axis_tvalid(%s_tvalid),\n"
              "    .s_axis_tready(%s_tready),\n", in, in, in);
    tb_printf(x->b, "    .m_axis_tdata(%s_tdata),\n    .m_axis_tvalid(%s_tvalid),\n"
              "    .m_axis_tready(%s_tready)\n);\n\n", out, out, out);
}

static void dt_params(Inst *x, const char *prefix, qc_dtype dt, bool bipolar_param)
{
    char n[32];
    snprintf(n, sizeof n, "%s_BITS", prefix);
    param(x, n, "%d", dt.bits);
    snprintf(n, sizeof n, "%s_SIGNED", prefix);
    param(x, n, "%d", dt_signed(dt) ? 1 : 0);
    if (bipolar_param) {
        snprintf(n, sizeof n, "%s_BIPOLAR", prefix);
        param(x, n, "%d", dt.kind == QC_BIPOLAR ? 1 : 0);
    }
}

/* The activation parameters of qnn_mvau, qnn_add and qnn_vvau (before
 * their file names): N_THRESHOLDS .. OUT_BIPOLAR and the threshold width
 * in *tbits, or with no thresholds nothing (*tbits = 0): the accumulator
 * goes out. */
static bool activation_params(const Dataflow *df, const Layer *l, int acc_bits, Inst *x,
                              int *tbits, Diag *d)
{
    *tbits = 0;
    if (l->n_thresholds == 0) {
        if (l->out.dt.bits != acc_bits)
            return rtl_layer_error(d, df, l, "without thresholds the output (%d bits) must be "
                                   "the accumulator (%d bits)", l->out.dt.bits, acc_bits);
        return true;
    }
    *tbits = threshold_bits(l, acc_bits + 1);
    param(x, "N_THRESHOLDS", "%d", l->n_thresholds);
    param(x, "T_BITS", "%d", *tbits);
    param(x, "OUT_BITS", "%d", l->out.dt.bits);
    param(x, "OUT_SCALE", "%d", l->out_scale);
    param(x, "OUT_BIAS", "%d", l->out_bias);
    param(x, "OUT_BIPOLAR", "%d", l->out.dt.kind == QC_BIPOLAR ? 1 : 0);
    return true;
}

/* WEIGHT_FILE (its name into wfile, 128 bytes) and with thresholds
 * (tbits > 0) THRESH_FILE and that file, `rows` channels of PE each. */
static bool memory_files(const Dataflow *df, const Layer *l, const char *inst, int64_t rows,
                         int tbits, Inst *x, char *wfile, OutTree *out, Diag *d)
{
    char tfile[128];
    snprintf(wfile, 128, "%s_weights.mem", inst);
    param(x, "WEIGHT_FILE", "\"%s\"", wfile);
    if (!tbits)
        return true;
    snprintf(tfile, sizeof tfile, "%s_thresholds.mem", inst);
    param(x, "THRESH_FILE", "\"%s\"", tfile);
    return emit_thresholds(df, l, rows, l->pe, tbits, tfile, out, d);
}

static bool emit_mvau(const Dataflow *df, const Layer *l, RtlFamily family, const char *inst,
                      Inst *x, OutTree *out, Diag *d)
{
    char wfile[128];
    int acc_bits = l->acc_dt.bits, tbits;
    if (l->in.dt.kind == QC_BINARY || l->wdt.kind == QC_BINARY || l->in.dt.kind == QC_TERNARY ||
        l->wdt.kind == QC_TERNARY)
        return rtl_layer_error(d, df, l, "BINARY and TERNARY elements are not supported by "
                               "qnn_mvau");
    if (acc_bits < 2 || acc_bits > 32)
        return rtl_layer_error(d, df, l, "accumulator of %d bits (qnn_mvau: 2 to 32)", acc_bits);
    param(x, "MW", "%lld", (long long)l->mw);
    param(x, "MH", "%lld", (long long)l->mh);
    param(x, "SIMD", "%d", l->simd);
    param(x, "PE", "%d", l->pe);
    param(x, "BINARY", "%d", l->xnor ? 1 : 0);
    dt_params(x, "IN", l->in.dt, true);
    dt_params(x, "W", l->wdt, true);
    param(x, "ACC_BITS", "%d", acc_bits);
    param(x, "ACC_SIGNED", "%d", dt_signed(l->acc_dt) ? 1 : 0);
    if (!activation_params(df, l, acc_bits, x, &tbits, d) ||
        !memory_files(df, l, inst, l->mh, tbits, x, wfile, out, d))
        return false;
    /* block RAM where the estimate counts it (mvau_weights_in_bram), so
     * synthesis follows it. Below, no attribute: yosys then builds the ROM
     * from LUTs, as the estimate assumes, where "distributed" asks for LUT
     * RAM, which a ROM without a write port cannot map to (synth_xilinx
     * fails). The iCE40 has no LUT RAM: there yosys always chooses. */
    const char *style = family != RTL_ICE40 && mvau_weights_in_bram(l) ? "block" : "auto";
    param(x, "WEIGHT_RAM_STYLE", "\"%s\"", style);
    return emit_weights(df, l, wfile, out, d);
}

/* ---- the DAG's layers (qnn_fork, qnn_add, qnn_vvau, qnn_pool) ---------------- */

/* The DAG modules take two's complement or unsigned elements of 1 to 32
 * bits. */
static bool integer_elements(const Dataflow *df, const Layer *l, qc_dtype dt, const char *what,
                             Diag *d)
{
    if (dt.kind == QC_BIPOLAR || dt.kind == QC_BINARY)
        return rtl_layer_error(d, df, l, "%s %s elements are not supported (%s layers: two's "
                               "complement or unsigned)", what,
                               dt.kind == QC_BIPOLAR ? "BIPOLAR" : "BINARY",
                               layer_kind_name(l->kind));
    if (dt.bits > 32)
        return rtl_layer_error(d, df, l, "%s of %d bits (%s layers: at most 32)", what, dt.bits,
                               layer_kind_name(l->kind));
    return true;
}

/* FORK: one qnn_fork, output 0 on the layer's stream, output 1 on its
 * second (rtl_streams.c). */
static bool emit_fork(const Dataflow *df, int k, const char *inst, const char *in, TextBuf *b)
{
    char o0[24], o1[24];
    rtl_stream_name(df, rtl_stream_of(df, k, 0), o0, sizeof o0);
    rtl_stream_name(df, rtl_stream_of(df, k, 1), o1, sizeof o1);
    tb_printf(b, "qnn_fork #(\n    .DATA_WIDTH(%d)\n) %s (\n    .clk(clk),\n    .rst(rst),\n",
              df->layers[k].in.bits, inst);
    tb_printf(b, "    .s_axis_tdata(%s_tdata),\n    .s_axis_tvalid(%s_tvalid),\n"
              "    .s_axis_tready(%s_tready),\n", in, in, in);
    tb_printf(b, "    .m0_axis_tdata(%s_tdata),\n    .m0_axis_tvalid(%s_tvalid),\n"
              "    .m0_axis_tready(%s_tready),\n", o0, o0, o0);
    tb_printf(b, "    .m1_axis_tdata(%s_tdata),\n    .m1_axis_tvalid(%s_tvalid),\n"
              "    .m1_axis_tready(%s_tready)\n);\n\n", o1, o1, o1);
    return true;
}

/* JOIN: qnn_add, operand A input 0, B input 1. */
static bool emit_join(const Dataflow *df, int k, const char *inst, const char *outs, TextBuf *b,
                      OutTree *out, Diag *d)
{
    const Layer *l = &df->layers[k];
    char a[24], bb[24], tfile[128];
    Inst x;
    int acc_bits = l->acc_dt.bits;
    if (!integer_elements(df, l, l->in.dt, "operand A", d) ||
        !integer_elements(df, l, l->in2.dt, "operand B", d) ||
        !integer_elements(df, l, l->out.dt, "output", d))
        return false;
    if (acc_bits < 2 || acc_bits > 32)
        return rtl_layer_error(d, df, l, "sum of %d bits (qnn_add: 2 to 32)", acc_bits);
    if (l->mul_a < 1 || l->mul_a > (1 << 30) || l->mul_b < 1 || l->mul_b > (1 << 30))
        return rtl_layer_error(d, df, l, "factors %lld and %lld (qnn_add: 1 to 2^30)",
                               (long long)l->mul_a, (long long)l->mul_b);
    inst_begin(&x, b, "qnn_add");
    param(&x, "CHANNELS", "%lld", (long long)l->channels);
    param(&x, "PE", "%d", l->pe);
    param(&x, "A_BITS", "%d", l->in.dt.bits);
    param(&x, "A_SIGNED", "%d", dt_signed(l->in.dt) ? 1 : 0);
    param(&x, "B_BITS", "%d", l->in2.dt.bits);
    param(&x, "B_SIGNED", "%d", dt_signed(l->in2.dt) ? 1 : 0);
    param(&x, "MUL_A", "%lld", (long long)l->mul_a);
    param(&x, "MUL_B", "%lld", (long long)l->mul_b);
    param(&x, "ACC_BITS", "%d", acc_bits);
    param(&x, "ACC_SIGNED", "%d", dt_signed(l->acc_dt) ? 1 : 0);
    int tbits;
    if (!activation_params(df, l, acc_bits, &x, &tbits, d))
        return false;
    snprintf(tfile, sizeof tfile, "%s_thresholds.mem", inst);
    if (tbits) {
        param(&x, "THRESH_FILE", "\"%s\"", tfile);
        if (!emit_thresholds(df, l, l->channels, l->pe, tbits, tfile, out, d))
            return false;
    }
    rtl_stream_name(df, rtl_stream_of(df, l->src[0], l->src_port[0]), a, sizeof a);
    rtl_stream_name(df, rtl_stream_of(df, l->src[1], l->src_port[1]), bb, sizeof bb);
    tb_printf(b, "\n) %s (\n    .clk(clk),\n    .rst(rst),\n", inst);
    tb_printf(b, "    .s0_axis_tdata(%s_tdata),\n    .s0_axis_tvalid(%s_tvalid),\n"
              "    .s0_axis_tready(%s_tready),\n", a, a, a);
    tb_printf(b, "    .s1_axis_tdata(%s_tdata),\n    .s1_axis_tvalid(%s_tvalid),\n"
              "    .s1_axis_tready(%s_tready),\n", bb, bb, bb);
    tb_printf(b, "    .m_axis_tdata(%s_tdata),\n    .m_axis_tvalid(%s_tvalid),\n"
              "    .m_axis_tready(%s_tready)\n);\n\n", outs, outs, outs);
    return true;
}

/* qnn_vvau's weights with CHANNELS_INNER = 1, SIMD = 1: one word per beat
 * of a window, beat j = tap * CF + cf, lane p holding W[cf*PE + p][tap]. */
static bool emit_vvau_weights(const Dataflow *df, const Layer *l, const char *file,
                              OutTree *out, Diag *d)
{
    TextBuf *b;
    Word w;
    int wbits = l->wdt.bits, taps = l->k_h * l->k_w;
    if (!add_mem(out, file, &b, df, d))
        return false;
    if (!word_init(&w, l->pe * wbits))
        return diag_error(d, df->path, NULL, NULL, "out of memory");
    for (int t = 0; t < taps; t++)
        for (int64_t cf = 0; cf < l->channels / l->pe; cf++) {
            for (int p = 0; p < l->pe; p++)
                word_put(&w, (int64_t)p * wbits, wbits,
                         elem_code(l->wdt, l->weights[(cf * l->pe + p) * taps + t]));
            word_flush(&w, b);
        }
    free(w.w);
    return true;
}

/* VVAU: qnn_vvau reading the SWG's windows as they come ([tap][cf] beats,
 * PE channels each: CHANNELS_INNER = 1, SIMD = 1). Its accumulator is two's
 * complement: an unsigned accumulator type gets a sign bit. */
static bool emit_vvau(const Dataflow *df, const Layer *l, const char *inst, Inst *x,
                      OutTree *out, Diag *d)
{
    char wfile[128];
    if (!integer_elements(df, l, l->in.dt, "input", d) ||
        !integer_elements(df, l, l->wdt, "weights", d))
        return false;
    if (l->simd != 1)
        return rtl_layer_error(d, df, l, "SIMD %d (qnn_vvau after qnn_swg reads one tap per "
                               "beat: SIMD 1)", l->simd);
    int acc_bits = l->acc_dt.bits + (l->n_thresholds && !dt_signed(l->acc_dt) ? 1 : 0);
    int min_acc = l->in.dt.bits > l->wdt.bits ? l->in.dt.bits : l->wdt.bits;
    if (acc_bits < min_acc)
        acc_bits = min_acc;
    if (acc_bits > 32)
        return rtl_layer_error(d, df, l, "accumulator of %d bits (qnn_vvau: at most 32)",
                               acc_bits);
    param(x, "CHANNELS", "%lld", (long long)l->channels);
    param(x, "PE", "%d", l->pe);
    param(x, "TAPS", "%d", l->k_h * l->k_w);
    param(x, "SIMD", "%d", 1);
    param(x, "CHANNELS_INNER", "%d", 1);
    param(x, "IN_BITS", "%d", l->in.dt.bits);
    param(x, "IN_SIGNED", "%d", dt_signed(l->in.dt) ? 1 : 0);
    param(x, "W_BITS", "%d", l->wdt.bits);
    param(x, "W_SIGNED", "%d", dt_signed(l->wdt) ? 1 : 0);
    param(x, "ACC_BITS", "%d", acc_bits);
    int tbits;
    if (!activation_params(df, l, acc_bits, x, &tbits, d))
        return false;
    return memory_files(df, l, inst, l->channels, tbits, x, wfile, out, d) &&
           emit_vvau_weights(df, l, wfile, out, d);
}

/* POOL: a global pool is qnn_pool on the image itself (TAPS = H * W); a
 * windowed one would need a qnn_swg in front, not emitted yet. The sum is
 * kept in IN_BITS + ceil(log2(TAPS)) bits, the Trunc's result goes out. */
static bool emit_pool(const Dataflow *df, const Layer *l, Inst *x, Diag *d)
{
    if (!integer_elements(df, l, l->in.dt, "input", d))
        return false;
    bool global = l->k_h == l->in_h && l->k_w == l->in_w && l->out_h == 1 && l->out_w == 1 &&
                  !l->pad_top && !l->pad_left && !l->pad_bottom && !l->pad_right;
    if (l->n_thresholds)
        return rtl_layer_error(d, df, l, "thresholds fused into a pool are not supported");
    if (!global)
        return rtl_layer_error(d, df, l, "a %dx%d window over a %lldx%lld image: only global "
                               "pools are supported (qnn_pool without a qnn_swg)", l->k_h,
                               l->k_w, (long long)l->in_h, (long long)l->in_w);
    int64_t taps = l->in_h * l->in_w;
    int sum_bits = l->in.dt.bits;
    while (((int64_t)1 << (sum_bits - l->in.dt.bits)) < taps)
        sum_bits++;
    if (sum_bits > 32 || l->out.dt.bits > sum_bits)
        return rtl_layer_error(d, df, l, "window sums of %d bits, output of %d (qnn_pool: "
                               "sums of at most 32 bits)", sum_bits, l->out.dt.bits);
    param(x, "CHANNELS", "%lld", (long long)l->channels);
    param(x, "PE", "%d", l->pe);
    param(x, "IN_BITS", "%d", l->in.dt.bits);
    param(x, "IN_SIGNED", "%d", dt_signed(l->in.dt) ? 1 : 0);
    param(x, "TAPS", "%lld", (long long)taps);
    param(x, "ACC_BITS", "%d", sum_bits);
    param(x, "SHIFT", "%d", l->shift);
    param(x, "ROUNDING", "%d", (int)l->rounding);
    param(x, "OUT_BITS", "%d", l->out.dt.bits);
    return true;
}

const char *rtl_fifo_ram_style(const Layer *l, RtlFamily family)
{
    if (family == RTL_ICE40)
        return l->depth * l->in.bits <= RTL_ICE40_REGISTER_FIFO_BITS ? "registers" : "block";
    return fifo_in_bram(l) ? "block" : "distributed";
}

static bool emit_layer(const Dataflow *df, int k, RtlFamily family, TextBuf *b, OutTree *out,
                       Diag *d)
{
    const Layer *l = &df->layers[k];
    char inst[80], in[24], outs[24], occ[112], tfile[128];
    rtl_instance_name(df, k, inst, sizeof inst);
    rtl_stream_name(df, rtl_stream_of(df, l->src[0], l->src_port[0]), in, sizeof in);
    rtl_stream_name(df, rtl_stream_of(df, k, 0), outs, sizeof outs);
    Inst x;
    tb_printf(b, "// layer %d: %s '%s'", k, layer_kind_name(l->kind), l->name);
    if (l->kind == LAYER_MVAU || l->kind == LAYER_SWG || l->kind == LAYER_VVAU)
        tb_printf(b, ", PE %d, SIMD %d", l->pe, l->simd);
    else if (l->kind != LAYER_DWC && l->kind != LAYER_FIFO)
        tb_printf(b, ", PE %d", l->pe);
    if (l->kind == LAYER_FIFO)
        tb_printf(b, ", depth %lld", (long long)l->depth);
    tb_printf(b, "; %lld beats of %d bits in, %lld of %d out; estimate %lld cycles per frame\n",
              (long long)l->in.beats, l->in.bits, (long long)l->out.beats, l->out.bits,
              (long long)l->cycles);
    switch (l->kind) {
    case LAYER_FORK:
        return emit_fork(df, k, inst, in, b);
    case LAYER_JOIN:
        return emit_join(df, k, inst, outs, b, out, d);
    case LAYER_VVAU:
        inst_begin(&x, b, "qnn_vvau");
        if (!emit_vvau(df, l, inst, &x, out, d))
            return false;
        break;
    case LAYER_POOL:
        inst_begin(&x, b, "qnn_pool");
        if (!emit_pool(df, l, &x, d))
            return false;
        break;
    case LAYER_MVAU:
        inst_begin(&x, b, "qnn_mvau");
        if (!emit_mvau(df, l, family, inst, &x, out, d))
            return false;
        break;
    case LAYER_SWG:
        if (l->in.dt.kind == QC_BIPOLAR && (l->pad_top || l->pad_left || l->pad_bottom ||
                                            l->pad_right))
            return rtl_layer_error(d, df, l, "padding a BIPOLAR image");
        inst_begin(&x, b, "qnn_swg");
        param(&x, "CHANNELS", "%lld", (long long)l->channels);
        param(&x, "SIMD", "%d", l->simd);
        param(&x, "IN_BITS", "%d", l->in.dt.bits);
        param(&x, "IFM_H", "%lld", (long long)l->in_h);
        param(&x, "IFM_W", "%lld", (long long)l->in_w);
        param(&x, "K_H", "%d", l->k_h);
        param(&x, "K_W", "%d", l->k_w);
        param(&x, "STRIDE_H", "%d", l->stride_h);
        param(&x, "STRIDE_W", "%d", l->stride_w);
        param(&x, "PAD_TOP", "%d", l->pad_top);
        param(&x, "PAD_LEFT", "%d", l->pad_left);
        param(&x, "PAD_BOTTOM", "%d", l->pad_bottom);
        param(&x, "PAD_RIGHT", "%d", l->pad_right);
        param(&x, "PAD_VALUE", "%llu", (unsigned long long)elem_code(l->in.dt, l->pad_value));
        break;
    case LAYER_MAXPOOL:
        if (l->stride_h != l->k_h || l->stride_w != l->k_w)
            return rtl_layer_error(d, df, l, "stride %dx%d differs from the kernel %dx%d "
                                   "(qnn_maxpool: kernel = stride)", l->stride_h, l->stride_w,
                                   l->k_h, l->k_w);
        /* BIPOLAR codes compare as unsigned bits: 1 (+1) > 0 (-1) */
        inst_begin(&x, b, "qnn_maxpool");
        param(&x, "CHANNELS", "%lld", (long long)l->channels);
        param(&x, "PE", "%d", l->pe);
        param(&x, "IN_BITS", "%d", l->in.dt.bits);
        param(&x, "SIGNED", "%d", dt_signed(l->in.dt) ? 1 : 0);
        param(&x, "IFM_H", "%lld", (long long)l->in_h);
        param(&x, "IFM_W", "%lld", (long long)l->in_w);
        param(&x, "K_H", "%d", l->k_h);
        param(&x, "K_W", "%d", l->k_w);
        param(&x, "PAD_TOP", "%d", l->pad_top);
        param(&x, "PAD_LEFT", "%d", l->pad_left);
        param(&x, "OFM_H", "%lld", (long long)l->out_h);
        param(&x, "OFM_W", "%lld", (long long)l->out_w);
        break;
    case LAYER_THRESHOLD: {
        if (l->in.dt.kind == QC_BIPOLAR)
            return rtl_layer_error(d, df, l, "thresholds on a BIPOLAR stream");
        int tbits = threshold_bits(l, l->in.dt.bits + 1);
        rtl_instance_name(df, k, inst, sizeof inst);
        snprintf(tfile, sizeof tfile, "%s_thresholds.mem", inst);
        inst_begin(&x, b, "qnn_threshold");
        param(&x, "CHANNELS", "%lld", (long long)l->channels);
        param(&x, "PE", "%d", l->pe);
        param(&x, "IN_BITS", "%d", l->in.dt.bits);
        param(&x, "IN_SIGNED", "%d", dt_signed(l->in.dt) ? 1 : 0);
        param(&x, "N_THRESHOLDS", "%d", l->n_thresholds);
        param(&x, "T_BITS", "%d", tbits);
        param(&x, "OUT_BITS", "%d", l->out.dt.bits);
        param(&x, "OUT_SCALE", "%d", l->out_scale);
        param(&x, "OUT_BIAS", "%d", l->out_bias);
        param(&x, "OUT_BIPOLAR", "%d", l->out.dt.kind == QC_BIPOLAR ? 1 : 0);
        param(&x, "THRESH_FILE", "\"%s\"", tfile);
        if (!emit_thresholds(df, l, l->channels, l->pe, tbits, tfile, out, d))
            return false;
        break;
    }
    case LAYER_LABELSELECT:
        if (l->in.dt.kind == QC_BIPOLAR)
            return rtl_layer_error(d, df, l, "label select over BIPOLAR values");
        inst_begin(&x, b, "qnn_labelselect");
        param(&x, "N", "%lld", (long long)l->channels);
        param(&x, "PE", "%d", l->pe);
        param(&x, "IN_BITS", "%d", l->in.dt.bits);
        param(&x, "SIGNED", "%d", dt_signed(l->in.dt) ? 1 : 0);
        param(&x, "K", "%d", l->k);
        param(&x, "OUT_BITS", "%d", l->out.dt.bits);
        break;
    case LAYER_DWC:
        if (l->in.bits % l->out.bits && l->out.bits % l->in.bits)
            return rtl_layer_error(d, df, l, "neither of the beat widths %d and %d divides the "
                                   "other (qnn_dwc)", l->in.bits, l->out.bits);
        inst_begin(&x, b, "qnn_dwc");
        param(&x, "IN_BITS", "%d", l->in.bits);
        param(&x, "OUT_BITS", "%d", l->out.bits);
        break;
    case LAYER_FIFO:
        /* the config accepts fifo_depth 1 (an HLS stream of depth 1 is
         * fine); qnn_fifo is a RAM plus an output register and needs 2 */
        if (l->depth < 2)
            return rtl_layer_error(d, df, l, "depth %lld in front of layer '%s' (fifo_depth in "
                                   "the config or in that layer's folding entry); qnn_fifo "
                                   "needs at least 2", (long long)l->depth,
                                   k + 1 < df->n_layers ? df->layers[k + 1].name : "(output)");
        inst_begin(&x, b, "qnn_fifo");
        param(&x, "DATA_WIDTH", "%d", l->in.bits);
        param(&x, "DEPTH", "%lld", (long long)l->depth);
        param(&x, "RAM_STYLE", "\"%s\"", rtl_fifo_ram_style(l, family));
        tb_printf(b, "\n) %s (\n    .clk(clk),\n    .rst(rst),\n", inst);
        tb_printf(b, "    .s_axis_tdata(%s_tdata),\n    .s_axis_tvalid(%s_tvalid),\n"
                  "    .s_axis_tready(%s_tready),\n", in, in, in);
        snprintf(occ, sizeof occ, "%s_occupancy", inst);
        tb_printf(b, "    .m_axis_tdata(%s_tdata),\n    .m_axis_tvalid(%s_tvalid),\n"
                  "    .m_axis_tready(%s_tready),\n    .occupancy(%s)\n);\n\n", outs, outs, outs,
                  occ);
        return true;
    }
    inst_ports(&x, inst, in, outs);
    return true;
}

/* Every edge joins beats of one width, every output port but the last
 * layer's feeds exactly one input, and the last layer's is the top's. */
static bool check_edges(const Dataflow *df, Diag *d)
{
    if (df->n_layers < 1)
        return diag_error(d, df->path, NULL, NULL, "rtl target: the dataflow graph has no layers");
    for (int k = 0; k < df->n_layers; k++) {
        const Layer *l = &df->layers[k];
        for (int i = 0; i < l->n_inputs; i++) {
            int from = l->src[i], readers = 0;
            for (int j = 0; j < df->n_layers; j++)
                for (int jj = 0; jj < df->layers[j].n_inputs; jj++)
                    readers += df->layers[j].src[jj] == from &&
                               df->layers[j].src_port[jj] == l->src_port[i];
            if (readers > 1)
                return rtl_layer_error(d, df, l, "reads a stream %d layers read (only a FORK "
                                       "duplicates a stream)", readers);
            int bits = from == DATAFLOW_INPUT ? layer_input(&df->layers[0], 0)->bits
                                              : df->layers[from].out.bits;
            if (layer_input(l, i)->bits != bits)
                return rtl_layer_error(d, df, l, "reads %d-bit beats from a %d-bit "
                                       "stream (no DWC between them)", layer_input(l, i)->bits,
                                       bits);
        }
    }
    for (int k = 0; k < df->n_layers; k++) {
        const Layer *l = &df->layers[k];
        for (int p = 0; p < layer_outputs(l); p++) {
            bool last = k == df->n_layers - 1 && p == 0;
            if ((dataflow_consumer(df, k, p, NULL) < 0) != last)
                return rtl_layer_error(d, df, l, "output %d %s", p,
                                       last ? "is the accelerator's output and read by a layer"
                                            : "is read by no layer");
        }
    }
    return true;
}

bool emit_rtl_top(const Dataflow *df, const char *name, TextBuf *b, OutTree *out, Diag *d)
{
    return emit_rtl_top_for(df, name, RTL_XILINX, b, out, d);
}

bool emit_rtl_top_for(const Dataflow *df, const char *name, RtlFamily family, TextBuf *b,
                      OutTree *out, Diag *d)
{
    if (!check_edges(df, d))
        return false;
    const Layer *first = &df->layers[0], *last = &df->layers[df->n_layers - 1];
    char s[24], inst[80];
    tb_puts(b, "`default_nettype none\n`timescale 1ns / 1ps\n\n");
    tb_printf(b, "/*\n * %s_top: the dataflow accelerator of %s, generated by qonnxc.\n *\n", name,
              df->path ? df->path : name);
    tb_printf(b, " * Input:  %lld beats per frame, %d elements of %d bits per beat (%d bits)\n",
              (long long)first->in.beats, first->in.elems_per_beat, first->in.dt.bits,
              first->in.bits);
    tb_printf(b, " * Output: %lld beats per frame, %d elements of %d bits per beat (%d bits)\n",
              (long long)last->out.beats, last->out.elems_per_beat, last->out.dt.bits,
              last->out.bits);
    tb_printf(b, " * Estimate at %g MHz: %lld cycles per frame (bottleneck layer %d '%s'),\n"
              " * latency %lld cycles.\n *\n", df->clock_mhz, (long long)df->bottleneck_cycles,
              df->bottleneck, df->layers[df->bottleneck].name, (long long)df->latency_cycles);
    tb_puts(b, " * Streams are AXI-Stream (tdata, tvalid, tready), element 0 of a beat in\n"
               " * the low bits. Weights and thresholds are read from the .mem files\n"
               " * beside this file ($readmemh, paths relative to the working directory).\n */\n");
    tb_printf(b, "module %s_top (\n    input  wire clk,\n    input  wire rst,\n\n", name);
    tb_printf(b, "    // input stream\n    input  wire [%d:0] s_axis_tdata,\n"
              "    input  wire s_axis_tvalid,\n    output wire s_axis_tready,\n\n",
              first->in.bits - 1);
    tb_printf(b, "    // output stream\n    output wire [%d:0] m_axis_tdata,\n"
              "    output wire m_axis_tvalid,\n    input  wire m_axis_tready\n);\n\n",
              last->out.bits - 1);
    tb_puts(b, "// the streams between the layers; valid/ready (and the FIFOs' occupancy)\n"
               "// are public for the simulation harness's watchdog and FIFO statistics\n");
    for (int k = 1; k < rtl_n_streams(df); k++) {
        int from, port;
        if (k == df->n_layers)
            continue;
        rtl_stream_source(df, k, &from, &port);
        rtl_stream_name(df, k, s, sizeof s);
        tb_printf(b, "wire [%d:0] %s_tdata;\nwire %s_tvalid /* verilator public_flat_rd */;\n"
                  "wire %s_tready /* verilator public_flat_rd */;\n", df->layers[from].out.bits - 1,
                  s, s, s);
    }
    tb_puts(b, "/* verilator lint_off UNUSEDSIGNAL */\n");
    for (int k = 0; k < df->n_layers; k++)
        if (df->layers[k].kind == LAYER_FIFO) {
            rtl_instance_name(df, k, inst, sizeof inst);
            tb_printf(b, "wire [%d:0] %s_occupancy /* verilator public_flat_rd */;\n",
                      rtl_count_width(df->layers[k].depth) - 1, inst);
        }
    tb_puts(b, "/* verilator lint_on UNUSEDSIGNAL */\n\n");
    for (int k = 0; k < df->n_layers; k++)
        if (!emit_layer(df, k, family, b, out, d))
            return false;
    tb_puts(b, "endmodule\n\n`resetall\n");
    if (b->oom)
        return diag_error(d, df->path, NULL, NULL, "out of memory");
    return true;
}
