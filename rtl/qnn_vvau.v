`default_nettype none
`timescale 1ns / 1ps

/*
 * Vector-vector unit for depthwise convolutions (FINN's VVAU): after a
 * sliding window, one dot product per channel over its own window,
 *
 *     acc[c] = sum_k x[k][c] * W[c][k],   k < TAPS (= K_H * K_W)
 *
 * then either the accumulators go out (N_THRESHOLDS = 0, OUT_BITS =
 * ACC_BITS) or a qnn_threshold instance turns them into activations
 * (thresholds as in qnn_threshold, one row per channel).
 *
 * Folding: PE channels and SIMD taps per beat (PE | CHANNELS, SIMD |
 * TAPS; CF = CHANNELS/PE, KB = TAPS/SIMD). A window is CF * KB beats;
 * beat (cf, kb) holds x[kb*SIMD + s][cf*PE + p] as element s*PE + p
 * (element 0 in the low bits). Two beat orders:
 *   CHANNELS_INNER = 1: [kb][cf], the order of qnn_swg's windows (with
 *                       SIMD = 1 and qnn_swg's SIMD = PE, its beats as they are);
 *   CHANNELS_INNER = 0: [cf][kb], FINN's depthwise window order.
 * Output per window: CF beats of PE results, channels innermost.
 *
 * Weights: WEIGHT_FILE, CF * KB words of PE * SIMD * W_BITS bits, word j
 * for the window's j-th beat in the chosen order, weight W[c][k] at the
 * element of x[k][c]. Thresholds: THRESH_FILE, CF words (qnn_threshold).
 *
 * Pipeline: input beat and its weight word; SIMD products summed per
 * lane; accumulate (a LUT RAM of CF partial sums, read and written in the
 * same cycle, so the same fold may come back every cycle) into the
 * accumulator register on the window's last tap. One beat per cycle;
 * latency 3 cycles from a window's last beat for a fold to its output
 * beat (6 with thresholds). Products and sums are taken modulo
 * 2^ACC_BITS: exact when the accumulators fit ACC_BITS (the caller's
 * qc_dtype_acc_bits). The whole pipeline stalls on a full output, so
 * s_axis_tready follows m_axis_tready combinationally.
 */
module qnn_vvau #(
    parameter CHANNELS = 4,
    parameter PE = 1,
    // window taps (K_H * K_W) and taps per beat
    parameter TAPS = 9,
    parameter SIMD = 1,
    // beat order, above
    parameter CHANNELS_INNER = 1,
    // elements: width, two's complement or unsigned
    parameter IN_BITS = 4,
    parameter IN_SIGNED = 0,
    parameter W_BITS = 4,
    parameter W_SIGNED = 1,
    // accumulator width (two's complement), max(IN_BITS, W_BITS)..32
    parameter ACC_BITS = 12,
    // thresholds per channel; 0: the accumulators go out
    parameter N_THRESHOLDS = 0,
    parameter T_BITS = ACC_BITS + 1,
    parameter OUT_BITS = ACC_BITS,
    parameter OUT_SCALE = 1,
    parameter OUT_BIAS = 0,
    parameter OUT_BIPOLAR = 0,
    parameter WEIGHT_FILE = "weights.hex",
    parameter THRESH_FILE = "thresholds.hex"
) (
    input  wire                        clk,
    input  wire                        rst,

    input  wire [PE*SIMD*IN_BITS-1:0]  s_axis_tdata,
    input  wire                        s_axis_tvalid,
    output wire                        s_axis_tready,

    output wire [PE*OUT_BITS-1:0]      m_axis_tdata,
    output wire                        m_axis_tvalid,
    input  wire                        m_axis_tready
);

localparam CF = CHANNELS / PE;
localparam KB = TAPS / SIMD;
localparam BEATS = CF * KB;                  // per window
localparam CF_WIDTH = CF > 1 ? $clog2(CF) : 1;
localparam KB_WIDTH = KB > 1 ? $clog2(KB) : 1;
localparam ADDR_WIDTH = BEATS > 1 ? $clog2(BEATS) : 1;
localparam [31:0] LAST_CF_32 = CF - 1;
localparam [31:0] LAST_KB_32 = KB - 1;
localparam [31:0] LAST_ADDR_32 = BEATS - 1;
localparam [CF_WIDTH-1:0] LAST_CF = LAST_CF_32[CF_WIDTH-1:0];
localparam [KB_WIDTH-1:0] LAST_KB = LAST_KB_32[KB_WIDTH-1:0];
localparam [ADDR_WIDTH-1:0] LAST_ADDR = LAST_ADDR_32[ADDR_WIDTH-1:0];
localparam LANES = PE * SIMD;
localparam PW = IN_BITS + W_BITS + 2;        // one product, exact

initial begin
    if (PE < 1 || CHANNELS % PE != 0) begin
        $display("Error: PE must divide CHANNELS (instance %m)");
        $finish;
    end
    if (SIMD < 1 || TAPS % SIMD != 0) begin
        $display("Error: SIMD must divide TAPS (instance %m)");
        $finish;
    end
    if (IN_BITS < 1 || IN_BITS > 32 || W_BITS < 1 || W_BITS > 32) begin
        $display("Error: IN_BITS and W_BITS must be 1..32 (instance %m)");
        $finish;
    end
    if (ACC_BITS < 2 || ACC_BITS > 32 || ACC_BITS < IN_BITS || ACC_BITS < W_BITS) begin
        $display("Error: ACC_BITS must be 2..32 and at least IN_BITS and W_BITS (instance %m)");
        $finish;
    end
    if (N_THRESHOLDS < 0) begin
        $display("Error: N_THRESHOLDS must be 0 or more (instance %m)");
        $finish;
    end
    if (N_THRESHOLDS == 0 && OUT_BITS != ACC_BITS) begin
        $display("Error: without thresholds OUT_BITS must equal ACC_BITS (instance %m)");
        $finish;
    end
end

reg [LANES*W_BITS-1:0] weights [0:BEATS-1];
initial $readmemh(WEIGHT_FILE, weights);

reg                   acc_valid_reg = 1'b0;
reg [PE*ACC_BITS-1:0] acc_data_reg;
wire                  acc_ready;
wire en = !acc_valid_reg || acc_ready;
assign s_axis_tready = en;
wire accept = s_axis_tvalid && en;

// ---- stage 1: the beat, its weight word and its place in the window ------

reg [CF_WIDTH-1:0]   cf_reg = 0;
reg [KB_WIDTH-1:0]   kb_reg = 0;
reg [ADDR_WIDTH-1:0] addr_reg = 0;
wire cf_wraps = cf_reg == LAST_CF;
wire kb_wraps = kb_reg == LAST_KB;

reg                     s1_valid_reg = 1'b0;
reg [LANES*IN_BITS-1:0] s1_data_reg;
reg [LANES*W_BITS-1:0]  s1_w_reg;
reg [CF_WIDTH-1:0]      s1_cf_reg;
reg                     s1_first_reg, s1_last_reg;

always @(posedge clk) begin
    if (en) begin
        s1_valid_reg <= accept;
        s1_data_reg <= s_axis_tdata;
        s1_w_reg <= weights[addr_reg];
        s1_cf_reg <= cf_reg;
        s1_first_reg <= kb_reg == 0;
        s1_last_reg <= kb_wraps;
    end
    if (accept) begin
        addr_reg <= addr_reg == LAST_ADDR ? 0 : addr_reg + 1;
        if (CHANNELS_INNER != 0) begin
            cf_reg <= cf_wraps ? 0 : cf_reg + 1;
            if (cf_wraps)
                kb_reg <= kb_wraps ? 0 : kb_reg + 1;
        end else begin
            kb_reg <= kb_wraps ? 0 : kb_reg + 1;
            if (kb_wraps)
                cf_reg <= cf_wraps ? 0 : cf_reg + 1;
        end
    end
    if (rst) begin
        s1_valid_reg <= 1'b0;
        cf_reg <= 0;
        kb_reg <= 0;
        addr_reg <= 0;
    end
end

// ---- stage 2: SIMD products per lane, summed ----------------------------

function signed [IN_BITS:0] x_value(input [IN_BITS-1:0] code);
    x_value = IN_SIGNED != 0 ? {code[IN_BITS-1], code} : {1'b0, code};
endfunction

function signed [W_BITS:0] w_value(input [W_BITS-1:0] code);
    w_value = W_SIGNED != 0 ? {code[W_BITS-1], code} : {1'b0, code};
endfunction

reg                   s2_valid_reg = 1'b0;
reg [PE*ACC_BITS-1:0] s2_dot_reg;
reg [CF_WIDTH-1:0]    s2_cf_reg;
reg                   s2_first_reg, s2_last_reg;
reg [PE*ACC_BITS-1:0] dots;
reg signed [PW-1:0]   prod;
// a product's bits above ACC_BITS do not matter modulo 2^ACC_BITS
/* verilator lint_off UNUSEDSIGNAL */
reg signed [63:0]     prod64;
/* verilator lint_on UNUSEDSIGNAL */
reg [ACC_BITS-1:0]    dot;
integer p, s;

always @* begin
    for (p = 0; p < PE; p = p + 1) begin
        dot = {ACC_BITS{1'b0}};
        for (s = 0; s < SIMD; s = s + 1) begin
            prod = x_value(s1_data_reg[(s*PE + p)*IN_BITS +: IN_BITS]) *
                   w_value(s1_w_reg[(s*PE + p)*W_BITS +: W_BITS]);
            prod64 = {{(64-PW){prod[PW-1]}}, prod};
            dot = dot + prod64[ACC_BITS-1:0];
        end
        dots[p*ACC_BITS +: ACC_BITS] = dot;
    end
end

always @(posedge clk) begin
    if (en) begin
        s2_valid_reg <= s1_valid_reg;
        s2_dot_reg <= dots;
        s2_cf_reg <= s1_cf_reg;
        s2_first_reg <= s1_first_reg;
        s2_last_reg <= s1_last_reg;
    end
    if (rst)
        s2_valid_reg <= 1'b0;
end

// ---- stage 3: accumulate per fold; the last tap goes out ------------------

reg [PE*ACC_BITS-1:0] partials [0:CF-1];
reg [PE*ACC_BITS-1:0] acc;
integer q;

always @* begin
    for (q = 0; q < PE; q = q + 1)
        acc[q*ACC_BITS +: ACC_BITS] =
            (s2_first_reg ? {ACC_BITS{1'b0}} : partials[s2_cf_reg][q*ACC_BITS +: ACC_BITS]) +
            s2_dot_reg[q*ACC_BITS +: ACC_BITS];
end

always @(posedge clk) begin
    if (en) begin
        if (s2_valid_reg && !s2_last_reg)
            partials[s2_cf_reg] <= acc;
        acc_valid_reg <= s2_valid_reg && s2_last_reg;
        acc_data_reg <= acc;
    end
    if (rst)
        acc_valid_reg <= 1'b0;
end

generate
if (N_THRESHOLDS > 0) begin : g_threshold

    qnn_threshold #(
        .CHANNELS(CHANNELS),
        .PE(PE),
        .IN_BITS(ACC_BITS),
        .IN_SIGNED(1),
        .N_THRESHOLDS(N_THRESHOLDS),
        .T_BITS(T_BITS),
        .OUT_BITS(OUT_BITS),
        .OUT_SCALE(OUT_SCALE),
        .OUT_BIAS(OUT_BIAS),
        .OUT_BIPOLAR(OUT_BIPOLAR),
        .THRESH_FILE(THRESH_FILE)
    ) threshold_inst (
        .clk(clk),
        .rst(rst),
        .s_axis_tdata(acc_data_reg),
        .s_axis_tvalid(acc_valid_reg),
        .s_axis_tready(acc_ready),
        .m_axis_tdata(m_axis_tdata),
        .m_axis_tvalid(m_axis_tvalid),
        .m_axis_tready(m_axis_tready)
    );

end else begin : g_acc_out

    assign m_axis_tdata = acc_data_reg;
    assign m_axis_tvalid = acc_valid_reg;
    assign acc_ready = m_axis_tready;

end
endgenerate

endmodule

`resetall
