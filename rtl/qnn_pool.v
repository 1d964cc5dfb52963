`default_nettype none
`timescale 1ns / 1ps

/*
 * Average pooling as the integer graph's IntSumPool (docs/integer-graph.md):
 * the sum over each window, then either the Trunc's shift and rounding
 *
 *     out = round(sum / 2^SHIFT, ROUNDING)        (SHIFT = 0: the sum)
 *
 * or thresholds on the sum (a qnn_threshold instance, N_THRESHOLDS > 0),
 * for a plain average pool whose division is folded into the next
 * quantizer.
 *
 * Input: the windows, one after the other, each TAPS taps of CHANNELS
 * channels in the order [tap][cf] (channels innermost, PE channels per
 * beat, element 0 in the low bits): qnn_swg's output for a windowed pool
 * (any kernel, stride, padding: a padded tap is PAD_VALUE 0 and adds
 * nothing), or the NHWC image itself for a global pool (TAPS = H * W, one
 * window per frame). Output: per window CHANNELS/PE beats of PE results,
 * channels innermost (NHWC).
 *
 * ROUNDING (QonnxRounding's order, ir/ops/op_quant.h):
 *   0 HALF_EVEN (ROUND)  1 HALF_UP  2 HALF_DOWN  3 CEIL  4 FLOOR  5 UP  6 DOWN
 * computed exactly on the integer sum: floor = sum >>> SHIFT, then the
 * dropped bits decide whether to add one (HALF_EVEN: more than half, or
 * exactly half and floor odd; HALF_UP/HALF_DOWN: ties away from / toward
 * zero; CEIL: any; UP: any and sum >= 0; DOWN: any and sum < 0).
 *
 * ACC_BITS is the width of the sum's datatype, signed or unsigned (the
 * caller's, from the input range and TAPS); sums are kept in ACC_BITS + 1
 * bits, two's complement, so either fits.
 * The output element is the low OUT_BITS of the result.
 *
 * Running sums: a LUT RAM of CHANNELS/PE words (one per channel fold),
 * read and written in the same cycle, so one input beat is taken every
 * cycle; a window's last tap sends its sums to the output stage instead
 * (the input waits only there, while that stage is full). Latency: 2 cycles
 * from a window's last input beat to its output beat (4 with thresholds).
 */
module qnn_pool #(
    parameter CHANNELS = 4,
    // channels per beat; divides CHANNELS
    parameter PE = 1,
    parameter IN_BITS = 4,
    parameter IN_SIGNED = 0,
    // taps per window: K_H * K_W, or H * W for a global pool
    parameter TAPS = 4,
    // the window sum's datatype width (signed or unsigned), IN_BITS..32
    parameter ACC_BITS = 6,
    // bits the Trunc drops (0..32), and its rounding mode (above)
    parameter SHIFT = 0,
    parameter ROUNDING = 0,
    // thresholds per channel on the sum; 0: the (shifted) sum goes out
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

    input  wire [PE*IN_BITS-1:0]  s_axis_tdata,
    input  wire                   s_axis_tvalid,
    output wire                   s_axis_tready,

    output wire [PE*OUT_BITS-1:0] m_axis_tdata,
    output wire                   m_axis_tvalid,
    input  wire                   m_axis_tready
);

localparam CF = CHANNELS / PE;
localparam SW = ACC_BITS + 1;                // running sums, two's complement
localparam CF_WIDTH = CF > 1 ? $clog2(CF) : 1;
localparam TAP_WIDTH = TAPS > 1 ? $clog2(TAPS) : 1;
localparam [31:0] LAST_CF_32 = CF - 1;
localparam [31:0] LAST_TAP_32 = TAPS - 1;
localparam [CF_WIDTH-1:0] LAST_CF = LAST_CF_32[CF_WIDTH-1:0];
localparam [TAP_WIDTH-1:0] LAST_TAP = LAST_TAP_32[TAP_WIDTH-1:0];

initial begin
    if (PE < 1 || CHANNELS % PE != 0) begin
        $display("Error: PE must divide CHANNELS (instance %m)");
        $finish;
    end
    if (TAPS < 1) begin
        $display("Error: TAPS must be at least 1 (instance %m)");
        $finish;
    end
    if (IN_BITS < 1 || IN_BITS > 32) begin
        $display("Error: IN_BITS must be 1..32 (instance %m)");
        $finish;
    end
    if (ACC_BITS < IN_BITS || ACC_BITS > 32) begin
        $display("Error: ACC_BITS must be IN_BITS..32 (instance %m)");
        $finish;
    end
    if (SHIFT < 0 || SHIFT > 32 || ROUNDING < 0 || ROUNDING > 6) begin
        $display("Error: SHIFT must be 0..32 and ROUNDING 0..6 (instance %m)");
        $finish;
    end
    if (N_THRESHOLDS < 0 || (N_THRESHOLDS > 0 && SHIFT != 0)) begin
        $display("Error: N_THRESHOLDS must be 0 or more, and thresholds need SHIFT 0 (instance %m)");
        $finish;
    end
    if (OUT_BITS < 1 || OUT_BITS > 32) begin
        $display("Error: OUT_BITS must be 1..32 (instance %m)");
        $finish;
    end
end

function signed [SW-1:0] in_value(input [IN_BITS-1:0] code);
    in_value = IN_SIGNED != 0 ? {{(SW-IN_BITS){code[IN_BITS-1]}}, code}
                              : {{(SW-IN_BITS){1'b0}}, code};
endfunction

// ---- the running sums ----------------------------------------------------

reg [CF_WIDTH-1:0]  cf_reg = 0;
reg [TAP_WIDTH-1:0] tap_reg = 0;
reg [PE*SW-1:0]     sums [0:CF-1];

reg                 sum_valid_reg = 1'b0;   // a window's sums for one fold
reg [PE*SW-1:0]     sum_data_reg;
wire                sum_ready;
wire room = !sum_valid_reg || sum_ready;
wire last_tap = tap_reg == LAST_TAP;
assign s_axis_tready = !last_tap || room;
wire accept = s_axis_tvalid && s_axis_tready;

reg [PE*SW-1:0] partial;
integer p;

always @* begin
    for (p = 0; p < PE; p = p + 1)
        partial[p*SW +: SW] = (tap_reg == 0 ? {SW{1'b0}} : sums[cf_reg][p*SW +: SW]) +
                              in_value(s_axis_tdata[p*IN_BITS +: IN_BITS]);
end

always @(posedge clk) begin
    if (accept && !last_tap)
        sums[cf_reg] <= partial;
    if (room) begin
        sum_valid_reg <= accept && last_tap;
        sum_data_reg <= partial;
    end
    if (accept) begin
        cf_reg <= cf_reg == LAST_CF ? 0 : cf_reg + 1;
        if (cf_reg == LAST_CF)
            tap_reg <= last_tap ? 0 : tap_reg + 1;
    end
    if (rst) begin
        sum_valid_reg <= 1'b0;
        cf_reg <= 0;
        tap_reg <= 0;
    end
end

// ---- the output stage: shift and round, or thresholds ----------------------

generate
if (N_THRESHOLDS > 0) begin : g_threshold

    qnn_threshold #(
        .CHANNELS(CHANNELS),
        .PE(PE),
        .IN_BITS(SW),
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
        .s_axis_tdata(sum_data_reg),
        .s_axis_tvalid(sum_valid_reg),
        .s_axis_tready(sum_ready),
        .m_axis_tdata(m_axis_tdata),
        .m_axis_tvalid(m_axis_tvalid),
        .m_axis_tready(m_axis_tready)
    );

end else begin : g_round

    // 64-bit arithmetic on constants shifts; only the low OUT_BITS remain
    localparam [63:0] ONE = 64'd1;
    localparam [63:0] DIV = ONE << SHIFT;
    localparam [63:0] MASK = DIV - ONE;
    localparam [63:0] HALF = DIV >> 1;

    reg                   out_valid_reg = 1'b0;
    reg [PE*OUT_BITS-1:0] out_data_reg;
    reg [PE*OUT_BITS-1:0] rounded;
    /* verilator lint_off UNUSEDSIGNAL */
    reg signed [63:0]     s, fl, r;
    reg [63:0]            rem;
    /* verilator lint_on UNUSEDSIGNAL */
    reg                   neg, nz, gt, tie, up;
    integer q;

    always @* begin
        for (q = 0; q < PE; q = q + 1) begin
            s = {{(64-SW){sum_data_reg[q*SW + SW-1]}}, sum_data_reg[q*SW +: SW]};
            fl = s >>> SHIFT;
            rem = s & MASK;
            neg = s[63];
            nz = rem != 0;
            gt = SHIFT > 0 && rem > HALF;
            tie = SHIFT > 0 && rem == HALF;
            case (ROUNDING)
            0: up = gt || (tie && fl[0]);       // HALF_EVEN
            1: up = gt || (tie && !neg);        // HALF_UP: ties away from zero
            2: up = gt || (tie && neg);         // HALF_DOWN: ties toward zero
            3: up = nz;                         // CEIL
            5: up = nz && !neg;                 // UP: away from zero
            6: up = nz && neg;                  // DOWN: toward zero
            default: up = 1'b0;                 // FLOOR
            endcase
            r = fl + {63'd0, up};
            rounded[q*OUT_BITS +: OUT_BITS] = r[OUT_BITS-1:0];
        end
    end

    assign sum_ready = !out_valid_reg || m_axis_tready;
    always @(posedge clk) begin
        if (sum_ready) begin
            out_valid_reg <= sum_valid_reg;
            out_data_reg <= rounded;
        end
        if (rst)
            out_valid_reg <= 1'b0;
    end
    assign m_axis_tdata = out_data_reg;
    assign m_axis_tvalid = out_valid_reg;

end
endgenerate

endmodule

`resetall
