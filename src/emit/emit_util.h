/* What every emitter needs to write C (and other text) files:
 *
 *   TextBuf   a growing text buffer with printf; out of memory is sticky
 *             (later calls do nothing) and reported once, at commit
 *   emit_*    named const arrays and float literals, formatted the same way
 *             on every run, so emitted files are byte-identical
 *   OutTree   the set of files of one build, written all at once: into
 *             "DIR.tmp-XXXXXX" first, then renamed into place, so a failure
 *             leaves no partial output behind */
#ifndef QONNXC_EMIT_UTIL_H
#define QONNXC_EMIT_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"

/* ---- text buffer --------------------------------------------------------- */

typedef struct TextBuf {
    char *data;        /* NUL-terminated when len > 0 */
    size_t len, cap;
    bool oom;          /* an allocation failed; the contents are incomplete */
} TextBuf;

void tb_init(TextBuf *b);
void tb_free(TextBuf *b);
void tb_write(TextBuf *b, const void *data, size_t len);
void tb_puts(TextBuf *b, const char *s);
void tb_printf(TextBuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The contents so far as a string ("" when empty). */
const char *tb_str(const TextBuf *b);

/* A whole file, NUL-terminated, malloc'ed (len, may be NULL, gets its
 * size); NULL with errno set when it cannot be read or memory runs out. */
char *read_text_file(const char *path, size_t *len);

/* ---- C text helpers ------------------------------------------------------ */

/* A C identifier from any name: letters and digits kept (lower case), every
 * other run of characters one '_', no leading digit, never empty ("x").
 * "/conv_features.1/Conv" -> "conv_features_1_conv". */
void c_identifier(const char *name, char *out, size_t size);

/* The C names handed out for one set of emitted files, for uniqueness. */
typedef struct NameTable {
    char (*names)[64];
    int n, cap;
} NameTable;

/* stem, or else stem_2, stem_3, ...: the first not in t yet, recorded in t
 * and copied to out. Out of memory it is not recorded; uniqueness then
 * rests on the suffix search alone. */
const char *name_table_add(NameTable *t, const char *stem, char out[64]);
void name_table_free(NameTable *t);

/* A float literal that reads back as exactly f: "%.9g" plus what C needs
 * ("2" -> "2.0f", "1e-05" -> "1e-05f"); infinities and NaN as the C99
 * macros HUGE_VALF / -HUGE_VALF / NAN (<math.h>). buf needs 32 bytes. */
const char *c_float(float f, char buf[32]);

/* Named const arrays, `per_line` values per line, each line indented by
 * four spaces. `decl` is everything before " = {", e.g.
 * "static const int32_t conv1_thresholds[64]". */
void emit_array_i32(TextBuf *b, const char *decl, const int32_t *v, size_t n, size_t per_line);
void emit_array_u8(TextBuf *b, const char *decl, const uint8_t *v, size_t n, size_t per_line);
void emit_array_u64(TextBuf *b, const char *decl, const uint64_t *v, size_t n, size_t per_line);
void emit_array_f32(TextBuf *b, const char *decl, const float *v, size_t n, size_t per_line);
/* A two-dimensional array [rows][cols], one brace group per row. */
void emit_array2_i32(TextBuf *b, const char *decl, const int32_t *v, size_t rows, size_t cols,
                     size_t per_line);
void emit_array2_u8(TextBuf *b, const char *decl, const uint8_t *v, size_t rows, size_t cols,
                    size_t per_line);
void emit_array2_u64(TextBuf *b, const char *decl, const uint64_t *v, size_t rows, size_t cols,
                     size_t per_line);

/* ---- output tree --------------------------------------------------------- */

typedef struct OutFile {
    char *path;        /* relative to the output directory, '/'-separated */
    TextBuf text;
} OutFile;

typedef struct OutTree {
    OutFile *files;
    int n, cap;
    bool oom;
} OutTree;

void outtree_init(OutTree *t);
void outtree_free(OutTree *t);
/* A new empty file at `path` (e.g. "ref/model.c"); the returned buffer
 * stays valid until the next outtree_add. NULL when out of memory. */
TextBuf *outtree_add(OutTree *t, const char *path);
/* A file with the given bytes. */
bool outtree_add_bytes(OutTree *t, const char *path, const void *data, size_t len);

/* Writes every file under `dir`. When dir does not exist it is created as
 * a whole; when it does, each top-level entry of the tree ("ref") replaces
 * the entry of that name in dir, and other entries are left alone. Files
 * are written into a sibling "DIR.tmp-XXXXXX" first and renamed, so on any
 * failure nothing of the new output is left. Errors name the path, with
 * exit code EXIT_USAGE for an unusable DIR and EXIT_INTERNAL otherwise. */
bool outtree_commit(const OutTree *t, const char *dir, Diag *d);

/* The first component of a relative path ("ref/model.c" -> "ref"), into buf. */
void path_top_entry(const char *path, char *buf, size_t size);

/* Removes a directory tree (like rm -r); false on the first failure. */
bool remove_tree(const char *path);

#endif
