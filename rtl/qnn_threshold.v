`default_nettype none
`timescale 1ns / 1ps

/*
 * Multi-threshold activation on a stream of CHANNELS-channel vectors
 * (channels innermost, PE channels per beat, element 0 in the low bits):
 *
 *     out = OUT_BIAS + OUT_SCALE * count(x >= T[c][t]),  t < N_THRESHOLDS
 *
 * for the element x of channel c; the count is qc_threshold_count's (every
 * threshold is compared, so unsorted rows count the same way as
 * qc_threshold_count_linear). The output element is the low OUT_BITS of
 * out, or with OUT_BIPOLAR one bit, 1 for out >= 0 (qc_encode's rule for
 * BIPOLAR, so out_scale 2, out_bias -1 gives bit = count).
 *
 * Thresholds: memory file THRESH_FILE ($readmemh), CHANNELS / PE words,
 * word f for the channels f*PE .. f*PE+PE-1, each word PE * N_THRESHOLDS
 * thresholds of T_BITS bits (two's complement), threshold t of lane p in
 * bits [(p*N_THRESHOLDS + t)*T_BITS +: T_BITS].
 *
 * Pipeline (three stages, one beat per cycle): read the fold's thresholds
 * with the beat; compare; count, scale and bias into the output register.
 * The whole pipeline stalls while the output register is full and not
 * taken, so s_axis_tready follows m_axis_tready combinationally.
 */
module qnn_threshold #(
    // channels per vector (the innermost stream dimension)
    parameter CHANNELS = 4,
    // channels per beat; divides CHANNELS
    parameter PE = 1,
    // input element width
    parameter IN_BITS = 8,
    // 1: input elements are two's complement; 0: unsigned
    parameter IN_SIGNED = 1,
    // thresholds per channel, at least 1
    parameter N_THRESHOLDS = 3,
    // threshold width (two's complement)
    parameter T_BITS = IN_BITS + 1,
    // output element width
    parameter OUT_BITS = 2,
    // out = OUT_BIAS + OUT_SCALE * count
    parameter OUT_SCALE = 1,
    parameter OUT_BIAS = 0,
    // 1: the output is BIPOLAR, one bit, 1 for out >= 0 (needs OUT_BITS = 1)
    parameter OUT_BIPOLAR = 0,
    // $readmemh file with the thresholds (layout above)
    parameter THRESH_FILE = "thresholds.hex"
) (
    input  wire                   clk,
    input  wire                   rst,

    // input stream: PE elements of IN_BITS per beat
    input  wire [PE*IN_BITS-1:0]  s_axis_tdata,
    input  wire                   s_axis_tvalid,
    output wire                   s_axis_tready,

    // output stream: PE elements of OUT_BITS per beat
    output wire [PE*OUT_BITS-1:0] m_axis_tdata,
    output wire                   m_axis_tvalid,
    input  wire                   m_axis_tready
);

localparam CF = CHANNELS / PE;              // beats per vector
localparam FOLD_WIDTH = CF > 1 ? $clog2(CF) : 1;
localparam [31:0] LAST_FOLD_32 = CF - 1;
localparam [FOLD_WIDTH-1:0] LAST_FOLD = LAST_FOLD_32[FOLD_WIDTH-1:0];
localparam T_WORD = PE * N_THRESHOLDS * T_BITS;
// comparisons in a signed width that holds both the inputs and the thresholds
localparam CMP_BITS = (IN_BITS > T_BITS ? IN_BITS : T_BITS) + 1;

initial begin
    if (PE < 1 || CHANNELS % PE != 0) begin
        $display("Error: PE must divide CHANNELS (instance %m)");
        $finish;
    end
    if (N_THRESHOLDS < 1) begin
        $display("Error: N_THRESHOLDS must be at least 1 (instance %m)");
        $finish;
    end
    if (IN_BITS < 1 || IN_BITS > 32 || T_BITS < 1 || T_BITS > 32) begin
        $display("Error: IN_BITS and T_BITS must be 1..32 (instance %m)");
        $finish;
    end
    if (OUT_BITS < 1 || OUT_BITS > 32 || (OUT_BIPOLAR != 0 && OUT_BITS != 1)) begin
        $display("Error: OUT_BITS must be 1..32, and 1 with OUT_BIPOLAR (instance %m)");
        $finish;
    end
end

reg [T_WORD-1:0] thresholds [0:CF-1];
initial $readmemh(THRESH_FILE, thresholds);

// the pipeline moves when its output register is free or being taken
reg out_valid_reg = 1'b0;
wire en = !out_valid_reg || m_axis_tready;
assign s_axis_tready = en;
wire accept = s_axis_tvalid && en;

// stage 1: the beat and its fold's thresholds
reg [FOLD_WIDTH-1:0] fold_reg = 0;
reg                  s1_valid_reg = 1'b0;
reg [PE*IN_BITS-1:0] s1_data_reg;
reg [T_WORD-1:0]     s1_thresh_reg;

always @(posedge clk) begin
    if (en) begin
        s1_valid_reg <= accept;
        s1_data_reg <= s_axis_tdata;
        s1_thresh_reg <= thresholds[fold_reg];
        if (accept)
            fold_reg <= fold_reg == LAST_FOLD ? 0 : fold_reg + 1;
    end
    if (rst) begin
        s1_valid_reg <= 1'b0;
        fold_reg <= 0;
    end
end

// stage 2: one bit per (lane, threshold)
function signed [CMP_BITS-1:0] in_value(input [IN_BITS-1:0] code);
    in_value = IN_SIGNED != 0 ? {{(CMP_BITS-IN_BITS){code[IN_BITS-1]}}, code}
                              : {{(CMP_BITS-IN_BITS){1'b0}}, code};
endfunction

function signed [CMP_BITS-1:0] t_value(input [T_BITS-1:0] code);
    t_value = {{(CMP_BITS-T_BITS){code[T_BITS-1]}}, code};
endfunction

reg                       s2_valid_reg = 1'b0;
reg [PE*N_THRESHOLDS-1:0] s2_ge_reg;
reg [PE*N_THRESHOLDS-1:0] ge;
integer p, t;

always @* begin
    for (p = 0; p < PE; p = p + 1)
        for (t = 0; t < N_THRESHOLDS; t = t + 1)
            ge[p*N_THRESHOLDS + t] =
                in_value(s1_data_reg[p*IN_BITS +: IN_BITS]) >=
                t_value(s1_thresh_reg[(p*N_THRESHOLDS + t)*T_BITS +: T_BITS]);
end

always @(posedge clk) begin
    if (en) begin
        s2_valid_reg <= s1_valid_reg;
        s2_ge_reg <= ge;
    end
    if (rst)
        s2_valid_reg <= 1'b0;
end

// stage 3: count, scale, bias, encode
reg [PE*OUT_BITS-1:0] out_data_reg;
reg [PE*OUT_BITS-1:0] out_code;
reg signed [31:0]     count;
// only the low OUT_BITS of value (or its sign) go out
/* verilator lint_off UNUSEDSIGNAL */
reg signed [31:0]     value;
/* verilator lint_on UNUSEDSIGNAL */
integer q, u;

always @* begin
    for (q = 0; q < PE; q = q + 1) begin
        count = 0;
        for (u = 0; u < N_THRESHOLDS; u = u + 1)
            count = count + {31'd0, s2_ge_reg[q*N_THRESHOLDS + u]};
        value = OUT_BIAS + OUT_SCALE * count;
        out_code[q*OUT_BITS +: OUT_BITS] = value[OUT_BITS-1:0];
        if (OUT_BIPOLAR != 0)
            out_code[q*OUT_BITS] = ~value[31];
    end
end

always @(posedge clk) begin
    if (en) begin
        out_valid_reg <= s2_valid_reg;
        out_data_reg <= out_code;
    end
    if (rst)
        out_valid_reg <= 1'b0;
end

assign m_axis_tdata = out_data_reg;
assign m_axis_tvalid = out_valid_reg;

endmodule

`resetall
