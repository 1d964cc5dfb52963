/* Shared by the files of the `ref` target emitter (src/ref/emit_ref*.c):
 *
 *   emit_ref_dot.c      IntMatMul / IntConv layers: kernels and weights
 *   emit_ref_layers.c   the other layers, and the pieces all layers share
 *                       (weight datatypes, window geometry, thresholds)
 *   emit_ref_makefile.c the Makefile
 *   emit_ref.c          the driver: model.h, model.c, the quant core files
 *
 * on top of the plan, the float boundary and main.c, which the hls and rtl
 * hosts share (src/emit/ref_plan.h). */
#ifndef QONNXC_EMIT_REF_INTERNAL_H
#define QONNXC_EMIT_REF_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "emit_util.h"
#include "graph.h"
#include "qc_dtype.h"
#include "ref_plan.h"

/* ---- emit_ref_layers.c ---- */
/* The C of layer l: its const arrays into `data`, its function into
 * `code`; sets the flags of the quant headers it uses in `headers`. */
bool ref_emit_layer(RefPlan *p, RefLayer *l, TextBuf *data, TextBuf *code, bool *headers,
                    Diag *d);
/* The integer range of t from its datatype annotation. */
bool ref_acc_range(const RefPlan *p, const Node *n, const Tensor *t, int64_t *lo, int64_t *hi,
                   Diag *d);
/* Input k of n as an integer constant, or NULL with an error. */
const Value *ref_const_int(const RefPlan *p, const Node *n, int k, const char *what, Diag *d);
/* A weight tensor's datatype: its annotation qdt, else the tightest of
 * BIPOLAR / INTn / UINTn holding its values. */
bool ref_weight_dtype(const RefPlan *p, const Node *n, const Value *w, const char *qdt,
                      qc_dtype *dt, Diag *d);
/* A C expression constructing dt ("qc_dtype_int(2)"). */
const char *ref_dtype_ctor(qc_dtype dt, char buf[32]);

/* A 1-D or 2-D window (convolution or pool) over a one-frame channels-last
 * tensor; 1-D has H = 1. */
typedef struct RefWin {
    int64_t kh, kw, sh, sw, dh, dw, pt, pl;
    int64_t in_h, in_w, out_h, out_w;
    bool padded;             /* some taps fall outside the input */
} RefWin;
/* The window of node n (kernel from `kernel`, or from kernel_shape when
 * NULL) over x. */
bool ref_window(const RefPlan *p, const Node *n, const RefTensor *x, const int64_t *kernel,
                RefWin *w, Diag *d);

/* A MultiThreshold as constants: out = bias + scale * count(x >= t). */
typedef struct RefThresholds {
    const Node *n;
    int64_t rows, levels;    /* T is [rows, levels], rows 1 or channels */
    int64_t scale, bias;
    bool to_bits;            /* BIPOLAR output: one threshold, -1 / +1 */
    int32_t *t;              /* clamped, rows * levels (expanded to channels for bits) */
    char name[64];           /* the const array */
} RefThresholds;
/* Reads MultiThreshold n on input values in [lo, hi] (x: the stored input
 * when it is a tensor, NULL when fused) for `channels` channels; the array
 * is named after the layer function fn. */
bool ref_thresholds_read(RefPlan *p, const Node *n, const char *fn, const RefTensor *x,
                         const RefTensor *out, int64_t channels, int64_t lo, int64_t hi,
                         RefThresholds *th, Diag *d);
void ref_thresholds_emit(const RefThresholds *th, int64_t lo, int64_t hi, TextBuf *data);
/* The same thresholds stored by level, [levels][rows], for a count that
 * runs across the channels and vectorizes (ref_count_store); false when
 * out of memory. Not for BIPOLAR outputs. */
bool ref_thresholds_emit_by_level(const RefThresholds *th, int64_t lo, int64_t hi, TextBuf *data);
/* The MultiThreshold fused after layer l's matrix product or convolution of
 * out_c channels, accumulators in [lo, hi]: read into th when l has one
 * (the caller frees th->t); without one, l's output must not be BIPOLAR.
 * `target` names the target in messages. */
bool ref_dot_thresholds(RefPlan *p, const RefLayer *l, int64_t out_c, int64_t lo, int64_t hi,
                        const char *target, RefThresholds *th, Diag *d);
/* Statements storing y = bias + scale * count(x >= t) for i < n, with the
 * thresholds by level (ref_thresholds_emit_by_level): x and y are
 * expressions in the loop variable i; the caller declares i, l and
 * int32_t cnt[n]. */
void ref_count_store(TextBuf *b, const RefThresholds *th, const char *x, const char *y,
                     const char *i, const char *n, const char *ctype, const char *ind);
/* The C expression of one thresholded value: x and channel c expressions. */
void ref_threshold_expr(TextBuf *b, const RefThresholds *th, const char *x, const char *c,
                        const char *ctype);

/* ---- emit_ref_dot.c ---- */
/* Weight k (in the patch's (ky, kx, channel) order) of output channel o:
 * W [K, N] of an IntMatMul, or W [O, C, kh, kw] of an IntConv. */
int32_t ref_weight_at(const Value *w, bool conv, int64_t out_c, int64_t cg, const RefWin *win,
                      int64_t o, int64_t k);
bool ref_emit_dot(RefPlan *p, RefLayer *l, TextBuf *data, TextBuf *code, bool *headers,
                  Diag *d);

/* How the weights of an IntMatMul / IntConv are stored: one row of row_len
 * elements per output channel. XNOR convolutions: a group of `unit` 64-bit
 * words per kernel position; XNOR matrix products: words of
 * matmul_word_bits (64, or 32 for qc_xnor.h); other weights qc_pack'ed at
 * wdt's width, in bytes. */
typedef struct RefWeightRows {
    const Value *w;
    bool conv, xnor;
    RefWin win;
    int64_t out_c, cg, k;
    qc_dtype wdt;
    int64_t unit, row_len;
    int matmul_word_bits;
} RefWeightRows;
/* Layer l's weights packed as r says, as the const array `name` with a
 * comment on their layout; `in_place` adds that the kernels read them
 * packed (mcu/npu), where the ref may unpack a working copy. */
bool ref_emit_weight_rows(RefPlan *p, const RefLayer *l, const RefWeightRows *r,
                          const char *name, bool in_place, TextBuf *data, Diag *d);

/* ---- emit_ref.c (shared with the mcu/npu targets, src/emit_mcu.c) ---- */
/* store_int_input(): the stored input as a logical int32 frame. */
void ref_emit_store_x(const RefPlan *p, TextBuf *code, bool *headers);
/* model.h: the frame sizes (<NAME>_INPUT_SIZE ...), and the return codes
 * and prototypes of the entry points (closing the include guard). */
void ref_emit_size_defines(const RefPlan *p, TextBuf *b);
void ref_emit_api_decls(const RefPlan *p, TextBuf *b);
/* The "layers" section of model.c: its banner, the definition of the
 * LAYER_ATTRIBUTES every layer function carries, and the layer functions. */
void ref_emit_layers_section(const TextBuf *layers, TextBuf *b);
/* <name>_run, <name>_run_int and <name>_quantize_input: x and y are C
 * expressions for the input and output buffers, x_const for x as read. */
void ref_emit_entry_points(const RefPlan *p, const char *x, const char *x_const, const char *y,
                           TextBuf *b);

/* ---- emit_ref_makefile.c ---- */
void ref_emit_makefile(const RefPlan *p, const char *const *c_files, int n, TextBuf *out);

#endif
