/* DIR/build.json: what `qonnxc build` built DIR from, and which files of
 * DIR qonnxc wrote (docs/cli.md, "qonnxc build").
 *
 *   {
 *     "qonnxc_version": "...",
 *     "model":  { "path": "/abs/model.onnx", "fnv1a64": "cbf29ce484222325" },
 *     "config": { "path": "/abs/config.yaml", "fnv1a64": "..." } | null,
 *     "input_type": "fixed<8,3>" | null,
 *     "targets": ["ref", "hls"],
 *     "files": ["build.json", "ref/model.c", ...]
 *   }
 *
 * `report DIR` estimates the folding the build used from it, refusing when
 * the model or config changed since; a rebuild replaces exactly the files
 * listed and refuses to delete any other (unless --force). Hashes are
 * FNV-1a 64 of the file's bytes, 16 lower-case hex digits: a change
 * detector, not a security measure. Written and read with cJSON. */
#ifndef QONNXC_BUILD_RECORD_H
#define QONNXC_BUILD_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "emit_util.h"

#define BUILD_RECORD_FILE "build.json"

/* One input file of the build: absolute path and content hash. */
typedef struct BuildInput {
    char *path;            /* NULL: none (no config given) */
    char hash[17];         /* FNV-1a 64, hex */
} BuildInput;

typedef struct BuildRecord {
    char *version;
    BuildInput model, config;
    char *input_type;      /* --input-type as given; NULL: none (the config's, if any) */
    char **targets;
    int n_targets;
    char **files;          /* relative to DIR, '/'-separated, sorted */
    int n_files;
} BuildRecord;

/* FNV-1a 64 of the bytes (offset basis 0xcbf29ce484222325, prime 0x100000001b3). */
uint64_t fnv1a64(const void *data, size_t len);
/* The hash of a whole file as 16 hex digits into hex; false (errno set)
 * when it cannot be read. */
bool file_hash_hex(const char *path, char hex[17]);

void build_record_init(BuildRecord *r);
void build_record_free(BuildRecord *r);
/* Sets r->model or r->config from a path as given on the command line:
 * made absolute, hashed. An unreadable file is an error naming it. */
bool build_input_set(BuildInput *in, const char *path, Diag *d);
bool build_record_add_target(BuildRecord *r, const char *name);
/* Adds a file (no duplicates); false when out of memory. */
bool build_record_add_file(BuildRecord *r, const char *rel);
bool build_record_has_file(const BuildRecord *r, const char *rel);

/* The JSON text (files sorted, so the same build gives the same bytes). */
bool build_record_json(BuildRecord *r, TextBuf *out);
/* Reads DIR/build.json. Returns 1 when read, 0 when DIR has none, -1 on an
 * error (unreadable or malformed: d names the file, exit code usage). */
int build_record_read(const char *dir, BuildRecord *r, Diag *d);
/* Writes DIR/build.json through a temporary file renamed into place. */
bool build_record_write(BuildRecord *r, const char *dir, Diag *d);

/* Checks that an input of the record is still what the build read: an
 * error naming the file (exit code usage) when it is gone or its hash
 * changed. `what` is "model" or "config". */
bool build_input_unchanged(const BuildInput *in, const char *what, const char *dir, Diag *d);

/* The files under DIR/<entry> (recursively; entry may be a file) that are
 * not in `known` (NULL: none known), as relative paths appended to
 * *list / *n (malloc'ed strings). False only when out of memory. */
bool unknown_files_under(const char *dir, const char *entry, const BuildRecord *known,
                         char ***list, int *n);

#endif
