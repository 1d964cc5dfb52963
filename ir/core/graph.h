/* The graph IR: what the loader builds from an ONNX file and what every pass
 * rewrites in place.
 *
 * Tensors and nodes are arena objects referenced by pointer; the graph keeps
 * arrays of them. `nodes` is in topological order once the cleanup passes
 * have run (graph_verify checks it). A tensor is one of: a graph input, a
 * constant (value != NULL), or the output of exactly one node. */
#ifndef QONNXC_GRAPH_H
#define QONNXC_GRAPH_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "diag.h"
#include "value.h"

struct OpDef;

typedef struct Node Node;

typedef struct Tensor {
    const char *name;
    int elem_type;            /* ET_*; ET_UNDEFINED until known */
    Shape shape;              /* rank -1 until known */
    const char *qdt;          /* QONNX datatype annotation ("INT4", "BIPOLAR"), or NULL */
    Value *value;             /* set for constants */
    Node *producer;           /* node that writes it, NULL for inputs and constants */
    bool is_graph_input;
    bool is_graph_output;
    int id;                   /* position in g->tensors, set by graph_number_tensors */
} Tensor;

typedef enum {
    ATTR_FLOAT, ATTR_INT, ATTR_STRING, ATTR_TENSOR, ATTR_GRAPH,
    ATTR_FLOATS, ATTR_INTS, ATTR_STRINGS, ATTR_OTHER,
} AttrKind;

typedef struct Attr {
    const char *name;
    AttrKind kind;
    float f;
    int64_t i;
    const char *s;            /* ATTR_STRING: NUL-terminated copy */
    Value *t;                 /* ATTR_TENSOR */
    int n;                    /* length of floats / ints / strings */
    float *floats;
    int64_t *ints;
    const char **strings;
} Attr;

/* Which op family a node belongs to, from its domain string. All four
 * spellings of the QONNX domain mean the same ops. */
typedef enum { DOMAIN_ONNX, DOMAIN_QONNX, DOMAIN_QONNXC, DOMAIN_UNKNOWN } OpDomain;

struct Node {
    const char *name;         /* unique after cleanup */
    const char *op_type;
    const char *domain;       /* as written in the file */
    OpDomain domain_kind;
    int64_t opset;            /* version the model imports for this node's domain, 0 if none */
    int n_inputs, n_outputs, n_attrs;
    Tensor **inputs;          /* an omitted optional input is NULL */
    Tensor **outputs;
    Attr *attrs;
    const struct OpDef *op;   /* resolved by graph_resolve_ops */
};

typedef struct OpsetImport {
    const char *domain;
    int64_t version;
} OpsetImport;

/* How the golden Conv, MatMul and Gemm sum their float products. Float32
 * in natural order is the golden semantics; the other two exist to measure
 * what that float32 rounding does to a model (docs/integer-graph.md "Exact
 * thresholds": the integer graph equals the double-summing golden). */
typedef enum GoldenSum {
    GOLDEN_SUM_FLOAT32,            /* float32, k = 0, 1, ..., K-1 (default) */
    GOLDEN_SUM_FLOAT32_REVERSED,   /* float32, k = K-1, ..., 0 */
    GOLDEN_SUM_DOUBLE,             /* double, rounded to float32 once */
} GoldenSum;

typedef struct Graph {
    Arena arena;
    const char *path;         /* model file, for diagnostics */
    const char *name;
    int n_tensors, cap_tensors;
    Tensor **tensors;
    Tensor **by_name;         /* open-addressing hash of tensors by name, cap_by_name slots */
    int cap_by_name;
    int n_nodes, cap_nodes;
    Node **nodes;
    int n_inputs, n_outputs;  /* runtime inputs (constants excluded) and outputs */
    Tensor **inputs;
    Tensor **outputs;
    int n_opsets;
    OpsetImport *opsets;
    bool names_unique;        /* set by pass_unique_names: from then on node names are
                                 unique and non-empty, and graph_verify checks it */
    bool names_emittable;     /* set by the naming step (src/emit/emit_names.h): names
                                 are safe in emitted text, tensors numbered */
    GoldenSum golden_sum;     /* how the golden Conv/MatMul/Gemm sum when this graph runs:
                                 exec_run_frames_with sets it for its run; float32 (zero)
                                 otherwise */
} Graph;

OpDomain domain_kind(const char *domain);
/* Version imported for a domain kind (QONNX spellings share one), 0 if none. */
int64_t graph_opset(const Graph *g, OpDomain kind);

Graph *graph_new(const char *path);
void graph_free(Graph *g);

/* Finds a tensor by name; NULL if absent. */
Tensor *graph_find_tensor(const Graph *g, const char *name);
/* Adds a tensor with a name not yet used (a suffix is added if needed). */
Tensor *graph_add_tensor(Graph *g, const char *name);
/* Adds a node at the end of the node list, with room for the given counts. */
Node *graph_add_node(Graph *g, const char *name, const char *op_type, const char *domain,
                     int n_inputs, int n_outputs);
/* Removes the node at index k, keeping the order of the others. */
void graph_remove_node(Graph *g, int k);
/* Rebuilds the name index after g->tensors was compacted in place. */
void graph_reindex_tensors(Graph *g);
/* Drops tensors no node, input or output references. */
void graph_drop_unused_tensors(Graph *g);

/* Sets every tensor's id to its index in g->tensors. */
void graph_number_tensors(Graph *g);
/* Number of nodes reading t, and whether t is a graph output. */
int tensor_consumer_count(const Graph *g, const Tensor *t);
/* Replaces every read of `from` (node inputs and graph outputs) by `to`. */
void graph_replace_uses(Graph *g, Tensor *from, Tensor *to);

const Attr *node_attr(const Node *n, const char *name);
int64_t node_attr_int(const Node *n, const char *name, int64_t dflt);
float node_attr_float(const Node *n, const char *name, float dflt);
const char *node_attr_string(const Node *n, const char *name, const char *dflt);
/* Whether n is a node of the ONNX domain whose op is one of ops[0..n_ops). */
bool node_is_onnx_op(const Node *n, const char *const *ops, size_t n_ops);
/* Node-scoped error: "<model>: node '<name>' (<op>): ...". */
bool node_error(Diag *d, const Graph *g, const Node *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
