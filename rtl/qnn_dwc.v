`default_nettype none
`timescale 1ns / 1ps

/*
 * AXI-Stream data-width converter between layers whose beats differ in
 * width. One of IN_BITS, OUT_BITS divides the other; the bit stream is
 * unchanged, LSB first (the low bits of a wide beat travel first):
 *
 *   down (IN_BITS = R * OUT_BITS): one input beat leaves as R output
 *     beats, bits [OUT_BITS-1:0] first;
 *   up (OUT_BITS = R * IN_BITS): R input beats leave as one output beat,
 *     the first of them in the low bits;
 *   equal widths: a wire.
 *
 * One output beat per cycle going down, one input beat per cycle going
 * up, so the wider side sets the pace (estimate: max(in, out) beats).
 */
module qnn_dwc #(
    // input beat width in bits
    parameter IN_BITS = 8,
    // output beat width in bits
    parameter OUT_BITS = 8
) (
    input  wire                clk,
    input  wire                rst,

    // input stream
    input  wire [IN_BITS-1:0]  s_axis_tdata,
    input  wire                s_axis_tvalid,
    output wire                s_axis_tready,

    // output stream
    output wire [OUT_BITS-1:0] m_axis_tdata,
    output wire                m_axis_tvalid,
    input  wire                m_axis_tready
);

localparam RATIO = IN_BITS > OUT_BITS ? IN_BITS / OUT_BITS : OUT_BITS / IN_BITS;
localparam CNT_WIDTH = RATIO > 1 ? $clog2(RATIO) : 1;
localparam [31:0] LAST_32 = RATIO - 1;
localparam [CNT_WIDTH-1:0] LAST = LAST_32[CNT_WIDTH-1:0];

initial begin
    if (IN_BITS < 1 || OUT_BITS < 1) begin
        $display("Error: IN_BITS and OUT_BITS must be at least 1 (instance %m)");
        $finish;
    end
    if (IN_BITS % OUT_BITS != 0 && OUT_BITS % IN_BITS != 0) begin
        $display("Error: one of IN_BITS, OUT_BITS must divide the other (instance %m)");
        $finish;
    end
end

generate
if (IN_BITS == OUT_BITS) begin : g_wire

    assign m_axis_tdata = s_axis_tdata;
    assign m_axis_tvalid = s_axis_tvalid;
    assign s_axis_tready = m_axis_tready;

    // clk and rst are not needed by a wire
    wire unused = &{1'b0, clk, rst, 1'b0};

end else if (IN_BITS > OUT_BITS) begin : g_down

    // The input beat is held in a shift register; each output beat takes its
    // low OUT_BITS and shifts them out. A new beat is taken in the cycle the
    // last piece of the previous one leaves.
    reg [IN_BITS-1:0]   data_reg = 0;
    reg                 valid_reg = 1'b0;
    reg [CNT_WIDTH-1:0] cnt_reg = 0;

    wire last = cnt_reg == LAST;
    assign s_axis_tready = !valid_reg || (m_axis_tready && last);
    assign m_axis_tdata = data_reg[OUT_BITS-1:0];
    assign m_axis_tvalid = valid_reg;

    always @(posedge clk) begin
        if (s_axis_tvalid && s_axis_tready) begin
            data_reg <= s_axis_tdata;
            valid_reg <= 1'b1;
            cnt_reg <= 0;
        end else if (m_axis_tvalid && m_axis_tready) begin
            data_reg <= data_reg >> OUT_BITS;
            cnt_reg <= cnt_reg + 1;
            if (last)
                valid_reg <= 1'b0;
        end
        if (rst) begin
            valid_reg <= 1'b0;
            cnt_reg <= 0;
        end
    end

end else begin : g_up

    // Input beats shift in from the top, so after RATIO of them the first
    // sits in the low bits. The full word waits in data_reg until taken;
    // meanwhile the input stalls.
    reg [OUT_BITS-1:0]  data_reg = 0;
    reg                 valid_reg = 1'b0;
    reg [CNT_WIDTH-1:0] cnt_reg = 0;

    assign s_axis_tready = !valid_reg || m_axis_tready;
    assign m_axis_tdata = data_reg;
    assign m_axis_tvalid = valid_reg;

    always @(posedge clk) begin
        if (m_axis_tvalid && m_axis_tready)
            valid_reg <= 1'b0;
        if (s_axis_tvalid && s_axis_tready) begin
            data_reg <= {s_axis_tdata, data_reg[OUT_BITS-1:IN_BITS]};
            cnt_reg <= cnt_reg == LAST ? 0 : cnt_reg + 1;
            if (cnt_reg == LAST)
                valid_reg <= 1'b1;
        end
        if (rst) begin
            valid_reg <= 1'b0;
            cnt_reg <= 0;
        end
    end

end
endgenerate

endmodule

`resetall
