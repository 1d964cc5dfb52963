#include "resource_limits.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "value.h"

#define KiB ((int64_t)1 << 10)
#define MiB ((int64_t)1 << 20)
#define GiB ((int64_t)1 << 30)

static const struct {
    const char *name, *unit, *description;
} info[LIMIT_COUNT] = {
    [LIMIT_MODEL_BYTES] = { "model-bytes", "bytes", "bytes of the model file" },
    [LIMIT_PARSE_BYTES] = { "parse-bytes", "bytes", "bytes of the parsed protobuf in memory" },
    [LIMIT_NODES] = { "nodes", "nodes", "nodes in the graph" },
    [LIMIT_TENSORS] = { "tensors", "tensors",
                        "named tensors (initializers, inputs, node outputs)" },
    [LIMIT_RANK] = { "rank", "dimensions", "dimensions of one tensor" },
    [LIMIT_TENSOR_ELEMENTS] = { "tensor-elements", "elements", "elements of one tensor" },
    [LIMIT_ATTRIBUTE_BYTES] = { "attribute-bytes", "bytes",
                                "bytes of one attribute, name or string" },
    [LIMIT_CONSTANT_BYTES] = { "constant-bytes", "bytes", "bytes of all constants together" },
    [LIMIT_ACTIVATION_BYTES] = { "activation-bytes", "bytes",
                                 "bytes of activations alive at once" },
};

#define DEFAULTS                                                                         \
    { {                                                                                  \
        [LIMIT_MODEL_BYTES] = 2 * GiB,                                                   \
        [LIMIT_PARSE_BYTES] = 4 * GiB,                                                   \
        [LIMIT_NODES] = 100000,                                                          \
        [LIMIT_TENSORS] = 500000,                                                        \
        [LIMIT_RANK] = MAX_RANK,                                                         \
        [LIMIT_TENSOR_ELEMENTS] = (int64_t)1 << 28,                                      \
        [LIMIT_ATTRIBUTE_BYTES] = 16 * MiB,                                              \
        [LIMIT_CONSTANT_BYTES] = 2 * GiB,                                                \
        [LIMIT_ACTIVATION_BYTES] = 2 * GiB,                                              \
    } }

const Limits limits_default = DEFAULTS;
static Limits current = DEFAULTS;

static _Thread_local int64_t live_bytes, folded_constant_bytes;

const Limits *limits_get(void)
{
    return &current;
}

int64_t limit(LimitId id)
{
    return (unsigned)id < LIMIT_COUNT ? current.value[id] : 0;
}

void limits_set(const Limits *l)
{
    current = *l;
}

void limits_reset(void)
{
    current = limits_default;
}

const char *limit_name(LimitId id)
{
    return (unsigned)id < LIMIT_COUNT ? info[id].name : NULL;
}

const char *limit_description(LimitId id)
{
    return (unsigned)id < LIMIT_COUNT ? info[id].description : NULL;
}

bool limits_parse(Limits *l, const char *spec, char *err, size_t err_size)
{
    const char *eq = strchr(spec, '=');
    if (!eq) {
        snprintf(err, err_size, "'%s' is not NAME=VALUE", spec);
        return false;
    }
    size_t len = (size_t)(eq - spec);
    int id = -1;
    for (int k = 0; k < LIMIT_COUNT; k++)
        if (strlen(info[k].name) == len && !strncmp(info[k].name, spec, len))
            id = k;
    if (id < 0) {
        int n = snprintf(err, err_size, "unknown limit '%.*s' (one of:", (int)len, spec);
        for (int k = 0; k < LIMIT_COUNT && n >= 0 && (size_t)n < err_size; k++)
            n += snprintf(err + n, err_size - (size_t)n, " %s", info[k].name);
        if (n >= 0 && (size_t)n < err_size)
            snprintf(err + n, err_size - (size_t)n, ")");
        return false;
    }
    const char *s = eq + 1;
    char *end = NULL;
    errno = 0;
    long long v = isdigit((unsigned char)*s) ? strtoll(s, &end, 10) : -1;
    int64_t scale = 1;
    if (end && *end) {
        switch (*end) {
        case 'K': case 'k': scale = KiB; break;
        case 'M': case 'm': scale = MiB; break;
        case 'G': case 'g': scale = GiB; break;
        case 'T': case 't': scale = 1024 * GiB; break;
        default: scale = 0; break;
        }
        end++;
    }
    if (v < 0 || errno || !end || *end || scale == 0 || v > INT64_MAX / scale) {
        snprintf(err, err_size, "limit %s: '%s' is not a non-negative integer "
                 "(an optional suffix K, M, G or T multiplies by 1024^n)", info[id].name, s);
        return false;
    }
    v *= scale;
    if (id == LIMIT_RANK && v > MAX_RANK) {
        snprintf(err, err_size, "limit rank: %lld is above the hard cap of %d", v, MAX_RANK);
        return false;
    }
    if (id == LIMIT_TENSOR_ELEMENTS && v > LIMIT_TENSOR_ELEMENTS_CAP) {
        snprintf(err, err_size, "limit tensor-elements: %lld is above the hard cap of %lld", v,
                 (long long)LIMIT_TENSOR_ELEMENTS_CAP);
        return false;
    }
    l->value[id] = v;
    return true;
}

bool limit_error(Diag *d, const char *file, const char *node, const char *op, LimitId id,
                 int64_t need, const char *what_fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, what_fmt);
    vsnprintf(what, sizeof what, what_fmt, ap);
    va_end(ap);
    const char *name = limit_name(id) ? limit_name(id) : "?";
    const char *unit = (unsigned)id < LIMIT_COUNT ? info[id].unit : "";
    char amount[48];
    if (need == INT64_MAX)
        snprintf(amount, sizeof amount, "more than 2^63 %s", unit);
    else
        snprintf(amount, sizeof amount, "%lld %s", (long long)need, unit);
    if (id == LIMIT_RANK && limit(id) >= MAX_RANK)
        diag_error(d, file, node, op, "%s needs %s, over the limit %s=%lld (the hard cap is %d)",
                   what, amount, name, (long long)limit(id), MAX_RANK);
    else
        diag_error(d, file, node, op,
                   "%s needs %s, over the limit %s=%lld (%s; raise it with --limit %s=N)", what,
                   amount, name, (long long)limit(id), limit_description(id), name);
    diag_set_exit(d, EXIT_LIMIT);
    return false;
}

bool limit_check(Diag *d, const char *file, const char *node, const char *op, LimitId id,
                 int64_t need, const char *what)
{
    if (need <= limit(id))
        return true;
    return limit_error(d, file, node, op, id, need, "%s", what);
}

int64_t limits_value_bytes(int elem_type, int64_t count)
{
    int64_t size = elem_type_is_float(elem_type) ? (int64_t)sizeof(float) : (int64_t)sizeof(int64_t);
    if (count < 0 || count > INT64_MAX / size)
        return INT64_MAX;
    return (count ? count : 1) * size;
}

int64_t limits_shape_elements(const Shape *s)
{
    if (s->rank < 0)
        return -1;
    int64_t n = 1;
    for (int k = 0; k < s->rank && k < MAX_RANK; k++)
        if (s->dims[k] > 0)
            n = n > INT64_MAX / s->dims[k] ? INT64_MAX : n * s->dims[k];
    return n;
}

void limits_constants_begin(const Graph *g)
{
    int64_t bytes = 0;
    for (int k = 0; k < g->n_tensors; k++) {
        const Value *v = g->tensors[k]->value;
        if (v)
            bytes = limits_add(bytes, limits_value_bytes(v->elem_type, v->count));
    }
    folded_constant_bytes = bytes;
}

bool limits_constants_charge(Diag *d, const Graph *g, const Node *n, const char *tensor,
                             const Value *v)
{
    folded_constant_bytes =
        limits_add(folded_constant_bytes, limits_value_bytes(v->elem_type, v->count));
    if (folded_constant_bytes <= limit(LIMIT_CONSTANT_BYTES))
        return true;
    return limit_error(d, g->path, n->name, n->op_type, LIMIT_CONSTANT_BYTES,
                       folded_constant_bytes, "the constants, with output '%s' folded,", tensor);
}

int64_t limits_add(int64_t a, int64_t b)
{
    return a > INT64_MAX - b ? INT64_MAX : a + b;
}

int64_t limits_live_bytes(void)
{
    return live_bytes;
}

void limits_set_live_bytes(int64_t bytes)
{
    live_bytes = bytes;
}
