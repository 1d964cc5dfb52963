/* Every JSON file qonnxc writes or reads goes through cJSON (Debian
 * libcjson-dev); this header is the little qonnxc puts around it.
 *
 * Writing. A JsonDoc is a cJSON tree being built; the jd_* calls add to it
 * and remember an allocation failure (or a NULL parent left by one) in
 * `oom`, so a writer is a straight list of calls with one check at the
 * end, in json_doc_finish. The text has two-space indentation, one member
 * per line; an object or array below the top holding only strings, numbers,
 * booleans and nulls stays on one line when that fits in 100 columns.
 * Numbers are printed so they read back exactly:
 * integers as integers, other values with the fewest of 15, 16 or 17
 * significant digits that give the same double (0.1 stays "0.1").
 * Integers are exact up to 2^53 (cJSON stores doubles); qonnxc's counts
 * are far below.
 *
 * Reading. json_read_file parses a whole file; the json_get_* calls fetch
 * one member, and every failure (not JSON, truncated, a member missing or
 * of the wrong type) is an error naming the file and the member's path
 * ("fifos[2].max_occupancy"). They set no exit code: the caller knows
 * whose file it is. */
#ifndef QONNXC_JSON_DOC_H
#define QONNXC_JSON_DOC_H

#include <cjson/cJSON.h>
#include <stdbool.h>

#include "diag.h"
#include "emit_util.h"

/* ---- writing --------------------------------------------------------------- */

typedef struct JsonDoc {
    cJSON *root;       /* an object */
    bool oom;          /* something could not be added: the tree is incomplete */
} JsonDoc;

void json_doc_init(JsonDoc *doc);
/* Prints the tree into out (ending in a newline) and frees it. False, with
 * out->oom set, if anything failed on the way. */
bool json_doc_finish(JsonDoc *doc, TextBuf *out);

/* Each adds a member `key` to the object `parent`, or, with key NULL, an
 * element to the array `parent`. */
cJSON *jd_object(JsonDoc *doc, cJSON *parent, const char *key);
cJSON *jd_array(JsonDoc *doc, cJSON *parent, const char *key);
void jd_int(JsonDoc *doc, cJSON *parent, const char *key, long long v);
void jd_number(JsonDoc *doc, cJSON *parent, const char *key, double v);
/* v as `fmt` prints it ("%.2f": 1234.5678 is stored as 1234.57), for
 * values whose digits beyond that mean nothing. */
void jd_number_as(JsonDoc *doc, cJSON *parent, const char *key, const char *fmt, double v)
    __attribute__((format(printf, 4, 0)));
void jd_bool(JsonDoc *doc, cJSON *parent, const char *key, bool v);
/* s NULL adds null. */
void jd_string(JsonDoc *doc, cJSON *parent, const char *key, const char *s);
void jd_null(JsonDoc *doc, cJSON *parent, const char *key);

/* The text of any cJSON tree in the format above, appended to out. */
void json_print(const cJSON *item, TextBuf *out);

/* ---- reading --------------------------------------------------------------- */

/* The parsed file, or NULL with an error: cannot be read, empty, or not
 * JSON (naming the line where parsing stopped, "truncated" at the end). */
cJSON *json_read_file(const char *path, Diag *d);
/* The same for text already read; `path` names it in errors. */
cJSON *json_parse_text(const char *text, const char *path, Diag *d);

/* Member `key` of the object `obj`. `where` is obj's own path in the file
 * ("fifos[2]"), NULL for the root. NULL / false with an error when it is
 * missing or of another type. */
const cJSON *json_get_object(const cJSON *obj, const char *where, const char *key,
                             const char *path, Diag *d);
const cJSON *json_get_array(const cJSON *obj, const char *where, const char *key,
                            const char *path, Diag *d);
const char *json_get_string(const cJSON *obj, const char *where, const char *key,
                            const char *path, Diag *d);
/* A whole number within +-2^53. */
bool json_get_int(const cJSON *obj, const char *where, const char *key, const char *path,
                  long long *out, Diag *d);

#endif
