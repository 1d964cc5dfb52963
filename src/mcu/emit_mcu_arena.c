/* The activation arena of the mcu and npu targets: one static array, every
 * stored tensor at an offset in it.
 *
 * A tensor lives from the layer that writes it (def; -1 for the input
 * quantizer's output) to the last layer that reads it (last; the output
 * affine counts as layer n_layers); a layout op that does not move data
 * (RL_ALIAS) extends the lifetime of the tensor it aliases. Two tensors
 * whose lifetimes share a layer must not overlap in memory, including a
 * layer's input and output (the kernels are not in place).
 *
 * The allocator is greedy by size: tensors sorted by size, largest first
 * (ties: earlier def first, then tensor id, so the plan is deterministic),
 * each placed at the lowest 8-byte-aligned offset where it overlaps no
 * already placed tensor that is alive at the same time. The candidates
 * are 0 and the end of every such tensor. This is the "greedy by size"
 * strategy of TensorFlow Lite Micro's planner; for a chain of layers it
 * reaches the lower bound (the largest input + output of one layer). */
#include <stdlib.h>
#include <string.h>

#include "emit_mcu_internal.h"

static RefTensor *root(RefTensor *t)
{
    while (t->alias)
        t = t->alias;
    return t;
}

static int64_t format_bytes(RefFormat f)
{
    return f == REF_BITS ? 8 : f == REF_I8 ? 1 : 4;
}

static int by_size(const void *a, const void *b)
{
    const McuSlot *x = a, *y = b;
    if (x->bytes != y->bytes)
        return x->bytes > y->bytes ? -1 : 1;
    if (x->def != y->def)
        return x->def < y->def ? -1 : 1;
    return x->t->t->id < y->t->t->id ? -1 : x->t->t->id > y->t->t->id;
}

static bool alive_together(const McuSlot *a, const McuSlot *b)
{
    return a->def <= b->last && b->def <= a->last;
}

bool mcu_arena_plan(RefPlan *p, McuArena *a, Diag *d)
{
    memset(a, 0, sizeof *a);
    a->slots = calloc((size_t)p->g->n_tensors + 1, sizeof *a->slots);
    if (!a->slots)
        return diag_error(d, p->g->path, NULL, NULL, "out of memory");
    for (int k = 0; k < p->g->n_tensors; k++) {
        RefTensor *r = &p->tensors[k];
        if (!r->t || r->alias || r->buf < 0)
            continue;
        McuSlot *s = &a->slots[a->n++];
        s->t = r;
        s->bytes = (r->size * format_bytes(r->fmt) + 7) / 8 * 8;
        s->def = r->def;
        s->last = r->last < r->def ? r->def : r->last; /* never read: alive while written */
        s->offset = -1;
    }
    qsort(a->slots, (size_t)a->n, sizeof *a->slots, by_size);
    for (int i = 0; i < a->n; i++) {
        McuSlot *s = &a->slots[i];
        int64_t best = -1;
        for (int c = -1; c < i; c++) {
            int64_t off = c < 0 ? 0 : a->slots[c].offset + a->slots[c].bytes;
            if (c >= 0 && !alive_together(s, &a->slots[c]))
                continue;
            if (best >= 0 && off >= best)
                continue;
            bool clash = false;
            for (int j = 0; j < i && !clash; j++) {
                const McuSlot *o = &a->slots[j];
                clash = alive_together(s, o) && off < o->offset + o->bytes &&
                        o->offset < off + s->bytes;
            }
            if (!clash)
                best = off;
        }
        s->offset = best;
        if (best + s->bytes > a->bytes)
            a->bytes = best + s->bytes;
    }
    /* the bounds of size_report.json: bytes alive at each layer */
    for (int k = -1; k <= p->n_layers; k++) {
        int64_t sum = 0, m1 = 0, m2 = 0;
        for (int i = 0; i < a->n; i++) {
            const McuSlot *s = &a->slots[i];
            if (s->def > k || s->last < k)
                continue;
            sum += s->bytes;
            if (s->bytes > m1) {
                m2 = m1;
                m1 = s->bytes;
            } else if (s->bytes > m2) {
                m2 = s->bytes;
            }
        }
        if (sum > a->lower_bound)
            a->lower_bound = sum;
        if (m1 + m2 > a->two_largest)
            a->two_largest = m1 + m2;
    }
    return true;
}

void mcu_arena_free(McuArena *a)
{
    free(a->slots);
    memset(a, 0, sizeof *a);
}

const McuSlot *mcu_arena_slot(const McuArena *a, const RefTensor *t)
{
    const RefTensor *r = root((RefTensor *)t);
    for (int i = 0; i < a->n; i++)
        if (a->slots[i].t == r)
            return &a->slots[i];
    return NULL;
}
