/* The plan of the integer graph that every C target shares (the ref and
 * mcu/npu executors, the hls and rtl hosts), made in src/emit/:
 *
 *   emit_ref_plan.c     how each integer tensor is stored, which nodes
 *                       become one layer function, which static buffer
 *                       holds which tensor
 *   emit_ref_io.c       the float boundary: input quantizer, output affine,
 *                       and the integer-level entry points' conversions
 *   emit_ref_main.c     main.c: the command line with its own .npy I/O
 *
 * Storage (the executor's, not the graph's): every integer tensor is one
 * static array of one of three kinds, chosen from its datatype:
 *
 *   REF_BITS  BIPOLAR: uint64_t words, bits LSB-first along the innermost
 *             axis (qc_xnor64.h), each row padded to whole words with 0
 *   REF_I8    datatypes within int8_t
 *   REF_I32   everything else up to 32 bits
 *
 * Tensors of rank >= 3 (N, C, spatial...) that a convolution, pool,
 * threshold or add touches are stored channels-last (NHWC): the innermost
 * axis is C. Others keep their row-major order, one row per frame. */
#ifndef QONNXC_REF_PLAN_H
#define QONNXC_REF_PLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "emit_util.h"
#include "graph.h"
#include "qc_dtype.h"

typedef enum { REF_BITS, REF_I8, REF_I32 } RefFormat;

typedef struct RefTensor {
    const Tensor *t;
    qc_dtype dt;
    RefFormat fmt;
    Shape shape;             /* logical, as in the graph */
    bool channels_last;
    int64_t count;           /* elements */
    int64_t n;               /* channels-last: leading extent */
    int64_t c;               /* channels-last: channels */
    int64_t s;               /* channels-last: spatial positions (product) */
    int64_t inner;           /* elements of the innermost physical axis */
    int64_t rows;            /* count / inner */
    int64_t row_words;       /* REF_BITS: words per row */
    int64_t size;            /* elements of the C array (words for REF_BITS) */
    struct RefTensor *alias; /* stored in the same array as this tensor */
    int buf;                 /* index of the static buffer, -1 before allocation */
    int def, last;           /* producing layer, last reading layer */
} RefTensor;

typedef enum {
    RL_DOT,        /* IntMatMul / IntConv, optionally + MultiThreshold */
    RL_THRESHOLD,  /* MultiThreshold alone */
    RL_MAXPOOL,    /* IntMaxPool */
    RL_SUMPOOL,    /* IntSumPool */
    RL_ADD,        /* IntAdd, IntScaledAdd */
    RL_COPY,       /* a layout op that moves data */
    RL_ALIAS,      /* a layout op that does not: no code */
} RefLayerKind;

typedef struct RefLayer {
    RefLayerKind kind;
    const Node *node;        /* the main node */
    const Node *thr;         /* RL_DOT: the fused MultiThreshold, or NULL */
    const Node *pool;        /* RL_DOT: the fused IntMaxPool after thr, or NULL */
    bool xnor;               /* RL_DOT: an XNOR-popcount product (int_dot_params) */
    RefTensor *in[2];
    RefTensor *out;
    char fn[64];             /* the C function */
} RefLayer;

typedef struct RefBuffer {
    RefFormat fmt;
    int64_t size;            /* elements (words for REF_BITS) */
    char name[64];
} RefBuffer;

typedef struct RefPlan {
    const Graph *g;
    const char *name;        /* C prefix of the API, e.g. "tfc_1w1a" */
    char upper[64];          /* the same in capitals, for macros */
    const char *model_path;
    const char *target;      /* "ref", "mcu", "npu", "hls", "rtl": named in messages */
    const Tensor *graph_in, *graph_out;
    const Node *input_quant, *output_affine;
    RefTensor *x;            /* InputQuant's output: what <name>_run_int takes */
    RefTensor *y;            /* OutputAffine's input: what <name>_run_int gives */
    RefTensor *tensors;      /* by Tensor.id; .t == NULL for tensors not stored */
    RefLayer *layers;
    int n_layers;
    RefBuffer *bufs;
    int n_bufs;
    NameTable names;         /* C names handed out, for uniqueness */
} RefPlan;

/* ---- emit_ref_plan.c ---- */
/* target names the target being built in messages ("the npu target needs ...").
 * g must have been through the naming step (emit_names.h). */
bool ref_plan(RefPlan *p, const Graph *g, const char *name, const char *model_path,
              const char *target, Diag *d);
void ref_plan_free(RefPlan *p);
/* A C name from `base` not handed out before (suffix _2, _3, ...). */
const char *ref_unique_name(RefPlan *p, const char *base, char out[64]);
const char *ref_ctype(RefFormat f);           /* "uint64_t", "int8_t", "int32_t" */
/* The buffer holding t, by name. */
const char *ref_buf(const RefPlan *p, const RefTensor *t);
/* Physical element index of logical flat index li, and back. */
int64_t ref_phys_index(const RefTensor *t, int64_t li);
/* RL_COPY: for each physical output element, the physical input element
 * it reads (malloc'ed array of out->count; NULL when out of memory). */
int64_t *ref_layout_map(const RefLayer *l);
/* The logical shape as "[1, 64, 28, 28]". */
const char *ref_shape_str(const RefTensor *t, char *buf, int size);
/* Datatype name ("INT8", "BIPOLAR"). */
const char *ref_dt_name(qc_dtype dt, char buf[16]);

/* Quant headers the emitted code may include; `headers` flags are indexed
 * by these. */
typedef enum {
    QH_AXPY, QH_DOT, QH_PACK, QH_THRESHOLD, QH_THRESHOLD_BITS, QH_XNOR64,
    QH_XNOR64_THRESHOLD, QH_COUNT
} RefQuantHeader;
extern const char *const ref_quant_header_names[QH_COUNT];

/* ---- emit_ref_io.c ---- */
/* input_quant(): float frame -> plan->x; output_affine(): plan->y -> float
 * frame; load_int_input() / store_int_output(): int32 frames <-> x / y. */
bool ref_emit_io(RefPlan *p, TextBuf *data, TextBuf *code, bool *headers, Diag *d);
/* input_quant() and load_int_input() alone: the hls target's host side when
 * the accelerator ends in labels, not scores (hls/emit_hls_tb.c). */
bool ref_emit_input_io(RefPlan *p, TextBuf *data, TextBuf *code, bool *headers, Diag *d);

/* ---- emit_ref_main.c ---- */
void ref_emit_main(const RefPlan *p, TextBuf *out);

#endif
