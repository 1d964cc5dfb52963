/* DIR/build.json (build_record.h), through cJSON. */
#define _XOPEN_SOURCE 700       /* realpath */
#include "build_record.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json_doc.h"

uint64_t fnv1a64(const void *data, size_t len)
{
    const unsigned char *p = data;
    uint64_t h = 0xcbf29ce484222325u;
    for (size_t k = 0; k < len; k++) {
        h ^= p[k];
        h *= 0x100000001b3u;
    }
    return h;
}

bool file_hash_hex(const char *path, char hex[17])
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    uint64_t h = 0xcbf29ce484222325u;
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        for (size_t k = 0; k < n; k++) {
            h ^= buf[k];
            h *= 0x100000001b3u;
        }
    bool ok = !ferror(f);
    fclose(f);
    snprintf(hex, 17, "%016llx", (unsigned long long)h);
    return ok;
}

void build_record_init(BuildRecord *r)
{
    memset(r, 0, sizeof *r);
}

static void free_strings(char **v, int n)
{
    for (int k = 0; k < n; k++)
        free(v[k]);
    free(v);
}

void build_record_free(BuildRecord *r)
{
    free(r->version);
    free(r->model.path);
    free(r->config.path);
    free(r->input_type);
    free_strings(r->targets, r->n_targets);
    free_strings(r->files, r->n_files);
    build_record_init(r);
}

bool build_input_set(BuildInput *in, const char *path, Diag *d)
{
    char abs[PATH_MAX];
    if (!realpath(path, abs) || !file_hash_hex(abs, in->hash))
        return diag_error(d, path, NULL, NULL, "cannot read: %s", strerror(errno));
    free(in->path);
    if (!(in->path = strdup(abs)))
        return diag_error(d, path, NULL, NULL, "out of memory");
    return true;
}

static bool push_string(char ***v, int *n, const char *s)
{
    char **grown = realloc(*v, sizeof **v * (size_t)(*n + 1));
    if (!grown)
        return false;
    *v = grown;
    if (!(grown[*n] = strdup(s)))
        return false;
    (*n)++;
    return true;
}

bool build_record_add_target(BuildRecord *r, const char *name)
{
    return push_string(&r->targets, &r->n_targets, name);
}

bool build_record_has_file(const BuildRecord *r, const char *rel)
{
    for (int k = 0; r && k < r->n_files; k++)
        if (!strcmp(r->files[k], rel))
            return true;
    return false;
}

bool build_record_add_file(BuildRecord *r, const char *rel)
{
    return build_record_has_file(r, rel) || push_string(&r->files, &r->n_files, rel);
}

static int cmp_strings(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static cJSON *input_json(const BuildInput *in)
{
    if (!in->path)
        return cJSON_CreateNull();
    cJSON *o = cJSON_CreateObject();
    if (o && (!cJSON_AddStringToObject(o, "path", in->path) ||
              !cJSON_AddStringToObject(o, "fnv1a64", in->hash))) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

/* A JSON array of the strings (cJSON_CreateStringArray refuses none). */
static cJSON *string_array(char *const *v, int n)
{
    cJSON *arr = cJSON_CreateArray();
    for (int k = 0; arr && k < n; k++) {
        cJSON *s = cJSON_CreateString(v[k]);
        if (!s || !cJSON_AddItemToArray(arr, s)) {
            cJSON_Delete(s);
            cJSON_Delete(arr);
            return NULL;
        }
    }
    return arr;
}

/* Adds item to root under name; the item is freed when it cannot be. */
static bool attach(cJSON *root, const char *name, cJSON *item)
{
    if (root && item && cJSON_AddItemToObject(root, name, item))
        return true;
    cJSON_Delete(item);
    return false;
}

bool build_record_json(BuildRecord *r, TextBuf *out)
{
    qsort(r->files, (size_t)r->n_files, sizeof *r->files, cmp_strings);
    cJSON *root = cJSON_CreateObject();
    bool ok = attach(root, "qonnxc_version",
                     cJSON_CreateString(r->version ? r->version : QONNXC_VERSION));
    ok = attach(root, "model", input_json(&r->model)) && ok;
    ok = attach(root, "config", input_json(&r->config)) && ok;
    ok = attach(root, "input_type",
                r->input_type ? cJSON_CreateString(r->input_type) : cJSON_CreateNull()) && ok;
    ok = attach(root, "targets", string_array(r->targets, r->n_targets)) && ok;
    ok = attach(root, "files", string_array(r->files, r->n_files)) && ok;
    if (ok) {
        json_print(root, out);
        tb_puts(out, "\n");
    }
    cJSON_Delete(root);
    return ok && !out->oom;
}

/* "path"/"fnv1a64" of the model or config entry `key`; null (allowed for
 * the config) leaves in empty. */
static bool read_input(const cJSON *root, const char *key, BuildInput *in, bool may_be_null,
                       const char *path, Diag *d)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, key);
    if (may_be_null && cJSON_IsNull(item))
        return true;
    const cJSON *entry = json_get_object(root, NULL, key, path, d);
    const char *file = entry ? json_get_string(entry, key, "path", path, d) : NULL;
    const char *hash = file ? json_get_string(entry, key, "fnv1a64", path, d) : NULL;
    if (!hash)
        return false;
    if (strlen(hash) != 16)
        return diag_error(d, path, NULL, NULL, "\"%s.fnv1a64\" is not 16 hex digits", key);
    memcpy(in->hash, hash, 17);
    return (in->path = strdup(file)) != NULL || diag_error(d, path, NULL, NULL, "out of memory");
}

static bool read_strings(const cJSON *root, const char *key, char ***v, int *n,
                         const char *path, Diag *d)
{
    const cJSON *arr = json_get_array(root, NULL, key, path, d);
    if (!arr)
        return false;
    const cJSON *e;
    int k = 0;
    cJSON_ArrayForEach(e, arr) {
        if (!cJSON_IsString(e))
            return diag_error(d, path, NULL, NULL, "\"%s[%d]\" is not a string", key, k);
        if (!push_string(v, n, e->valuestring))
            return diag_error(d, path, NULL, NULL, "out of memory");
        k++;
    }
    return true;
}

static char *record_path(const char *dir)
{
    size_t len = strlen(dir) + sizeof BUILD_RECORD_FILE + 1;
    char *p = malloc(len);
    if (p)
        snprintf(p, len, "%s/%s", dir, BUILD_RECORD_FILE);
    return p;
}

/* "input_type": a string, or null / absent (none given). */
static bool read_input_type(const cJSON *root, char **out, const char *path, Diag *d)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, "input_type");
    if (!item || cJSON_IsNull(item))
        return true;
    const char *text = json_get_string(root, NULL, "input_type", path, d);
    return text && ((*out = strdup(text)) != NULL ||
                    diag_error(d, path, NULL, NULL, "out of memory"));
}

int build_record_read(const char *dir, BuildRecord *r, Diag *d)
{
    build_record_init(r);
    char *path = record_path(dir);
    if (!path)
        return diag_error(d, dir, NULL, NULL, "out of memory"), -1;
    struct stat st;
    if (stat(path, &st) != 0 && (errno == ENOENT || errno == ENOTDIR)) {
        free(path);
        return 0;
    }
    cJSON *root = json_read_file(path, d);
    const char *version = root ? json_get_string(root, NULL, "qonnxc_version", path, d) : NULL;
    bool ok = version && ((r->version = strdup(version)) != NULL ||
                          diag_error(d, path, NULL, NULL, "out of memory")) &&
              read_input(root, "model", &r->model, false, path, d) &&
              read_input(root, "config", &r->config, true, path, d) &&
              read_input_type(root, &r->input_type, path, d) &&
              read_strings(root, "targets", &r->targets, &r->n_targets, path, d) &&
              read_strings(root, "files", &r->files, &r->n_files, path, d);
    cJSON_Delete(root);
    if (!ok) {
        build_record_free(r);
        /* the reason above; then what the file is and how to replace it */
        diag_error(d, path, NULL, NULL, "is not a valid build record (the record of what "
                   "`qonnxc build` wrote; `build --force` replaces it)");
        diag_set_exit(d, EXIT_USAGE);
    }
    free(path);
    return ok ? 1 : -1;
}

bool build_record_write(BuildRecord *r, const char *dir, Diag *d)
{
    TextBuf t;
    tb_init(&t);
    char *path = record_path(dir), *tmp = path ? malloc(strlen(path) + 8) : NULL;
    bool ok = tmp && build_record_json(r, &t);
    if (!ok) {
        diag_error(d, dir, NULL, NULL, "out of memory");
    } else {
        snprintf(tmp, strlen(path) + 8, "%s.tmp", path);
        FILE *f = fopen(tmp, "wb");
        ok = f && fwrite(t.data, 1, t.len, f) == t.len;
        ok = (f && fclose(f) == 0) && ok && rename(tmp, path) == 0;
        if (!ok) {
            diag_error(d, path, NULL, NULL, "cannot write: %s", strerror(errno));
            diag_set_exit(d, EXIT_INTERNAL);
            remove(tmp);
        }
    }
    tb_free(&t);
    free(tmp);
    free(path);
    return ok;
}

bool build_input_unchanged(const BuildInput *in, const char *what, const char *dir, Diag *d)
{
    char hex[17];
    bool ok = true;
    if (!file_hash_hex(in->path, hex))
        ok = diag_error(d, in->path, NULL, NULL, "the %s %s/%s was built from cannot be read "
                        "(%s); rebuild, or give the %s with %s", what, dir, BUILD_RECORD_FILE,
                        strerror(errno), what, !strcmp(what, "model") ? "-m MODEL" : "-c CONFIG");
    else if (strcmp(hex, in->hash))
        ok = diag_error(d, in->path, NULL, NULL, "the %s changed since `qonnxc build` wrote %s "
                        "(recorded in %s/%s); rebuild so the report describes what is built",
                        what, dir, dir, BUILD_RECORD_FILE);
    if (!ok)
        diag_set_exit(d, EXIT_USAGE);
    return ok;
}

/* Walks DIR/rel, adding every non-directory entry not in known. */
static bool walk_unknown(const char *dir, const char *rel, const BuildRecord *known, char ***list,
                         int *n)
{
    size_t len = strlen(dir) + strlen(rel) + 2;
    char *path = malloc(len);
    if (!path)
        return false;
    snprintf(path, len, "%s/%s", dir, rel);
    struct stat st;
    bool ok = true;
    if (lstat(path, &st) != 0) {
        ok = true;                      /* gone: nothing to lose */
    } else if (!S_ISDIR(st.st_mode)) {
        if (!build_record_has_file(known, rel))
            ok = push_string(list, n, rel);
    } else {
        DIR *dp = opendir(path);
        struct dirent *e;
        char **names = NULL;
        int n_names = 0;
        while (ok && dp && (e = readdir(dp)) != NULL)
            if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
                ok = push_string(&names, &n_names, e->d_name);
        if (dp)
            closedir(dp);
        else
            ok = push_string(list, n, rel);   /* unreadable: report the folder itself */
        qsort(names, (size_t)n_names, sizeof *names, cmp_strings);
        for (int k = 0; ok && k < n_names; k++) {
            size_t clen = strlen(rel) + strlen(names[k]) + 2;
            char *child = malloc(clen);
            ok = child != NULL;
            if (ok) {
                snprintf(child, clen, "%s/%s", rel, names[k]);
                ok = walk_unknown(dir, child, known, list, n);
            }
            free(child);
        }
        free_strings(names, n_names);
    }
    free(path);
    return ok;
}

bool unknown_files_under(const char *dir, const char *entry, const BuildRecord *known,
                         char ***list, int *n)
{
    return walk_unknown(dir, entry, known, list, n);
}
