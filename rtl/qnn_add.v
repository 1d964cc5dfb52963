`default_nettype none
`timescale 1ns / 1ps

/*
 * Join of a residual block: two streams of the same shape in (NHWC,
 * channels innermost, PE elements per beat, element 0 in the low bits),
 * their element-wise scaled sum out, the integer graph's IntScaledAdd
 * (docs/integer-graph.md, int_add_params; IntAdd is MUL_A = MUL_B = 1):
 *
 *     sum = MUL_A * a + MUL_B * b
 *
 * then either the sum itself goes out (N_THRESHOLDS = 0, OUT_BITS =
 * ACC_BITS) or a qnn_threshold instance turns it into the activation of the
 * quantizer after the add (per-channel threshold rows, channels innermost;
 * thresholds file as in qnn_threshold).
 *
 * ACC_BITS/ACC_SIGNED is the sum's datatype, computed by the caller from
 * the operands' ranges; the sum is computed exactly in 64 bits and its low
 * ACC_BITS kept (a sum outside the datatype is the caller's error).
 *
 * Handshake: a beat pair is taken when both inputs are valid and the sum
 * register is free or being emptied (s0_axis_tready = room && s1_axis_tvalid,
 * and the other way round: ready waits for the other side's valid, never
 * valid for ready). One beat pair per cycle, latency 1 (4 with thresholds).
 */
module qnn_add #(
    // channels per vector (the innermost dimension) and per beat
    parameter CHANNELS = 4,
    parameter PE = 1,
    // operand A (input 0) and B (input 1): width, two's complement or unsigned
    parameter A_BITS = 4,
    parameter A_SIGNED = 1,
    parameter B_BITS = 4,
    parameter B_SIGNED = 1,
    // sum = MUL_A * a + MUL_B * b; each 1 .. 2^30
    parameter MUL_A = 1,
    parameter MUL_B = 1,
    // the sum's datatype: 2..32 bits, signed or unsigned
    parameter ACC_BITS = 6,
    parameter ACC_SIGNED = 1,
    // thresholds per channel; 0: the sums go out (OUT_BITS = ACC_BITS)
    parameter N_THRESHOLDS = 0,
    parameter T_BITS = ACC_BITS + 1,
    parameter OUT_BITS = ACC_BITS,
    parameter OUT_SCALE = 1,
    parameter OUT_BIAS = 0,
    parameter OUT_BIPOLAR = 0,
    parameter THRESH_FILE = "thresholds.hex"
) (
    input  wire                   clk,
    input  wire                   rst,

    // operand A
    input  wire [PE*A_BITS-1:0]   s0_axis_tdata,
    input  wire                   s0_axis_tvalid,
    output wire                   s0_axis_tready,

    // operand B
    input  wire [PE*B_BITS-1:0]   s1_axis_tdata,
    input  wire                   s1_axis_tvalid,
    output wire                   s1_axis_tready,

    output wire [PE*OUT_BITS-1:0] m_axis_tdata,
    output wire                   m_axis_tvalid,
    input  wire                   m_axis_tready
);

initial begin
    if (PE < 1 || CHANNELS % PE != 0) begin
        $display("Error: PE must divide CHANNELS (instance %m)");
        $finish;
    end
    if (A_BITS < 1 || A_BITS > 32 || B_BITS < 1 || B_BITS > 32) begin
        $display("Error: A_BITS and B_BITS must be 1..32 (instance %m)");
        $finish;
    end
    if (MUL_A < 1 || MUL_A > 1073741824 || MUL_B < 1 || MUL_B > 1073741824) begin
        $display("Error: MUL_A and MUL_B must be 1..2^30 (instance %m)");
        $finish;
    end
    if (ACC_BITS < 2 || ACC_BITS > 32) begin
        $display("Error: ACC_BITS must be 2..32 (instance %m)");
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

localparam [31:0] MUL_A_32 = MUL_A;
localparam [31:0] MUL_B_32 = MUL_B;
// the factors as 64-bit signed operands (both positive)
wire signed [63:0] ma = {32'd0, MUL_A_32};
wire signed [63:0] mb = {32'd0, MUL_B_32};

function signed [63:0] a_value(input [A_BITS-1:0] code);
    a_value = A_SIGNED != 0 ? {{(64-A_BITS){code[A_BITS-1]}}, code} : {{(64-A_BITS){1'b0}}, code};
endfunction

function signed [63:0] b_value(input [B_BITS-1:0] code);
    b_value = B_SIGNED != 0 ? {{(64-B_BITS){code[B_BITS-1]}}, code} : {{(64-B_BITS){1'b0}}, code};
endfunction

// the sum register (the stage before the thresholds or the output)
reg                   sum_valid_reg = 1'b0;
reg [PE*ACC_BITS-1:0] sum_data_reg;
wire                  sum_ready;
wire room = !sum_valid_reg || sum_ready;
assign s0_axis_tready = room && s1_axis_tvalid;
assign s1_axis_tready = room && s0_axis_tvalid;
wire accept = s0_axis_tvalid && s1_axis_tvalid && room;

reg [PE*ACC_BITS-1:0] sums;
// only the low ACC_BITS of each exact sum go on
/* verilator lint_off UNUSEDSIGNAL */
reg signed [63:0]     sum;
/* verilator lint_on UNUSEDSIGNAL */
integer p;

always @* begin
    for (p = 0; p < PE; p = p + 1) begin
        sum = ma * a_value(s0_axis_tdata[p*A_BITS +: A_BITS]) +
              mb * b_value(s1_axis_tdata[p*B_BITS +: B_BITS]);
        sums[p*ACC_BITS +: ACC_BITS] = sum[ACC_BITS-1:0];
    end
end

always @(posedge clk) begin
    if (room) begin
        sum_valid_reg <= accept;
        sum_data_reg <= sums;
    end
    if (rst)
        sum_valid_reg <= 1'b0;
end

generate
if (N_THRESHOLDS > 0) begin : g_threshold

    qnn_threshold #(
        .CHANNELS(CHANNELS),
        .PE(PE),
        .IN_BITS(ACC_BITS),
        .IN_SIGNED(ACC_SIGNED),
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
        .s_axis_tdata(sum_data_reg),
        .s_axis_tvalid(sum_valid_reg),
        .s_axis_tready(sum_ready),
        .m_axis_tdata(m_axis_tdata),
        .m_axis_tvalid(m_axis_tvalid),
        .m_axis_tready(m_axis_tready)
    );

end else begin : g_sum_out

    assign m_axis_tdata = sum_data_reg;
    assign m_axis_tvalid = sum_valid_reg;
    assign sum_ready = m_axis_tready;

end
endgenerate

endmodule

`resetall
