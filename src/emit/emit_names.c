/* The naming step (emit_names.h). */
#include "emit_names.h"

#include <string.h>

void emit_comment_safe(char *s)
{
    for (char *p = s; p && (p = strstr(p, "*/")) != NULL; p++)
        p[1] = '|';
    for (char *p = s; p && (p = strstr(p, "??")) != NULL; p++)
        p[1] = '_';
    for (char *p = s; p && *p; p++)
        if (*p == '\n' || *p == '\r')
            *p = ' ';
}

static bool needs_rewrite(const char *s)
{
    return s && (strstr(s, "*/") || strstr(s, "??") || strpbrk(s, "\r\n"));
}

/* The safe form of *name, as a new string of arena a when it differs. */
static bool make_safe(Arena *a, const char **name)
{
    if (!needs_rewrite(*name))
        return true;
    char *safe = arena_strdup(a, *name);
    if (!safe)
        return false;
    emit_comment_safe(safe);
    *name = safe;
    return true;
}

bool emit_names(Graph *g, Dataflow *df, Diag *d)
{
    bool ok = true;
    for (int k = 0; ok && k < g->n_nodes; k++)
        ok = make_safe(&g->arena, &g->nodes[k]->name);
    for (int k = 0; ok && k < g->n_tensors; k++)
        ok = make_safe(&g->arena, &g->tensors[k]->name);
    for (int k = 0; ok && df && k < df->n_layers; k++)
        ok = make_safe(&df->arena, &df->layers[k].name);
    if (!ok)
        return diag_error(d, g->path, NULL, NULL, "out of memory");
    graph_reindex_tensors(g);    /* the index is by name */
    graph_number_tensors(g);
    g->names_emittable = true;
    return true;
}
