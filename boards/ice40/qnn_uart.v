`default_nettype none
`timescale 1ns / 1ps

/*
 * The ice40 target's serial link (docs/ice40.md, "Protocol"): a UART
 * receiver and transmitter (8 data bits, no parity, 1 stop bit, least
 * significant bit first) and the conversions between bytes and the
 * accelerator's AXI-Stream beats. A beat of W bits travels as
 * (W + 7) / 8 bytes, least significant byte first; the bits above W in
 * the last byte are zero on the way out and ignored on the way in.
 */

// Bytes from the serial line. rx is asynchronous: two flip-flops bring it
// into the clock domain. Each bit is sampled in its middle.
module qnn_uart_rx #(
    parameter CLKS_PER_BIT = 104
) (
    input  wire       clk,
    input  wire       rst,
    input  wire       rx,
    output reg  [7:0] data = 8'd0,
    output reg        valid = 1'b0      // one cycle per byte received
);
localparam CW = $clog2(CLKS_PER_BIT + 1);
localparam [CW-1:0] FULL = CLKS_PER_BIT - 1;
localparam [CW-1:0] HALF = CLKS_PER_BIT / 2 - 1;

reg rx_meta = 1'b1, rx_sync = 1'b1;
reg [CW-1:0] count = 0;
reg [3:0] bit_index = 0;     // 0: start bit, 1..8: data, 9: stop bit
reg busy = 1'b0;

always @(posedge clk) begin
    rx_meta <= rx;
    rx_sync <= rx_meta;
    valid <= 1'b0;
    if (!busy) begin
        if (!rx_sync) begin          // the falling edge of a start bit
            busy <= 1'b1;
            count <= HALF;
            bit_index <= 0;
        end
    end else if (count != 0) begin
        count <= count - 1'b1;
    end else begin
        count <= FULL;
        if (bit_index == 0) begin
            if (rx_sync)             // a glitch, not a start bit
                busy <= 1'b0;
        end else if (bit_index <= 8) begin
            data <= {rx_sync, data[7:1]};
        end else begin
            busy <= 1'b0;
            valid <= rx_sync;        // a byte without its stop bit is dropped
        end
        bit_index <= bit_index + 1'b1;
    end
    if (rst) begin
        busy <= 1'b0;
        valid <= 1'b0;
    end
end
endmodule

// Bytes onto the serial line; tx idles high.
module qnn_uart_tx #(
    parameter CLKS_PER_BIT = 104
) (
    input  wire       clk,
    input  wire       rst,
    input  wire [7:0] s_data,
    input  wire       s_valid,
    output wire       s_ready,
    output wire       tx
);
localparam CW = $clog2(CLKS_PER_BIT + 1);
localparam [CW-1:0] FULL = CLKS_PER_BIT - 1;

reg [9:0] shift = 10'h3FF;   // stop bit, data, start bit; shifted out from bit 0
reg [3:0] left = 0;          // bits still to send
reg [CW-1:0] count = 0;

assign s_ready = left == 0;
assign tx = shift[0];

always @(posedge clk) begin
    if (left == 0) begin
        if (s_valid) begin
            shift <= {1'b1, s_data, 1'b0};
            left <= 4'd10;
            count <= FULL;
        end
    end else if (count != 0) begin
        count <= count - 1'b1;
    end else begin
        count <= FULL;
        shift <= {1'b1, shift[9:1]};
        left <= left - 1'b1;
    end
    if (rst) begin
        shift <= 10'h3FF;
        left <= 0;
    end
end
endmodule

// Received bytes -> beats. A byte that arrives while a whole beat still
// waits for the accelerator is lost and sets `overrun` (the host keeps
// one frame in flight, which never fills the link: docs/ice40.md).
module qnn_bytes_to_beat #(
    parameter WIDTH = 8
) (
    input  wire             clk,
    input  wire             rst,
    input  wire [7:0]       byte_data,
    input  wire             byte_valid,
    output wire [WIDTH-1:0] m_axis_tdata,
    output reg              m_axis_tvalid = 1'b0,
    input  wire             m_axis_tready,
    output reg              overrun = 1'b0
);
localparam BYTES = (WIDTH + 7) / 8;
localparam IW = BYTES > 1 ? $clog2(BYTES) : 1;
localparam [31:0] LAST_32 = BYTES - 1;
localparam [IW-1:0] LAST = LAST_32[IW-1:0];

reg [8*BYTES-1:0] buffer = 0;
reg [IW-1:0] index = 0;

// the buffer with a received byte in front of it
// (its lowest byte falls out)
/* verilator lint_off UNUSEDSIGNAL */
wire [8*BYTES+7:0] with_byte = {byte_data, buffer};
/* verilator lint_on UNUSEDSIGNAL */

assign m_axis_tdata = buffer[WIDTH-1:0];

always @(posedge clk) begin
    if (m_axis_tvalid && m_axis_tready)
        m_axis_tvalid <= 1'b0;
    if (byte_valid) begin
        if (m_axis_tvalid && !m_axis_tready) begin
            overrun <= 1'b1;
        end else begin
            // least significant byte first: the first byte ends at the bottom
            buffer <= with_byte[8*BYTES+7:8];
            index <= index == LAST ? 0 : index + 1'b1;
            if (index == LAST)
                m_axis_tvalid <= 1'b1;
        end
    end
    if (rst) begin
        index <= 0;
        m_axis_tvalid <= 1'b0;
        overrun <= 1'b0;
    end
end
endmodule

// Beats -> bytes to send, least significant first.
module qnn_beat_to_bytes #(
    parameter WIDTH = 8
) (
    input  wire             clk,
    input  wire             rst,
    input  wire [WIDTH-1:0] s_axis_tdata,
    input  wire             s_axis_tvalid,
    output wire             s_axis_tready,
    output wire [7:0]       byte_data,
    output wire             byte_valid,
    input  wire             byte_ready
);
localparam BYTES = (WIDTH + 7) / 8;
localparam IW = BYTES > 1 ? $clog2(BYTES) : 1;
localparam [31:0] LAST_32 = BYTES - 1;
localparam [IW-1:0] LAST = LAST_32[IW-1:0];

reg [8*BYTES-1:0] buffer = 0;
reg [IW-1:0] index = 0;
reg full = 1'b0;

assign s_axis_tready = !full;
assign byte_data = buffer[7:0];
assign byte_valid = full;

always @(posedge clk) begin
    if (!full) begin
        if (s_axis_tvalid) begin
            buffer <= 0;
            buffer[WIDTH-1:0] <= s_axis_tdata;
            full <= 1'b1;
            index <= 0;
        end
    end else if (byte_ready) begin
        buffer <= buffer >> 8;
        index <= index + 1'b1;
        if (index == LAST)
            full <= 1'b0;
    end
    if (rst) begin
        full <= 1'b0;
        index <= 0;
    end
end
endmodule

`resetall
