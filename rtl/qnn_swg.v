`default_nettype none
`timescale 1ns / 1ps

/*
 * Sliding-window generator: turns an NHWC image (channels innermost,
 * SIMD channels per beat) into the stream of its convolution windows,
 * one window per output pixel in row-major order, each window in
 * [kh][kw][c] order (the column order of the MVAU weights), SIMD channels
 * per beat:
 *
 *   for oh, ow:  for kh < K_H, kw < K_W, cf < CHANNELS / SIMD:
 *       beat = image[oh*STRIDE_H + kh - PAD_TOP][ow*STRIDE_W + kw - PAD_LEFT][cf]
 *
 * Positions in the padding give SIMD copies of PAD_VALUE. Dilation 1.
 *
 * Line buffer: the last ROWS = K_H + STRIDE_H image rows, row i in slot
 * i mod ROWS. The writer stores the input beats in order; it may write row
 * i once the reader no longer needs row i - ROWS (so it fills the next
 * output row's STRIDE_H new rows while the reader works on the current
 * one). The reader starts an output row when all the image rows it covers
 * are written. Both run every cycle, so a frame takes about
 * max(input beats, output beats) cycles plus the first K_H - PAD_TOP rows;
 * the next frame's rows are taken once the last window has been read.
 */
module qnn_swg #(
    // image channels and channels per beat (SIMD divides CHANNELS)
    parameter CHANNELS = 2,
    parameter SIMD = 1,
    // element width
    parameter IN_BITS = 4,
    // image height and width
    parameter IFM_H = 5,
    parameter IFM_W = 5,
    // kernel
    parameter K_H = 3,
    parameter K_W = 3,
    // stride
    parameter STRIDE_H = 1,
    parameter STRIDE_W = 1,
    // padding on each side, filled with PAD_VALUE
    parameter PAD_TOP = 0,
    parameter PAD_LEFT = 0,
    parameter PAD_BOTTOM = 0,
    parameter PAD_RIGHT = 0,
    // value of a padding element (its low IN_BITS are the code)
    parameter PAD_VALUE = 0
) (
    input  wire                    clk,
    input  wire                    rst,

    // input stream: the image, SIMD elements per beat
    input  wire [SIMD*IN_BITS-1:0] s_axis_tdata,
    input  wire                    s_axis_tvalid,
    output wire                    s_axis_tready,

    // output stream: the windows, SIMD elements per beat
    output wire [SIMD*IN_BITS-1:0] m_axis_tdata,
    output wire                    m_axis_tvalid,
    input  wire                    m_axis_tready
);

localparam CF = CHANNELS / SIMD;
localparam OFM_H = (PAD_TOP + IFM_H + PAD_BOTTOM - K_H) / STRIDE_H + 1;
localparam OFM_W = (PAD_LEFT + IFM_W + PAD_RIGHT - K_W) / STRIDE_W + 1;
localparam ROWS = K_H + STRIDE_H;
localparam ROW_WORDS = IFM_W * CF;
localparam DEPTH = ROWS * ROW_WORDS;
localparam BEAT = SIMD * IN_BITS;
localparam AW = $clog2(DEPTH);              // RAM address width (DEPTH >= 2)

// One width for every counter and address: holds all the values below.
localparam MAX_ROW = PAD_TOP + IFM_H + PAD_BOTTOM + 2 * ROWS;
localparam MAX_COL = PAD_LEFT + IFM_W + PAD_RIGHT + K_W;
localparam MAX_A = MAX_ROW > MAX_COL ? MAX_ROW : MAX_COL;
localparam MAX_V = MAX_A > DEPTH ? MAX_A : DEPTH;
localparam W = $clog2(MAX_V + 1);

// the constants, W bits wide
localparam [31:0] ROWS_32 = ROWS, ROW_WORDS_32 = ROW_WORDS, CF_32 = CF;
localparam [31:0] PT_32 = PAD_TOP, PL_32 = PAD_LEFT, KH_32 = K_H;
localparam [31:0] SH_32 = STRIDE_H, SW_32 = STRIDE_W, IH_32 = IFM_H;
localparam [31:0] IW_32 = IFM_W;
localparam [31:0] LAST_CF_32 = CF - 1, LAST_KW_32 = K_W - 1, LAST_KH_32 = K_H - 1;
localparam [31:0] LAST_OW_32 = OFM_W - 1, LAST_OH_32 = OFM_H - 1;
localparam [31:0] LAST_ADDR_32 = DEPTH - 1, LAST_RW_32 = ROW_WORDS - 1;
// slot of padded row 0 (image row -PAD_TOP), modulo ROWS
localparam [31:0] TOP_SLOT0_32 = (ROWS - PAD_TOP % ROWS) % ROWS;
localparam [31:0] PAD_32 = PAD_VALUE;
localparam [W-1:0] C_ROWS = ROWS_32[W-1:0], C_ROW_WORDS = ROW_WORDS_32[W-1:0];
localparam [W-1:0] C_CF = CF_32[W-1:0], C_PT = PT_32[W-1:0], C_PL = PL_32[W-1:0];
localparam [W-1:0] C_KH = KH_32[W-1:0], C_SH = SH_32[W-1:0], C_SW = SW_32[W-1:0];
localparam [W-1:0] C_IH = IH_32[W-1:0], C_IW = IW_32[W-1:0];
localparam [W-1:0] C_LAST_CF = LAST_CF_32[W-1:0], C_LAST_KW = LAST_KW_32[W-1:0];
localparam [W-1:0] C_LAST_KH = LAST_KH_32[W-1:0], C_LAST_OW = LAST_OW_32[W-1:0];
localparam [W-1:0] C_LAST_OH = LAST_OH_32[W-1:0], C_LAST_ADDR = LAST_ADDR_32[W-1:0];
localparam [W-1:0] C_LAST_RW = LAST_RW_32[W-1:0], C_TOP_SLOT0 = TOP_SLOT0_32[W-1:0];
localparam [BEAT-1:0] PAD_BEAT = {SIMD{PAD_32[IN_BITS-1:0]}};

initial begin
    if (SIMD < 1 || CHANNELS % SIMD != 0) begin
        $display("Error: SIMD must divide CHANNELS (instance %m)");
        $finish;
    end
    if (K_H < 1 || K_W < 1 || STRIDE_H < 1 || STRIDE_W < 1) begin
        $display("Error: kernel and stride must be at least 1 (instance %m)");
        $finish;
    end
    if (PAD_TOP < 0 || PAD_LEFT < 0 || PAD_BOTTOM < 0 || PAD_RIGHT < 0 ||
        PAD_TOP + IFM_H + PAD_BOTTOM < K_H || PAD_LEFT + IFM_W + PAD_RIGHT < K_W) begin
        $display("Error: the padded image must hold the kernel (instance %m)");
        $finish;
    end
    if (IN_BITS < 1 || IN_BITS > 32) begin
        $display("Error: IN_BITS must be 1..32 (instance %m)");
        $finish;
    end
end

reg [BEAT-1:0] mem [0:DEPTH-1];

// ---- writer --------------------------------------------------------------

reg [W-1:0] w_addr_reg = 0;     // next RAM word
reg [W-1:0] w_word_reg = 0;     // beat within the current image row
reg [W-1:0] w_rows_reg = 0;     // image rows complete in this frame
wire        w_done = w_rows_reg == C_IH;

// reader state the writer looks at (below)
reg         r_done_reg = 1'b0;
reg [W-1:0] pr_top_reg = 0;     // padded row of the current output row's kh = 0

// row w_rows_reg may overwrite row w_rows_reg - ROWS once the reader is past it
assign s_axis_tready = !w_done && (r_done_reg || w_rows_reg + C_PT < pr_top_reg + C_ROWS);
wire write = s_axis_tvalid && s_axis_tready;

always @(posedge clk) begin
    if (write)
        mem[w_addr_reg[AW-1:0]] <= s_axis_tdata;
end

// ---- reader --------------------------------------------------------------

reg [W-1:0] cf_reg = 0, kw_reg = 0, kh_reg = 0, ow_reg = 0, oh_reg = 0;
reg [W-1:0] pc_left_reg = 0;    // padded column of the current window's kw = 0
reg [W-1:0] top_slot_reg = C_TOP_SLOT0;  // slot of padded row pr_top_reg

// an output row may start once every image row it covers is written
wire rows_ready = w_done || w_rows_reg + C_PT >= pr_top_reg + C_KH;

reg  out_valid_reg = 1'b0;
wire en = !out_valid_reg || m_axis_tready;
wire issue = en && !r_done_reg && rows_ready;

// the padded position of this beat, and its RAM word
wire [W-1:0] pr = pr_top_reg + kh_reg;
wire [W-1:0] pc = pc_left_reg + kw_reg;
// image row and column; above or left of the image they wrap to values
// beyond IFM_H, IFM_W (W is wide enough), so one comparison finds padding
wire [W-1:0] row = pr - C_PT;
wire [W-1:0] col = pc - C_PL;
wire         pad = row >= C_IH || col >= C_IW;
wire [W-1:0] slot_sum = top_slot_reg + kh_reg;
wire [W-1:0] slot = slot_sum >= C_ROWS ? slot_sum - C_ROWS : slot_sum;
// only the low AW bits of a word address are ever set
/* verilator lint_off UNUSEDSIGNAL */
wire [W-1:0] raddr = pad ? {W{1'b0}} : slot * C_ROW_WORDS + col * C_CF + cf_reg;
/* verilator lint_on UNUSEDSIGNAL */

reg [BEAT-1:0] rdata_reg;
reg            pad_reg;

always @(posedge clk) begin
    if (en) begin
        out_valid_reg <= issue;
        rdata_reg <= mem[raddr[AW-1:0]];
        pad_reg <= pad;
    end
    if (rst)
        out_valid_reg <= 1'b0;
end

assign m_axis_tdata = pad_reg ? PAD_BEAT : rdata_reg;
assign m_axis_tvalid = out_valid_reg;

// ---- counters ------------------------------------------------------------

wire [W-1:0] top_slot_sum = top_slot_reg + C_SH;

always @(posedge clk) begin
    if (write) begin
        w_addr_reg <= w_addr_reg == C_LAST_ADDR ? 0 : w_addr_reg + 1;
        if (w_word_reg == C_LAST_RW) begin
            w_word_reg <= 0;
            w_rows_reg <= w_rows_reg + 1;
        end else begin
            w_word_reg <= w_word_reg + 1;
        end
    end

    // cf innermost, then kw, kh, ow, oh
    if (issue) begin
        cf_reg <= cf_reg == C_LAST_CF ? 0 : cf_reg + 1;
        if (cf_reg == C_LAST_CF) begin
            kw_reg <= kw_reg == C_LAST_KW ? 0 : kw_reg + 1;
            if (kw_reg == C_LAST_KW) begin
                kh_reg <= kh_reg == C_LAST_KH ? 0 : kh_reg + 1;
                if (kh_reg == C_LAST_KH) begin
                    if (ow_reg == C_LAST_OW) begin
                        ow_reg <= 0;
                        pc_left_reg <= 0;
                        oh_reg <= oh_reg == C_LAST_OH ? 0 : oh_reg + 1;
                        pr_top_reg <= pr_top_reg + C_SH;
                        top_slot_reg <= top_slot_sum >= C_ROWS ? top_slot_sum - C_ROWS
                                                               : top_slot_sum;
                        if (oh_reg == C_LAST_OH)
                            r_done_reg <= 1'b1;
                    end else begin
                        ow_reg <= ow_reg + 1;
                        pc_left_reg <= pc_left_reg + C_SW;
                    end
                end
            end
        end
    end

    // frame done on both sides: start the next one
    if (r_done_reg && w_done) begin
        r_done_reg <= 1'b0;
        w_rows_reg <= 0;
        w_addr_reg <= 0;
        pr_top_reg <= 0;
        top_slot_reg <= C_TOP_SLOT0;
    end

    if (rst) begin
        w_addr_reg <= 0;
        w_word_reg <= 0;
        w_rows_reg <= 0;
        r_done_reg <= 1'b0;
        cf_reg <= 0;
        kw_reg <= 0;
        kh_reg <= 0;
        ow_reg <= 0;
        oh_reg <= 0;
        pc_left_reg <= 0;
        pr_top_reg <= 0;
        top_slot_reg <= C_TOP_SLOT0;
    end
end

endmodule

`resetall
