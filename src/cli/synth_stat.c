/* The yosys stat reader (synth_stat.h). Written against the format of
 * yosys 0.23: per module "=== name ===", then "Number of cells: N" and one
 * "  TYPE  COUNT" line per cell type up to a blank line.
 *
 * Text, not `stat -json`: yosys 0.23 does not print valid JSON for these
 * designs. With a top module two levels deep (top -> qnn_mvau ->
 * qnn_threshold) it writes the lines of the hierarchy tree below the
 * first level into the JSON, between "modules" and "design"; without a
 * top it leaves a comma before the closing brace. (Checked on the rtl of
 * TFC_1W1A: the JSON fails to parse at the tree's first line.) */
#include "synth_stat.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* LUT sites taken by the 7-series distributed-RAM and shift-register
 * primitives synth_xilinx maps to (UG474, "SLICEM"). */
static const struct {
    const char *type;
    int luts;
} lutram_cells[] = {
    { "RAM16X1S", 1 }, { "RAM32X1S", 1 }, { "RAM64X1S", 1 }, { "RAM128X1S", 2 },
    { "RAM256X1S", 4 }, { "RAM16X1D", 2 }, { "RAM32X1D", 2 }, { "RAM64X1D", 2 },
    { "RAM128X1D", 4 }, { "RAM32M", 4 }, { "RAM64M", 4 }, { "SRL16E", 1 },
    { "SRLC16E", 1 }, { "SRLC32E", 1 },
};

long long synth_bram18(const SynthCount *c)
{
    return c->ramb18 + 2 * c->ramb36;
}

void synth_count_add(SynthCount *sum, const SynthCount *c, long long times)
{
    sum->lut += times * c->lut;
    sum->lutram += times * c->lutram;
    sum->ff += times * c->ff;
    sum->ramb18 += times * c->ramb18;
    sum->ramb36 += times * c->ramb36;
    sum->dsp += times * c->dsp;
}

bool synth_count_equal(const SynthCount *a, const SynthCount *b)
{
    return a->lut == b->lut && a->lutram == b->lutram && a->ff == b->ff &&
           a->ramb18 == b->ramb18 && a->ramb36 == b->ramb36 && a->dsp == b->dsp;
}

/* Adds `count` cells of a primitive type; other types (CARRY4, MUXF7,
 * IBUF, ...) are not counted. */
static void count_primitive(SynthCount *c, const char *type, long long count)
{
    if ((!strncmp(type, "LUT", 3) && type[3] >= '1' && type[3] <= '6' && !type[4]) ||
        !strcmp(type, "LUT6_2"))
        c->lut += count;
    else if (!strncmp(type, "FD", 2))
        c->ff += count;
    else if (!strcmp(type, "RAMB18E1"))
        c->ramb18 += count;
    else if (!strcmp(type, "RAMB36E1"))
        c->ramb36 += count;
    else if (!strcmp(type, "DSP48E1"))
        c->dsp += count;
    else
        for (size_t k = 0; k < sizeof lutram_cells / sizeof lutram_cells[0]; k++)
            if (!strcmp(type, lutram_cells[k].type))
                c->lutram += count * lutram_cells[k].luts;
}

/* ---- parsing ---------------------------------------------------------------- */

static char *copy_span(const char *p, size_t n)
{
    char *s = malloc(n + 1);
    if (s) {
        memcpy(s, p, n);
        s[n] = '\0';
    }
    return s;
}

static bool add_cell(SynthModule *m, const char *type, size_t type_len, long long count)
{
    SynthCell *cells = realloc(m->cells, (size_t)(m->n_cells + 1) * sizeof *cells);
    if (!cells)
        return false;
    m->cells = cells;
    cells[m->n_cells].type = copy_span(type, type_len);
    cells[m->n_cells].count = count;
    return cells[m->n_cells++].type != NULL;
}

/* "  TYPE   COUNT": two fields, the second a number. */
static bool cell_line(const char *line, size_t len, const char **type, size_t *type_len,
                      long long *count)
{
    size_t k = 0;
    while (k < len && isspace((unsigned char)line[k]))
        k++;
    size_t start = k;
    while (k < len && !isspace((unsigned char)line[k]))
        k++;
    *type = line + start;
    *type_len = k - start;
    while (k < len && isspace((unsigned char)line[k]))
        k++;
    if (!*type_len || k == len || !isdigit((unsigned char)line[k]))
        return false;
    long long n = 0;
    for (; k < len && isdigit((unsigned char)line[k]); k++) {
        if (n > (1LL << 50))
            return false;
        n = n * 10 + (line[k] - '0');
    }
    while (k < len && isspace((unsigned char)line[k]))
        k++;
    *count = n;
    return k == len;
}

/* "=== NAME ===" gives NAME. */
static bool section_line(const char *line, size_t len, const char **name, size_t *name_len)
{
    while (len && isspace((unsigned char)line[len - 1]))
        len--;
    while (len && isspace((unsigned char)*line)) {
        line++;
        len--;
    }
    if (len < 8 || strncmp(line, "=== ", 4) || strncmp(line + len - 4, " ===", 4))
        return false;
    *name = line + 4;
    *name_len = len - 8;
    return true;
}

static bool is_blank(const char *line, size_t len)
{
    for (size_t k = 0; k < len; k++)
        if (!isspace((unsigned char)line[k]))
            return false;
    return true;
}

/* The line, its leading blanks skipped, starts with `prefix`. */
static bool starts_with_trimmed(const char *line, size_t len, const char *prefix)
{
    size_t k = 0, n = strlen(prefix);
    while (k < len && isspace((unsigned char)line[k]))
        k++;
    return len - k >= n && !strncmp(line + k, prefix, n);
}

static bool oom(Diag *d, const char *path)
{
    return diag_error(d, path, NULL, NULL, "out of memory");
}

/* The module no other module instantiates, when there is exactly one. */
static const char *find_top(const SynthStat *s)
{
    const char *top = NULL;
    for (int m = 0; m < s->n_modules; m++) {
        bool used = false;
        for (int o = 0; o < s->n_modules && !used; o++)
            for (int c = 0; c < s->modules[o].n_cells && !used; c++)
                used = !strcmp(s->modules[o].cells[c].type, s->modules[m].name);
        if (!used) {
            if (top)
                return NULL;
            top = s->modules[m].name;
        }
    }
    return top;
}

bool synth_stat_parse(const char *text, const char *path, SynthStat *s, Diag *d)
{
    memset(s, 0, sizeof *s);
    SynthModule *cur = NULL;
    bool in_cells = false, in_hierarchy_tree = false;
    char *top_from_tree = NULL;
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        size_t len = nl ? (size_t)(nl - line) : strlen(line);
        const char *name, *type;
        size_t name_len, type_len;
        long long count;
        if (section_line(line, len, &name, &name_len)) {
            in_cells = false;
            in_hierarchy_tree = false;
            if (name_len == 16 && !strncmp(name, "design hierarchy", 16)) {
                cur = &s->total;
                s->has_total = true;
                in_hierarchy_tree = true;
            } else {
                SynthModule *mods = realloc(s->modules, (size_t)(s->n_modules + 1) * sizeof *mods);
                if (!mods)
                    return oom(d, path);
                s->modules = mods;
                cur = &mods[s->n_modules++];
                memset(cur, 0, sizeof *cur);
                if (!(cur->name = copy_span(name, name_len)))
                    return oom(d, path);
            }
        } else if (cur && starts_with_trimmed(line, len, "Number of cells:")) {
            in_cells = true;
            in_hierarchy_tree = false;
        } else if (in_cells && (is_blank(line, len) ||
                                !cell_line(line, len, &type, &type_len, &count))) {
            in_cells = false;
        } else if (in_cells) {
            if (!add_cell(cur, type, type_len, count))
                return oom(d, path);
        } else if (in_hierarchy_tree && !top_from_tree &&
                   cell_line(line, len, &type, &type_len, &count)) {
            if (!(top_from_tree = copy_span(type, type_len)))
                return oom(d, path);
        }
        line = nl ? nl + 1 : line + len;
    }
    if (s->n_modules == 0) {
        free(top_from_tree);
        diag_error(d, path, NULL, NULL, "not a yosys stat report: no module section "
                   "(\"=== name ===\")");
        diag_set_exit(d, EXIT_INTERNAL);
        return false;
    }
    const SynthModule *top = top_from_tree ? synth_stat_module(s, top_from_tree) : NULL;
    free(top_from_tree);
    s->top = top ? top->name : find_top(s);
    if (!s->top) {
        diag_error(d, path, NULL, NULL, "cannot tell the top module of the design");
        diag_set_exit(d, EXIT_INTERNAL);
        return false;
    }
    return true;
}

static void module_free(SynthModule *m)
{
    for (int c = 0; c < m->n_cells; c++)
        free(m->cells[c].type);
    free(m->cells);
    free(m->name);
}

void synth_stat_free(SynthStat *s)
{
    for (int m = 0; m < s->n_modules; m++)
        module_free(&s->modules[m]);
    free(s->modules);
    module_free(&s->total);
    memset(s, 0, sizeof *s);
}

/* ---- sums --------------------------------------------------------------------- */

const SynthModule *synth_stat_module(const SynthStat *s, const char *name)
{
    for (int m = 0; m < s->n_modules; m++)
        if (!strcmp(s->modules[m].name, name))
            return &s->modules[m];
    return NULL;
}

void synth_cells_count(const SynthModule *m, SynthCount *out)
{
    memset(out, 0, sizeof *out);
    for (int c = 0; c < m->n_cells; c++)
        count_primitive(out, m->cells[c].type, m->cells[c].count);
}

/* depth: a guard against a (malformed) report where modules contain
 * each other. */
static bool module_count(const SynthStat *s, const SynthModule *m, SynthCount *out, int depth)
{
    synth_cells_count(m, out);
    for (int c = 0; c < m->n_cells; c++) {
        const SynthModule *sub = synth_stat_module(s, m->cells[c].type);
        SynthCount below;
        if (!sub)
            continue;
        if (depth > 64 || !module_count(s, sub, &below, depth + 1))
            return false;
        synth_count_add(out, &below, m->cells[c].count);
    }
    return true;
}

bool synth_module_count(const SynthStat *s, const char *name, SynthCount *out)
{
    const SynthModule *m = synth_stat_module(s, name);
    memset(out, 0, sizeof *out);
    return m && module_count(s, m, out, 0);
}
