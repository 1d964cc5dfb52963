/* Shared by the `mcu` and `npu` emitters (src/emit_mcu*.c, src/emit_npu.c).
 * Both start from the ref target's plan (emit_ref_internal.h: tensors,
 * storage formats, layers, thresholds, the float boundary, main.c, the
 * Makefile) and differ from it in two places:
 *
 *   memory   one static activation arena; every stored tensor gets an offset
 *            in it from its lifetime (emit_mcu_arena.c)
 *   kernels  matrix products and convolutions read their packed weights
 *            from flash directly, with no unpacked working copy in RAM
 *            (emit_mcu_dot.c); the npu target replaces a layer's
 *            MultiThreshold with the BNORM sequence where that is exact
 *
 *   emit_mcu_arena.c   the arena planner
 *   emit_mcu_dot.c     IntMatMul / IntConv layers (CPU and NPU forms)
 *   emit_mcu.c         the driver: model.c, model.h, main.c, Makefile,
 *                      size_report.json; emit_mcu() and the shared
 *                      mcu_generate() the npu target calls
 *   emit_npu.c         the per-layer NPU analysis and npu/layers.json */
#ifndef QONNXC_EMIT_MCU_INTERNAL_H
#define QONNXC_EMIT_MCU_INTERNAL_H

#include "emit_ref_internal.h"
#include "npu_bnorm.h"

/* One stored tensor in the arena. */
typedef struct McuSlot {
    RefTensor *t;           /* the root tensor (not an alias) */
    int64_t bytes;
    int64_t offset;
    int def, last;          /* lifetime in layer indices, inclusive */
} McuSlot;

typedef struct McuArena {
    McuSlot *slots;
    int n;
    int64_t bytes;          /* the arena: the highest slot end, 8-aligned */
    int64_t lower_bound;    /* the most bytes alive at one time */
    int64_t two_largest;    /* the largest sum of two tensors alive together */
} McuArena;

/* ---- emit_mcu_arena.c ---- */
bool mcu_arena_plan(RefPlan *p, McuArena *a, Diag *d);
void mcu_arena_free(McuArena *a);
/* The slot of t (or of the tensor t aliases); NULL when t is not stored. */
const McuSlot *mcu_arena_slot(const McuArena *a, const RefTensor *t);

/* Per layer, for the npu target (NULL for mcu). */
typedef struct McuNpuLayer {
    bool on_npu;
    NpuBnorm *ch;           /* out_c entries when on_npu */
    char reason[256];       /* why it runs on the CPU */
} McuNpuLayer;

/* What one layer costs, for size_report.json. */
typedef struct McuLayerStats {
    int64_t weight_bytes;
    int64_t threshold_bytes;  /* thresholds, or the NPU's bias/scale/shift */
    int64_t macs;
    int64_t in_c, out_c;
    qc_dtype wdt;
    bool dot;
} McuLayerStats;

/* Quant headers the mcu/npu code includes, by name (a superset of the
 * ref target's list). */
typedef struct McuHeaders {
    bool ref[QH_COUNT];
    bool bnorm;             /* qc_bnorm_requant.h */
    bool xnor32;            /* qc_xnor.h */
} McuHeaders;

/* ---- emit_mcu_dot.c ---- */
/* The accumulator range of a dot layer as the kernels see it. */
bool mcu_dot_acc_range(RefPlan *p, const RefLayer *l, int64_t *lo, int64_t *hi, Diag *d);
/* Per output channel, the accumulators the layer can reach: the sums of
 * the extreme products of the channel's weights with the input's range,
 * within mcu_dot_acc_range. lo and hi hold out_c entries. */
bool mcu_dot_channel_ranges(RefPlan *p, const RefLayer *l, int64_t *lo, int64_t *hi, Diag *d);
/* Geometry the NPU analysis needs: channels, groups, kernel width and
 * weight datatype, into desc. */
bool mcu_dot_desc(RefPlan *p, const RefLayer *l, NpuLayerDesc *desc, Diag *d);
bool mcu_emit_dot(RefPlan *p, RefLayer *l, const McuNpuLayer *npu, TextBuf *data,
                  TextBuf *code, McuHeaders *h, McuLayerStats *st, Diag *d);

/* ---- emit_mcu.c ---- */
/* The mcu-style executor into "<dir>/" of out: dir "mcu" (npu == NULL) or
 * "npu" (npu[k] for each layer of the plan, computed by `analyse`). */
typedef bool (*McuAnalyse)(RefPlan *p, McuNpuLayer *npu, void *ctx, Diag *d);
bool mcu_generate(const Graph *g, const char *model_path, const char *name, const char *dir,
                  McuAnalyse analyse, void *ctx, OutTree *out, Diag *d);

#endif
