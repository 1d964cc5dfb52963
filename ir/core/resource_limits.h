/* Resource limits: what a model (a file from outside) may make qonnxc
 * allocate. The loader checks the static ones (file size, node and tensor
 * counts, rank, elements and bytes of constants, attribute sizes), the
 * interpreter the dynamic one (bytes of activations alive at once, and the
 * elements of each value an op allocates). Exceeding one is an error with
 * exit code EXIT_LIMIT whose message names the limit, its value and the
 * option that raises it (docs/limits.md).
 *
 * The limits in force are one process-wide setting: the CLI sets it from
 * its --limit NAME=VALUE options before loading anything; library code
 * reads it through limits_get(). */
#ifndef QONNXC_RESOURCE_LIMITS_H
#define QONNXC_RESOURCE_LIMITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "graph.h"
#include "value.h"

typedef enum {
    LIMIT_MODEL_BYTES,       /* size of the model file */
    LIMIT_PARSE_BYTES,       /* memory of the parsed protobuf, before qonnxc builds its graph */
    LIMIT_NODES,             /* nodes in the graph */
    LIMIT_TENSORS,           /* named tensors: initializers, graph inputs, node outputs */
    LIMIT_RANK,              /* rank of any tensor (MAX_RANK is the hard cap) */
    LIMIT_TENSOR_ELEMENTS,   /* elements of any one tensor, constant or activation */
    LIMIT_ATTRIBUTE_BYTES,   /* one attribute's data, or one name or string */
    LIMIT_CONSTANT_BYTES,    /* all constants together, as held in memory */
    LIMIT_ACTIVATION_BYTES,  /* activations alive at once while running, as held in memory */
    LIMIT_COUNT
} LimitId;

/* The highest tensor-elements accepted (value.c allocates no more). */
#define LIMIT_TENSOR_ELEMENTS_CAP ((int64_t)1 << 31)

typedef struct Limits {
    int64_t value[LIMIT_COUNT];
} Limits;

/* The defaults (docs/limits.md). */
extern const Limits limits_default;

/* The limits in force; the defaults until limits_set. */
const Limits *limits_get(void);
int64_t limit(LimitId id);
void limits_set(const Limits *l);
void limits_reset(void);

/* "tensor-elements", ...; NULL for an invalid id. */
const char *limit_name(LimitId id);
/* What the limit bounds, for messages and usage ("elements of one tensor"). */
const char *limit_description(LimitId id);

/* Parses "NAME=VALUE" into l. VALUE is a non-negative integer with an
 * optional binary suffix K, M, G or T (x1024^n). On failure writes the
 * reason into err and returns false; l is unchanged then. */
bool limits_parse(Limits *l, const char *spec, char *err, size_t err_size);

/* Reports that `what` needs `need` (elements, bytes, ...) over limit id:
 *   "<file>: [node 'n' (Op): ]<what> needs <need>, over the limit
 *    <name>=<value> (raise it with --limit <name>=N)"
 * sets EXIT_LIMIT and returns false. file, node and op may be NULL. */
bool limit_error(Diag *d, const char *file, const char *node, const char *op, LimitId id,
                 int64_t need, const char *what_fmt, ...) __attribute__((format(printf, 7, 8)));

/* need <= limit(id)? Otherwise limit_error with `what` (a plain string). */
bool limit_check(Diag *d, const char *file, const char *node, const char *op, LimitId id,
                 int64_t need, const char *what);

/* Bytes a value of `count` elements of that element type occupies in memory
 * (float types as float32, the others as int64; at least one element);
 * INT64_MAX when count is negative or the product overflows. */
int64_t limits_value_bytes(int elem_type, int64_t count);

/* The size of a shape for limit tensor-elements: the product of its known,
 * non-zero dims (INT64_MAX on overflow; -1 for an unknown rank). Zero dims
 * are skipped so that an empty tensor cannot carry dims whose products
 * overflow the arithmetic of the ops; unknown dims are skipped, which makes
 * it a lower bound of the final size. */
int64_t limits_shape_elements(const Shape *s);

/* Constant folding's account of limit constant-bytes: begin sets the count
 * to the bytes of g's constants; charge adds a value about to become the
 * constant `tensor`, or returns false with a limit error naming node n. */
void limits_constants_begin(const Graph *g);
bool limits_constants_charge(Diag *d, const Graph *g, const Node *n, const char *tensor,
                             const Value *v);

/* a + b, saturating at INT64_MAX (both non-negative). */
int64_t limits_add(int64_t a, int64_t b);

/* Bytes of activations the running interpreter holds now. exec.c sets it
 * before each node; op_new_value checks a new value against it. */
int64_t limits_live_bytes(void);
void limits_set_live_bytes(int64_t bytes);

#endif
