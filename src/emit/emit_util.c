/* Text buffers, deterministic C literals and atomic output trees; see
 * emit_util.h. */
#include "emit_util.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- text buffer --------------------------------------------------------- */

void tb_init(TextBuf *b)
{
    memset(b, 0, sizeof *b);
}

void tb_free(TextBuf *b)
{
    free(b->data);
    tb_init(b);
}

static bool tb_reserve(TextBuf *b, size_t extra)
{
    if (b->oom)
        return false;
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void tb_write(TextBuf *b, const void *data, size_t len)
{
    if (!tb_reserve(b, len))
        return;
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
}

void tb_puts(TextBuf *b, const char *s)
{
    tb_write(b, s, strlen(s));
}

void tb_printf(TextBuf *b, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->oom = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        tb_write(b, small, (size_t)n);
        return;
    }
    if (!tb_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

const char *tb_str(const TextBuf *b)
{
    return b->len ? b->data : "";
}

char *read_text_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 14, n = 0, got;
    char *text = malloc(cap);
    while (text && (got = fread(text + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n < 2) {
            char *bigger = realloc(text, cap * 2);
            if (!bigger)
                free(text);
            text = bigger;
            cap *= 2;
        }
    }
    int err = !text ? ENOMEM : ferror(f) ? EIO : 0;
    fclose(f);
    if (err) {
        free(text);
        errno = err;
        return NULL;
    }
    text[n] = '\0';
    if (len)
        *len = n;
    return text;
}

/* ---- C text helpers ------------------------------------------------------ */

void c_identifier(const char *name, char *out, size_t size)
{
    size_t n = 0;
    bool sep = false;
    if (size < 2) {
        if (size)
            out[0] = '\0';
        return;
    }
    for (const char *p = name ? name : ""; *p && n + 1 < size; p++) {
        unsigned char ch = (unsigned char)*p;
        if (isalnum(ch) && ch < 128) {
            if (sep && n > 0 && n + 2 < size)
                out[n++] = '_';
            sep = false;
            if (n == 0 && isdigit(ch))
                out[n++] = 'x';
            if (n + 1 < size)
                out[n++] = (char)tolower(ch);
        } else {
            sep = true;
        }
    }
    if (n == 0)
        out[n++] = 'x';
    out[n] = '\0';
}

const char *name_table_add(NameTable *t, const char *stem, char out[64])
{
    snprintf(out, 64, "%s", stem);
    for (int k = 2;; k++) {
        bool used = false;
        for (int j = 0; j < t->n && !used; j++)
            used = !strcmp(t->names[j], out);
        if (!used)
            break;
        snprintf(out, 64, "%s_%d", stem, k);
    }
    if (t->n == t->cap) {
        int cap = t->cap ? 2 * t->cap : 64;
        char(*names)[64] = realloc(t->names, (size_t)cap * sizeof *names);
        if (!names)
            return out;
        t->names = names;
        t->cap = cap;
    }
    memcpy(t->names[t->n++], out, 64);
    return out;
}

void name_table_free(NameTable *t)
{
    free(t->names);
    t->names = NULL;
    t->n = t->cap = 0;
}

const char *c_float(float f, char buf[32])
{
    if (isnan(f)) {
        strcpy(buf, "NAN");
        return buf;
    }
    if (isinf(f)) {
        strcpy(buf, f < 0 ? "-HUGE_VALF" : "HUGE_VALF");
        return buf;
    }
    snprintf(buf, 24, "%.9g", (double)f);
    if (!strpbrk(buf, ".e"))
        strcat(buf, ".0");
    strcat(buf, "f");
    return buf;
}

typedef void (*FormatOne)(char *buf, size_t size, const void *v, size_t k);

static void fmt_i32(char *buf, size_t size, const void *v, size_t k)
{
    snprintf(buf, size, "%ld", (long)((const int32_t *)v)[k]);
}

static void fmt_u8(char *buf, size_t size, const void *v, size_t k)
{
    snprintf(buf, size, "0x%02x", (unsigned)((const uint8_t *)v)[k]);
}

static void fmt_u64(char *buf, size_t size, const void *v, size_t k)
{
    snprintf(buf, size, "0x%016llxu", (unsigned long long)((const uint64_t *)v)[k]);
}

static void fmt_f32(char *buf, size_t size, const void *v, size_t k)
{
    char tmp[32];
    snprintf(buf, size, "%s", c_float(((const float *)v)[k], tmp));
}

/* Values [from, from + n) as comma-separated lines at the given indent. */
static void emit_values(TextBuf *b, FormatOne one, const void *v, size_t from, size_t n,
                        size_t per_line, const char *indent)
{
    char buf[48];
    if (per_line == 0)
        per_line = 8;
    for (size_t k = 0; k < n; k++) {
        one(buf, sizeof buf, v, from + k);
        if (k % per_line == 0)
            tb_puts(b, indent);
        tb_puts(b, buf);
        if (k + 1 < n)
            tb_puts(b, (k + 1) % per_line == 0 ? ",\n" : ", ");
    }
    if (n)
        tb_puts(b, "\n");
}

static void emit_array(TextBuf *b, const char *decl, FormatOne one, const void *v, size_t n,
                       size_t per_line)
{
    tb_printf(b, "%s = {\n", decl);
    emit_values(b, one, v, 0, n, per_line, "    ");
    tb_puts(b, "};\n");
}

static void emit_array2(TextBuf *b, const char *decl, FormatOne one, const void *v, size_t rows,
                        size_t cols, size_t per_line)
{
    tb_printf(b, "%s = {\n", decl);
    for (size_t r = 0; r < rows; r++) {
        if (cols <= per_line) {
            char buf[48];
            tb_puts(b, "    { ");
            for (size_t c = 0; c < cols; c++) {
                one(buf, sizeof buf, v, r * cols + c);
                tb_printf(b, c + 1 < cols ? "%s, " : "%s", buf);
            }
            tb_puts(b, r + 1 < rows ? " },\n" : " }\n");
        } else {
            tb_puts(b, "    {\n");
            emit_values(b, one, v, r * cols, cols, per_line, "        ");
            tb_puts(b, r + 1 < rows ? "    },\n" : "    }\n");
        }
    }
    tb_puts(b, "};\n");
}

void emit_array_i32(TextBuf *b, const char *decl, const int32_t *v, size_t n, size_t per_line)
{
    emit_array(b, decl, fmt_i32, v, n, per_line);
}

void emit_array_u8(TextBuf *b, const char *decl, const uint8_t *v, size_t n, size_t per_line)
{
    emit_array(b, decl, fmt_u8, v, n, per_line);
}

void emit_array_u64(TextBuf *b, const char *decl, const uint64_t *v, size_t n, size_t per_line)
{
    emit_array(b, decl, fmt_u64, v, n, per_line);
}

void emit_array_f32(TextBuf *b, const char *decl, const float *v, size_t n, size_t per_line)
{
    emit_array(b, decl, fmt_f32, v, n, per_line);
}

void emit_array2_i32(TextBuf *b, const char *decl, const int32_t *v, size_t rows, size_t cols,
                     size_t per_line)
{
    emit_array2(b, decl, fmt_i32, v, rows, cols, per_line);
}

void emit_array2_u8(TextBuf *b, const char *decl, const uint8_t *v, size_t rows, size_t cols,
                    size_t per_line)
{
    emit_array2(b, decl, fmt_u8, v, rows, cols, per_line);
}

void emit_array2_u64(TextBuf *b, const char *decl, const uint64_t *v, size_t rows, size_t cols,
                     size_t per_line)
{
    emit_array2(b, decl, fmt_u64, v, rows, cols, per_line);
}

/* ---- output tree --------------------------------------------------------- */

void outtree_init(OutTree *t)
{
    memset(t, 0, sizeof *t);
}

void outtree_free(OutTree *t)
{
    for (int k = 0; k < t->n; k++) {
        free(t->files[k].path);
        tb_free(&t->files[k].text);
    }
    free(t->files);
    outtree_init(t);
}

TextBuf *outtree_add(OutTree *t, const char *path)
{
    if (t->n == t->cap) {
        int cap = t->cap ? 2 * t->cap : 16;
        OutFile *f = realloc(t->files, (size_t)cap * sizeof *f);
        if (!f) {
            t->oom = true;
            return NULL;
        }
        t->files = f;
        t->cap = cap;
    }
    OutFile *f = &t->files[t->n];
    if (!(f->path = strdup(path))) {
        t->oom = true;
        return NULL;
    }
    tb_init(&f->text);
    t->n++;
    return &f->text;
}

bool outtree_add_bytes(OutTree *t, const char *path, const void *data, size_t len)
{
    TextBuf *b = outtree_add(t, path);
    if (!b)
        return false;
    tb_write(b, data, len);
    return !b->oom;
}

bool remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT;
    if (!S_ISDIR(st.st_mode))
        return unlink(path) == 0;
    DIR *dir = opendir(path);
    if (!dir)
        return false;
    bool ok = true;
    struct dirent *e;
    while (ok && (e = readdir(dir)) != NULL) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        char *child = malloc(len);
        if (!child) {
            ok = false;
            break;
        }
        snprintf(child, len, "%s/%s", path, e->d_name);
        ok = remove_tree(child);
        free(child);
    }
    closedir(dir);
    return ok && rmdir(path) == 0;
}

/* "<a>/<b>" in a new malloc'ed string. */
static char *join(const char *a, const char *b)
{
    size_t len = strlen(a) + strlen(b) + 2;
    char *s = malloc(len);
    if (s)
        snprintf(s, len, "%s/%s", a, b);
    return s;
}

/* Writes one file of the tree under root, creating its directories. */
static bool write_file(const char *root, const OutFile *f, Diag *d)
{
    char *path = join(root, f->path);
    if (!path)
        return diag_error(d, root, NULL, NULL, "out of memory");
    for (char *p = path + strlen(root) + 1; (p = strchr(p, '/')) != NULL; p++) {
        *p = '\0';
        bool made = mkdir(path, 0777) == 0 || errno == EEXIST;
        *p = '/';
        if (!made) {
            diag_error(d, path, NULL, NULL, "cannot create directory: %s", strerror(errno));
            free(path);
            return false;
        }
    }
    FILE *fp = fopen(path, "wb");
    bool ok = fp != NULL;
    if (ok && f->text.len)
        ok = fwrite(f->text.data, 1, f->text.len, fp) == f->text.len;
    if (fp && fclose(fp) != 0)
        ok = false;
    if (!ok)
        diag_error(d, path, NULL, NULL, "cannot write: %s", strerror(errno));
    free(path);
    return ok;
}

void path_top_entry(const char *path, char *buf, size_t size)
{
    size_t n = strcspn(path, "/");
    if (n >= size)
        n = size - 1;
    memcpy(buf, path, n);
    buf[n] = '\0';
}

/* Moves every top-level entry of stage into the existing directory dir,
 * replacing entries of the same name (moved into stage, then removed with
 * it). */
static bool swap_entries(const OutTree *t, const char *stage, const char *dir, Diag *d)
{
    for (int k = 0; k < t->n; k++) {
        char top[256], old_name[300];
        path_top_entry(t->files[k].path, top, sizeof top);
        bool seen = false;
        for (int j = 0; j < k && !seen; j++) {
            char other[256];
            path_top_entry(t->files[j].path, other, sizeof other);
            seen = !strcmp(top, other);
        }
        if (seen)
            continue;
        snprintf(old_name, sizeof old_name, ".old-%s", top);
        char *target = join(dir, top), *fresh = join(stage, top), *old = join(stage, old_name);
        bool ok = target && fresh && old;
        struct stat st;
        bool had_old = ok && lstat(target, &st) == 0;
        if (ok && had_old && rename(target, old) != 0) {
            diag_error(d, target, NULL, NULL, "cannot replace: %s", strerror(errno));
            ok = false;
        } else if (ok && rename(fresh, target) != 0) {
            diag_error(d, target, NULL, NULL, "cannot move the new output into place: %s",
                       strerror(errno));
            if (had_old)
                (void)rename(old, target);
            ok = false;
        }
        if (!target || !fresh || !old)
            diag_error(d, dir, NULL, NULL, "out of memory");
        free(target);
        free(fresh);
        free(old);
        if (!ok)
            return false;
    }
    return true;
}

bool outtree_commit(const OutTree *t, const char *dir_arg, Diag *d)
{
    if (t->oom)
        return diag_error(d, dir_arg, NULL, NULL, "out of memory while generating files");
    for (int k = 0; k < t->n; k++)
        if (t->files[k].text.oom)
            return diag_error(d, dir_arg, NULL, NULL, "out of memory while generating %s",
                              t->files[k].path);
    size_t len = strlen(dir_arg);
    char *dir = malloc(len + 16);
    if (!dir)
        return diag_error(d, dir_arg, NULL, NULL, "out of memory");
    memcpy(dir, dir_arg, len + 1);
    while (len > 1 && dir[len - 1] == '/')
        dir[--len] = '\0';
    if (len == 0) {
        free(dir);
        diag_error(d, NULL, NULL, NULL, "the output directory name is empty");
        diag_set_exit(d, EXIT_USAGE);
        return false;
    }
    struct stat st;
    bool exists = stat(dir, &st) == 0;
    if (exists && !S_ISDIR(st.st_mode)) {
        diag_error(d, dir, NULL, NULL, "exists and is not a directory");
        diag_set_exit(d, EXIT_USAGE);
        free(dir);
        return false;
    }
    char *stage = malloc(len + 16);
    if (!stage) {
        free(dir);
        return diag_error(d, dir_arg, NULL, NULL, "out of memory");
    }
    snprintf(stage, len + 16, "%s.tmp-XXXXXX", dir);
    if (!mkdtemp(stage)) {
        diag_error(d, dir, NULL, NULL, "cannot create the output directory (%s)", strerror(errno));
        diag_set_exit(d, EXIT_USAGE);
        free(stage);
        free(dir);
        return false;
    }
    /* mkdtemp makes the directory private; give it the usual mode. */
    mode_t mask = umask(0);
    umask(mask);
    bool ok = chmod(stage, 0777 & ~mask) == 0;
    if (!ok)
        diag_error(d, stage, NULL, NULL, "cannot set permissions: %s", strerror(errno));
    for (int k = 0; ok && k < t->n; k++)
        ok = write_file(stage, &t->files[k], d);
    if (ok && !exists) {
        if (rename(stage, dir) != 0)
            ok = diag_error(d, dir, NULL, NULL, "cannot create: %s", strerror(errno));
        else
            stage[0] = '\0';
    } else if (ok) {
        ok = swap_entries(t, stage, dir, d);
    }
    if (!ok)
        diag_set_exit(d, EXIT_INTERNAL);
    if (stage[0])
        remove_tree(stage);
    free(stage);
    free(dir);
    return ok;
}
