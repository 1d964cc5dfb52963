/* The ice40 target's board top (<name>_ice40.v: the PLL and
 * <name>_board, which is the UART, the byte/beat conversions, the reset
 * and the accelerator) and the design headers of its frame runners. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "emit_ice40_internal.h"

/* The UART must be within this of the baud rate asked (8N1 tolerates
 * about 4 % between both ends). */
#define ICE40_MAX_BAUD_ERROR 0.02

/* A setting of the configuration the target cannot use: exit code 2, as
 * for every bad configuration. */
static bool config_error(Diag *d, const char *model_path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool config_error(Diag *d, const char *model_path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_verror(d, model_path, NULL, NULL, fmt, ap);
    va_end(ap);
    diag_set_exit(d, EXIT_USAGE);
    return false;
}

bool ice40_design_init(Ice40Design *x, const Dataflow *df, const BuildConfig *cfg,
                       const char *name, const char *model_path, Diag *d)
{
    memset(x, 0, sizeof *x);
    x->df = df;
    x->name = name;
    x->dev = ice40_device(cfg->device);
    if (!x->dev)
        return config_error(d, model_path, "ice40 target: device '%s' is unknown "
                          "(up5k, hx8k)", cfg->device);
    x->package = cfg->package ? cfg->package : x->dev->package;
    x->board = !strcmp(x->package, x->dev->package);
    x->clock_mhz = df->clock_mhz;
    x->pll = fabs(df->clock_mhz - ICE40_OSC_MHZ) > 1e-9;
    x->run_mhz = ICE40_OSC_MHZ;
    if (x->pll) {
        if (!ice40_pll(df->clock_mhz, &x->pll_cfg))
            return config_error(d, model_path, "ice40 target: clock_mhz %g: the "
                              "iCE40 PLL makes 16 to 275 MHz from the 12 MHz oscillator (the "
                              "nearest it makes is %.3f MHz); or ask for 12 (the oscillator)",
                              df->clock_mhz, x->pll_cfg.out_mhz);
        x->run_mhz = x->pll_cfg.out_mhz;
    }
    x->baud = (long)cfg->uart_baud;
    x->clks_per_bit = lround(x->run_mhz * 1e6 / (double)x->baud);
    double actual = x->run_mhz * 1e6 / (double)(x->clks_per_bit ? x->clks_per_bit : 1);
    if (x->clks_per_bit < 4 || fabs(actual - (double)x->baud) > ICE40_MAX_BAUD_ERROR * x->baud)
        return config_error(d, model_path, "ice40 target: uart_baud %ld: at %.3f MHz "
                          "the UART makes %.0f baud (%ld clock cycles a bit), more than 2 %% off "
                          "or fewer than 4 cycles; choose a baud rate that divides the clock",
                          x->baud, x->run_mhz, actual, x->clks_per_bit);
    x->in_bits = df->layers[0].in.bits;
    x->out_bits = df->layers[df->n_layers - 1].out.bits;
    return true;
}

static void emit_board_module(const Ice40Design *x, TextBuf *b)
{
    const char *n = x->name;
    tb_printf(b, "// Everything but the PLL (the gate-level simulation's top): the power-on\n"
              "// reset, the UART at %ld baud (%ld cycles a bit at %.3f MHz), the\n"
              "// byte/beat conversions and the accelerator.\n", x->baud, x->clks_per_bit,
              x->run_mhz);
    tb_printf(b, "module %s_board (\n    input  wire clk,\n"
              "    input  wire clk_ok,     // the clock is stable (the PLL's lock)\n"
              "    input  wire rx,\n    output wire tx,\n"
              "    output wire overrun     // an input byte was lost (sticky)\n);\n\n", n);
    tb_printf(b, "// held in reset for %d cycles after configuration and while the\n"
              "// clock is not stable (flip-flops start at 0 on the iCE40)\n", ICE40_RESET_CYCLES);
    tb_printf(b, "reg [%d:0] reset_count = 0;\nwire rst = !reset_count[%d];\n",
              (int)log2(ICE40_RESET_CYCLES), (int)log2(ICE40_RESET_CYCLES));
    tb_printf(b, "always @(posedge clk)\n    if (!clk_ok)\n        reset_count <= 0;\n"
              "    else if (rst)\n        reset_count <= reset_count + 1'b1;\n\n");
    tb_printf(b, "wire [7:0] rx_byte;\nwire rx_valid;\n"
              "wire [%d:0] in_tdata;\nwire in_tvalid, in_tready;\n"
              "wire [%d:0] out_tdata;\nwire out_tvalid, out_tready;\n"
              "wire [7:0] tx_byte;\nwire tx_valid, tx_ready;\n\n", x->in_bits - 1,
              x->out_bits - 1);
    tb_printf(b, "qnn_uart_rx #(.CLKS_PER_BIT(%ld)) uart_rx (\n    .clk(clk), .rst(rst), .rx(rx),"
              " .data(rx_byte), .valid(rx_valid)\n);\n\n", x->clks_per_bit);
    tb_printf(b, "qnn_bytes_to_beat #(.WIDTH(%d)) frame_in (\n    .clk(clk), .rst(rst),\n"
              "    .byte_data(rx_byte), .byte_valid(rx_valid),\n"
              "    .m_axis_tdata(in_tdata), .m_axis_tvalid(in_tvalid), .m_axis_tready(in_tready),\n"
              "    .overrun(overrun)\n);\n\n", x->in_bits);
    tb_printf(b, "%s_top accelerator (\n    .clk(clk), .rst(rst),\n"
              "    .s_axis_tdata(in_tdata), .s_axis_tvalid(in_tvalid), .s_axis_tready(in_tready),\n"
              "    .m_axis_tdata(out_tdata), .m_axis_tvalid(out_tvalid), .m_axis_tready(out_tready)\n"
              ");\n\n", n);
    tb_printf(b, "qnn_beat_to_bytes #(.WIDTH(%d)) frame_out (\n    .clk(clk), .rst(rst),\n"
              "    .s_axis_tdata(out_tdata), .s_axis_tvalid(out_tvalid), .s_axis_tready(out_tready),\n"
              "    .byte_data(tx_byte), .byte_valid(tx_valid), .byte_ready(tx_ready)\n);\n\n",
              x->out_bits);
    tb_printf(b, "qnn_uart_tx #(.CLKS_PER_BIT(%ld)) uart_tx (\n    .clk(clk), .rst(rst),\n"
              "    .s_data(tx_byte), .s_valid(tx_valid), .s_ready(tx_ready), .tx(tx)\n);\n\n"
              "endmodule\n\n", x->clks_per_bit);
}

static void emit_top_module(const Ice40Design *x, TextBuf *b)
{
    const Ice40Pll *p = &x->pll_cfg;
    tb_printf(b, "// The FPGA's top: pins as %s.pcf names them.\n", x->name);
    tb_printf(b, "module %s_ice40 (\n    input  wire CLK,      // the 12 MHz oscillator\n"
              "    input  wire RX,       // from the host (the FTDI's TXD)\n"
              "    output wire TX,       // to the host\n"
              "    output wire LED_N     // lit (low): an input byte was lost\n);\n\n", x->name);
    tb_puts(b, "wire clk, clk_ok, overrun;\n");
    if (!x->pll) {
        tb_puts(b, "assign clk = CLK;\nassign clk_ok = 1'b1;\n\n");
    } else {
        tb_printf(b, "// %.3f MHz from 12 MHz: 12 / (DIVR + 1) * (DIVF + 1) / 2^DIVQ (icepll's "
                  "choice)\n", p->out_mhz);
        tb_printf(b, "%s #(\n    .FEEDBACK_PATH(\"SIMPLE\"),\n    .DIVR(4'd%d),\n"
                  "    .DIVF(7'd%d),\n    .DIVQ(3'd%d),\n    .FILTER_RANGE(3'd%d)\n) pll (\n",
                  x->dev->pll_pad ? "SB_PLL40_PAD" : "SB_PLL40_CORE", p->divr, p->divf, p->divq,
                  p->filter_range);
        tb_printf(b, "    .%s(CLK),\n    .PLLOUTGLOBAL(clk),\n    .LOCK(clk_ok),\n"
                  "    .RESETB(1'b1),\n    .BYPASS(1'b0)\n);\n\n",
                  x->dev->pll_pad ? "PACKAGEPIN" : "REFERENCECLK");
    }
    tb_printf(b, "%s_board board (\n    .clk(clk), .clk_ok(clk_ok), .rx(RX), .tx(TX), "
              ".overrun(overrun)\n);\n\nassign LED_N = !overrun;\n\nendmodule\n", x->name);
}

void ice40_emit_board(const Ice40Design *x, TextBuf *b)
{
    const Dataflow *df = x->df;
    tb_puts(b, "`default_nettype none\n`timescale 1ns / 1ps\n\n");
    tb_printf(b, "/*\n * %s_ice40: %s on the %s (%s %s), generated by qonnxc.\n", x->name,
              df->path ? df->path : x->name, x->board ? x->dev->board : "iCE40",
              x->dev->name, x->package);
    tb_printf(b, " *\n * Frames over the UART (docs/ice40.md, \"Protocol\"): the host sends a\n"
              " * frame's %lld input beats, %d bytes each, least significant byte first,\n"
              " * and receives its %lld output beats, %d bytes each.\n */\n\n",
              (long long)df->layers[0].in.beats, (x->in_bits + 7) / 8,
              (long long)df->layers[df->n_layers - 1].out.beats, (x->out_bits + 7) / 8);
    emit_board_module(x, b);
    emit_top_module(x, b);
    tb_puts(b, "\n`resetall\n");
}

void ice40_emit_uart_design(const Ice40Design *x, TextBuf *b)
{
    const Layer *first = &x->df->layers[0], *last = &x->df->layers[x->df->n_layers - 1];
    tb_printf(b, "/* uart_design.h: %s_ice40's frames on the UART, generated by qonnxc. */\n",
              x->name);
    tb_printf(b, "#define UART_NAME \"%s\"\n#define UART_RUN %s_run\n#define UART_RUN_INT %s_run_int\n",
              x->name, x->name, x->name);
    tb_printf(b, "#define UART_BAUD %ldL\n\n", x->baud);
    tb_printf(b, "enum {\n    IN_BEATS = %lld, IN_PER_BEAT = %d, IN_ELEM_BITS = %d, IN_BEAT_BYTES = %d,\n",
              (long long)first->in.beats, first->in.elems_per_beat, first->in.dt.bits,
              (first->in.bits + 7) / 8);
    tb_printf(b, "    OUT_BEATS = %lld, OUT_PER_BEAT = %d, OUT_ELEM_BITS = %d, OUT_BEAT_BYTES = %d,\n",
              (long long)last->out.beats, last->out.elems_per_beat, last->out.dt.bits,
              (last->out.bits + 7) / 8);
    tb_printf(b, "    OUT_SIGNED = %d, OUT_BIPOLAR = %d\n};\n",
              last->out.dt.kind == QC_INT || last->out.dt.kind == QC_TERNARY,
              last->out.dt.kind == QC_BIPOLAR);
}

void ice40_emit_gatesim_design(const Ice40Design *x, TextBuf *b)
{
    const Layer *last = &x->df->layers[x->df->n_layers - 1];
    long long out_bytes = last->out.beats * ((last->out.bits + 7) / 8);
    /* the pipeline's latency and the output's bytes, four times over */
    long long watchdog = 4 * (x->df->latency_cycles + x->df->bottleneck_cycles +
                              out_bytes * 10 * x->clks_per_bit) + 100000;
    tb_printf(b, "// gatesim_design.h: %s_board as the gate-level harness sees it,\n"
              "// generated by qonnxc.\n", x->name);
    tb_printf(b, "#include \"V%s_board.h\"\n\ntypedef V%s_board Board;\n", x->name, x->name);
    tb_printf(b, "enum { CLKS_PER_BIT = %ld, RESET_CYCLES = %d };\n", x->clks_per_bit,
              ICE40_RESET_CYCLES);
    tb_printf(b, "static const long long WATCHDOG_CYCLES = %lld;\n", watchdog);
}
