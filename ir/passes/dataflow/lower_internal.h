/* What the lowering passes (ir/lower_*.c) share: the walk's state and
 * small helpers. Not for use outside ir/lower*.c.
 *
 * The driver (lower_dataflow.c) walks the nodes between InputQuant's
 * output and OutputAffine in graph (topological) order. Every tensor on
 * the way is mapped to the layer output that streams it (TensorSrc); a
 * tensor read twice gets a FORK, and its two readers its two ports. Before
 * a node is lowered its input is selected (lower_use): the driver keeps
 * the tensor the stream carries now and the stream's element order: order[s] is the row-major index, within one
 * frame of that tensor, of stream element s. Images travel NHWC, so after
 * a conv order is the NCHW -> NHWC permutation; layout ops (Reshape,
 * Flatten, Squeeze, Unsqueeze, Identity: op_kind_keeps_order) keep
 * row-major indices and so the order;
 * Transpose maps them. A layer that needs a particular order (a conv
 * needs NHWC) checks it; a MatMul after a flatten absorbs any order into
 * its weight columns. */
#ifndef QONNXC_LOWER_INTERNAL_H
#define QONNXC_LOWER_INTERNAL_H

#include "dataflow.h"
#include "ops.h"

/* Where a tensor of the integer graph streams from. */
typedef struct TensorSrc {
    const Tensor *t;
    int layer, port;      /* the producing layer and output port, or DATAFLOW_INPUT */
    int64_t *order;       /* its stream order (see above) */
    bool forked;          /* a FORK's: each use takes the next port */
    int next_port;
} TensorSrc;

typedef struct Lower {
    const Graph *g;
    const BuildConfig *cfg;
    Dataflow *df;
    Diag *d;
    OpCtx ctx;
    const Tensor *cur;    /* what the stream carries now */
    qc_dtype dt;          /* its datatype */
    int64_t elems;        /* its elements per frame */
    int64_t *order;       /* elems entries (df arena) */
    int src, src_port;    /* the layer output it comes from */
    /* The tensor the last layer wrote and its order (the boundary). */
    const Tensor *last;
    int64_t *last_order;
    TensorSrc *srcs;      /* heap; freed by the driver */
    int n_srcs, cap_srcs;
} Lower;

/* ---- one function per lowering (one file each) ---- */
bool lower_conv(Lower *L, const Node *n);       /* lower_conv.c: IntConv -> SWG + MVAU */
bool lower_matmul(Lower *L, const Node *n);     /* lower_matmul.c: IntMatMul -> MVAU */
bool lower_maxpool(Lower *L, const Node *n);    /* lower_maxpool.c */
bool lower_threshold(Lower *L, const Node *n);  /* lower_threshold.c: fused or standalone */
bool lower_join(Lower *L, const Node *n);       /* lower_join.c: IntAdd, IntScaledAdd -> JOIN */
bool lower_pool(Lower *L, const Node *n);       /* lower_pool.c: IntSumPool -> POOL */
/* lower_labelselect.c: top-k after the last layer; `affine` is the
 * OutputAffine the walk stopped at (NULL when it ended at a graph output). */
bool lower_labelselect(Lower *L, const Node *affine);

/* ---- helpers (lower_util.c) ---- */

/* An error naming the node, exit code EXIT_BAD_MODEL. */
bool lower_fail(Lower *L, const Node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The datatype a tensor of the integer graph is annotated with. */
bool lower_tensor_dt(Lower *L, const Node *n, const Tensor *t, qc_dtype *dt);
/* Makes tensor t (read by node n) the current stream: its datatype, order
 * and producer (a forked tensor's next port). Fails when t does not come
 * from the accelerator input. */
bool lower_use(Lower *L, const Node *n, const Tensor *t);
/* The entry of t, or NULL. */
TensorSrc *lower_src_of(Lower *L, const Tensor *t);
/* Appends a layer for node n, its input stream being the current one. */
Layer *lower_add_layer(Lower *L, LayerKind kind, const char *name, const Node *n);
/* Frame elements of a tensor (every dim but the leading batch of 1). */
int64_t lower_frame_elems(const Tensor *t);
/* The NCHW -> NHWC order for C x H x W (df arena); NULL when out of memory. */
int64_t *lower_nhwc_order(Lower *L, int64_t C, int64_t H, int64_t W);
/* The identity order of n elements (df arena). */
int64_t *lower_identity_order(Lower *L, int64_t n);
bool lower_order_is(const int64_t *order, const int64_t *want, int64_t n);
/* Moves the stream on to tensor t (written by the layer just added when
 * `layer_output`), with the given order, and maps t to it; a tensor read
 * twice gets a FORK. */
bool lower_advance(Lower *L, const Node *n, const Tensor *t, int64_t *order, bool layer_output);
/* The 2-D window of a conv or pool node (kernel from the weights, or NULL
 * for a pool's kernel_shape) into l's geometry fields: image and output
 * sizes from the tensors, kernel, strides, pads. Channels from X. Errors
 * for 1-D/3-D, dilation and an output size the geometry does not give. */
bool lower_window(Lower *L, const Node *n, const int64_t *kernel, int options, Layer *l);
/* A constant integer input of n as int32 (thresholds and weights are
 * checked against this range). */
bool lower_need_i32(Lower *L, const Node *n, int64_t v, const char *what);

#endif
