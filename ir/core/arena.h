/* A bump allocator: the graph owns one, and everything the graph points to
 * (names, attributes, constant data) lives in it and is released at once. */
#ifndef QONNXC_ARENA_H
#define QONNXC_ARENA_H

#include <stdbool.h>
#include <stddef.h>

typedef struct ArenaChunk ArenaChunk;

typedef struct Arena {
    ArenaChunk *head;
    size_t total;        /* bytes handed out, for limits and reports */
} Arena;

/* Zeroed memory, aligned for any type. Returns NULL only when malloc fails. */
void *arena_alloc(Arena *a, size_t size);
/* Zeroed array of n elements; NULL on overflow of n * size or malloc failure. */
void *arena_array(Arena *a, size_t n, size_t size);
char *arena_strdup(Arena *a, const char *s);
char *arena_strndup(Arena *a, const char *s, size_t n);
void arena_release(Arena *a);

/* Not arena memory: grows the malloc'ed *array of *cap elements of `elem`
 * bytes to hold at least `need`, doubling from first_cap. False when out
 * of memory (*array and *cap are then as they were). */
bool array_grow(void **array, int *cap, int need, size_t elem, int first_cap);

#endif
