/* Shared by the files of the `hls` target emitter (hls/emit_hls*.c):
 *
 *   emit_hls_plan.c     the plan: one process (C function) per layer, the
 *                       streams between them, the beat types; checks every
 *                       layer's geometry against its streams
 *   emit_hls_types.c    beat types: typedefs and element get/put helpers
 *   emit_hls_layers.c   one kernel per layer kind (templates: kernels_*.c)
 *   emit_hls_top.c      the DATAFLOW top function and <name>.h
 *   emit_hls_tb.c       the host side, the csim testbench and the Makefile
 *   emit_hls.c          the driver
 *
 * Streams follow the beat format of ir/dataflow.h: a beat packs N elements
 * of B bits, element 0 in the low bits, BIPOLAR as one bit (1 for +1).
 * A beat of up to 64 bits is one unsigned word (uint8/16/32/64_t); a wider
 * one a struct of uint64_t words, word 0 holding the low bits. In the C
 * code a stream is an array that its producer writes and its consumer
 * reads strictly in index order, once per frame (docs/hls.md). */
#ifndef QONNXC_EMIT_HLS_INTERNAL_H
#define QONNXC_EMIT_HLS_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "dataflow.h"
#include "emit_util.h"
#include "qc_dtype.h"

/* A packed word format: n elements of datatype dt. Stream beats and weight
 * words share the formats (and the C types) when they are the same. */
typedef struct HlsType {
    qc_dtype dt;
    int n;                   /* elements per word */
    int bits;                /* n * dt.bits */
    int words;               /* 0: one scalar word; else uint64_t words in a struct */
    char name[48];           /* "int2_x16": the C type is "int2_x16_t" */
    char scalar[12];         /* words == 0: "uint16_t" */
    bool get, put;           /* needs T_get; T_zero and T_put */
    bool matches;            /* needs the XNOR-popcount helper (BIPOLAR only) */
} HlsType;

/* A stream between two processes, or a port of the top. */
typedef struct HlsStream {
    const Stream *s;
    int type;                /* index into HlsPlan.types */
    int64_t depth;           /* FIFO depth (STREAM pragma); FIFO layers set it */
    char name[16];           /* "in", "out", "s1", "s2", ... */
    int from, to;            /* producing / consuming process, -1 for the ports */
} HlsStream;

/* One function of the DATAFLOW region: every layer but FIFO (a FIFO is the
 * depth of the stream it sits on). */
typedef struct HlsProc {
    const Layer *l;
    int index;               /* position in df->layers */
    char fn[64];             /* the C function */
    int in, out;             /* streams */
    int in2, out2;           /* a JOIN's second input, a FORK's second output; else -1 */
} HlsProc;

typedef struct HlsPlan {
    const Dataflow *df;
    const char *name;        /* C prefix, e.g. "tfc_1w1a" */
    char upper[64];          /* the same in capitals */
    HlsType *types;
    int n_types, cap_types;
    HlsStream *streams;
    int n_streams;
    HlsProc *procs;
    int n_procs;
    NameTable names;         /* C names handed out, for uniqueness */
    bool popcount;           /* some type needs hls_popcount64 */
} HlsPlan;

/* ---- emit_hls_plan.c ---- */
bool hls_plan(HlsPlan *p, const Dataflow *df, const char *name, Diag *d);
void hls_plan_free(HlsPlan *p);
/* A C name from `base` not handed out before (suffix _2, _3, ...). */
const char *hls_unique_name(HlsPlan *p, const char *base, char out[64]);
/* The format of n elements of dt (added when new); -1 when out of memory. */
int hls_type(HlsPlan *p, qc_dtype dt, int n);
/* layer_error (ir/dataflow.h) with "hls target: " before the message. */
bool hls_layer_error(Diag *d, const HlsPlan *p, const Layer *l, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* "INT2", "BIPOLAR" */
const char *hls_dt_name(qc_dtype dt, char buf[16]);
/* The narrowest of int8/16/32_t (or uint8/16_t) holding [lo, hi]. */
const char *hls_int_ctype(int64_t lo, int64_t hi);

/* ---- emit_hls_types.c ---- */
/* The typedefs and static inline helpers of every type, for <name>.h:
 * T_zero(), T_get(&b, k), T_put(&b, k, v) (into a zeroed beat), and for
 * BIPOLAR types used by XNOR layers T_matches(&a, &b). */
void hls_emit_types(const HlsPlan *p, TextBuf *h);
/* One word of type t holding values v[0 .. t->n), as a C initializer. */
void hls_emit_word(TextBuf *b, const HlsType *t, const int32_t *v);
/* "INT2 x 16 = 32 bits" */
const char *hls_type_desc(const HlsType *t, char *buf, int size);

/* ---- emit_hls_layers.c ---- */
/* The function of process k into `code`, its constant arrays into `data`. */
bool hls_emit_layer(HlsPlan *p, const HlsProc *pr, TextBuf *data, TextBuf *code, Diag *d);

/* ---- kernels_*.c: the kernel templates ----
 * Text with @KEY@ placeholders, filled by hls_subst. */
typedef struct HlsVar {
    const char *key;         /* "@FN@" */
    char value[512];
} HlsVar;
void hls_subst(TextBuf *out, const char *tmpl, const HlsVar *vars, int n);

extern const char hls_mvau_head[], hls_mvau_mac_xnor[], hls_mvau_mac_int[],
    hls_mvau_act_thresholds[], hls_mvau_act_none[], hls_mvau_tail[];
extern const char hls_window_head[], hls_swg_body[], hls_maxpool_body[], hls_pool_body[],
    hls_window_drain[], hls_swg_pointwise_template[];
extern const char hls_fork_template[], hls_join_head[], hls_join_act_thresholds[],
    hls_join_act_none[], hls_join_tail[];
extern const char hls_vvau_head[], hls_vvau_act_thresholds[], hls_vvau_act_none[],
    hls_vvau_tail[];
extern const char hls_threshold_template[], hls_labelselect_template[], hls_dwc_template[];

/* ---- emit_hls_top.c ---- */
/* The first lines of <name>.c: what it holds, the table of layers. */
void hls_emit_file_comment(const HlsPlan *p, TextBuf *b);
void hls_emit_top(const HlsPlan *p, TextBuf *code);
void hls_emit_header(const HlsPlan *p, TextBuf *h);

/* ---- emit_hls_tb.c ---- */
/* model.h, host.c, csim.c and the Makefile. */
bool hls_emit_host(HlsPlan *p, const char *model_path, OutTree *out, Diag *d);

#endif
