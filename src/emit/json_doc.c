/* JSON through cJSON (json_doc.h): building, printing, reading. */
#include "json_doc.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- writing --------------------------------------------------------------- */

void json_doc_init(JsonDoc *doc)
{
    doc->root = cJSON_CreateObject();
    doc->oom = doc->root == NULL;
}

/* Adds item under key (or to the array) and returns it; NULL, the item
 * freed and doc->oom set, if it cannot be. */
static cJSON *attach(JsonDoc *doc, cJSON *parent, const char *key, cJSON *item)
{
    bool ok = parent && item &&
              (key ? cJSON_AddItemToObject(parent, key, item) : cJSON_AddItemToArray(parent, item));
    if (!ok) {
        cJSON_Delete(item);
        doc->oom = true;
        return NULL;
    }
    return item;
}

cJSON *jd_object(JsonDoc *doc, cJSON *parent, const char *key)
{
    return attach(doc, parent, key, cJSON_CreateObject());
}

cJSON *jd_array(JsonDoc *doc, cJSON *parent, const char *key)
{
    return attach(doc, parent, key, cJSON_CreateArray());
}

void jd_int(JsonDoc *doc, cJSON *parent, const char *key, long long v)
{
    attach(doc, parent, key, cJSON_CreateNumber((double)v));
}

void jd_number(JsonDoc *doc, cJSON *parent, const char *key, double v)
{
    attach(doc, parent, key, cJSON_CreateNumber(v));
}

void jd_number_as(JsonDoc *doc, cJSON *parent, const char *key, const char *fmt, double v)
{
    char text[64];
    snprintf(text, sizeof text, fmt, v);
    attach(doc, parent, key, cJSON_CreateNumber(strtod(text, NULL)));
}

void jd_bool(JsonDoc *doc, cJSON *parent, const char *key, bool v)
{
    attach(doc, parent, key, cJSON_CreateBool(v));
}

void jd_string(JsonDoc *doc, cJSON *parent, const char *key, const char *s)
{
    attach(doc, parent, key, s ? cJSON_CreateString(s) : cJSON_CreateNull());
}

void jd_null(JsonDoc *doc, cJSON *parent, const char *key)
{
    attach(doc, parent, key, cJSON_CreateNull());
}

bool json_doc_finish(JsonDoc *doc, TextBuf *out)
{
    if (!doc->oom) {
        json_print(doc->root, out);
        tb_puts(out, "\n");
    }
    cJSON_Delete(doc->root);
    doc->root = NULL;
    if (doc->oom)
        out->oom = true;
    return !out->oom;
}

/* ---- printing -------------------------------------------------------------- */

/* The shortest of 15, 16, 17 significant digits that reads back as v;
 * whole numbers below 2^53 as integers. */
static void print_number(double v, TextBuf *out)
{
    char text[40];
    if (!isfinite(v)) {
        tb_puts(out, "null");   /* JSON has no infinities; qonnxc writes none */
        return;
    }
    if (v == floor(v) && fabs(v) <= 9007199254740992.0) {
        tb_printf(out, "%.0f", v);
        return;
    }
    for (int digits = 15; digits <= 17; digits++) {
        snprintf(text, sizeof text, "%.*g", digits, v);
        if (strtod(text, NULL) == v)
            break;
    }
    tb_puts(out, text);
}

/* Strings (and keys) with cJSON's own escaping. */
static void print_string(const char *s, TextBuf *out)
{
    cJSON *item = cJSON_CreateStringReference(s);
    char *text = item ? cJSON_PrintUnformatted(item) : NULL;
    if (text)
        tb_puts(out, text);
    else
        out->oom = true;
    cJSON_free(text);
    cJSON_Delete(item);
}

static bool is_container(const cJSON *item)
{
    return cJSON_IsObject(item) || cJSON_IsArray(item);
}

static bool only_scalars(const cJSON *item)
{
    const cJSON *e;
    cJSON_ArrayForEach(e, item)
        if (is_container(e))
            return false;
    return true;
}

#define LINE_WIDTH 100

/* item at the given depth, its text starting at column col. */
static void print_item(const cJSON *item, int depth, int col, TextBuf *out)
{
    if (cJSON_IsNumber(item)) {
        print_number(item->valuedouble, out);
    } else if (cJSON_IsString(item)) {
        print_string(item->valuestring, out);
    } else if (cJSON_IsBool(item)) {
        tb_puts(out, cJSON_IsTrue(item) ? "true" : "false");
    } else if (!is_container(item)) {
        tb_puts(out, "null");
    } else {
        bool object = cJSON_IsObject(item);
        /* below the root, scalars only: on one line, if it fits */
        TextBuf line;
        tb_init(&line);
        const cJSON *e;
        if (depth > 0 && only_scalars(item)) {
            tb_puts(&line, object ? "{" : "[");
            cJSON_ArrayForEach(e, item) {
                tb_puts(&line, e == item->child ? "" : ", ");
                if (object) {
                    print_string(e->string, &line);
                    tb_puts(&line, ": ");
                }
                print_item(e, depth + 1, 0, &line);
            }
            tb_puts(&line, object ? "}" : "]");
        }
        if (line.len && !line.oom && col + (int)line.len <= LINE_WIDTH) {
            tb_puts(out, tb_str(&line));
            tb_free(&line);
            return;
        }
        tb_free(&line);
        tb_puts(out, object ? "{" : "[");
        cJSON_ArrayForEach(e, item) {
            tb_printf(out, "%s\n%*s", e == item->child ? "" : ",", 2 * (depth + 1), "");
            size_t start = out->len;
            if (object) {
                print_string(e->string, out);
                tb_puts(out, ": ");
            }
            print_item(e, depth + 1, 2 * (depth + 1) + (int)(out->len - start), out);
        }
        if (item->child)
            tb_printf(out, "\n%*s", 2 * depth, "");
        tb_puts(out, object ? "}" : "]");
    }
}

void json_print(const cJSON *item, TextBuf *out)
{
    print_item(item, 0, 0, out);
}

/* ---- reading --------------------------------------------------------------- */

cJSON *json_parse_text(const char *text, const char *path, Diag *d)
{
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithOpts(text, &end, true);
    if (root)
        return root;
    if (!end || end < text)
        end = text;
    int line = 1;
    for (const char *p = text; p < end; p++)
        line += *p == '\n';
    bool at_end = end[strspn(end, " \t\r\n")] == '\0';
    if (!text[strspn(text, " \t\r\n")])
        diag_error(d, path, NULL, NULL, "empty: not a JSON file");
    else if (at_end)
        diag_error(d, path, NULL, NULL, "not valid JSON: truncated (the text ends at line %d "
                   "inside a value)", line);
    else
        diag_error(d, path, NULL, NULL, "not valid JSON: parsing stopped at line %d", line);
    return NULL;
}

cJSON *json_read_file(const char *path, Diag *d)
{
    size_t len;
    char *text = read_text_file(path, &len);
    if (!text) {
        diag_error(d, path, NULL, NULL, "cannot read: %s", strerror(errno));
        return NULL;
    }
    cJSON *root = NULL;
    if (strlen(text) != len)
        diag_error(d, path, NULL, NULL, "not valid JSON: a NUL byte in the text");
    else
        root = json_parse_text(text, path, d);
    free(text);
    return root;
}

static const char *type_name(const cJSON *item)
{
    return cJSON_IsNumber(item) ? "a number" : cJSON_IsString(item) ? "a string"
         : cJSON_IsBool(item) ? "a boolean" : cJSON_IsNull(item) ? "null"
         : cJSON_IsArray(item) ? "an array" : cJSON_IsObject(item) ? "an object" : "something else";
}

/* Member key of obj, or NULL with an error when it is missing or
 * `is(item)` fails. */
static const cJSON *member(const cJSON *obj, const char *where, const char *key,
                           cJSON_bool (*is)(const cJSON *), const char *want, const char *path,
                           Diag *d)
{
    const cJSON *item = cJSON_IsObject(obj) ? cJSON_GetObjectItemCaseSensitive(obj, key) : NULL;
    const char *dot = where ? "." : "";
    if (!cJSON_IsObject(obj))
        diag_error(d, path, NULL, NULL, "\"%s\" is %s, not an object", where ? where : "(root)",
                   type_name(obj));
    else if (!item)
        diag_error(d, path, NULL, NULL, "\"%s%s%s\" is missing", where ? where : "", dot, key);
    else if (!is(item))
        diag_error(d, path, NULL, NULL, "\"%s%s%s\" is %s, not %s", where ? where : "", dot, key,
                   type_name(item), want);
    else
        return item;
    return NULL;
}

const cJSON *json_get_object(const cJSON *obj, const char *where, const char *key,
                             const char *path, Diag *d)
{
    return member(obj, where, key, cJSON_IsObject, "an object", path, d);
}

const cJSON *json_get_array(const cJSON *obj, const char *where, const char *key,
                            const char *path, Diag *d)
{
    return member(obj, where, key, cJSON_IsArray, "an array", path, d);
}

const char *json_get_string(const cJSON *obj, const char *where, const char *key,
                            const char *path, Diag *d)
{
    const cJSON *item = member(obj, where, key, cJSON_IsString, "a string", path, d);
    return item ? item->valuestring : NULL;
}

bool json_get_int(const cJSON *obj, const char *where, const char *key, const char *path,
                  long long *out, Diag *d)
{
    const cJSON *item = member(obj, where, key, cJSON_IsNumber, "a whole number", path, d);
    if (!item)
        return false;
    double v = item->valuedouble;
    if (v != floor(v) || fabs(v) > 9007199254740992.0)
        return diag_error(d, path, NULL, NULL, "\"%s%s%s\" is %.17g, not a whole number",
                          where ? where : "", where ? "." : "", key, v);
    *out = (long long)v;
    return true;
}
