`default_nettype none
`timescale 1ns / 1ps

/*
 * Streaming max pool over an NHWC image (PE channels per beat), kernel
 * equal to stride (FINN's StreamingMaxPool): output pixel (oh, ow) is the
 * channel-wise maximum of the image pixels in padded rows
 * oh*K_H .. oh*K_H+K_H-1 and padded columns ow*K_W .. ow*K_W+K_W-1, where
 * padded row r is image row r - PAD_TOP. Padding never wins: a window
 * takes the maximum of its image pixels only, so windows cut by the
 * padding (also ONNX ceil_mode's last window) work. Image rows and columns
 * past OFM_H * K_H - PAD_TOP, OFM_W * K_W - PAD_LEFT (floor mode) are read
 * and dropped.
 *
 * One input beat per cycle. A row of OFM_W * CHANNELS / PE running maxima
 * (LUT RAM) is updated by each input row; the last image row of a window
 * row sends its beats out as it completes them, so an output beat leaves
 * with the input beat that completes it.
 */
module qnn_maxpool #(
    // image channels and channels per beat (PE divides CHANNELS)
    parameter CHANNELS = 2,
    parameter PE = 1,
    // element width; 1: two's complement, 0: unsigned
    parameter IN_BITS = 4,
    parameter SIGNED = 1,
    // image height and width
    parameter IFM_H = 4,
    parameter IFM_W = 4,
    // kernel = stride
    parameter K_H = 2,
    parameter K_W = 2,
    // padding above and left of the image (less than the kernel)
    parameter PAD_TOP = 0,
    parameter PAD_LEFT = 0,
    // output height and width: floor by default; ceil mode or padding below
    // and right: ceil((PAD_TOP + IFM_H + PAD_BOTTOM) / K_H) and so on
    parameter OFM_H = (PAD_TOP + IFM_H) / K_H,
    parameter OFM_W = (PAD_LEFT + IFM_W) / K_W
) (
    input  wire                  clk,
    input  wire                  rst,

    // input stream: the image, PE elements per beat
    input  wire [PE*IN_BITS-1:0] s_axis_tdata,
    input  wire                  s_axis_tvalid,
    output wire                  s_axis_tready,

    // output stream: the pooled image, PE elements per beat
    output wire [PE*IN_BITS-1:0] m_axis_tdata,
    output wire                  m_axis_tvalid,
    input  wire                  m_axis_tready
);

localparam CF = CHANNELS / PE;
localparam BEAT = PE * IN_BITS;
localparam DEPTH = OFM_W * CF;
localparam AW = DEPTH > 1 ? $clog2(DEPTH) : 1;
// one width for the counters
localparam MAX_V = IFM_H + IFM_W + K_H + K_W + DEPTH;
localparam W = $clog2(MAX_V + 1);

localparam [31:0] LAST_CF_32 = CF - 1, LAST_KH_32 = K_H - 1, LAST_KW_32 = K_W - 1;
localparam [31:0] LAST_ROW_32 = IFM_H - 1, LAST_COL_32 = IFM_W - 1;
localparam [31:0] PT_32 = PAD_TOP, PL_32 = PAD_LEFT, OH_32 = OFM_H, OW_32 = OFM_W;
localparam [31:0] CF_32 = CF;
localparam [W-1:0] C_LAST_CF = LAST_CF_32[W-1:0], C_LAST_KH = LAST_KH_32[W-1:0];
localparam [W-1:0] C_LAST_KW = LAST_KW_32[W-1:0], C_LAST_ROW = LAST_ROW_32[W-1:0];
localparam [W-1:0] C_LAST_COL = LAST_COL_32[W-1:0], C_PT = PT_32[W-1:0];
localparam [W-1:0] C_PL = PL_32[W-1:0], C_OH = OH_32[W-1:0], C_OW = OW_32[W-1:0];
localparam [W-1:0] C_CF = CF_32[W-1:0];

initial begin
    if (PE < 1 || CHANNELS % PE != 0) begin
        $display("Error: PE must divide CHANNELS (instance %m)");
        $finish;
    end
    if (K_H < 1 || K_W < 1 || PAD_TOP < 0 || PAD_TOP >= K_H || PAD_LEFT < 0 || PAD_LEFT >= K_W) begin
        $display("Error: kernel must be at least 1 and padding less than the kernel (instance %m)");
        $finish;
    end
    if (OFM_H < 1 || OFM_W < 1 || (OFM_H - 1) * K_H >= PAD_TOP + IFM_H ||
        (OFM_W - 1) * K_W >= PAD_LEFT + IFM_W) begin
        $display("Error: every output window must hold image pixels (instance %m)");
        $finish;
    end
    if (IN_BITS < 1) begin
        $display("Error: IN_BITS must be at least 1 (instance %m)");
        $finish;
    end
end

// position of the next input beat: channel fold, image row/column, the
// window it falls in (oh, ow) and its place in the window (kh, kw)
reg [W-1:0] cf_reg = 0, row_reg = 0, col_reg = 0;
reg [W-1:0] kh_reg = C_PT, kw_reg = C_PL, oh_reg = 0, ow_reg = 0;

wire in_window = oh_reg < C_OH && ow_reg < C_OW;
wire first = (kh_reg == 0 || row_reg == 0) && (kw_reg == 0 || col_reg == 0);
wire last = (kh_reg == C_LAST_KH || row_reg == C_LAST_ROW) &&
            (kw_reg == C_LAST_KW || col_reg == C_LAST_COL);

// running maxima of the current window row
reg [BEAT-1:0] maxima [0:DEPTH-1];
// ow * CF + cf < DEPTH whenever in_window; only then is it used
/* verilator lint_off UNUSEDSIGNAL */
wire [W-1:0] addr_full = ow_reg * C_CF + cf_reg;
/* verilator lint_on UNUSEDSIGNAL */
wire [AW-1:0] addr = addr_full[AW-1:0];
wire [BEAT-1:0] held = maxima[addr];

function greater(input [IN_BITS-1:0] a, input [IN_BITS-1:0] b);
    if (SIGNED != 0)
        greater = $signed(a) > $signed(b);
    else
        greater = a > b;
endfunction

reg [BEAT-1:0] updated;
integer p;

always @* begin
    for (p = 0; p < PE; p = p + 1) begin
        if (first || greater(s_axis_tdata[p*IN_BITS +: IN_BITS], held[p*IN_BITS +: IN_BITS]))
            updated[p*IN_BITS +: IN_BITS] = s_axis_tdata[p*IN_BITS +: IN_BITS];
        else
            updated[p*IN_BITS +: IN_BITS] = held[p*IN_BITS +: IN_BITS];
    end
end

reg            out_valid_reg = 1'b0;
reg [BEAT-1:0] out_data_reg;
wire           en = !out_valid_reg || m_axis_tready;
wire           accept = s_axis_tvalid && en;
assign s_axis_tready = en;
assign m_axis_tdata = out_data_reg;
assign m_axis_tvalid = out_valid_reg;

always @(posedge clk) begin
    if (accept && in_window)
        maxima[addr] <= updated;
    if (en) begin
        out_valid_reg <= accept && in_window && last;
        out_data_reg <= updated;
    end

    if (accept) begin
        cf_reg <= cf_reg == C_LAST_CF ? 0 : cf_reg + 1;
        if (cf_reg == C_LAST_CF) begin
            if (col_reg == C_LAST_COL) begin
                col_reg <= 0;
                kw_reg <= C_PL;
                ow_reg <= 0;
                if (row_reg == C_LAST_ROW) begin
                    row_reg <= 0;
                    kh_reg <= C_PT;
                    oh_reg <= 0;
                end else begin
                    row_reg <= row_reg + 1;
                    kh_reg <= kh_reg == C_LAST_KH ? 0 : kh_reg + 1;
                    if (kh_reg == C_LAST_KH)
                        oh_reg <= oh_reg + 1;
                end
            end else begin
                col_reg <= col_reg + 1;
                kw_reg <= kw_reg == C_LAST_KW ? 0 : kw_reg + 1;
                if (kw_reg == C_LAST_KW)
                    ow_reg <= ow_reg + 1;
            end
        end
    end

    if (rst) begin
        out_valid_reg <= 1'b0;
        cf_reg <= 0;
        row_reg <= 0;
        col_reg <= 0;
        kh_reg <= C_PT;
        kw_reg <= C_PL;
        oh_reg <= 0;
        ow_reg <= 0;
    end
end

endmodule

`resetall
