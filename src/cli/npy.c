/* NumPy .npy reading and writing. The format is described in
 * numpy/lib/format.py: a magic string "\x93NUMPY", a version byte pair, a
 * little-endian header length (2 bytes in version 1.0, 4 bytes in 2.0/3.0),
 * a header that is a Python dict literal with the keys 'descr',
 * 'fortran_order' and 'shape', then the raw array data. */
#include "npy.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAGIC "\x93NUMPY"
#define MAGIC_LEN 6
#define ARRAY_ALIGN 64            /* numpy aligns the data start to 64 bytes */
#define GROWTH_AXIS_MAX_DIGITS 21 /* numpy >= 1.23 reserves room to grow axis 0 */
/* A file may hold NPY_MAX_BYTES of data plus a header; headers are tiny in
 * practice, 16 MiB is far beyond any real one. */
#define MAX_FILE_BYTES (NPY_MAX_BYTES + ((uint64_t)16 << 20))

static const struct {
    char kind;
    size_t size;
    const char *name;
} dtype_info[] = {
    [NPY_F32] = {'f', 4, "<f4"},  [NPY_F64] = {'f', 8, "<f8"},
    [NPY_I8] = {'i', 1, "|i1"},   [NPY_I16] = {'i', 2, "<i2"},
    [NPY_I32] = {'i', 4, "<i4"},  [NPY_I64] = {'i', 8, "<i8"},
    [NPY_U8] = {'u', 1, "|u1"},   [NPY_U16] = {'u', 2, "<u2"},
    [NPY_U32] = {'u', 4, "<u4"},  [NPY_U64] = {'u', 8, "<u8"},
    [NPY_BOOL] = {'b', 1, "|b1"},
};
#define NUM_DTYPES (sizeof dtype_info / sizeof dtype_info[0])
#define SUPPORTED_LIST "f4, f8, i1, i2, i4, i8, u1, u2, u4, u8, b1"

static bool dtype_valid(NpyDtype t)
{
    return (unsigned)t < NUM_DTYPES;
}

size_t npy_dtype_size(NpyDtype t)
{
    return dtype_valid(t) ? dtype_info[t].size : 0;
}

const char *npy_dtype_name(NpyDtype t)
{
    return dtype_valid(t) ? dtype_info[t].name : "?";
}

static bool host_is_little(void)
{
    const uint16_t one = 1;
    unsigned char first;
    memcpy(&first, &one, 1);
    return first == 1;
}

static bool fail(Diag *d, const char *name, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bool fail(Diag *d, const char *name, int code, const char *fmt, ...)
{
    char body[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(body, sizeof body, fmt, ap);
    va_end(ap);
    diag_error(d, name, NULL, NULL, "%s", body);
    diag_set_exit(d, code);
    return false;
}

/* Copies at most 40 bytes of s into dst as printable ASCII, for messages. */
static void snippet(char *dst, size_t cap, const char *s, size_t n)
{
    const size_t max = 40;
    size_t j = 0;
    for (size_t i = 0; i < n && i < max && j + 1 < cap; i++) {
        unsigned char c = (unsigned char)s[i];
        dst[j++] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
    }
    if (n > max && j + 4 < cap) {
        memcpy(dst + j, "...", 3);
        j += 3;
    }
    dst[j] = '\0';
}

/* Product of the dimensions, checking overflow and the size limit. Returns
 * NULL on success, else the reason. */
static const char *shape_count(const int64_t *shape, int rank, size_t itemsize, int64_t *count)
{
    int64_t c = 1;
    bool zero = false;
    for (int i = 0; i < rank; i++) {
        if (shape[i] < 0)
            return "negative dimension";
        if (shape[i] == 0)
            zero = true;
    }
    if (zero) {
        *count = 0;
        return NULL;
    }
    for (int i = 0; i < rank; i++) {
        if (c > INT64_MAX / shape[i])
            return "the number of elements overflows";
        c *= shape[i];
    }
    if ((uint64_t)c > NPY_MAX_BYTES / itemsize || (uint64_t)c * itemsize > SIZE_MAX)
        return "the array exceeds the 4 GiB limit";
    *count = c;
    return NULL;
}

/* ---- header parser ----------------------------------------------------- */

typedef struct {
    const char *s;
    size_t n, i;
    const char *name;
    Diag *d;
} Cursor;

static void skip_ws(Cursor *c)
{
    while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\n' ||
                           c->s[c->i] == '\r'))
        c->i++;
}

static bool at(const Cursor *c, char ch)
{
    return c->i < c->n && c->s[c->i] == ch;
}

static bool malformed(Cursor *c, const char *expected)
{
    char near[64];
    if (c->i >= c->n)
        return fail(c->d, c->name, EXIT_BAD_DATA,
                    "malformed header: expected %s, found the end of the header", expected);
    snippet(near, sizeof near, c->s + c->i, c->n - c->i);
    return fail(c->d, c->name, EXIT_BAD_DATA, "malformed header: expected %s at \"%s\"", expected,
                near);
}

static bool expect(Cursor *c, char ch, const char *what)
{
    skip_ws(c);
    if (!at(c, ch))
        return malformed(c, what);
    c->i++;
    return true;
}

/* A quoted Python string; start and len give the raw text between the quotes. */
static bool parse_string(Cursor *c, size_t *start, size_t *len)
{
    skip_ws(c);
    if (!at(c, '\'') && !at(c, '"'))
        return malformed(c, "a quoted string");
    char q = c->s[c->i++];
    *start = c->i;
    while (c->i < c->n && c->s[c->i] != q) {
        if (c->s[c->i] == '\n')
            break;
        if (c->s[c->i] == '\\' && c->i + 1 < c->n)
            c->i++;
        c->i++;
    }
    if (!at(c, q))
        return fail(c->d, c->name, EXIT_BAD_DATA, "malformed header: unterminated string");
    *len = c->i - *start;
    c->i++;
    return true;
}

/* Skips one Python literal of any kind (used to quote a structured descr). */
static bool skip_value(Cursor *c)
{
    char stack[32];
    int depth = 0;
    size_t begin = c->i;
    skip_ws(c);
    while (c->i < c->n) {
        char ch = c->s[c->i];
        if (depth == 0 && (ch == ',' || ch == '}'))
            break;
        if (ch == '\'' || ch == '"') {
            size_t s, l;
            if (!parse_string(c, &s, &l))
                return false;
            continue;
        }
        if (ch == '(' || ch == '[' || ch == '{') {
            if (depth == (int)sizeof stack)
                return fail(c->d, c->name, EXIT_BAD_DATA, "malformed header: nested too deeply");
            stack[depth++] = ch == '(' ? ')' : ch == '[' ? ']' : '}';
        } else if (ch == ')' || ch == ']' || ch == '}') {
            if (depth == 0 || stack[depth - 1] != ch)
                return malformed(c, "a value");
            depth--;
        }
        c->i++;
    }
    if (depth != 0 || c->i == begin)
        return malformed(c, "a value");
    return true;
}

static bool parse_bool(Cursor *c, bool *out)
{
    skip_ws(c);
    size_t s = c->i;
    while (c->i < c->n && ((c->s[c->i] >= 'A' && c->s[c->i] <= 'Z') ||
                           (c->s[c->i] >= 'a' && c->s[c->i] <= 'z')))
        c->i++;
    size_t l = c->i - s;
    if (l == 4 && memcmp(c->s + s, "True", 4) == 0)
        *out = true;
    else if (l == 5 && memcmp(c->s + s, "False", 5) == 0)
        *out = false;
    else {
        c->i = s;
        return malformed(c, "True or False for 'fortran_order'");
    }
    return true;
}

/* A tuple of non-negative integers: "()", "(5,)", "(2, 3)", "(2L, 3L)". */
static bool parse_shape(Cursor *c, int64_t *shape, int *rank)
{
    int r = 0;
    if (!expect(c, '(', "'(' starting the shape"))
        return false;
    for (;;) {
        skip_ws(c);
        if (at(c, ')')) {
            c->i++;
            break;
        }
        bool neg = false;
        if (at(c, '-')) {
            neg = true;
            c->i++;
        }
        if (!(c->i < c->n && c->s[c->i] >= '0' && c->s[c->i] <= '9'))
            return malformed(c, "an integer in the shape");
        int64_t v = 0;
        bool big = false;
        while (c->i < c->n && c->s[c->i] >= '0' && c->s[c->i] <= '9') {
            int digit = c->s[c->i] - '0';
            if (v > (INT64_MAX - digit) / 10)
                big = true;
            else
                v = v * 10 + digit;
            c->i++;
        }
        if (at(c, 'L') || at(c, 'l')) /* Python 2 long literal */
            c->i++;
        if (neg && (v != 0 || big))
            return fail(c->d, c->name, EXIT_BAD_DATA, "negative dimension in the shape");
        if (big)
            return fail(c->d, c->name, EXIT_BAD_DATA, "shape dimension is too large");
        if (r < NPY_MAX_RANK)
            shape[r] = v;
        r++;
        skip_ws(c);
        if (at(c, ',')) {
            c->i++;
        } else if (at(c, ')')) {
            c->i++;
            break;
        } else {
            return malformed(c, "',' or ')' in the shape");
        }
    }
    if (r > NPY_MAX_RANK)
        return fail(c->d, c->name, EXIT_BAD_DATA, "rank %d exceeds the maximum of %d", r,
                    NPY_MAX_RANK);
    *rank = r;
    return true;
}

typedef struct {
    NpyDtype dtype;
    bool swap;            /* data is in the other byte order */
    bool fortran;
    int rank;
    int64_t shape[NPY_MAX_RANK];
} Header;

static bool parse_descr(Cursor *c, const char *s, size_t n, Header *h)
{
    char shown[64];
    snippet(shown, sizeof shown, s, n);
    char order = '=';
    size_t i = 0;
    if (n > 0 && (s[0] == '<' || s[0] == '>' || s[0] == '|' || s[0] == '='))
        order = s[i++];
    size_t size = 0;
    bool ok = n - i >= 2 && n - i <= 3;
    if (ok) {
        for (size_t j = i + 1; j < n; j++) {
            if (s[j] < '0' || s[j] > '9')
                ok = false;
            else
                size = size * 10 + (size_t)(s[j] - '0');
        }
    }
    if (ok) {
        ok = false;
        for (size_t t = 0; t < NUM_DTYPES; t++) {
            if (dtype_info[t].kind == s[i] && dtype_info[t].size == size) {
                h->dtype = (NpyDtype)t;
                ok = true;
            }
        }
    }
    if (!ok)
        return fail(c->d, c->name, EXIT_BAD_DATA, "unsupported dtype '%s' (supported: " SUPPORTED_LIST ")",
                    shown);
    bool little = host_is_little();
    h->swap = size > 1 && ((order == '<' && !little) || (order == '>' && little));
    return true;
}

static bool parse_header(Cursor *c, Header *h)
{
    enum { K_DESCR = 1, K_FORTRAN = 2, K_SHAPE = 4 };
    unsigned seen = 0;
    memset(h, 0, sizeof *h);
    if (!expect(c, '{', "'{' starting the header dictionary"))
        return false;
    for (;;) {
        skip_ws(c);
        if (at(c, '}')) {
            c->i++;
            break;
        }
        size_t ks, kl;
        if (!parse_string(c, &ks, &kl))
            return false;
        const char *key = c->s + ks;
        unsigned k = 0;
        if (kl == 5 && memcmp(key, "descr", 5) == 0)
            k = K_DESCR;
        else if (kl == 13 && memcmp(key, "fortran_order", 13) == 0)
            k = K_FORTRAN;
        else if (kl == 5 && memcmp(key, "shape", 5) == 0)
            k = K_SHAPE;
        char shown[64];
        snippet(shown, sizeof shown, key, kl);
        if (!k)
            return fail(c->d, c->name, EXIT_BAD_DATA, "unexpected key '%s' in the header", shown);
        if (seen & k)
            return fail(c->d, c->name, EXIT_BAD_DATA, "duplicate key '%s' in the header", shown);
        seen |= k;
        if (!expect(c, ':', "':' after a key"))
            return false;
        skip_ws(c);
        if (k == K_DESCR) {
            size_t vs, vl;
            if (at(c, '\'') || at(c, '"')) {
                if (!parse_string(c, &vs, &vl) || !parse_descr(c, c->s + vs, vl, h))
                    return false;
            } else {
                vs = c->i;
                if (!skip_value(c))
                    return false;
                snippet(shown, sizeof shown, c->s + vs, c->i - vs);
                return fail(c->d, c->name, EXIT_BAD_DATA,
                            "unsupported dtype %s (structured arrays are not supported)", shown);
            }
        } else if (k == K_FORTRAN) {
            if (!parse_bool(c, &h->fortran))
                return false;
        } else {
            if (!parse_shape(c, h->shape, &h->rank))
                return false;
        }
        skip_ws(c);
        if (at(c, ',')) {
            c->i++;
        } else if (at(c, '}')) {
            c->i++;
            break;
        } else {
            return malformed(c, "',' or '}' after a value");
        }
    }
    skip_ws(c);
    if (c->i != c->n)
        return malformed(c, "only spaces after the header dictionary");
    static const char *const names[] = {"descr", "fortran_order", "shape"};
    for (int j = 0; j < 3; j++)
        if (!(seen & (1u << j)))
            return fail(c->d, c->name, EXIT_BAD_DATA, "the header has no '%s' key", names[j]);
    if (h->fortran)
        return fail(c->d, c->name, EXIT_BAD_DATA, "Fortran-order arrays are not supported");
    return true;
}

static void byte_swap(unsigned char *p, size_t size, int64_t count)
{
    for (int64_t e = 0; e < count; e++, p += size)
        for (size_t a = 0, b = size - 1; a < b; a++, b--) {
            unsigned char t = p[a];
            p[a] = p[b];
            p[b] = t;
        }
}

/* Parses buf. When *owned is non-NULL, it is the malloc'ed block holding buf
 * and its memory becomes the array data (*owned is then set to NULL). */
static bool parse_into(const unsigned char *buf, size_t len, unsigned char **owned,
                       const char *name, NpyArray *out, Diag *d)
{
    if (len < MAGIC_LEN || memcmp(buf, MAGIC, MAGIC_LEN) != 0)
        return fail(d, name, EXIT_BAD_DATA, "not a .npy file (bad magic string)");
    if (len < MAGIC_LEN + 2)
        return fail(d, name, EXIT_BAD_DATA, "truncated header (%zu bytes)", len);
    unsigned major = buf[6], minor = buf[7];
    if (!((major == 1 || major == 2 || major == 3) && minor == 0))
        return fail(d, name, EXIT_BAD_DATA, "unsupported .npy format version %u.%u", major,
                    minor);
    size_t prefix = major == 1 ? 10 : 12;
    if (len < prefix)
        return fail(d, name, EXIT_BAD_DATA, "truncated header (%zu bytes)", len);
    uint64_t hlen = (uint64_t)buf[8] | (uint64_t)buf[9] << 8;
    if (major != 1)
        hlen |= (uint64_t)buf[10] << 16 | (uint64_t)buf[11] << 24;
    if (hlen > len - prefix)
        return fail(d, name, EXIT_BAD_DATA,
                    "header length %" PRIu64 " runs past the end of the file (%zu bytes)", hlen,
                    len);
    Cursor c = {(const char *)buf + prefix, (size_t)hlen, 0, name, d};
    Header h;
    if (!parse_header(&c, &h))
        return false;
    size_t itemsize = dtype_info[h.dtype].size;
    int64_t count;
    const char *why = shape_count(h.shape, h.rank, itemsize, &count);
    if (why)
        return fail(d, name, EXIT_BAD_DATA, "bad shape: %s", why);
    size_t bytes = (size_t)count * itemsize;
    size_t data_off = prefix + (size_t)hlen;
    size_t avail = len - data_off;
    if (avail < bytes)
        return fail(d, name, EXIT_BAD_DATA,
                    "truncated data: the shape needs %zu bytes, the file has %zu after the header",
                    bytes, avail);
    if (avail > bytes)
        return fail(d, name, EXIT_BAD_DATA, "%zu unexpected bytes after the array data",
                    avail - bytes);
    unsigned char *data;
    if (*owned) {
        memmove(*owned, *owned + data_off, bytes);
        data = realloc(*owned, bytes ? bytes : 1);
        if (!data)
            data = *owned;
        *owned = NULL;
    } else {
        data = malloc(bytes ? bytes : 1);
        if (!data)
            return fail(d, name, EXIT_BAD_DATA, "out of memory for %zu bytes", bytes);
        memcpy(data, buf + data_off, bytes);
    }
    if (h.swap)
        byte_swap(data, itemsize, count);
    out->dtype = h.dtype;
    out->rank = h.rank;
    memcpy(out->shape, h.shape, sizeof out->shape);
    out->count = count;
    out->data = data;
    return true;
}

static bool parse(const unsigned char *buf, size_t len, unsigned char *owned, const char *name,
                  NpyArray *out, Diag *d)
{
    bool ok = parse_into(buf, len, &owned, name ? name : "<memory>", out, d);
    free(owned);
    return ok;
}

/* ---- public API ------------------------------------------------------- */

bool npy_read_mem(const void *buf, size_t len, const char *name, NpyArray *out, Diag *d)
{
    Diag scratch;
    if (!d) {
        diag_init(&scratch);
        d = &scratch;
    }
    memset(out, 0, sizeof *out);
    if (!buf && len)
        return fail(d, name ? name : "<memory>", EXIT_INTERNAL, "npy_read_mem: NULL buffer");
    static const unsigned char empty[1];
    return parse(buf ? buf : empty, len, NULL, name, out, d);
}

bool npy_read(const char *path, NpyArray *out, Diag *d)
{
    Diag scratch;
    if (!d) {
        diag_init(&scratch);
        d = &scratch;
    }
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f)
        return fail(d, path, EXIT_BAD_DATA, "cannot open: %s", strerror(errno));
    struct stat st;
    size_t cap = 1 << 16;
    if (fstat(fileno(f), &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            fclose(f);
            return fail(d, path, EXIT_BAD_DATA, "cannot read: it is a directory");
        }
        if (S_ISREG(st.st_mode)) {
            if ((uint64_t)st.st_size > MAX_FILE_BYTES || (uint64_t)st.st_size >= SIZE_MAX) {
                fclose(f);
                return fail(d, path, EXIT_BAD_DATA,
                            "file too large (%jd bytes; arrays are limited to 4 GiB)",
                            (intmax_t)st.st_size);
            }
            cap = (size_t)st.st_size + 1; /* +1 to see EOF in one read */
        }
    }
    unsigned char *buf = malloc(cap);
    size_t len = 0;
    if (!buf) {
        fclose(f);
        return fail(d, path, EXIT_BAD_DATA, "out of memory reading the file");
    }
    for (;;) {
        if (len == cap) {
            if ((uint64_t)cap > MAX_FILE_BYTES) {
                free(buf);
                fclose(f);
                return fail(d, path, EXIT_BAD_DATA, "file too large (arrays are limited to 4 GiB)");
            }
            size_t ncap = cap * 2;
            unsigned char *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                fclose(f);
                return fail(d, path, EXIT_BAD_DATA, "out of memory reading the file");
            }
            buf = nb;
            cap = ncap;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0) {
            if (ferror(f)) {
                int e = errno;
                free(buf);
                fclose(f);
                return fail(d, path, EXIT_BAD_DATA, "read error: %s", strerror(e));
            }
            break;
        }
    }
    fclose(f);
    return parse(buf, len, buf, path, out, d);
}

bool npy_to_f32(const NpyArray *a, float **out, Diag *d)
{
    Diag scratch;
    if (!d) {
        diag_init(&scratch);
        d = &scratch;
    }
    *out = NULL;
    if (!a || !dtype_valid(a->dtype) || a->count < 0 || (a->count > 0 && !a->data) ||
        (uint64_t)a->count > NPY_MAX_BYTES / sizeof(float))
        return fail(d, NULL, EXIT_INTERNAL, "npy_to_f32: invalid array");
    size_t n = (size_t)a->count;
    float *f = malloc(n ? n * sizeof *f : 1);
    if (!f)
        return fail(d, NULL, EXIT_BAD_DATA, "out of memory converting %zu elements", n);
#define CONVERT(T)                                                                           \
    do {                                                                                     \
        const T *src = a->data;                                                              \
        for (size_t i = 0; i < n; i++)                                                       \
            f[i] = (float)src[i];                                                            \
    } while (0)
    switch (a->dtype) {
    case NPY_F32: if (n) memcpy(f, a->data, n * sizeof *f); break;
    case NPY_F64: {
        /* Out of float range is +-inf (IEEE rounding), without the C cast's UB. */
        const double *src = a->data;
        for (size_t i = 0; i < n; i++)
            f[i] = src[i] >= 0x1.ffffffp127 ? INFINITY
                 : src[i] <= -0x1.ffffffp127 ? -INFINITY : (float)src[i];
        break;
    }
    case NPY_I8: CONVERT(int8_t); break;
    case NPY_I16: CONVERT(int16_t); break;
    case NPY_I32: CONVERT(int32_t); break;
    case NPY_I64: CONVERT(int64_t); break;
    case NPY_U8: CONVERT(uint8_t); break;
    case NPY_U16: CONVERT(uint16_t); break;
    case NPY_U32: CONVERT(uint32_t); break;
    case NPY_U64: CONVERT(uint64_t); break;
    case NPY_BOOL: {
        const uint8_t *src = a->data;
        for (size_t i = 0; i < n; i++)
            f[i] = src[i] ? 1.0f : 0.0f;
        break;
    }
    }
#undef CONVERT
    *out = f;
    return true;
}

/* The header numpy.save writes (numpy >= 1.23), newline included. */
static size_t format_header(char *h, size_t cap, const NpyArray *a)
{
    const char *descr = npy_dtype_name(a->dtype);
    char order = dtype_info[a->dtype].size == 1 ? '|' : host_is_little() ? '<' : '>';
    size_t n = (size_t)snprintf(h, cap, "{'descr': '%c%s', 'fortran_order': False, 'shape': (",
                                order, descr + 1);
    for (int i = 0; i < a->rank; i++)
        n += (size_t)snprintf(h + n, cap - n, "%s%" PRId64, i ? ", " : "", a->shape[i]);
    n += (size_t)snprintf(h + n, cap - n, "%s), }", a->rank == 1 ? "," : "");
    if (a->rank > 0) {
        int digits = snprintf(NULL, 0, "%" PRId64, a->shape[0]);
        for (int i = digits; i < GROWTH_AXIS_MAX_DIGITS; i++)
            h[n++] = ' ';
    }
    size_t pad = ARRAY_ALIGN - (10 + n + 1) % ARRAY_ALIGN;
    memset(h + n, ' ', pad);
    n += pad;
    h[n++] = '\n';
    return n;
}

bool npy_write(const char *path, const NpyArray *a, Diag *d)
{
    Diag scratch;
    if (!d) {
        diag_init(&scratch);
        d = &scratch;
    }
    if (!a || !dtype_valid(a->dtype) || a->rank < 0 || a->rank > NPY_MAX_RANK)
        return fail(d, path, EXIT_INTERNAL, "cannot write: invalid array (dtype or rank)");
    int64_t count;
    const char *why = shape_count(a->shape, a->rank, dtype_info[a->dtype].size, &count);
    if (why)
        return fail(d, path, EXIT_INTERNAL, "cannot write: bad shape: %s", why);
    if (count != a->count)
        return fail(d, path, EXIT_INTERNAL,
                    "cannot write: count %" PRId64 " does not match the shape (%" PRId64 ")",
                    a->count, count);
    size_t bytes = (size_t)count * dtype_info[a->dtype].size;
    if (bytes && !a->data)
        return fail(d, path, EXIT_INTERNAL, "cannot write: no data");

    char header[512];
    unsigned char prefix[10];
    size_t hlen = format_header(header, sizeof header, a);
    memcpy(prefix, MAGIC, MAGIC_LEN);
    prefix[6] = 1;
    prefix[7] = 0;
    prefix[8] = (unsigned char)(hlen & 0xff);
    prefix[9] = (unsigned char)(hlen >> 8);

    size_t plen = strlen(path);
    char *tmp = malloc(plen + 5);
    if (!tmp)
        return fail(d, path, EXIT_BAD_DATA, "out of memory");
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", 5);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        fail(d, path, EXIT_BAD_DATA, "cannot create '%s': %s", tmp, strerror(errno));
        free(tmp);
        return false;
    }
    bool ok = fwrite(prefix, 1, sizeof prefix, f) == sizeof prefix &&
              fwrite(header, 1, hlen, f) == hlen &&
              (bytes == 0 || fwrite(a->data, 1, bytes, f) == bytes);
    int e = errno;
    if (fclose(f) != 0 && ok) {
        ok = false;
        e = errno;
    }
    if (!ok) {
        fail(d, path, EXIT_BAD_DATA, "cannot write '%s': %s", tmp, strerror(e));
        remove(tmp);
        free(tmp);
        return false;
    }
    if (rename(tmp, path) != 0) {
        e = errno;
        fail(d, path, EXIT_BAD_DATA, "cannot rename '%s' to the output: %s", tmp, strerror(e));
        remove(tmp);
        free(tmp);
        return false;
    }
    free(tmp);
    return true;
}

bool npy_write_f32(const char *path, const float *data, int rank, const int64_t *shape, Diag *d)
{
    Diag scratch;
    if (!d) {
        diag_init(&scratch);
        d = &scratch;
    }
    if (rank < 0 || rank > NPY_MAX_RANK || (rank > 0 && !shape))
        return fail(d, path, EXIT_INTERNAL, "cannot write: invalid rank %d", rank);
    NpyArray a;
    memset(&a, 0, sizeof a);
    a.dtype = NPY_F32;
    a.rank = rank;
    for (int i = 0; i < rank; i++)
        a.shape[i] = shape[i];
    const char *why = shape_count(a.shape, rank, sizeof(float), &a.count);
    if (why)
        return fail(d, path, EXIT_INTERNAL, "cannot write: bad shape: %s", why);
    a.data = (void *)(uintptr_t)data;
    return npy_write(path, &a, d);
}

void npy_free(NpyArray *a)
{
    if (!a)
        return;
    free(a->data);
    memset(a, 0, sizeof *a);
}
