/* Build configurations (config.h): YAML through libyaml's document API,
 * which keeps each node's line for the messages. */
#include "config.h"
#include "ice40_device.h"
#include "targets.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>


/* The keys of the top-level map and of a `folding` entry, in table order. */
enum { ROOT_TARGETS, ROOT_CLOCK_MHZ, ROOT_TARGET_FPS, ROOT_MAX_WEIGHT_STREAM_BITS,
       ROOT_FIFO_DEPTH, ROOT_LABELS, ROOT_FOLDING, ROOT_INPUT_TYPE, ROOT_INPUT_SCALE,
       ROOT_DEVICE, ROOT_PACKAGE, ROOT_UART_BAUD, N_ROOT_KEYS };
static const char *const root_keys[N_ROOT_KEYS] = {
    "targets", "clock_mhz", "target_fps", "max_weight_stream_bits", "fifo_depth", "labels",
    "folding", "input_type", "input_scale", "device", "package", "uart_baud",
};
enum { ENTRY_LAYER, ENTRY_MVAU, ENTRY_PE, ENTRY_SIMD, ENTRY_FIFO_DEPTH, N_ENTRY_KEYS };
static const char *const entry_keys[N_ENTRY_KEYS] = { "layer", "mvau", "pe", "simd",
                                                      "fifo_depth" };

typedef struct Parse {
    BuildConfig *c;
    yaml_document_t *doc;
    const char *name;
    Diag *d;
} Parse;

/* An error at `line` of the file (0: the whole file); exit code 2, as for
 * every bad configuration. */
static bool vfail_at(Diag *d, const char *name, unsigned long line, const char *fmt, va_list ap)
{
    char where[512];
    if (line)
        snprintf(where, sizeof where, "%s:%lu", name, line);
    else
        snprintf(where, sizeof where, "%s", name);
    diag_verror(d, where, NULL, NULL, fmt, ap);
    diag_set_exit(d, EXIT_USAGE);
    return false;
}

static bool fail_at(Diag *d, const char *name, unsigned long line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bool fail_at(Diag *d, const char *name, unsigned long line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail_at(d, name, line, fmt, ap);
    va_end(ap);
    return false;
}

static unsigned long line_of(const yaml_node_t *n)
{
    return (unsigned long)n->start_mark.line + 1;
}

/* An error at node `at`. */
static bool perr(Parse *p, const yaml_node_t *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static bool perr(Parse *p, const yaml_node_t *at, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfail_at(p->d, p->name, line_of(at), fmt, ap);
    va_end(ap);
    return false;
}

static const char *scalar(const yaml_node_t *n)
{
    return n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

/* A value as messages quote it: at most 40 bytes (cut between UTF-8
 * characters) and control bytes as \xNN, so that a hostile value can
 * neither flood nor garble the terminal. "(a list or map)" for those. */
typedef struct Shown {
    char s[200];
} Shown;

static Shown shown(const yaml_node_t *n)
{
    Shown out;
    const unsigned char *s = (const unsigned char *)scalar(n);
    if (!s) {
        snprintf(out.s, sizeof out.s, "(a list or map)");
        return out;
    }
    size_t len = strlen((const char *)s), cut = len > 40 ? 40 : len, o = 0;
    while (cut < len && cut > 0 && (s[cut] & 0xC0) == 0x80)
        cut--;
    for (size_t k = 0; k < cut; k++)
        o += (size_t)snprintf(out.s + o, sizeof out.s - o, s[k] < 0x20 || s[k] == 0x7F
                              ? "\\x%02X" : "%c", s[k]);
    if (cut < len)
        snprintf(out.s + o, sizeof out.s - o, "...");
    return out;
}

static int key_index(const char *key, const char *const *keys, int n)
{
    int k = 0;
    while (k < n && strcmp(key, keys[k]))
        k++;
    return k;
}

/* A whole-string integer in [lo, hi]. */
static bool get_int(Parse *p, const yaml_node_t *n, const char *key, int64_t lo, int64_t hi,
                    int64_t *out)
{
    const char *s = scalar(n);
    char *end = NULL;
    errno = 0;
    long long v = s && *s ? strtoll(s, &end, 10) : 0;
    if (!s || !*s || *end)
        return perr(p, n, "'%s' must be an integer, not '%s'", key, shown(n).s);
    if (errno || v < lo || v > hi)
        return perr(p, n, "'%s' must be in [%lld, %lld], not %s", key, (long long)lo,
                    (long long)hi, shown(n).s);
    *out = v;
    return true;
}

/* A whole-string number in [lo, hi]. The bounds keep the folding budget
 * (clock / fps) and the reports' fps and latency finite. */
static bool get_double(Parse *p, const yaml_node_t *n, const char *key, double lo, double hi,
                       double *out)
{
    const char *s = scalar(n);
    char *end = NULL;
    double v = s && *s ? strtod(s, &end) : 0;
    if (!s || !*s || *end)
        return perr(p, n, "'%s' must be a number, not '%s'", key, shown(n).s);
    if (!(v >= lo && v <= hi))
        return perr(p, n, "'%s' must be a number in [%g, %g], not %s", key, lo, hi, shown(n).s);
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
        int k = s ? target_find(s, strlen(s)) : -1;
        if (k < 0) {
            char names[128];
            target_names(names, sizeof names);
            return perr(p, t, "unknown target '%s' (targets: %s)", shown(t).s, names);
        }
        if (config_has_target(c, s))
            continue;
        if (c->n_targets == CONFIG_MAX_TARGETS)
            return perr(p, t, "too many targets");
        c->targets[c->n_targets++] = targets[k].name;
    }
    return true;
}

/* The index of key node k in keys[]; n when unknown (the caller names the
 * keys it takes); -1 after an error: keys are plain names, each set once. */
static int map_key(Parse *p, const yaml_node_t *k, const char *const *keys, int n,
                   const yaml_node_t **seen)
{
    const char *key = scalar(k);
    if (!key) {
        perr(p, k, "keys must be plain names");
        return -1;
    }
    int i = key_index(key, keys, n);
    if (i < n && seen[i]) {
        perr(p, k, "'%s' is set twice (first on line %lu)", key, line_of(seen[i]));
        return -1;
    }
    if (i < n)
        seen[i] = k;
    return i;
}

static bool parse_layer(Parse *p, const yaml_node_t *n, LayerConfig *lc)
{
    memset(lc, 0, sizeof *lc);
    lc->mvau = -1;
    lc->line = (int)line_of(n);
    if (n->type != YAML_MAPPING_NODE)
        return perr(p, n, "a 'folding' entry must be a map, e.g. {mvau: 0, pe: 16, simd: 3}");
    const yaml_node_t *seen[N_ENTRY_KEYS] = { 0 };
    for (yaml_node_pair_t *pr = n->data.mapping.pairs.start; pr < n->data.mapping.pairs.top;
         pr++) {
        const yaml_node_t *k = yaml_document_get_node(p->doc, pr->key);
        const yaml_node_t *v = yaml_document_get_node(p->doc, pr->value);
        int key = map_key(p, k, entry_keys, N_ENTRY_KEYS, seen);
        int64_t x = 0;
        bool ok = true;
        if (key < 0)
            return false;
        switch (key) {
        case ENTRY_LAYER:
            if (!scalar(v) || !*scalar(v))
                return perr(p, v, "'layer' must be a layer name");
            lc->layer = arena_strdup(&p->c->arena, scalar(v));
            if (!lc->layer)
                return perr(p, v, "out of memory");
            break;
        case ENTRY_MVAU:
            ok = get_int(p, v, "mvau", 0, 1 << 20, &x);
            lc->mvau = (int)x;
            break;
        case ENTRY_PE:
            ok = get_int(p, v, "pe", 1, 1 << 16, &x);
            lc->pe = (int)x;
            break;
        case ENTRY_SIMD:
            ok = get_int(p, v, "simd", 1, 1 << 16, &x);
            lc->simd = (int)x;
            break;
        case ENTRY_FIFO_DEPTH:
            ok = get_int(p, v, "fifo_depth", 1, (int64_t)1 << 24, &lc->fifo_depth);
            break;
        default:
            return perr(p, k, "unknown key '%s' in a folding entry (layer, mvau, pe, simd, "
                        "fifo_depth)", shown(k).s);
        }
        if (!ok)
            return false;
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
    ptrdiff_t count = n->data.sequence.items.top - n->data.sequence.items.start;
    /* the check for repeated layers below is quadratic */
    if (count > CONFIG_MAX_FOLDING)
        return perr(p, n, "'folding' has %td entries, more than the %d a configuration may "
                    "hold", count, CONFIG_MAX_FOLDING);
    c->layers = arena_array(&c->arena, (size_t)(count ? count : 1), sizeof *c->layers);
    if (!c->layers)
        return perr(p, n, "out of memory");
    for (int k = 0; k < (int)count; k++) {
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

/* input_type, and input_scale (only with it): the values of the keys, or NULL. */
static bool parse_input_type(Parse *p, const yaml_node_t *type, const yaml_node_t *scale)
{
    if (scale && !type)
        return perr(p, scale, "'input_scale' needs 'input_type' (an INTn or UINTn)");
    if (!type)
        return true;
    char err[256];
    if (!scalar(type))
        return perr(p, type, "'input_type' must be a type such as fixed<8,3> or INT8");
    if (!input_type_parse(scalar(type), &p->c->input_type, err, sizeof err))
        return perr(p, type, "input_type: %s", err);
    double s;
    if (scale && !get_double(p, scale, "input_scale", 0.0, 1e30, &s))
        return false;
    if (scale && !input_type_set_scale(&p->c->input_type, s, err, sizeof err))
        return perr(p, scale, "input_scale: %s", err);
    return true;
}

/* device or package: a scalar kept in the arena. */
static bool get_name(Parse *p, const yaml_node_t *n, const char *key, const char **out)
{
    if (!scalar(n) || !*scalar(n))
        return perr(p, n, "'%s' must be a name such as %s", key,
                    !strcmp(key, "device") ? "up5k" : "sg48");
    *out = arena_strdup(&p->c->arena, scalar(n));
    return *out ? true : perr(p, n, "out of memory");
}

/* device is an iCE40 of ice40_device.h and package one of its packages;
 * the nodes are the keys' (for the line), NULL when not set. */
static bool check_device(Parse *p, const yaml_node_t *device_node,
                         const yaml_node_t *package_node)
{
    const BuildConfig *c = p->c;
    if (!device_node && !package_node)
        return true;
    const Ice40Device *dev = ice40_device(c->device);
    if (!dev)
        return perr(p, device_node, "device '%.40s' is not an iCE40 qonnxc knows (up5k, hx8k)",
                    c->device);
    if (c->package && !ice40_has_package(dev, c->package))
        return perr(p, package_node, "package '%.40s' is not one of the %s's (%s)", c->package,
                    dev->name, dev->packages);
    return true;
}

/* Walks the document by its fixed schema, three levels at most, so that
 * neither deep nesting nor an alias cycle (`&a [*a]`) can make it recurse. */
static bool parse_root(Parse *p, const yaml_node_t *root)
{
    BuildConfig *c = p->c;
    if (!root)
        return true; /* an empty file: the defaults */
    if (root->type != YAML_MAPPING_NODE)
        return perr(p, root, "the configuration must be a map of settings");
    const yaml_node_t *seen[N_ROOT_KEYS] = { 0 };
    const yaml_node_t *input_type = NULL, *input_scale = NULL;
    for (yaml_node_pair_t *pr = root->data.mapping.pairs.start; pr < root->data.mapping.pairs.top;
         pr++) {
        const yaml_node_t *k = yaml_document_get_node(p->doc, pr->key);
        const yaml_node_t *v = yaml_document_get_node(p->doc, pr->value);
        int key = map_key(p, k, root_keys, N_ROOT_KEYS, seen);
        int64_t x = 0;
        bool ok = true;
        if (key < 0)
            return false;
        switch (key) {
        case ROOT_TARGETS:
            ok = parse_targets(p, v);
            break;
        case ROOT_CLOCK_MHZ:
            ok = get_double(p, v, "clock_mhz", CONFIG_MIN_MHZ, CONFIG_MAX_MHZ, &c->clock_mhz);
            break;
        case ROOT_TARGET_FPS:
            ok = get_double(p, v, "target_fps", CONFIG_MIN_FPS, CONFIG_MAX_FPS, &c->target_fps);
            break;
        case ROOT_MAX_WEIGHT_STREAM_BITS:
            ok = get_int(p, v, "max_weight_stream_bits", 1, (int64_t)1 << 24,
                         &c->max_weight_stream_bits);
            break;
        case ROOT_FIFO_DEPTH:
            ok = get_int(p, v, "fifo_depth", 1, (int64_t)1 << 24, &c->fifo_depth);
            break;
        case ROOT_LABELS:
            ok = get_int(p, v, "labels", 0, 1 << 16, &x);
            c->labels = (int)x;
            break;
        case ROOT_FOLDING:
            ok = parse_folding(p, v);
            break;
        case ROOT_INPUT_TYPE:
            input_type = v; /* after the loop: input_scale may come first */
            break;
        case ROOT_INPUT_SCALE:
            input_scale = v;
            break;
        case ROOT_DEVICE:
        case ROOT_PACKAGE:
            ok = get_name(p, v, root_keys[key], key == ROOT_DEVICE ? &c->device : &c->package);
            break;
        case ROOT_UART_BAUD:
            ok = get_int(p, v, "uart_baud", 300, 12000000, &c->uart_baud);
            break;
        default:
            return perr(p, k, "unknown key '%s' (targets, clock_mhz, target_fps, "
                        "max_weight_stream_bits, fifo_depth, labels, folding, input_type, "
                        "input_scale, device, package, uart_baud)", shown(k).s);
        }
        if (!ok)
            return false;
    }
    return parse_input_type(p, input_type, input_scale) &&
           check_device(p, seen[ROOT_DEVICE], seen[ROOT_PACKAGE]);
}

/* Whether line `line` (1-based) of text indents with a tab, which YAML
 * forbids and libyaml reports only as "cannot start any token". */
static bool indents_with_tab(const char *text, size_t len, unsigned long line)
{
    size_t at = 0;
    for (unsigned long l = 1; l < line && at < len; at++)
        if (text[at] == '\n')
            l++;
    while (at < len && (text[at] == ' ' || text[at] == '\t'))
        if (text[at++] == '\t')
            return true;
    return false;
}

/* libyaml's own errors: a reader error (not UTF-8 or UTF-16 text, a control
 * character) has a byte offset, the others a line. */
static bool yaml_error(const yaml_parser_t *ps, const char *text, size_t len, const char *name,
                       Diag *d)
{
    const char *problem = ps->problem ? ps->problem : "unknown";
    if (ps->error == YAML_MEMORY_ERROR)
        return fail_at(d, name, 0, "out of memory while reading the YAML");
    if (ps->error == YAML_READER_ERROR)
        return fail_at(d, name, 0, "byte offset %zu: %s (a configuration is UTF-8 text)",
                       ps->problem_offset, problem);
    unsigned long line = (unsigned long)ps->problem_mark.line + 1;
    return fail_at(d, name, line, "YAML syntax error: %s%s%s%s", problem,
                   ps->context ? " " : "", ps->context ? ps->context : "",
                   indents_with_tab(text, len, line) ? " (YAML indents with spaces, not tabs)"
                                                     : "");
}

/* Checks the shape of the text from libyaml's events, before libyaml builds
 * a document of it: one document, nesting within CONFIG_MAX_DEPTH, at most
 * CONFIG_MAX_ALIASES aliases (its loader looks each up in a list of all
 * anchors), no NUL inside a value (it would cut a name short). The parser
 * stops at the first event over a limit, so its stacks stay small. */
static bool check_shape(const char *text, size_t len, const char *name, Diag *d)
{
    yaml_parser_t ps;
    if (!yaml_parser_initialize(&ps))
        return fail_at(d, name, 0, "cannot start the YAML parser");
    yaml_parser_set_input_string(&ps, (const unsigned char *)text, len);
    int depth = 0, aliases = 0, documents = 0;
    bool ok = true, done = false;
    while (ok && !done) {
        yaml_event_t e;
        if (!yaml_parser_parse(&ps, &e)) {
            ok = yaml_error(&ps, text, len, name, d);
            break;
        }
        unsigned long line = (unsigned long)e.start_mark.line + 1;
        switch (e.type) {
        case YAML_DOCUMENT_START_EVENT:
            if (++documents > 1)
                ok = fail_at(d, name, line, "a second YAML document; a configuration is one "
                             "map of settings");
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT:
            if (++depth > CONFIG_MAX_DEPTH)
                ok = fail_at(d, name, line, "lists and maps nested more than %d deep",
                             CONFIG_MAX_DEPTH);
            break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            depth--;
            break;
        case YAML_ALIAS_EVENT:
            if (++aliases > CONFIG_MAX_ALIASES)
                ok = fail_at(d, name, line, "more than %d aliases (*name)", CONFIG_MAX_ALIASES);
            break;
        case YAML_SCALAR_EVENT:
            if (strlen((const char *)e.data.scalar.value) != e.data.scalar.length)
                ok = fail_at(d, name, line, "a value holds a NUL character");
            break;
        case YAML_STREAM_END_EVENT:
            done = true;
            break;
        default:
            break;
        }
        yaml_event_delete(&e);
    }
    yaml_parser_delete(&ps);
    return ok;
}

bool config_parse(BuildConfig *c, const char *text, size_t len, const char *name, Diag *d)
{
    config_defaults(c);
    c->path = arena_strdup(&c->arena, name);
    if (!c->path) {
        c->path = "(defaults)";
        return fail_at(d, name, 0, "out of memory");
    }
    if (len > CONFIG_MAX_BYTES)
        return fail_at(d, name, 0, "the configuration has %zu bytes, more than the %d a "
                       "configuration may have", len, CONFIG_MAX_BYTES);
    if (!check_shape(text, len, name, d))
        return false;
    Parse p = { c, NULL, name, d };
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser))
        return fail_at(d, name, 0, "cannot start the YAML parser");
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    bool ok;
    if (!yaml_parser_load(&parser, &doc)) {
        ok = yaml_error(&parser, text, len, name, d);
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
    if (!f)
        return fail_at(d, path, 0, "cannot read the configuration: %s", strerror(errno));
    /* one byte over the limit tells a file at the limit from a larger one */
    char *buf = malloc(CONFIG_MAX_BYTES + 1);
    size_t len = buf ? fread(buf, 1, CONFIG_MAX_BYTES + 1, f) : 0;
    int err = ferror(f) ? errno : 0;   /* e.g. EISDIR: a directory opens, but reads fail */
    fclose(f);
    bool ok;
    if (!buf)
        ok = fail_at(d, path, 0, "out of memory");
    else if (err)
        ok = fail_at(d, path, 0, "cannot read the configuration: %s", strerror(err));
    else if (len > CONFIG_MAX_BYTES)
        ok = fail_at(d, path, 0, "the configuration is larger than %d bytes (1 MiB)",
                     CONFIG_MAX_BYTES);
    else
        ok = config_parse(c, buf, len, path, d);
    free(buf);
    return ok;
}

bool config_has_target(const BuildConfig *c, const char *name)
{
    for (int k = 0; k < c->n_targets; k++)
        if (!strcmp(c->targets[k], name))
            return true;
    return false;
}
