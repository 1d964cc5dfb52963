/* What the streamlining passes (ir/streamline_*.c) share: the state of one
 * streamline_graph run, the record of what each float tensor is in
 * integers, and the exact-threshold computation. Not for use outside
 * ir/streamline*.c (tests of the threshold search excepted).
 *
 * The passes rewrite the graph in place without disturbing the float
 * nodes they replace: new integer nodes are appended (and named after the
 * nodes they replace, which are renamed "<name>:float"), the float nodes
 * stay until they are dead, and a table maps each float tensor that has
 * an integer form to an IntInfo. Only streamline_output.c removes nodes
 * (the producers of the tensors OutputAffine takes over). */
#ifndef QONNXC_STREAMLINE_INTERNAL_H
#define QONNXC_STREAMLINE_INTERNAL_H

#include "graph.h"
#include "ops.h"
#include "qc_dtype.h"

/* Longest run of float ops folded into one MultiThreshold. */
#define SL_MAX_CHAIN 32
/* Accumulator ranges up to this many values are enumerated; larger ones
 * are searched by bisection (docs/integer-graph.md). */
#define SL_ENUM_LIMIT ((int64_t)1 << 20)
/* Widest weights and activations the integer graph accepts. */
#define SL_MAX_BITS 8

/* One float op on the way from an integer tensor to a quantizer or to the
 * output: a node of the graph, or a synthetic one standing for part of a
 * node (Gemm's alpha and bias, Conv's bias). It is evaluated with the
 * golden op's own eval: in[] holds its constant inputs, in[data] is
 * replaced by the data. A synthetic node has a name and an op but no input
 * tensors (its inputs are NULL): read a step's constants from in[] only. */
typedef struct ChainStep {
    const Node *node;
    int data;
    int n_in;
    const Value *in[8];
} ChainStep;

typedef struct Chain {
    int n;
    ChainStep step[SL_MAX_CHAIN];
} Chain;

/* What a float tensor of the cleaned graph is in integers. Per channel c
 * (along caxis; C == 1 means one value for the whole tensor) the float
 * value the golden executor holds is
 *
 *     prefix( fl32(scale[c] * (mul * it + add)) )
 *
 * mul, add are 1, 0 except for an XNOR popcount (2, -K: the dot product
 * is 2 * popcount - K). prefix is usually empty. */
typedef struct IntInfo {
    Tensor *src;          /* the float tensor */
    Tensor *it;           /* its integer tensor */
    qc_dtype dt;          /* it's datatype */
    int64_t lo, hi;       /* it's range */
    int caxis;            /* axis of the per-channel vectors below */
    int64_t C;
    double *scale;        /* C entries */
    int64_t *clo, *chi;   /* per-channel range of it, or NULL: [lo, hi] */
    int64_t mul, add;
    Chain prefix;
    /* The weights of the IntMatMul/IntConv computing it (NULL otherwise):
     * a channel's response can be reversed by negating its weights. */
    Value *weights;
    int w_axis;           /* output-channel axis of weights */
} IntInfo;

/* A quantized constant: integer values and scale. */
typedef struct IntWeight {
    const Tensor *src;    /* the float tensor (a quantizer's output, or a Transpose of one) */
    const Node *quant;    /* the quantizer, for messages (NULL for integer-valued constants) */
    Value *q;             /* q - zeropt, in src's shape (malloc'ed) */
    qc_dtype dt;
    int bits;
    int axis;             /* the scale varies along this axis of q; -1: per tensor */
    float *scale;         /* q->shape.dims[axis] entries, or 1 */
    const char *problem;  /* why it cannot be used as integer weights, or NULL */
} IntWeight;

/* A note on why a float node could not be folded, for the error on the
 * quantizer it left stranded. */
typedef struct SlNote {
    const Node *node;
    const Tensor *out;    /* its output, which a later node may take over */
    char name[160];       /* the node's name and op when the note was made */
    char op[40];
    char why[200];
} SlNote;

typedef struct Streamline {
    Graph *g;
    Diag *d;
    OpCtx ctx;
    IntInfo **info;
    int n_info, cap_info;
    IntWeight *w;
    int n_w, cap_w;
    const Node **done;    /* float nodes replaced or folded: dead once the passes end */
    int n_done, cap_done;
    SlNote *notes;
    int n_notes, cap_notes;
    int64_t enum_limit;
} Streamline;

/* ---- the passes, in the order streamline_graph runs them ---- */
bool sl_weights(Streamline *S);        /* streamline_weights.c */
bool sl_input_quant(Streamline *S);    /* streamline_input_quant.c */
bool sl_layers(Streamline *S);         /* streamline_layers.c */
bool sl_output(Streamline *S);         /* streamline_output.c */

/* ---- state and graph building (streamline_build.c) ---- */
void sl_init(Streamline *S, Graph *g, Diag *d);
void sl_free(Streamline *S);

IntInfo *sl_info(const Streamline *S, const Tensor *src);
/* A new record for src with C channels along caxis (scale zeroed, mul 1). */
IntInfo *sl_add_info(Streamline *S, Tensor *src, Tensor *it, qc_dtype dt, int64_t lo,
                     int64_t hi, int caxis, int64_t C);
/* The weights record for a float tensor; for a float constant holding
 * only integers of at most SL_MAX_BITS bits, one is made (scale 1). */
IntWeight *sl_weight(Streamline *S, const Tensor *src);
IntWeight *sl_add_weight(Streamline *S);

void sl_mark_done(Streamline *S, const Node *n);
bool sl_is_done(const Streamline *S, const Node *n);
void sl_note(Streamline *S, const Node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A note on n, or on the node whose output n took over. */
const SlNote *sl_find_note(const Streamline *S, const Node *n);

/* Consumers of t among the graph's nodes not yet done: their count, and
 * the first one in *first (may be NULL). A graph output counts as one. */
int sl_consumers(const Streamline *S, const Tensor *t, Node **first);

bool sl_fail(Streamline *S, const Node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Renames an old node "<name>:float" and returns its original name, for
 * the integer node that replaces it. */
const char *sl_take_name(Streamline *S, Node *old);
/* A tensor for integer values, typed and annotated with dt. */
Tensor *sl_int_tensor(Streamline *S, const char *name, const Shape *shape, qc_dtype dt);
/* A constant holding a copy of v (arena), annotated with dt when valid. */
Tensor *sl_const(Streamline *S, const char *name, const Value *v, qc_dtype dt);
/* A node with its inputs, one output and room for n_attrs attributes; its
 * op resolved. sl_finish_node runs the op's check and infer once the
 * attributes are set. */
Node *sl_node(Streamline *S, const char *name, const char *op_type, const char *domain,
              int n_in, Tensor *const *in, Tensor *out, int n_attrs);
bool sl_finish_node(Streamline *S, Node *n);
void sl_attr_int(Streamline *S, Node *n, int k, const char *name, int64_t v);
void sl_attr_string(Streamline *S, Node *n, int k, const char *name, const char *v);
void sl_attr_strings(Streamline *S, Node *n, int k, const char *name, int count,
                     const char *const *v);
/* A copy of another node's attributes into slots 0..old->n_attrs-1. */
void sl_attr_ints(Streamline *S, Node *n, int k, const char *name, int count,
                  const int64_t *v);
void sl_copy_attrs(Node *n, const Node *old);
/* The name of dt ("INT4", "BIPOLAR"), in the graph's arena. */
const char *sl_dtype_name(Streamline *S, qc_dtype dt);
/* Datatype of the integer range [lo, hi] (the narrowest INTn/UINTn). */
qc_dtype sl_dtype_for_range(int64_t lo, int64_t hi);

/* Whether a constant of shape p can be applied per channel to a tensor of
 * rank `rank` with C channels on caxis: every dim 1 except caxis, which is
 * 1 or C (dims aligned to the right, as broadcasting does). */
bool sl_per_channel_shape(const Shape *p, int rank, int caxis, int64_t C);
/* Element c (channel) of such a constant, as double. */
double sl_channel_value(const Value *v, int64_t c);

/* Whether node n is a QONNX quantizer (Quant, IntQuant, BipolarQuant). */
bool sl_is_quantizer(const Node *n);
/* Whether n is an elementwise float op that may sit between a layer and
 * its quantizer, with t its data input: returns the data input index in
 * *data, or false with the reason in why. */
bool sl_chain_op(const Node *n, const Tensor *t, int rank, int caxis, int64_t C, int *data,
                 char *why, int why_size);
/* Appends node n (data input `data`) to a chain; false if it is full. */
bool sl_chain_push(Chain *ch, const Node *n, int data);

/* ---- shared by the layer builders (streamline_layers.c) ---- */

/* Folds the float ops after x (and those after each new quantized tensor)
 * into MultiThresholds. */
bool sl_absorb_all(Streamline *S, IntInfo *x);
/* Appends to ch a synthetic node of op_type (a golden ONNX op) with
 * constant c, standing for part of `layer`'s float epilogue. */
bool sl_synthetic_step(Streamline *S, Chain *ch, const Node *layer, const char *op_type,
                       const Value *c);
/* y's datatype and range become dt, [lo, hi] for every channel. */
void sl_set_range(IntInfo *y, qc_dtype dt, int64_t lo, int64_t hi);
/* A copy of x's record for `it`, the integer form of old's output; old is done. */
IntInfo *sl_derived(Streamline *S, Node *old, Tensor *it, const IntInfo *x, int caxis,
                    bool per_channel);
/* Average pooling (streamline_avgpool.c): a sum (IntSumPool), then the
 * division as a float step, or a TruncAvgPool2d's Mul and Trunc as shift. */
bool sl_layer_avgpool(Streamline *S, Node *n, IntInfo *x);

/* ---- exact thresholds (streamline_thresholds.c) ---- */

/* A quantizer's output levels: out = q - zeropt in [out_bias, out_bias +
 * out_scale * L] in steps of out_scale, scale[c] per channel. */
typedef struct QuantLevels {
    const Node *node;
    bool bipolar;         /* BipolarQuant or a 1-bit signed Quant: two levels */
    int bits;
    int64_t L, out_scale, out_bias;
    qc_dtype dt;
    int64_t C;            /* 1 or the chain's channel count */
    float *scale;         /* C entries (malloc'ed) */
} QuantLevels;

/* Reads and checks the quantizer ending a chain (constant parameters,
 * 1..SL_MAX_BITS bits, integer and per-tensor zero point, scale per
 * tensor or per channel along caxis). */
bool sl_quant_levels(Streamline *S, const Node *q, int rank, int caxis, int64_t C,
                     QuantLevels *ql);
void sl_quant_levels_free(QuantLevels *ql);

/* One MultiThreshold to compute: the integer input (as in IntInfo), the
 * float ops and the quantizer (the chain's last step). */
typedef struct ThresholdJob {
    const Node *quant;    /* named in messages */
    const Node *layer;    /* the node computing the integers, for messages */
    const Chain *chain;
    int rank, caxis;
    int64_t C;
    double *scale;        /* C entries; negated for reversed channels */
    int64_t mul, add;
    int64_t *lo, *hi;     /* C entries; remapped for reversed channels */
    bool can_negate;      /* the layer's weights can be negated per channel */
    int64_t enum_limit;
    const QuantLevels *levels;
    /* results */
    int64_t *T;           /* C x L, ascending rows (malloc'ed) */
    bool *negated;        /* C entries (malloc'ed) */
} ThresholdJob;

/* Fills T (and negated) so that, for every integer x in [lo[c], hi[c]],
 * count(x >= T[c][l]) is the quantizer level the golden ops give for it
 * (minus out_bias, over out_scale). */
bool sl_thresholds(Streamline *S, ThresholdJob *job);
void sl_threshold_job_free(ThresholdJob *job);

/* The golden chain's output at given integers: out[m * C + c] is the
 * level (q - zeropt, or -1/+1) of the chain evaluated on channel c's
 * float for acc[m * C + c]. Exposed for tests. */
bool sl_eval_levels(Streamline *S, const ThresholdJob *job, const int64_t *acc, int64_t M,
                    int64_t *levels);

#endif
