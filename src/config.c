/* Build configurations (config.h): YAML through libyaml's document API,
 * which keeps each node's line for the messages. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static const char *const known_targets[] = { "ref", "hls", "rtl", "mcu", "npu" };
#define N_KNOWN_TARGETS (int)(sizeof known_targets / sizeof known_targets[0])

typedef struct Parse {
    BuildConfig *c;
    yaml_document_t *doc;
    const char *name;
    Diag *d;
} Parse;

static bool perr(Parse *p, const yaml_node_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool perr(Parse *p, const yaml_node_t *at, const char *fmt, ...)
{
    char where[512];
    if (at)
        snprintf(where, sizeof where, "%s:%lu", p->name, (unsigned long)at->start_mark.line + 1);
    else
        snprintf(where, sizeof where, "%s", p->name);
    va_list ap;
    va_start(ap, fmt);
    diag_verror(p->d, where, NULL, NULL, fmt, ap);
    va_end(ap);
    diag_set_exit(p->d, EXIT_USAGE);
    return false;
}

static const char *scalar(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A whole-string integer in [lo, hi]. */
static bool get_int(Parse *p, const yaml_node_t *n, const char *key, int64_t lo, int64_t hi,
                    int64_t *out)
{
    const char *s = scalar(n);
    char *end = NULL;
    errno = 0;
    long long v = s && *s ? strtoll(s, &end, 10) : 0;
    if (!s || !*s || *end || errno)
        return perr(p, n, "'%s' must be an integer, not '%s'", key, s ? s : "(a list or map)");
    if (v < lo || v > hi)
        return perr(p, n, "'%s' must be in [%lld, %lld], not %lld", key, (long long)lo,
                    (long long)hi, v);
    *out = v;
    return true;
}

static bool get_positive_double(Parse *p, const yaml_node_t *n, const char *key, double *out)
{
    const char *s = scalar(n);
    char *end = NULL;
    double v = s && *s ? strtod(s, &end) : 0;
    if (!s || !*s || *end)
        return perr(p, n, "'%s' must be a number, not '%s'", key, s ? s : "(a list or map)");
    if (!(v > 0) || !isfinite(v))
        return perr(p, n, "'%s' must be a positive number, not %s", key, s);
    *out = v;
    return true;
}

static bool parse_targets(Parse *p, const yaml_node_t *n)
{
    BuildConfig *c = p->c;
    if (n->type != YAML_SEQUENCE_NODE)
        return perr(p, n, "'targets' must be a list, e.g. [ref, hls, rtl]");
    for (yaml_node_item_t *it = n->data.sequence.items.start; it < n->data.sequence.items.top;
         it++) {
        const yaml_node_t *t = yaml_document_get_node(p->doc, *it);
        const char *s = scalar(t);
        int k = 0;
        while (s && k < N_KNOWN_TARGETS && strcmp(s, known_targets[k]))
            k++;
        if (!s || k == N_KNOWN_TARGETS)
            return perr(p, t, "unknown target '%s' (targets: ref, hls, rtl, mcu, npu)",
                        s ? s : "(a list or map)");
        if (config_has_target(c, s))
            continue;
        if (c->n_targets == CONFIG_MAX_TARGETS)
            return perr(p, t, "too many targets");
        c->targets[c->n_targets++] = known_targets[k];
    }
    return true;
}

static bool parse_layer(Parse *p, const yaml_node_t *n, LayerConfig *lc)
{
    memset(lc, 0, sizeof *lc);
    lc->mvau = -1;
    lc->line = (int)n->start_mark.line + 1;
    if (n->type != YAML_MAPPING_NODE)
        return perr(p, n, "a 'folding' entry must be a map, e.g. {mvau: 0, pe: 16, simd: 3}");
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
         pr++) {
        const yaml_node_t *k = yaml_document_get_node(p->doc, pr->key);
        const yaml_node_t *v = yaml_document_get_node(p->doc, pr->value);
        const char *key = scalar(k);
        int64_t x = 0;
        if (!key)
            return perr(p, k, "keys must be plain names");
        if (!strcmp(key, "layer")) {
            if (!scalar(v) || !*scalar(v))
                return perr(p, v, "'layer' must be a layer name");
            lc->layer = arena_strdup(&p->c->arena, scalar(v));
        } else if (!strcmp(key, "mvau")) {
            if (!get_int(p, v, key, 0, 1 << 20, &x))
                return false;
            lc->mvau = (int)x;
        } else if (!strcmp(key, "pe")) {
            if (!get_int(p, v, key, 1, 1 << 16, &x))
                return false;
            lc->pe = (int)x;
        } else if (!strcmp(key, "simd")) {
            if (!get_int(p, v, key, 1, 1 << 16, &x))
                return false;
            lc->simd = (int)x;
        } else if (!strcmp(key, "fifo_depth")) {
            if (!get_int(p, v, key, 1, (int64_t)1 << 24, &lc->fifo_depth))
                return false;
        } else
            return perr(p, k, "unknown key '%s' in a folding entry (layer, mvau, pe, simd, "
                        "fifo_depth)", key);
    }
    if ((lc->layer != NULL) == (lc->mvau >= 0))
        return perr(p, n, "a folding entry names its layer with exactly one of 'layer: NAME' "
                    "or 'mvau: INDEX'");
    return true;
}

static bool parse_folding(Parse *p, const yaml_node_t *n)
{
    BuildConfig *c = p->c;
    if (n->type != YAML_SEQUENCE_NODE)
        return perr(p, n, "'folding' must be a list of entries like {mvau: 0, pe: 16, simd: 3}");
    int count = (int)(n->data.sequence.items.top - n->data.sequence.items.start);
    c->layers = arena_array(&c->arena, (size_t)(count ? count : 1), sizeof *c->layers);
    if (!c->layers)
        return perr(p, n, "out of memory");
    for (int k = 0; k < count; k++) {
        const yaml_node_t *e = yaml_document_get_node(p->doc, n->data.sequence.items.start[k]);
        if (!parse_layer(p, e, &c->layers[k]))
            return false;
        for (int j = 0; j < k; j++) {
            const LayerConfig *a = &c->layers[j], *b = &c->layers[k];
            if ((a->layer && b->layer && !strcmp(a->layer, b->layer)) ||
                (a->mvau >= 0 && a->mvau == b->mvau))
                return perr(p, e, "this layer already has an entry (line %d)", a->line);
        }
        c->n_layers = k + 1;
    }
    return true;
}

static bool parse_root(Parse *p, const yaml_node_t *root)
{
    BuildConfig *c = p->c;
    if (!root)
        return true; /* an empty file: the defaults */
    if (root->type != YAML_MAPPING_NODE)
        return perr(p, root, "the configuration must be a map of settings");
    for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top;
         pr++) {
        const yaml_node_t *k = yaml_document_get_node(p->doc, pr->key);
        const yaml_node_t *v = yaml_document_get_node(p->doc, pr->value);
        const char *key = scalar(k);
        int64_t x = 0;
        bool ok = true;
        if (!key)
            return perr(p, k, "keys must be plain names");
        if (!strcmp(key, "targets"))
            ok = parse_targets(p, v);
        else if (!strcmp(key, "clock_mhz"))
            ok = get_positive_double(p, v, key, &c->clock_mhz);
        else if (!strcmp(key, "target_fps"))
            ok = get_positive_double(p, v, key, &c->target_fps);
        else if (!strcmp(key, "max_weight_stream_bits"))
            ok = get_int(p, v, key, 1, (int64_t)1 << 24, &c->max_weight_stream_bits);
        else if (!strcmp(key, "fifo_depth"))
            ok = get_int(p, v, key, 1, (int64_t)1 << 24, &c->fifo_depth);
        else if (!strcmp(key, "labels")) {
            ok = get_int(p, v, key, 0, 1 << 16, &x);
            c->labels = (int)x;
        } else if (!strcmp(key, "folding"))
            ok = parse_folding(p, v);
        else
            return perr(p, k, "unknown key '%s' (targets, clock_mhz, target_fps, "
                        "max_weight_stream_bits, fifo_depth, labels, folding)", key);
        if (!ok)
            return false;
    }
    return true;
}

void config_defaults(BuildConfig *c)
{
    memset(c, 0, sizeof *c);
    c->path = "(defaults)";
    c->clock_mhz = DEFAULT_CLOCK_MHZ;
    c->max_weight_stream_bits = DEFAULT_MAX_WEIGHT_STREAM_BITS;
    c->fifo_depth = DEFAULT_FIFO_DEPTH;
}

bool config_parse(BuildConfig *c, const char *text, size_t len, const char *name, Diag *d)
{
    config_defaults(c);
    c->path = arena_strdup(&c->arena, name);
    Parse p = { c, NULL, c->path, d };
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser))
        return perr(&p, NULL, "cannot start the YAML parser");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    bool ok;
    if (!yaml_parser_load(&parser, &doc)) {
        char where[512];
        snprintf(where, sizeof where, "%s:%lu", c->path, (unsigned long)parser.problem_mark.line + 1);
        diag_error(d, where, NULL, NULL, "YAML syntax error: %s%s%s",
                   parser.problem ? parser.problem : "unknown", parser.context ? " " : "",
                   parser.context ? parser.context : "");
        diag_set_exit(d, EXIT_USAGE);
        ok = false;
    } else {
        p.doc = &doc;
        ok = parse_root(&p, yaml_document_get_root_node(&doc));
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    return ok;
}

bool config_load(BuildConfig *c, const char *path, Diag *d)
{
    config_defaults(c);
    FILE *f = fopen(path, "rb");
    if (!f) {
        diag_error(d, path, NULL, NULL, "cannot read the configuration: %s", strerror(errno));
        diag_set_exit(d, EXIT_USAGE);
        return false;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            char *nb = cap < ((size_t)1 << 24) ? realloc(buf, cap * 2) : NULL;
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf) {
        diag_error(d, path, NULL, NULL, "the configuration is too large (16 MiB at most)");
        diag_set_exit(d, EXIT_USAGE);
        return false;
    }
    bool ok = config_parse(c, buf, len, path, d);
    free(buf);
    return ok;
}

void config_free(BuildConfig *c)
{
    arena_release(&c->arena);
    memset(c, 0, sizeof *c);
}

bool config_has_target(const BuildConfig *c, const char *name)
{
    for (int k = 0; k < c->n_targets; k++)
        if (!strcmp(c->targets[k], name))
            return true;
    return false;
}
