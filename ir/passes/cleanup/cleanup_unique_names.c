/* Unique names: messages, dumps and emitted code name layers after their
 * nodes, so every node gets a non-empty name no other node has. Names from
 * the file are kept (the first of duplicates keeps its name); an unnamed
 * node becomes "<op>_<index>" and a later duplicate "<name>_<j>", with a
 * suffix added until the name is free. A hash set of the names in use and
 * a per-base counter of the next suffix keep this O(nodes) even when
 * thousands of nodes share one name. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

/* Open-addressing set of strings, each with a counter (next suffix to try). */
typedef struct NameSet {
    size_t cap;          /* power of two, at least twice the names stored */
    const char **names;
    int *next_suffix;
} NameSet;

static size_t hash(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return (size_t)h;
}

/* Slot of `name`, or of the empty slot where it would go. */
static size_t slot(const NameSet *set, const char *name)
{
    size_t k = hash(name) & (set->cap - 1);
    while (set->names[k] && strcmp(set->names[k], name))
        k = (k + 1) & (set->cap - 1);
    return k;
}

static bool set_init(NameSet *set, int n)
{
    set->cap = 16;
    while (set->cap < 2 * (size_t)n + 2)
        set->cap *= 2;
    set->names = calloc(set->cap, sizeof *set->names);
    set->next_suffix = calloc(set->cap, sizeof *set->next_suffix);
    return set->names && set->next_suffix;
}

static void set_free(NameSet *set)
{
    free(set->names);
    free(set->next_suffix);
}

/* Inserts name (the caller keeps it alive); false if it was there already. */
static bool set_add(NameSet *set, const char *name)
{
    size_t k = slot(set, name);
    if (set->names[k])
        return false;
    set->names[k] = name;
    set->next_suffix[k] = 1;
    return true;
}

/* A name not yet in the set, made from base, added to the set (arena copy). */
static const char *fresh_name(Graph *g, NameSet *set, const char *base)
{
    char buf[512];
    const char *name = base;
    size_t kb = slot(set, base);
    if (set->names[kb]) {
        /* base is taken: base_j, from base's counter on */
        int j = set->next_suffix[kb];
        do
            snprintf(buf, sizeof buf, "%.480s_%d", base, j++);
        while (set->names[slot(set, buf)]);
        set->next_suffix[kb] = j;
        name = buf;
    }
    const char *copy = arena_strdup(&g->arena, name);
    if (copy)
        set_add(set, copy);
    return copy;
}

bool pass_unique_names(Graph *g, Diag *d)
{
    /* Each node adds at most one name to the set. */
    NameSet set;
    bool *rename = calloc((size_t)(g->n_nodes ? g->n_nodes : 1), sizeof *rename);
    bool ok = set_init(&set, g->n_nodes) && rename;
    for (int k = 0; ok && k < g->n_nodes; k++) {
        const char *name = g->nodes[k]->name;
        rename[k] = !name || !*name || !set_add(&set, name);
    }
    for (int k = 0; ok && k < g->n_nodes; k++) {
        if (!rename[k])
            continue;
        Node *n = g->nodes[k];
        char base[512];
        if (n->name && *n->name)
            snprintf(base, sizeof base, "%s", n->name);
        else
            snprintf(base, sizeof base, "%.480s_%d", n->op_type, k);
        const char *name = fresh_name(g, &set, base);
        if (!name)
            ok = false;
        else
            n->name = name;
    }
    if (!ok)
        diag_error(d, g->path, NULL, NULL, "out of memory naming nodes");
    else
        g->names_unique = true;
    set_free(&set);
    free(rename);
    return ok;
}
