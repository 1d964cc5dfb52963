/* Helpers shared by the ONNX math ops (ir/op_elementwise.c, op_matmul.c,
 * op_gemm.c, op_conv.c, op_batchnorm.c, op_pool.c, op_softmax.c,
 * op_argmax.c): input and type checks, integer wrapping, a broadcasting
 * walk for elementwise ops, and the sliding-window geometry (kernel,
 * strides, dilations, pads, auto_pad, ceil_mode) of Conv and the pools. */
#ifndef QONNXC_OP_MATH_H
#define QONNXC_OP_MATH_H

#include "op_util.h"

/* The opset deciding a node's semantics: the one the model imports, or the
 * newest this code knows when there is none (graphs built by tests). */
#define MATH_OPSET_NEWEST 22
int64_t math_opset(const Node *n);

/* Error unless input value k is present. */
bool math_need_input(const OpCtx *ctx, const Node *n, const Value *const *in, int k);
/* Error unless v is held in float storage ("<what> must be a float tensor"). */
bool math_need_float(const OpCtx *ctx, const Node *n, const Value *v, const char *what);
/* The same for a tensor's static type; an unknown type passes. */
bool math_infer_float(const OpCtx *ctx, const Node *n, const Tensor *t, const char *what);

/* v reduced to the range of an integral element type, two's complement
 * wrap-around as in C and numpy (BOOL: non-zero is 1; INT64 and UINT64
 * unchanged: UINT64 is held as its bit pattern). */
int64_t math_wrap_int(int elem_type, int64_t v);
/* x truncated toward zero to int64, saturating (NaN: 0); out-of-range
 * conversions are undefined in C. */
int64_t math_int_from_double(double x);

/* The float32 result of sum over q < k of a[q * as] * b[q * bs], summed
 * as `sum` says (ops.h GoldenSum): the path Conv, MatMul and Gemm take
 * when they are not summing in float32 natural order. */
float math_dot_as(GoldenSum sum, const float *a, int64_t as, const float *b, int64_t bs,
                  int64_t k);

/* ---- broadcasting walk ------------------------------------------------- */

/* The output of a broadcast between inputs a and b, with dims of extent 1
 * dropped and neighbouring dims merged wherever both inputs step through
 * them as one, so the innermost dim is as long as possible. Each input's
 * stride on the innermost dim is 0 (broadcast) or 1. */
typedef struct BcastPlan {
    int rank;                  /* >= 1 */
    int64_t dims[MAX_RANK];
    int64_t sa[MAX_RANK], sb[MAX_RANK];
} BcastPlan;

void bcast_plan(const Shape *out, const Shape *a, const Shape *b, BcastPlan *p);

/* Walks a plan row by row: call bcast_rows_begin, then for each of
 * bcast_rows(p) rows use it->oa / it->ob (offsets into a and b for the
 * row) and call bcast_rows_next. Rows are p->dims[rank - 1] long and
 * follow each other in the output. */
typedef struct BcastIter {
    int64_t idx[MAX_RANK];
    int64_t oa, ob;
} BcastIter;

int64_t bcast_rows(const BcastPlan *p);
void bcast_rows_begin(BcastIter *it);
void bcast_rows_next(const BcastPlan *p, BcastIter *it);

/* ---- sliding windows --------------------------------------------------- */

/* Spatial ranks handled by Conv and the pools (1-D, 2-D, 3-D). */
#define WIN_MAX_SPATIAL 3

typedef enum { AUTO_PAD_NOTSET, AUTO_PAD_SAME_UPPER, AUTO_PAD_SAME_LOWER, AUTO_PAD_VALID } AutoPad;

typedef struct Window {
    int nsp;                                     /* spatial rank */
    AutoPad auto_pad;
    bool ceil_mode;
    int64_t kernel[WIN_MAX_SPATIAL], stride[WIN_MAX_SPATIAL], dilation[WIN_MAX_SPATIAL];
    int64_t pad_begin[WIN_MAX_SPATIAL], pad_end[WIN_MAX_SPATIAL];
    int64_t in[WIN_MAX_SPATIAL], out[WIN_MAX_SPATIAL];   /* -1 if unknown */
} Window;

/* Window options: which attributes the op has. */
enum { WIN_CEIL_MODE = 1 };

/* Reads and checks kernel_shape, strides, dilations, pads, auto_pad and
 * (with WIN_CEIL_MODE) ceil_mode for nsp spatial dims. `kernel` is the
 * kernel size taken from the weights (Conv), or NULL when kernel_shape is
 * required (pools); when both are given they must agree. */
bool window_read(const OpCtx *ctx, const Node *n, int nsp, const int64_t *kernel, int options,
                 Window *w);
/* Pads (auto_pad) and output extents for the spatial input extents `in`
 * (-1 for unknown: that output extent is unknown too). Error if a window
 * does not fit the padded input. */
bool window_apply(const OpCtx *ctx, const Node *n, const int64_t *in, Window *w);
/* Number of spatial dims of a rank-`rank` N x C x ... tensor, checked to be
 * 1..WIN_MAX_SPATIAL; `what` names the tensor in the error. */
bool window_spatial_rank(const OpCtx *ctx, const Node *n, int rank, const char *what, int *nsp);
/* The window widened to 3 spatial dims by leading dims of extent 1, so
 * loops can be written once for 1-D, 2-D and 3-D. */
void window_to_3d(const Window *w, Window *w3);
/* A pool's window (kernel_shape required, ceil_mode allowed) for nsp
 * spatial dims, and its output shape for X, N x C x spatial: X's with the
 * window's spatial extents. out->rank is -1 while X's rank is unknown. */
bool window_pool_geom(const OpCtx *ctx, const Node *n, int nsp, const Shape *x, Window *w,
                      Shape *out);
/* The second half of window_pool_geom, for a window already read. */
bool window_pool_shape(const OpCtx *ctx, const Node *n, const Shape *x, Window *w, Shape *out);
/* Taps t in [0, kernel) whose position start + t * dilation lies in
 * [lo, hi): *t0 .. *t1 (exclusive). */
void window_tap_range(int64_t start, int64_t kernel, int64_t dilation, int64_t lo, int64_t hi,
                      int64_t *t0, int64_t *t1);
/* The window of output (od, oh, ow) of a 3-D window (window_to_3d): its
 * first position s[a] on each axis (padding counted, so it may be
 * negative) and the taps t0[a] .. t1[a] that fall inside the input. */
void window_taps_at(const Window *w3, int64_t od, int64_t oh, int64_t ow, int64_t s[3],
                    int64_t t0[3], int64_t t1[3]);

#endif
