`default_nettype none
`timescale 1ns / 1ps

/*
 * Test-only top (not part of the rtl library): a residual block built
 * from the DAG modules, to check that they compose and that the skip
 * FIFO depth docs/rtl.md derives is the least that cannot deadlock.
 *
 *   in -> qnn_fork -+-> qnn_fifo (2) -> qnn_swg 3x3 pad 1 -> qnn_vvau (thresholds) -+-> qnn_add -> out
 *                   +-> qnn_fifo (SKIP_DEPTH) ---------------------------------------+
 *
 * out = x + count(depthwise3x3(x) >= T): unsigned BITS-bit activations,
 * the sum BITS + 1 bits unsigned.
 */
module dag_residual_block #(
    parameter CHANNELS = 4,
    parameter PE = 2,
    parameter IFM_H = 5,
    parameter IFM_W = 6,
    parameter BITS = 2,
    parameter W_BITS = 3,
    parameter ACC_BITS = 10,
    parameter SKIP_DEPTH = 16
) (
    input  wire                      clk,
    input  wire                      rst,
    input  wire [PE*BITS-1:0]        s_axis_tdata,
    input  wire                      s_axis_tvalid,
    output wire                      s_axis_tready,
    output wire [PE*(BITS+1)-1:0]    m_axis_tdata,
    output wire                      m_axis_tvalid,
    input  wire                      m_axis_tready
);

localparam W = PE * BITS;
localparam N_THRESHOLDS = (1 << BITS) - 1;

wire [W-1:0] f0_data, f1_data, b0_data, sw_data, skip_data;
wire [W-1:0] conv_data;
wire f0_valid, f0_ready, f1_valid, f1_ready, b0_valid, b0_ready;
wire sw_valid, sw_ready, conv_valid, conv_ready, skip_valid, skip_ready;
/* verilator lint_off UNUSEDSIGNAL */
wire [1:0] occ_branch;
wire [$clog2(SKIP_DEPTH+1)-1:0] occ_skip;
/* verilator lint_on UNUSEDSIGNAL */

qnn_fork #(.DATA_WIDTH(W)) fork_inst (
    .clk(clk), .rst(rst),
    .s_axis_tdata(s_axis_tdata), .s_axis_tvalid(s_axis_tvalid), .s_axis_tready(s_axis_tready),
    .m0_axis_tdata(f0_data), .m0_axis_tvalid(f0_valid), .m0_axis_tready(f0_ready),
    .m1_axis_tdata(f1_data), .m1_axis_tvalid(f1_valid), .m1_axis_tready(f1_ready));

qnn_fifo #(.DATA_WIDTH(W), .DEPTH(2)) branch_fifo (
    .clk(clk), .rst(rst),
    .s_axis_tdata(f0_data), .s_axis_tvalid(f0_valid), .s_axis_tready(f0_ready),
    .m_axis_tdata(b0_data), .m_axis_tvalid(b0_valid), .m_axis_tready(b0_ready),
    .occupancy(occ_branch));

qnn_swg #(.CHANNELS(CHANNELS), .SIMD(PE), .IN_BITS(BITS), .IFM_H(IFM_H), .IFM_W(IFM_W),
          .K_H(3), .K_W(3), .STRIDE_H(1), .STRIDE_W(1), .PAD_TOP(1), .PAD_LEFT(1),
          .PAD_BOTTOM(1), .PAD_RIGHT(1), .PAD_VALUE(0)) swg_inst (
    .clk(clk), .rst(rst),
    .s_axis_tdata(b0_data), .s_axis_tvalid(b0_valid), .s_axis_tready(b0_ready),
    .m_axis_tdata(sw_data), .m_axis_tvalid(sw_valid), .m_axis_tready(sw_ready));

qnn_vvau #(.CHANNELS(CHANNELS), .PE(PE), .TAPS(9), .SIMD(1), .CHANNELS_INNER(1),
           .IN_BITS(BITS), .IN_SIGNED(0), .W_BITS(W_BITS), .W_SIGNED(1), .ACC_BITS(ACC_BITS),
           .N_THRESHOLDS(N_THRESHOLDS), .T_BITS(ACC_BITS + 1), .OUT_BITS(BITS)) vvau_inst (
    .clk(clk), .rst(rst),
    .s_axis_tdata(sw_data), .s_axis_tvalid(sw_valid), .s_axis_tready(sw_ready),
    .m_axis_tdata(conv_data), .m_axis_tvalid(conv_valid), .m_axis_tready(conv_ready));

qnn_fifo #(.DATA_WIDTH(W), .DEPTH(SKIP_DEPTH)) skip_fifo (
    .clk(clk), .rst(rst),
    .s_axis_tdata(f1_data), .s_axis_tvalid(f1_valid), .s_axis_tready(f1_ready),
    .m_axis_tdata(skip_data), .m_axis_tvalid(skip_valid), .m_axis_tready(skip_ready),
    .occupancy(occ_skip));

qnn_add #(.CHANNELS(CHANNELS), .PE(PE), .A_BITS(BITS), .A_SIGNED(0), .B_BITS(BITS),
          .B_SIGNED(0), .ACC_BITS(BITS + 1), .ACC_SIGNED(0)) add_inst (
    .clk(clk), .rst(rst),
    .s0_axis_tdata(conv_data), .s0_axis_tvalid(conv_valid), .s0_axis_tready(conv_ready),
    .s1_axis_tdata(skip_data), .s1_axis_tvalid(skip_valid), .s1_axis_tready(skip_ready),
    .m_axis_tdata(m_axis_tdata), .m_axis_tvalid(m_axis_tvalid), .m_axis_tready(m_axis_tready));

endmodule

`resetall
