`default_nettype none
`timescale 1ns / 1ps

/*
 * AXI-Stream FIFO between two dataflow layers.
 *
 * Holds up to DEPTH beats: a RAM of DEPTH words plus an output register
 * that the RAM is read into (a registered read, so the RAM maps to block
 * RAM when RAM_STYLE asks for it). A beat written in cycle t can leave in
 * cycle t+2; one beat per cycle moves in and out at steady state.
 *
 * s_axis_tready comes from a register (never from m_axis_tready), so a
 * FIFO also cuts the combinational ready path between its neighbours.
 *
 * occupancy counts the beats held (RAM and output register), 0..DEPTH;
 * the simulation records its maximum to size FIFOs. Defining
 * QNN_FIFO_RUNTIME_LIMIT (simulation only) adds a run-time depth limit.
 */
module qnn_fifo #(
    // beat width in bits
    parameter DATA_WIDTH = 8,
    // beats held, at least 2 (any value, not only powers of two)
    parameter DEPTH = 16,
    // "distributed" (LUT RAM), "block" (block RAM) or "registers"
    // (flip-flops; the iCE40 has no LUT RAM): the ram_style attribute of
    // the buffer, for Vivado and yosys
    parameter RAM_STYLE = "distributed",
    // width of the occupancy port (holds 0..DEPTH)
    parameter COUNT_WIDTH = $clog2(DEPTH + 1)
) (
    input  wire                   clk,
    input  wire                   rst,

    // input stream
    input  wire [DATA_WIDTH-1:0]  s_axis_tdata,
    input  wire                   s_axis_tvalid,
    output wire                   s_axis_tready,

    // output stream
    output wire [DATA_WIDTH-1:0]  m_axis_tdata,
    output wire                   m_axis_tvalid,
    input  wire                   m_axis_tready,

    // beats held now
    output wire [COUNT_WIDTH-1:0] occupancy
);

localparam ADDR_WIDTH = DEPTH > 1 ? $clog2(DEPTH) : 1;
// string comparisons widen the shorter string: fine here, not a width bug
/* verilator lint_off WIDTH */
localparam IS_BLOCK = RAM_STYLE == "block";
localparam IS_DISTRIBUTED = RAM_STYLE == "distributed";
localparam IS_REGISTERS = RAM_STYLE == "registers";
/* verilator lint_on WIDTH */
// sized copies of the constants the counters are compared with (so the
// comparisons have operands of one width)
localparam [31:0] LAST_ADDR_32 = DEPTH - 1;
localparam [31:0] DEPTH_32 = DEPTH;
localparam [ADDR_WIDTH-1:0] LAST_ADDR = LAST_ADDR_32[ADDR_WIDTH-1:0];
localparam [COUNT_WIDTH-1:0] FULL = DEPTH_32[COUNT_WIDTH-1:0];

initial begin
    if (DATA_WIDTH < 1) begin
        $display("Error: DATA_WIDTH must be at least 1 (instance %m)");
        $finish;
    end
    if (DEPTH < 2) begin
        $display("Error: DEPTH must be at least 2 (instance %m)");
        $finish;
    end
    if (!IS_BLOCK && !IS_DISTRIBUTED && !IS_REGISTERS) begin
        $display("Error: RAM_STYLE must be \"distributed\", \"block\" or \"registers\" (instance %m)");
        $finish;
    end
    if (COUNT_WIDTH < $clog2(DEPTH + 1)) begin
        $display("Error: COUNT_WIDTH too small for DEPTH (instance %m)");
        $finish;
    end
end

reg [ADDR_WIDTH-1:0] wr_ptr_reg = 0, rd_ptr_reg = 0;
// beats in the RAM; the output register holds one more when out_valid_reg
reg [COUNT_WIDTH-1:0] ram_count_reg = 0;
reg [COUNT_WIDTH-1:0] occupancy_reg = 0;
reg                   out_valid_reg = 1'b0;
reg [DATA_WIDTH-1:0]  out_data_reg;

// accept while fewer than DEPTH beats are held in total
`ifdef QNN_FIFO_RUNTIME_LIMIT
// FIFO sizing's simulations only (rtl/rtl_fifo_sizing.c): the harness sets
// `limit` (<= DEPTH) and the FIFO then behaves, cycle for cycle, as one of
// depth `limit`, so one Verilated build tries many depths
reg [COUNT_WIDTH-1:0] limit /* verilator public_flat_rw */ = FULL;
assign s_axis_tready = occupancy_reg < limit;
`else
assign s_axis_tready = occupancy_reg != FULL;
`endif
assign m_axis_tdata  = out_data_reg;
assign m_axis_tvalid = out_valid_reg;
assign occupancy     = occupancy_reg;

wire push = s_axis_tvalid && s_axis_tready;
wire pop  = out_valid_reg && m_axis_tready;
// move the oldest RAM word into the output register when it is free or leaving
wire load = ram_count_reg != 0 && (!out_valid_reg || m_axis_tready);

// The RAM in one of two spellings: an attribute value has to be a literal.
generate
if (IS_BLOCK) begin : g_block
    (* ram_style = "block" *)
    reg [DATA_WIDTH-1:0] mem [0:DEPTH-1];
    always @(posedge clk) begin
        if (push)
            mem[wr_ptr_reg] <= s_axis_tdata;
        if (load)
            out_data_reg <= mem[rd_ptr_reg];
    end
end else if (IS_REGISTERS) begin : g_registers
    (* ram_style = "logic" *)
    reg [DATA_WIDTH-1:0] mem [0:DEPTH-1];
    always @(posedge clk) begin
        if (push)
            mem[wr_ptr_reg] <= s_axis_tdata;
        if (load)
            out_data_reg <= mem[rd_ptr_reg];
    end
end else begin : g_distributed
    (* ram_style = "distributed" *)
    reg [DATA_WIDTH-1:0] mem [0:DEPTH-1];
    always @(posedge clk) begin
        if (push)
            mem[wr_ptr_reg] <= s_axis_tdata;
        if (load)
            out_data_reg <= mem[rd_ptr_reg];
    end
end
endgenerate

always @(posedge clk) begin
    if (push)
        wr_ptr_reg <= wr_ptr_reg == LAST_ADDR ? 0 : wr_ptr_reg + 1;
    if (load)
        rd_ptr_reg <= rd_ptr_reg == LAST_ADDR ? 0 : rd_ptr_reg + 1;

    if (push && !load)
        ram_count_reg <= ram_count_reg + 1;
    else if (load && !push)
        ram_count_reg <= ram_count_reg - 1;

    if (push && !pop)
        occupancy_reg <= occupancy_reg + 1;
    else if (pop && !push)
        occupancy_reg <= occupancy_reg - 1;

    if (load)
        out_valid_reg <= 1'b1;
    else if (pop)
        out_valid_reg <= 1'b0;

    if (rst) begin
        wr_ptr_reg <= 0;
        rd_ptr_reg <= 0;
        ram_count_reg <= 0;
        occupancy_reg <= 0;
        out_valid_reg <= 1'b0;
    end
end

endmodule

`resetall
