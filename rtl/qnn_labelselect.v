`default_nettype none
`timescale 1ns / 1ps

/*
 * Top-k label select: reads N values (PE per beat, value i of the frame
 * in beat i / PE, lane i % PE) and writes the indices of the K largest,
 * largest first, ties to the lower index (as numpy's argmax and ONNX TopK),
 * one index per output beat.
 *
 * A list of the K best (value, index) pairs so far, sorted, is kept in
 * registers. Each lane's value is inserted behind every entry that is
 * greater or equal (so an earlier index stays ahead of an equal value):
 * at position pos = number of such entries, the entries from pos on
 * moving down one place. The PE lanes of a beat are inserted one after
 * the other in the same cycle. After the last beat the K indices go out;
 * the input waits meanwhile, so a frame takes N / PE + K cycles.
 */
module qnn_labelselect #(
    // values per frame and values per beat (PE divides N)
    parameter N = 10,
    parameter PE = 1,
    // value width; 1: two's complement, 0: unsigned
    parameter IN_BITS = 8,
    parameter SIGNED = 1,
    // indices written per frame (1..N)
    parameter K = 1,
    // index width (at least $clog2(N), 1 for N = 1)
    parameter OUT_BITS = N > 1 ? $clog2(N) : 1
) (
    input  wire                  clk,
    input  wire                  rst,

    // input stream: the values, PE per beat
    input  wire [PE*IN_BITS-1:0] s_axis_tdata,
    input  wire                  s_axis_tvalid,
    output wire                  s_axis_tready,

    // output stream: K indices, one per beat
    output wire [OUT_BITS-1:0]   m_axis_tdata,
    output wire                  m_axis_tvalid,
    input  wire                  m_axis_tready
);

localparam NB = N / PE;                     // input beats per frame
localparam CW = (NB > K ? NB : K) > 1 ? $clog2(NB > K ? NB : K) : 1;
localparam [31:0] LAST_BEAT_32 = NB - 1, LAST_OUT_32 = K - 1, PE_32 = PE;
localparam [CW-1:0] LAST_BEAT = LAST_BEAT_32[CW-1:0], LAST_OUT = LAST_OUT_32[CW-1:0];
localparam [OUT_BITS-1:0] PE_IDX = PE_32[OUT_BITS-1:0];

initial begin
    if (PE < 1 || N % PE != 0) begin
        $display("Error: PE must divide N (instance %m)");
        $finish;
    end
    if (K < 1 || K > N) begin
        $display("Error: K must be 1..N (instance %m)");
        $finish;
    end
    if (OUT_BITS < 1 || (N > 1 && OUT_BITS < $clog2(N))) begin
        $display("Error: OUT_BITS too narrow for N (instance %m)");
        $finish;
    end
end

// the list: entries 0..K-1, best first; valid entries form a prefix
reg [K*IN_BITS-1:0]  val_reg;
reg [K*OUT_BITS-1:0] idx_reg;
reg [K-1:0]          used_reg = 0;

reg [CW-1:0]       beat_reg = 0;    // input beat, or output index while sending
reg [OUT_BITS-1:0] base_reg = 0;    // index of lane 0 of the current beat
reg                sending_reg = 1'b0;

assign s_axis_tready = !sending_reg;
wire accept = s_axis_tvalid && !sending_reg;

function ge(input [IN_BITS-1:0] a, input [IN_BITS-1:0] b);
    if (SIGNED != 0)
        ge = $signed(a) >= $signed(b);
    else
        ge = a >= b;
endfunction

// the list after inserting the beat's lanes one by one
reg [K*IN_BITS-1:0]  val;
reg [K*OUT_BITS-1:0] idx;
reg [K-1:0]          used;
reg [K-1:0]          ahead;       // entries staying in front of the new value
reg [IN_BITS-1:0]    v;
integer p, k;
// an index below K: for small K only its low bits matter
/* verilator lint_off UNUSEDSIGNAL */
integer prev;
/* verilator lint_on UNUSEDSIGNAL */

always @* begin
    // a new frame starts from an empty list
    val = val_reg;
    idx = idx_reg;
    used = beat_reg == 0 ? {K{1'b0}} : used_reg;
    for (p = 0; p < PE; p = p + 1) begin
        v = s_axis_tdata[p*IN_BITS +: IN_BITS];
        for (k = 0; k < K; k = k + 1)
            ahead[k] = used[k] && ge(val[k*IN_BITS +: IN_BITS], v);
        // from the back: entry k takes entry k-1 if that one is not ahead,
        // the new value if entry k is the first not ahead
        for (k = K - 1; k >= 0; k = k - 1) begin
            prev = k > 0 ? k - 1 : 0;   // never out of range, even where unused
            if (!ahead[k]) begin
                if (k > 0 && !ahead[prev]) begin
                    val[k*IN_BITS +: IN_BITS] = val[prev*IN_BITS +: IN_BITS];
                    idx[k*OUT_BITS +: OUT_BITS] = idx[prev*OUT_BITS +: OUT_BITS];
                    used[k] = used[prev];
                end else begin
                    val[k*IN_BITS +: IN_BITS] = v;
                    idx[k*OUT_BITS +: OUT_BITS] = base_reg + p[OUT_BITS-1:0];
                    used[k] = 1'b1;
                end
            end
        end
    end
end

always @(posedge clk) begin
    if (accept) begin
        val_reg <= val;
        idx_reg <= idx;
        used_reg <= used;
        if (beat_reg == LAST_BEAT) begin
            beat_reg <= 0;
            base_reg <= 0;
            sending_reg <= 1'b1;
        end else begin
            beat_reg <= beat_reg + 1;
            base_reg <= base_reg + PE_IDX;
        end
    end
    // while sending, beat_reg counts the indices sent; each shift moves the
    // next one to entry 0
    if (sending_reg && m_axis_tready) begin
        idx_reg <= idx_reg >> OUT_BITS;
        if (beat_reg == LAST_OUT) begin
            beat_reg <= 0;
            sending_reg <= 1'b0;
        end else begin
            beat_reg <= beat_reg + 1;
        end
    end
    if (rst) begin
        beat_reg <= 0;
        base_reg <= 0;
        sending_reg <= 1'b0;
        used_reg <= 0;
    end
end

assign m_axis_tdata = idx_reg[OUT_BITS-1:0];
assign m_axis_tvalid = sending_reg;

endmodule

`resetall
