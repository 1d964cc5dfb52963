`default_nettype none
`timescale 1ns / 1ps

/*
 * Matrix-vector-activation unit: for every input vector x of MW elements
 *
 *     acc[h] = sum_w x[w] * W[h][w]          (integer mode)
 *     acc[h] = count_w (x[w] == W[h][w])     (BINARY: XNOR-popcount)
 *
 * for h < MH, then either the accumulators go out (N_THRESHOLDS = 0) or a
 * qnn_threshold instance turns them into activations
 * out = OUT_BIAS + OUT_SCALE * count(acc >= T[h][t]).
 *
 * Folding: PE rows and SIMD columns per cycle. A vector arrives as
 * SF = MW / SIMD beats of SIMD elements; it is used NF = MH / PE times,
 * once per group of PE rows, and leaves as NF beats of PE elements (row
 * nf*PE + p in lane p). One (nf, sf) step per cycle, so a vector takes
 * NF * SF cycles at full throughput and the next one starts right after.
 * The first pass (nf = 0) takes the beats from the input stream and keeps
 * them in a buffer of SF beats; the passes nf > 0 read that buffer.
 *
 * Weights: memory file WEIGHT_FILE ($readmemh), NF * SF words, word
 * nf * SF + sf holding the PE x SIMD block W[nf*PE + p][sf*SIMD + s] with
 * element (p, s) in bits [(p*SIMD + s)*W_BITS +: W_BITS] (qc_pack codes
 * of the weight datatype). Thresholds as in qnn_threshold, one word per
 * nf, with CHANNELS = MH.
 *
 * Element types: IN_BITS/W_BITS wide codes, two's complement when
 * *_SIGNED, unsigned otherwise, or BIPOLAR (1 bit, 1 = +1, 0 = -1) when
 * *_BIPOLAR, as products use them in integer mode. BINARY needs both
 * operands bipolar and counts matches instead (acc in 0..MW).
 *
 * Pipeline: issue (memory reads) -> multiply and add the SIMD products of
 * each lane -> accumulate -> accumulator register (-> qnn_threshold, three
 * more stages). It stalls only when a finished accumulator meets a full
 * accumulator register that is not being taken. At full throughput the
 * last output beat of a vector leaves 3 cycles after its last step (6 with
 * thresholds).
 */
module qnn_mvau #(
    // columns (input vector length) and rows (outputs per vector)
    parameter MW = 16,
    parameter MH = 8,
    // columns and rows per cycle; SIMD divides MW, PE divides MH
    parameter SIMD = 4,
    parameter PE = 2,
    // 1: XNOR-popcount (bipolar x bipolar, acc = matching positions)
    parameter BINARY = 0,
    // input element: width, two's complement, bipolar (1 bit, 1 = +1)
    parameter IN_BITS = 4,
    parameter IN_SIGNED = 1,
    parameter IN_BIPOLAR = 0,
    // weight element: width, two's complement, bipolar
    parameter W_BITS = 4,
    parameter W_SIGNED = 1,
    parameter W_BIPOLAR = 0,
    // accumulator width; ACC_SIGNED: how thresholds compare it (0 for the
    // unsigned count of BINARY). Must hold every partial sum.
    parameter ACC_BITS = 16,
    parameter ACC_SIGNED = 1,
    // thresholds per row; 0: the accumulators go out (OUT_BITS = ACC_BITS)
    parameter N_THRESHOLDS = 0,
    // threshold width (two's complement)
    parameter T_BITS = ACC_BITS + 1,
    // output element width and out = OUT_BIAS + OUT_SCALE * count
    parameter OUT_BITS = ACC_BITS,
    parameter OUT_SCALE = 1,
    parameter OUT_BIAS = 0,
    // 1: BIPOLAR output, one bit, 1 for out >= 0
    parameter OUT_BIPOLAR = 0,
    // $readmemh files (layouts above)
    parameter WEIGHT_FILE = "weights.hex",
    parameter THRESH_FILE = "thresholds.hex",
    // the weight memory's ram_style: "block", "distributed" (LUTs), or
    // "auto" (no attribute: the synthesis tool decides); the emitter
    // passes the kind the estimate assumes (docs/dataflow.md)
    parameter WEIGHT_RAM_STYLE = "auto"
) (
    input  wire                   clk,
    input  wire                   rst,

    // input stream: SIMD elements of IN_BITS per beat
    input  wire [SIMD*IN_BITS-1:0] s_axis_tdata,
    input  wire                   s_axis_tvalid,
    output wire                   s_axis_tready,

    // output stream: PE elements of OUT_BITS per beat
    output wire [PE*OUT_BITS-1:0] m_axis_tdata,
    output wire                   m_axis_tvalid,
    input  wire                   m_axis_tready
);

// string comparisons widen the shorter string: fine here, not a width bug
/* verilator lint_off WIDTH */
localparam W_BLOCK = WEIGHT_RAM_STYLE == "block";
localparam W_DISTRIBUTED = WEIGHT_RAM_STYLE == "distributed";
localparam W_AUTO = WEIGHT_RAM_STYLE == "auto";
/* verilator lint_on WIDTH */
localparam SF = MW / SIMD;                  // input beats per vector
localparam NF = MH / PE;                    // output beats per vector
localparam SF_WIDTH = SF > 1 ? $clog2(SF) : 1;
localparam NF_WIDTH = NF > 1 ? $clog2(NF) : 1;
localparam WADDR_WIDTH = NF * SF > 1 ? $clog2(NF * SF) : 1;
localparam [31:0] LAST_SF_32 = SF - 1;
localparam [31:0] LAST_NF_32 = NF - 1;
localparam [31:0] LAST_WADDR_32 = NF * SF - 1;
localparam [SF_WIDTH-1:0] LAST_SF = LAST_SF_32[SF_WIDTH-1:0];
localparam [NF_WIDTH-1:0] LAST_NF = LAST_NF_32[NF_WIDTH-1:0];
localparam [WADDR_WIDTH-1:0] LAST_WADDR = LAST_WADDR_32[WADDR_WIDTH-1:0];
localparam IN_BEAT = SIMD * IN_BITS;
localparam W_WORD = PE * SIMD * W_BITS;
// a product in a width that holds it whatever the element types
localparam PROD_BITS = IN_BITS + W_BITS + 2;
localparam MUL_BITS = ACC_BITS > PROD_BITS ? ACC_BITS : PROD_BITS;

initial begin
    if (SIMD < 1 || MW % SIMD != 0 || PE < 1 || MH % PE != 0) begin
        $display("Error: SIMD must divide MW and PE must divide MH (instance %m)");
        $finish;
    end
    if (BINARY != 0 && (IN_BITS != 1 || W_BITS != 1)) begin
        $display("Error: BINARY needs IN_BITS = W_BITS = 1 (instance %m)");
        $finish;
    end
    if ((IN_BIPOLAR != 0 && IN_BITS != 1) || (W_BIPOLAR != 0 && W_BITS != 1)) begin
        $display("Error: bipolar elements are 1 bit wide (instance %m)");
        $finish;
    end
    if (ACC_BITS < 2 || ACC_BITS > 32 || (BINARY != 0 && ACC_BITS < 31 && (1 << ACC_BITS) <= MW)) begin
        $display("Error: ACC_BITS must be 2..32 and hold the accumulator (instance %m)");
        $finish;
    end
    if (N_THRESHOLDS == 0 && OUT_BITS != ACC_BITS) begin
        $display("Error: without thresholds OUT_BITS must equal ACC_BITS (instance %m)");
        $finish;
    end
    if (!W_BLOCK && !W_DISTRIBUTED && !W_AUTO) begin
        $display("Error: WEIGHT_RAM_STYLE must be \"block\", \"distributed\" or \"auto\" (instance %m)");
        $finish;
    end
    if (N_THRESHOLDS < 0) begin
        $display("Error: N_THRESHOLDS must be 0 or more (instance %m)");
        $finish;
    end
end


// The accumulator stream between the MAC pipeline and the activation.
reg                   acc_valid_reg = 1'b0;
reg [PE*ACC_BITS-1:0] acc_data_reg;
wire                  acc_ready;

// ---- issue: one (nf, sf) step per cycle ---------------------------------

reg [SF_WIDTH-1:0]    sf_reg = 0;
reg [NF_WIDTH-1:0]    nf_reg = 0;
reg [WADDR_WIDTH-1:0] waddr_reg = 0;

// the pipeline moves unless a finished accumulator cannot be stored
reg  s2_valid_reg = 1'b0, s2_last_reg = 1'b0;
wire en = !(s2_valid_reg && s2_last_reg && acc_valid_reg && !acc_ready);

// the first pass over a vector reads the input stream, the others the buffer
wire from_input = nf_reg == 0;
assign s_axis_tready = en && from_input;
wire issue = en && (!from_input || s_axis_tvalid);

always @(posedge clk) begin
    if (issue) begin
        waddr_reg <= waddr_reg == LAST_WADDR ? 0 : waddr_reg + 1;
        if (sf_reg == LAST_SF) begin
            sf_reg <= 0;
            nf_reg <= nf_reg == LAST_NF ? 0 : nf_reg + 1;
        end else begin
            sf_reg <= sf_reg + 1;
        end
    end
    if (rst) begin
        sf_reg <= 0;
        nf_reg <= 0;
        waddr_reg <= 0;
    end
end

// the weights of the step, and (NF > 1) the input buffer: written on the
// first pass over a vector, read on the later ones
reg [W_WORD-1:0]  w_rdata_reg;
wire [IN_BEAT-1:0] ibuf_rdata;

// The weight ROM in three spellings: an attribute value has to be a literal.
generate
if (W_BLOCK) begin : g_weights_block
    (* ram_style = "block" *)
    reg [W_WORD-1:0] weights [0:NF*SF-1];
    initial $readmemh(WEIGHT_FILE, weights);
    always @(posedge clk)
        if (en)
            w_rdata_reg <= weights[waddr_reg];
end else if (W_DISTRIBUTED) begin : g_weights_distributed
    (* ram_style = "distributed" *)
    reg [W_WORD-1:0] weights [0:NF*SF-1];
    initial $readmemh(WEIGHT_FILE, weights);
    always @(posedge clk)
        if (en)
            w_rdata_reg <= weights[waddr_reg];
end else begin : g_weights_auto
    reg [W_WORD-1:0] weights [0:NF*SF-1];
    initial $readmemh(WEIGHT_FILE, weights);
    always @(posedge clk)
        if (en)
            w_rdata_reg <= weights[waddr_reg];
end
endgenerate

generate
if (NF > 1) begin : g_ibuf
    reg [IN_BEAT-1:0] ibuf [0:SF-1];
    reg [IN_BEAT-1:0] ibuf_rdata_reg;
    always @(posedge clk) begin
        if (issue && from_input)
            ibuf[sf_reg] <= s_axis_tdata;
        if (en)
            ibuf_rdata_reg <= ibuf[sf_reg];
    end
    assign ibuf_rdata = ibuf_rdata_reg;
end else begin : g_no_ibuf
    // one pass per vector: every step reads the input stream
    assign ibuf_rdata = {IN_BEAT{1'b0}};
end
endgenerate

// ---- stage 1: SIMD products of each lane, summed -------------------------

reg               s1_valid_reg = 1'b0;
reg               s1_from_input_reg, s1_first_reg, s1_last_reg;
reg [IN_BEAT-1:0] s1_data_reg;

always @(posedge clk) begin
    if (en) begin
        s1_valid_reg <= issue;
        s1_from_input_reg <= from_input;
        s1_first_reg <= sf_reg == 0;
        s1_last_reg <= sf_reg == LAST_SF;
        s1_data_reg <= s_axis_tdata;
    end
    if (rst)
        s1_valid_reg <= 1'b0;
end

wire [IN_BEAT-1:0] x = s1_from_input_reg ? s1_data_reg : ibuf_rdata;

// An element's value in MUL_BITS two's complement: bipolar 1/0 -> +1/-1.
function signed [MUL_BITS-1:0] in_value(input [IN_BITS-1:0] code);
    if (IN_BIPOLAR != 0)
        in_value = code[0] ? {{(MUL_BITS-1){1'b0}}, 1'b1} : {MUL_BITS{1'b1}};
    else if (IN_SIGNED != 0)
        in_value = {{(MUL_BITS-IN_BITS){code[IN_BITS-1]}}, code};
    else
        in_value = {{(MUL_BITS-IN_BITS){1'b0}}, code};
endfunction

function signed [MUL_BITS-1:0] w_value(input [W_BITS-1:0] code);
    if (W_BIPOLAR != 0)
        w_value = code[0] ? {{(MUL_BITS-1){1'b0}}, 1'b1} : {MUL_BITS{1'b1}};
    else if (W_SIGNED != 0)
        w_value = {{(MUL_BITS-W_BITS){code[W_BITS-1]}}, code};
    else
        w_value = {{(MUL_BITS-W_BITS){1'b0}}, code};
endfunction

// the true sums fit ACC_BITS; wider bits of the MUL_BITS arithmetic are dropped
/* verilator lint_off UNUSEDSIGNAL */
reg signed [MUL_BITS-1:0] lane_sum;
/* verilator lint_on UNUSEDSIGNAL */
reg [PE*ACC_BITS-1:0]     partial;
integer p, s;

always @* begin
    for (p = 0; p < PE; p = p + 1) begin
        lane_sum = 0;
        for (s = 0; s < SIMD; s = s + 1) begin
            if (BINARY != 0)
                // XNOR: +1 where input and weight bits agree
                lane_sum = lane_sum + {{(MUL_BITS-1){1'b0}},
                                       ~(x[s] ^ w_rdata_reg[p*SIMD + s])};
            else if (W_BIPOLAR != 0)
                // a +-1 weight only picks the input's sign: an add or a
                // subtract, where a product would make synthesis use a DSP
                lane_sum = w_rdata_reg[p*SIMD + s]
                               ? lane_sum + in_value(x[s*IN_BITS +: IN_BITS])
                               : lane_sum - in_value(x[s*IN_BITS +: IN_BITS]);
            else if (IN_BIPOLAR != 0)
                lane_sum = x[s]
                               ? lane_sum + w_value(w_rdata_reg[(p*SIMD + s)*W_BITS +: W_BITS])
                               : lane_sum - w_value(w_rdata_reg[(p*SIMD + s)*W_BITS +: W_BITS]);
            else
                lane_sum = lane_sum +
                    in_value(x[s*IN_BITS +: IN_BITS]) *
                    w_value(w_rdata_reg[(p*SIMD + s)*W_BITS +: W_BITS]);
        end
        partial[p*ACC_BITS +: ACC_BITS] = lane_sum[ACC_BITS-1:0];
    end
end

// ---- stage 2: accumulate over the SF steps of a row group ----------------

reg                   s2_first_reg;
reg [PE*ACC_BITS-1:0] s2_partial_reg;
reg [PE*ACC_BITS-1:0] acc_reg;
reg [PE*ACC_BITS-1:0] acc_sum;
integer q;

always @(posedge clk) begin
    if (en) begin
        s2_valid_reg <= s1_valid_reg;
        s2_first_reg <= s1_first_reg;
        s2_last_reg <= s1_last_reg;
        s2_partial_reg <= partial;
    end
    if (rst)
        s2_valid_reg <= 1'b0;
end

always @* begin
    for (q = 0; q < PE; q = q + 1)
        acc_sum[q*ACC_BITS +: ACC_BITS] =
            (s2_first_reg ? {ACC_BITS{1'b0}} : acc_reg[q*ACC_BITS +: ACC_BITS]) +
            s2_partial_reg[q*ACC_BITS +: ACC_BITS];
end

always @(posedge clk) begin
    if (en && s2_valid_reg)
        acc_reg <= acc_sum;
    // a finished row group goes to the accumulator register
    if (en && s2_valid_reg && s2_last_reg) begin
        acc_valid_reg <= 1'b1;
        acc_data_reg <= acc_sum;
    end else if (acc_ready) begin
        acc_valid_reg <= 1'b0;
    end
    if (rst)
        acc_valid_reg <= 1'b0;
end

// ---- activation -----------------------------------------------------------

generate
if (N_THRESHOLDS > 0) begin : g_threshold

    qnn_threshold #(
        .CHANNELS(MH),
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
        .s_axis_tdata(acc_data_reg),
        .s_axis_tvalid(acc_valid_reg),
        .s_axis_tready(acc_ready),
        .m_axis_tdata(m_axis_tdata),
        .m_axis_tvalid(m_axis_tvalid),
        .m_axis_tready(m_axis_tready)
    );

end else begin : g_acc_out

    assign m_axis_tdata = acc_data_reg;
    assign m_axis_tvalid = acc_valid_reg;
    assign acc_ready = m_axis_tready;

end
endgenerate

endmodule

`resetall
