/* The dataflow graph: the integer graph lowered to FINN-style streaming
 * layers, with folding, stream widths and estimates. The one description
 * the hls and rtl backends consume; a backend never re-derives a number
 * stored here (docs/dataflow.md explains every field and formula).
 *
 * The dataflow graph is a DAG kept as a list of layers in topological
 * order: each layer names the layer(s) whose output it reads (Layer.src,
 * src_port), always earlier in the list. A chain is the case where every
 * layer reads the one before it. Branches are explicit: a FORK duplicates
 * one stream onto its two outputs (ports 0 and 1), a JOIN reads two
 * streams. Every output port is read by exactly one layer, except the
 * last layer's, which is the accelerator's output (docs/dataflow.md,
 * "The DAG"). The host side
 * (InputQuant before the first layer, OutputAffine and the float tail after
 * the last) stays in the integer graph and is run by the host code; the
 * boundary fields of Dataflow say which tensors the accelerator reads and
 * writes and in which element order.
 *
 * Streams carry NHWC data, channels innermost. A layer with parallelism P
 * on a stream moves P elements per cycle (beat), element 0 of a beat in
 * the low bits of the word: a beat of an INT4 stream with SIMD=8 is a
 * 32-bit word, element k in bits [4k+3:4k]. Bipolar values travel as one
 * bit, 1 for +1. Elements are two's complement (INTn) or plain binary
 * (UINTn) in their datatype's width.
 *
 * Building one (ir/dataflow_build.c runs the passes in this order, with
 * dataflow_verify after each):
 *
 *   lower_dataflow   integer graph -> MVAU/SWG/MAXPOOL/THRESHOLD/LABELSELECT,
 *                    FORK/JOIN (residual adds), VVAU (depthwise convs),
 *                    POOL (average pools)
 *   fold_dataflow    PE/SIMD from the config, or automatic from target_fps
 *   insert_dwc       a DWC on every edge whose two beat widths differ
 *   insert_fifo      a FIFO on every edge
 *   size_skip_fifos  the depth each JOIN's input FIFO needs for the two
 *                    branches since their FORK not to deadlock
 *   estimate_dataflow cycles, LUT/BRAM18/DSP, bottleneck, fps, latency */
#ifndef QONNXC_DATAFLOW_H
#define QONNXC_DATAFLOW_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "build_config.h"
#include "graph.h"
#include "op_quant.h"
#include "qc_dtype.h"

typedef enum {
    LAYER_MVAU,           /* matrix-vector(-threshold) unit: MatMul, or Conv after a SWG */
    LAYER_SWG,            /* sliding-window generator: NHWC image -> stream of windows */
    LAYER_MAXPOOL,        /* streaming max pool, NHWC */
    LAYER_THRESHOLD,      /* standalone multi-threshold */
    LAYER_LABELSELECT,    /* top-k indices of the last layer's outputs */
    LAYER_DWC,            /* data-width converter between unequal beat widths */
    LAYER_FIFO,           /* a FIFO between two layers */
    LAYER_FORK,           /* one stream duplicated onto two outputs (ports 0, 1) */
    LAYER_JOIN,           /* two streams added element-wise (a residual add), + thresholds */
    LAYER_VVAU,           /* depthwise conv after a SWG: one dot product per channel */
    LAYER_POOL,           /* average pool: window sums, then shift and rounding */
} LayerKind;

/* The producer index of a layer that reads the accelerator's input. */
#define DATAFLOW_INPUT (-1)

/* "MVAU", "SWG", "MaxPool", "Threshold", "LabelSelect", "DWC", "FIFO",
 * "Fork", "Join", "VVAU", "Pool". */
const char *layer_kind_name(LayerKind k);

/* One stream: what flows on it per frame and how wide a beat is. */
typedef struct Stream {
    qc_dtype dt;          /* element datatype (BIPOLAR travels as 1 bit) */
    int64_t elems;        /* elements per frame */
    int elems_per_beat;   /* SIMD or PE of the layer that moves it */
    int64_t beats;        /* beats per frame: elems / elems_per_beat */
    int bits;             /* beat width in bits: elems_per_beat * dt.bits */
} Stream;

/* What estimate_layer computes for one layer (docs/dataflow.md). */
typedef struct LayerEstimate {
    int64_t cycles;       /* per frame, at steady state (initiation interval) */
    int64_t latency;      /* cycles a frame spends in it (cycles; 2 for DWC, FIFO) */
    int64_t luts, bram18, dsp;
    int64_t weight_bits;  /* MVAU weights + thresholds held in the layer */
} LayerEstimate;

typedef struct Layer {
    LayerKind kind;
    const char *name;     /* unique; the integer-graph node's name (SWG: "<conv>:swg") */
    const Node *node;     /* the node it came from (NULL for DWC, FIFO, LABELSELECT) */
    const Node *thr_node; /* the MultiThreshold fused into an MVAU, or the standalone one */
    Stream in, out;

    /* The DAG edges into this layer: input i (i < n_inputs) is output port
     * src_port[i] of layer src[i] (an earlier layer), or the accelerator
     * input when src[i] == DATAFLOW_INPUT. n_inputs is 2 for a JOIN (in is
     * input 0, in2 input 1), else 1. A FORK has two output ports carrying
     * the same stream `out`; every other layer one (port 0). */
    int n_inputs;
    int src[2], src_port[2];
    Stream in2;

    /* Folding. MVAU: PE output channels and SIMD inputs per cycle.
     * SWG: simd channels per beat in and out (pe == simd). MAXPOOL,
     * THRESHOLD, LABELSELECT, FORK, JOIN, POOL: pe channels per beat
     * (simd == pe). VVAU: pe channels per beat in and out, simd kernel
     * positions per cycle (1: see fold_check). DWC, FIFO: 0. */
    int pe, simd;
    bool target_missed;   /* auto folding could not reach target_fps */

    /* MVAU: out[v][h] = act( sum_w in[v][w] * W[h][w] ), v < vectors.
     * weights: mh * mw values, row h = output channel, columns in the
     * order of the input stream (a conv: kernel row, kernel column, input
     * channel, as the SWG emits; a flattened NCHW image: H, W, C).
     * xnor: in and W are BIPOLAR and the accumulator is the number of
     * positions where they are equal (popcount of XNOR), not the dot
     * product. Without thresholds the accumulator (acc_dt) goes out. */
    int64_t mh, mw, vectors;
    bool xnor;
    qc_dtype wdt, acc_dt;
    int32_t *weights;

    /* VVAU: out[v][c] = act( sum_k in[v][k][c] * W[c][k] ) over the k_h *
     * k_w window positions k of output pixel v (the SWG's [kh][kw][c]
     * order); weights: channels x (k_h * k_w), geometry in the window
     * fields below, vectors the output pixels; wdt, acc_dt as an MVAU's. */

    /* JOIN: out = act( mul_a * in + mul_b * in2 ), element by element
     * (IntAdd: 1, 1; IntScaledAdd: its integer ratio); acc_dt is the sum's
     * datatype, thresholds as below with row = channel. */
    int64_t mul_a, mul_b;

    /* POOL: s = sum of the window's taps inside the image (a padded tap
     * adds 0), out = s when shift == 0, else s / 2^shift rounded by
     * `rounding` (the Trunc's mode), all in integers. */
    int shift;
    QonnxRounding rounding;

    /* MVAU with fused thresholds, and THRESHOLD:
     * out = out_bias + out_scale * count(acc >= thresholds[row][l]),
     * row = channel, or 0 when thresholds_per_channel == 1.
     * Rows ascending; channels are the innermost stream dimension. */
    int n_thresholds;     /* per row; 0: no activation */
    int64_t thresholds_per_channel; /* rows: the channel count, or 1 when one
                                       row is shared by every channel */
    int32_t *thresholds;  /* thresholds_per_channel * n_thresholds */
    int32_t out_scale, out_bias;

    /* SWG, MAXPOOL, POOL, VVAU: NHWC geometry; THRESHOLD, LABELSELECT,
     * FORK, JOIN: channels (the stream's innermost dimension).
     * SWG: out has one window (k_h * k_w * channels elements, order
     * [kh][kw][c]) per output pixel, padding filled with pad_value.
     * MAXPOOL: padding never wins (pad_value is dt's minimum). */
    int64_t channels, in_h, in_w, out_h, out_w;
    int k_h, k_w, stride_h, stride_w, pad_top, pad_left, pad_bottom, pad_right;
    int32_t pad_value;

    /* LABELSELECT: the k largest of `channels` values, as indices, largest
     * first, ties to the lower index. */
    int k;

    /* FIFO: depth in beats. min_depth: what a FIFO on a JOIN's input
     * needs for its FORK's two branches not to deadlock (size_skip_fifos;
     * 0 elsewhere), skip_fork the FORK (-1 elsewhere). */
    int64_t depth, min_depth;
    int skip_fork;

    /* Estimates (estimate_dataflow; docs/dataflow.md gives the formulas) */
    int64_t cycles;       /* per frame */
    int64_t latency;
    int64_t luts, bram18, dsp;
    int64_t weight_bits;
} Layer;

/* Network estimates (estimate_network). */
typedef struct NetworkEstimate {
    int bottleneck;       /* index of the slowest layer (the first on ties) */
    int64_t bottleneck_cycles;
    double fps;           /* clock_mhz * 1e6 / bottleneck_cycles */
    int64_t latency_cycles; /* the longest path's sum of latencies (one frame through an
                               empty pipe; a chain's sum) */
    int64_t luts, bram18, dsp, weight_bits;  /* totals */
} NetworkEstimate;

typedef struct Dataflow {
    Arena arena;          /* names, weights, thresholds, orders; released by dataflow_free */
    const Graph *g;       /* the integer graph (host boundary ops live there) */
    const char *path;     /* model file, for messages */
    int n_layers, cap_layers;
    Layer *layers;        /* heap array (passes insert layers) */

    /* Boundary. The accelerator reads in_tensor (InputQuant's output) and
     * writes out_tensor (the last layer's integer-graph tensor; the host
     * applies the layout ops and OutputAffine after it). Stream element s
     * of a frame is element in_order[s] (out_order[s]) of the tensor's
     * frame in row-major (NCHW) order: NHWC for images. */
    const Tensor *in_tensor, *out_tensor;
    int64_t in_elems, out_elems;
    int64_t *in_order, *out_order;
    /* With LabelSelect the accelerator writes k class indices per frame
     * (UINT) instead of out_tensor: top-k of the model's scores. */
    bool labels_out;
    /* Set by insert_dwc: from then on neighbouring beat widths are equal. */
    bool widths_matched;

    /* Settings the passes used */
    double clock_mhz;
    double target_fps;    /* 0 when folding was manual */
    int64_t max_weight_stream_bits;

    /* Network estimates (estimate_dataflow) */
    int bottleneck;       /* index of the slowest layer (the first on ties) */
    int64_t bottleneck_cycles, latency_cycles;
    double fps;
    int64_t total_luts, total_bram18, total_dsp, total_weight_bits;
} Dataflow;

/* ---- building (ir/dataflow_build.c): every pass below, in order ---- */

/* Lowers, folds, inserts DWCs and FIFOs and estimates; cfg may be NULL
 * (defaults). On failure df is freed and d names the node or layer. The
 * integer graph must outlive df. */
bool dataflow_build(const Graph *g, const BuildConfig *cfg, Dataflow *df, Diag *d);
void dataflow_free(Dataflow *df);

/* ---- the passes (one file each) ---- */

/* ir/lower_dataflow.c: integer graph -> layers with PE = SIMD = 1 and
 * the boundary; on failure df is freed. */
bool lower_dataflow(const Graph *g, const BuildConfig *cfg, Dataflow *df, Diag *d);
/* ir/fold.c: PE/SIMD of every layer (explicit entries of cfg, else
 * automatic when cfg->target_fps > 0, else MVAUs 1 x 1 and streaming
 * layers the parallelism of the stream they read; a SWG its MVAU's
 * SIMD), then fold_check with the config line in the message. */
bool fold_dataflow(Dataflow *df, const BuildConfig *cfg, Diag *d);
/* ir/fold_auto.c: the smallest folding that meets cfg->target_fps for
 * every layer not in `fixed` (n_layers flags), SIMD first then PE, weight
 * stream width capped; marks target_missed on layers that cannot. */
void fold_auto(Dataflow *df, const BuildConfig *cfg, const bool *fixed);
/* ir/fold.c: checks MH % PE, MW % SIMD, C % SIMD (SWG), C % PE (MaxPool,
 * Threshold, LabelSelect) and the SWG's SIMD equal to its MVAU's. */
bool fold_check(const Dataflow *df, Diag *d);
/* ir/insert_dwc.c */
bool insert_dwc(Dataflow *df, Diag *d);
/* ir/insert_fifo.c: depth from the consumer's config entry, cfg->fifo_depth
 * or DEFAULT_FIFO_DEPTH. */
bool insert_fifo(Dataflow *df, const BuildConfig *cfg, Diag *d);
/* ir/skip_fifo.c: min_depth of every FIFO in front of a JOIN from its two
 * branches back to their FORK (docs/dataflow.md, "Skip FIFOs"). A
 * fifo_depth the JOIN's folding entry sets below it is an error naming the
 * join, the fork and the depth needed (EXIT_USAGE); a depth from the
 * config's global fifo_depth or the default is raised to it. */
bool size_skip_fifos(Dataflow *df, const BuildConfig *cfg, Diag *d);
/* ir/estimate.c: fills every layer's estimate fields and the network's. */
void estimate_dataflow(Dataflow *df);

/* ---- analyses (return data, change nothing) ---- */

/* ir/estimate.c. layer_cycles uses only the geometry and folding (and
 * the streams for DWC, FIFO), so folding can try candidates with it. */
int64_t layer_cycles(const Layer *l);
LayerEstimate estimate_layer(const Layer *l);
NetworkEstimate estimate_network(const Dataflow *df);
/* RAMB18 count for a memory of depth x width bits (best aspect ratio). */
int64_t bram18_for(int64_t depth, int64_t width);
/* The memory kind the estimate counts, for the backends to ask for the
 * same (rtl's ram_style): an MVAU's weight ROM is block RAM above 128
 * words (MH * MW / (PE * SIMD)), a FIFO above 256 beats; below, LUTs. */
bool mvau_weights_in_bram(const Layer *l);
bool fifo_in_bram(const Layer *l);

/* ---- helpers (ir/dataflow.c) ---- */

/* Sets every layer's in/out elems_per_beat, beats and bits from its
 * folding (dt and elems are set by lowering). */
void dataflow_set_streams(Dataflow *df);
/* Invariants: every edge joins streams with equal dt, elems (and beat
 * widths after insert_dwc); producers come first; every output port is
 * read once (the last layer's is the accelerator output); folding divides
 * what it folds; sizes consistent. */
bool dataflow_verify(const Dataflow *df, Diag *d);
/* A new layer inserted at index k (zeroed but kind and name; one input,
 * from layer k - 1, or the accelerator input at k == 0); the edges of the
 * layers after it are renumbered. Pointers into df->layers are
 * invalidated. NULL when out of memory. */
Layer *dataflow_insert_layer(Dataflow *df, int k, LayerKind kind, const char *name);
/* A new layer on input `in` of layer k: inserted at index k, it reads
 * what that input read and layer k + 1 (the old k) reads its output. */
Layer *dataflow_insert_on_edge(Dataflow *df, int k, int in, LayerKind kind, const char *name);
/* The layer reading output `port` of layer k (DATAFLOW_INPUT: the
 * accelerator input), and which of its inputs, or -1 (the accelerator
 * output, or nobody). */
int dataflow_consumer(const Dataflow *df, int k, int port, int *input);
/* The stream on input i of layer l (in, or in2 for a JOIN's second). */
const Stream *layer_input(const Layer *l, int i);
/* Output ports of a layer: 2 for a FORK, else 1. */
int layer_outputs(const Layer *l);
/* Whether every layer reads the one before it (no FORK, no JOIN). */
bool dataflow_is_chain(const Dataflow *df);
/* Index of the layer named `name`, -1 if none. */
int dataflow_find_layer(const Dataflow *df, const char *name);
/* Index of the n-th MVAU (0-based), -1 if none. */
int dataflow_mvau_layer(const Dataflow *df, int n);
/* The MVAU or VVAU a SWG feeds (through FIFOs and DWCs), -1 if none. */
int dataflow_swg_consumer(const Dataflow *df, int swg);
/* A layer-scoped error: "<model>: layer '<name>' (<kind>): ...". */
bool layer_error(Diag *d, const Dataflow *df, const Layer *l, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The same with `prefix` before the message (a target's "hls target: "),
 * for a target's own layer_error. */
bool layer_verror(Diag *d, const Dataflow *df, const Layer *l, const char *prefix,
                  const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));

/* ---- the element-level executor (ir/dataflow_exec.c) ---- */

/* Runs one frame through the layers: in[] holds df->in_elems stream
 * elements (in stream order), out[] receives the last layer's out.elems.
 * POOL's rounding is dataflow_shift_round.
 * Folding does not change element order, so this is what every backend
 * must stream; tests compare it with the int engine. */
bool dataflow_exec_frame(const Dataflow *df, const int64_t *in, int64_t *out, Diag *d);
/* sum / 2^shift rounded by the QONNX mode, in integers (the Trunc's). */
int64_t dataflow_shift_round(int64_t sum, int shift, QonnxRounding mode);

#endif
