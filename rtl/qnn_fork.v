`default_nettype none
`timescale 1ns / 1ps

/*
 * Stream fork: every input beat goes to both outputs, unchanged (the
 * residual branch and the skip path of a residual block read the same
 * stream).
 *
 * Each output has its own register (data and valid). A beat is taken from
 * the input when both registers are free or being emptied this cycle;
 * it then loads both. One consumer can therefore take its copy while the
 * other still holds its own: a branch runs ahead of the other by at most
 * one beat, and a consumer that waits never stops the other from taking
 * the beat already in its register. Both ready at once: one beat per
 * cycle, latency 1. s_axis_tready follows m0/m1_axis_tready
 * combinationally (as qnn_threshold's does).
 */
module qnn_fork #(
    // beat width
    parameter DATA_WIDTH = 8
) (
    input  wire                  clk,
    input  wire                  rst,

    input  wire [DATA_WIDTH-1:0] s_axis_tdata,
    input  wire                  s_axis_tvalid,
    output wire                  s_axis_tready,

    // output 0 and output 1: the same beats, in the same order
    output wire [DATA_WIDTH-1:0] m0_axis_tdata,
    output wire                  m0_axis_tvalid,
    input  wire                  m0_axis_tready,

    output wire [DATA_WIDTH-1:0] m1_axis_tdata,
    output wire                  m1_axis_tvalid,
    input  wire                  m1_axis_tready
);

initial begin
    if (DATA_WIDTH < 1) begin
        $display("Error: DATA_WIDTH must be at least 1 (instance %m)");
        $finish;
    end
end

reg                  v0_reg = 1'b0, v1_reg = 1'b0;
reg [DATA_WIDTH-1:0] d0_reg, d1_reg;

wire free0 = !v0_reg || m0_axis_tready;
wire free1 = !v1_reg || m1_axis_tready;
assign s_axis_tready = free0 && free1;
wire accept = s_axis_tvalid && s_axis_tready;

always @(posedge clk) begin
    if (free0)
        v0_reg <= accept;
    if (free1)
        v1_reg <= accept;
    if (accept) begin
        d0_reg <= s_axis_tdata;
        d1_reg <= s_axis_tdata;
    end
    if (rst) begin
        v0_reg <= 1'b0;
        v1_reg <= 1'b0;
    end
end

assign m0_axis_tdata = d0_reg;
assign m0_axis_tvalid = v0_reg;
assign m1_axis_tdata = d1_reg;
assign m1_axis_tvalid = v1_reg;

endmodule

`resetall
