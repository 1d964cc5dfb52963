/* .npy reading and writing: fixtures written by numpy (tests/fixtures/npy,
 * see make_fixtures.py there), header syntax variants built in memory, every
 * error path, and a fixed-seed fuzz of the in-memory parser. */
#include <check.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "npy.h"

#define FIX TESTS_DIR "/fixtures/npy/"

/* ---- helpers ------------------------------------------------------------ */

static unsigned char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    unsigned char *buf = malloc(1 << 16);
    ck_assert_ptr_nonnull(buf);
    *len = fread(buf, 1, 1 << 16, f);
    ck_assert_msg(feof(f) && !ferror(f), "cannot read %s", path);
    fclose(f);
    return buf;
}

static bool file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* A fresh directory for the files a test writes. */
static char tmpdir[64];

static void make_tmpdir(void)
{
    strcpy(tmpdir, "/tmp/test_npy_XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static const char *tmp_path(const char *leaf)
{
    static char paths[4][256];
    static int next;
    char *p = paths[next++ % 4];
    snprintf(p, sizeof paths[0], "%s/%s", tmpdir, leaf);
    return p;
}

/* Checks a failure: false returned, nothing allocated, an EXIT_BAD_DATA
 * message starting with "<name>: " and containing reason. */
static void check_error_at(int line, bool ok, const Diag *d, const NpyArray *a, const char *name,
                           const char *reason)
{
    ck_assert_msg(!ok, "line %d: expected failure (%s), got success", line, reason);
    ck_assert_msg(d->failed, "line %d: diag not filled", line);
    ck_assert_msg(d->exit_code == EXIT_BAD_DATA, "line %d: exit code %d", line, d->exit_code);
    size_t n = strlen(name);
    ck_assert_msg(strncmp(d->msg, name, n) == 0 && d->msg[n] == ':' && d->msg[n + 1] == ' ',
                  "line %d: message '%s' does not start with '%s: '", line, d->msg, name);
    ck_assert_msg(strstr(d->msg, reason) != NULL, "line %d: message '%s' lacks '%s'", line, d->msg,
                  reason);
    if (a)
        ck_assert_msg(a->data == NULL && a->count == 0, "line %d: output not cleared", line);
}
#define check_error(ok, d, a, name, reason) check_error_at(__LINE__, ok, d, a, name, reason)

/* An .npy image with the given version and raw header text (no padding). */
static unsigned char *make_npy(int major, const char *header, const void *data, size_t nbytes,
                               size_t *len)
{
    size_t hl = strlen(header), prefix = major == 1 ? 10 : 12;
    *len = prefix + hl + nbytes;
    unsigned char *b = malloc(*len + 1);
    ck_assert_ptr_nonnull(b);
    memcpy(b, "\x93NUMPY", 6);
    b[6] = (unsigned char)major;
    b[7] = 0;
    b[8] = (unsigned char)hl;
    b[9] = (unsigned char)(hl >> 8);
    if (major != 1) {
        b[10] = (unsigned char)(hl >> 16);
        b[11] = (unsigned char)(hl >> 24);
    }
    memcpy(b + prefix, header, hl);
    if (nbytes)
        memcpy(b + prefix + hl, data, nbytes);
    return b;
}

/* ---- the values of make_fixtures.py ------------------------------------ */

static const float f4v[6] = {0.0f, 1.5f, -2.25f, 0.001f, 65504.0f, -7.0f};
static const double f8v[6] = {0.0, 1.5, -2.25, 0.1, 1e300, -7.0};
static const int8_t i1v[6] = {-128, -1, 0, 1, 2, 127};
static const int16_t i2v[6] = {-32768, -1, 0, 1, 2, 32767};
static const int32_t i4v[6] = {INT32_MIN, -1, 0, 1, 2, INT32_MAX};
static const int64_t i8v[6] = {INT64_MIN, -1, 0, 1, 2, INT64_MAX};
static const uint8_t u1v[6] = {0, 1, 2, 3, 128, 255};
static const uint16_t u2v[6] = {0, 1, 2, 3, 32768, 65535};
static const uint32_t u4v[6] = {0, 1, 2, 3, 2147483648u, UINT32_MAX};
static const uint64_t u8v[6] = {0, 1, 2, 3, UINT64_C(9223372036854775808), UINT64_MAX};
static const uint8_t b1v[6] = {0, 1, 1, 0, 0, 1};

static const struct {
    const char *code;
    NpyDtype dtype;
    const void *values;
    size_t bytes;
    float as_f32[6];
} fixtures[] = {
    {"f4", NPY_F32, f4v, sizeof f4v, {0.0f, 1.5f, -2.25f, 0.001f, 65504.0f, -7.0f}},
    {"f8", NPY_F64, f8v, sizeof f8v, {0.0f, 1.5f, -2.25f, 0.1f, INFINITY, -7.0f}},
    {"i1", NPY_I8, i1v, sizeof i1v, {-128, -1, 0, 1, 2, 127}},
    {"i2", NPY_I16, i2v, sizeof i2v, {-32768, -1, 0, 1, 2, 32767}},
    {"i4", NPY_I32, i4v, sizeof i4v, {-2147483648.0f, -1, 0, 1, 2, 2147483648.0f}},
    {"i8", NPY_I64, i8v, sizeof i8v, {-9223372036854775808.0f, -1, 0, 1, 2, 9223372036854775808.0f}},
    {"u1", NPY_U8, u1v, sizeof u1v, {0, 1, 2, 3, 128, 255}},
    {"u2", NPY_U16, u2v, sizeof u2v, {0, 1, 2, 3, 32768, 65535}},
    {"u4", NPY_U32, u4v, sizeof u4v, {0, 1, 2, 3, 2147483648.0f, 4294967296.0f}},
    {"u8", NPY_U64, u8v, sizeof u8v, {0, 1, 2, 3, 9223372036854775808.0f, 18446744073709551616.0f}},
    {"b1", NPY_BOOL, b1v, sizeof b1v, {0, 1, 1, 0, 0, 1}},
};
#define NFIX (int)(sizeof fixtures / sizeof fixtures[0])

static void check_fixture_array(const NpyArray *a, int i, const char *what)
{
    ck_assert_msg(a->dtype == fixtures[i].dtype, "%s: dtype %d", what, (int)a->dtype);
    ck_assert_msg(a->rank == 2 && a->shape[0] == 2 && a->shape[1] == 3 && a->count == 6,
                  "%s: shape", what);
    for (int r = 2; r < NPY_MAX_RANK; r++)
        ck_assert_int_eq(a->shape[r], 0);
    ck_assert_msg(memcmp(a->data, fixtures[i].values, fixtures[i].bytes) == 0, "%s: data", what);
    float *f;
    Diag d;
    diag_init(&d);
    ck_assert(npy_to_f32(a, &f, &d));
    for (int k = 0; k < 6; k++)
        ck_assert_msg(f[k] == fixtures[i].as_f32[k], "%s: element %d as f32 is %g", what, k,
                      (double)f[k]);
    free(f);
}

/* ---- reading ------------------------------------------------------------ */

START_TEST(test_read_every_dtype_v1_v2)
{
    for (int i = 0; i < NFIX; i++) {
        for (int v = 1; v <= 2; v++) {
            char path[512];
            snprintf(path, sizeof path, FIX "%s_v%d.npy", fixtures[i].code, v);
            NpyArray a;
            Diag d;
            diag_init(&d);
            ck_assert_msg(npy_read(path, &a, &d), "%s: %s", path, d.msg);
            check_fixture_array(&a, i, path);
            npy_free(&a);
            ck_assert_ptr_null(a.data);
            npy_free(&a); /* twice is harmless */
        }
    }
}
END_TEST

START_TEST(test_read_v3_and_shapes)
{
    NpyArray a;
    Diag d;
    diag_init(&d);
    ck_assert_msg(npy_read(FIX "f4_v3.npy", &a, &d), "%s", d.msg);
    check_fixture_array(&a, 0, "f4_v3");
    npy_free(&a);

    ck_assert_msg(npy_read(FIX "scalar_f4.npy", &a, &d), "%s", d.msg);
    ck_assert_int_eq(a.rank, 0);
    ck_assert_int_eq(a.count, 1);
    ck_assert(((float *)a.data)[0] == 3.5f);
    npy_free(&a);

    ck_assert_msg(npy_read(FIX "vector_i4.npy", &a, &d), "%s", d.msg);
    ck_assert_int_eq(a.dtype, NPY_I32);
    ck_assert_int_eq(a.rank, 1);
    ck_assert_int_eq(a.shape[0], 5);
    for (int k = 0; k < 5; k++)
        ck_assert_int_eq(((int32_t *)a.data)[k], k);
    npy_free(&a);

    ck_assert_msg(npy_read(FIX "empty_f4.npy", &a, &d), "%s", d.msg);
    ck_assert_int_eq(a.rank, 2);
    ck_assert_int_eq(a.shape[0], 0);
    ck_assert_int_eq(a.shape[1], 3);
    ck_assert_int_eq(a.count, 0);
    ck_assert_ptr_nonnull(a.data);
    float *f;
    ck_assert(npy_to_f32(&a, &f, &d));
    ck_assert_ptr_nonnull(f);
    free(f);
    npy_free(&a);

    ck_assert_msg(npy_read(FIX "rank3_u1.npy", &a, &d), "%s", d.msg);
    ck_assert_int_eq(a.rank, 3);
    ck_assert(a.shape[0] == 2 && a.shape[1] == 1 && a.shape[2] == 3 && a.count == 6);
    for (int k = 0; k < 6; k++)
        ck_assert_int_eq(((uint8_t *)a.data)[k], k);
    npy_free(&a);
    ck_assert(!d.failed);
}
END_TEST

START_TEST(test_read_big_endian_is_converted)
{
    NpyArray a;
    Diag d;
    diag_init(&d);
    ck_assert_msg(npy_read(FIX "big_endian_f4.npy", &a, &d), "%s", d.msg);
    check_fixture_array(&a, 0, "big_endian_f4");
    npy_free(&a);
    ck_assert_msg(npy_read(FIX "big_endian_i8.npy", &a, &d), "%s", d.msg);
    check_fixture_array(&a, 5, "big_endian_i8");
    npy_free(&a);
}
END_TEST

START_TEST(test_read_mem_equals_read)
{
    size_t len;
    unsigned char *buf = slurp(FIX "i2_v2.npy", &len);
    NpyArray a;
    Diag d;
    diag_init(&d);
    ck_assert_msg(npy_read_mem(buf, len, "i2_v2.npy", &a, &d), "%s", d.msg);
    check_fixture_array(&a, 3, "i2_v2 in memory");
    npy_free(&a);
    free(buf);
}
END_TEST

/* Header syntax numpy never writes but a Python dict literal allows. */
START_TEST(test_header_syntax_variants)
{
    static const struct {
        const char *header;
        int rank;
        int64_t shape0;
    } ok[] = {
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }\n", 2, 2},
        {"{'shape': (2, 3), 'fortran_order': False, 'descr': '<f4'}", 2, 2},
        {"{\"descr\":\"<f4\",\"fortran_order\":False,\"shape\":(6,)}", 1, 6},
        {"  {  'fortran_order' :False ,'descr' : 'f4' , 'shape':( 6 , ) , }  \n", 1, 6},
        {"{'descr': '=f4', 'fortran_order': False, 'shape': (6)}", 1, 6},
        {"{'descr': '<f4', 'fortran_order': False, 'shape': (1L, 2L, 3L), }", 3, 1},
        {"{'descr':'<f4','fortran_order':False,'shape':(1,1,1,1,1,1,2,3)}", 8, 1},
        {"{'descr': '<f4',\t'fortran_order': False,\r\n'shape': (2,3,),}\r\n", 2, 2},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        for (int major = 1; major <= 3; major++) {
            size_t len;
            unsigned char *b = make_npy(major, ok[i].header, f4v, sizeof f4v, &len);
            NpyArray a;
            Diag d;
            diag_init(&d);
            ck_assert_msg(npy_read_mem(b, len, "h.npy", &a, &d), "header %zu v%d: %s", i, major,
                          d.msg);
            ck_assert_int_eq(a.dtype, NPY_F32);
            ck_assert_int_eq(a.rank, ok[i].rank);
            ck_assert_int_eq(a.shape[0], ok[i].shape0);
            ck_assert_int_eq(a.count, 6);
            ck_assert(memcmp(a.data, f4v, sizeof f4v) == 0);
            npy_free(&a);
            free(b);
        }
    }
}
END_TEST

/* ---- errors ------------------------------------------------------------- */

START_TEST(test_error_fixtures)
{
    static const struct {
        const char *file, *reason;
    } cases[] = {
        {FIX "fortran_f4.npy", "Fortran-order arrays are not supported"},
        {FIX "complex_c8.npy", "unsupported dtype '<c8'"},
        {FIX "unicode_U3.npy", "unsupported dtype '<U3'"},
        {FIX "does_not_exist.npy", "cannot open: No such file or directory"},
        {FIX, "it is a directory"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        NpyArray a;
        Diag d;
        diag_init(&d);
        bool ok = npy_read(cases[i].file, &a, &d);
        check_error(ok, &d, &a, cases[i].file, cases[i].reason);
    }
}
END_TEST

START_TEST(test_error_headers)
{
    static const struct {
        int major;
        const char *header, *reason;
    } cases[] = {
        {1, "{'descr': '|O', 'fortran_order': False, 'shape': (6,), }", "unsupported dtype '|O'"},
        {1, "{'descr': '<f2', 'fortran_order': False, 'shape': (6,), }", "unsupported dtype '<f2'"},
        {1, "{'descr': '<f44', 'fortran_order': False, 'shape': (6,), }", "unsupported dtype '<f44'"},
        {1, "{'descr': '', 'fortran_order': False, 'shape': (6,), }", "unsupported dtype ''"},
        {1, "{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': (6,), }",
         "unsupported dtype [('a', '<f4')] (structured arrays are not supported)"},
        {1, "{'descr': '<f4', 'fortran_order': True, 'shape': (2, 3), }",
         "Fortran-order arrays are not supported"},
        {1, "{'descr': '<f4', 'fortran_order': false, 'shape': (6,), }", "True or False"},
        {1, "{'descr': '<f4', 'shape': (6,), }", "no 'fortran_order' key"},
        {1, "{'fortran_order': False, 'shape': (6,), }", "no 'descr' key"},
        {1, "{'descr': '<f4', 'fortran_order': False}", "no 'shape' key"},
        {1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (6,)}",
         "duplicate key 'descr'"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'x': 1}",
         "unexpected key 'x'"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,2,3)}",
         "rank 9 exceeds the maximum of 8"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (-6,)}", "negative dimension"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,)}",
         "dimension is too large"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296)}",
         "number of elements overflows"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (1073741825,)}",
         "exceeds the 4 GiB limit"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (7,)}", "truncated data"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (5,)}",
         "4 unexpected bytes after the array data"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,)} x", "malformed header"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,)", "malformed header"},
        {1, "{'descr': '<f4, 'fortran_order': False, 'shape': (6,)}", "unsupported dtype '<f4, '"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,), 'sh", "unterminated string"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,,)}", "malformed header"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': [6]}", "malformed header"},
        {1, "{'descr': '<f4' 'fortran_order': False, 'shape': (6,)}", "malformed header"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6 7)}", "malformed header"},
        {1, "{'descr': '<f4', 'fortran_order': False, 'shape': (6,)}}", "malformed header"},
        {1, "{'descr': [('a', '<f4'], 'fortran_order': False, 'shape': (6,)}", "malformed header"},
        {1, "", "malformed header"},
        {2, "{'descr': 'zz', 'fortran_order': False, 'shape': (6,)}", "unsupported dtype 'zz'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        size_t len;
        unsigned char *b = make_npy(cases[i].major, cases[i].header, f4v, sizeof f4v, &len);
        NpyArray a;
        Diag d;
        diag_init(&d);
        bool ok = npy_read_mem(b, len, "bad.npy", &a, &d);
        check_error(ok, &d, &a, "bad.npy", cases[i].reason);
        free(b);
    }
}
END_TEST

START_TEST(test_error_prefix)
{
    size_t len;
    unsigned char *good = slurp(FIX "f4_v1.npy", &len);
    unsigned char *b = malloc(len);
    NpyArray a;
    Diag d;

    memcpy(b, good, len);
    b[1] = 'M';
    diag_init(&d);
    check_error(npy_read_mem(b, len, "m.npy", &a, &d), &d, &a, "m.npy", "not a .npy file");

    memcpy(b, good, len);
    b[6] = 4;
    diag_init(&d);
    check_error(npy_read_mem(b, len, "m.npy", &a, &d), &d, &a, "m.npy",
                "unsupported .npy format version 4.0");

    memcpy(b, good, len);
    b[7] = 1;
    diag_init(&d);
    check_error(npy_read_mem(b, len, "m.npy", &a, &d), &d, &a, "m.npy",
                "unsupported .npy format version 1.1");

    memcpy(b, good, len);
    b[8] = 0xff;
    b[9] = 0xff;
    diag_init(&d);
    check_error(npy_read_mem(b, len, "m.npy", &a, &d), &d, &a, "m.npy",
                "header length 65535 runs past the end of the file (152 bytes)");

    /* version 2 reads a 4-byte length: here 0x00007600 | 0x7b << 16 etc. */
    memcpy(b, good, len);
    b[6] = 2;
    diag_init(&d);
    check_error(npy_read_mem(b, len, "m.npy", &a, &d), &d, &a, "m.npy", "runs past the end");

    diag_init(&d);
    check_error(npy_read_mem(b, 0, "m.npy", &a, &d), &d, &a, "m.npy", "not a .npy file");
    diag_init(&d);
    check_error(npy_read_mem(NULL, 0, NULL, &a, &d), &d, &a, "<memory>", "not a .npy file");
    free(b);
    free(good);
}
END_TEST

START_TEST(test_error_message_sanitizes_bytes)
{
    size_t len;
    unsigned char *b =
        make_npy(1, "{'descr': '<\x01\xff', 'fortran_order': False, 'shape': (6,)}", f4v,
                 sizeof f4v, &len);
    NpyArray a;
    Diag d;
    diag_init(&d);
    ck_assert(!npy_read_mem(b, len, "s.npy", &a, &d));
    for (const char *p = d.msg; *p; p++)
        ck_assert_msg((unsigned char)*p >= 0x20 && (unsigned char)*p < 0x7f, "raw byte in '%s'",
                      d.msg);
    free(b);
}
END_TEST

/* ---- writing ------------------------------------------------------------ */

static void check_same_file(const char *a, const char *b)
{
    size_t la, lb;
    unsigned char *x = slurp(a, &la), *y = slurp(b, &lb);
    ck_assert_msg(la == lb && memcmp(x, y, la) == 0, "%s differs from %s", a, b);
    free(x);
    free(y);
}

START_TEST(test_write_f32_exact_header_and_round_trip)
{
    make_tmpdir();
    const char *out = tmp_path("out.npy");
    const int64_t shape[2] = {2, 3};
    Diag d;
    diag_init(&d);
    ck_assert_msg(npy_write_f32(out, f4v, 2, shape, &d), "%s", d.msg);
    ck_assert(!file_exists(tmp_path("out.npy.tmp")));

    size_t len;
    unsigned char *b = slurp(out, &len);
    static const char dict[] = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }";
    ck_assert_int_eq(len, 128 + sizeof f4v);
    ck_assert(memcmp(b, "\x93NUMPY\x01\x00\x76\x00", 10) == 0); /* header length 118 */
    ck_assert(memcmp(b + 10, dict, sizeof dict - 1) == 0);
    for (size_t k = 10 + sizeof dict - 1; k < 127; k++)
        ck_assert_int_eq(b[k], ' ');
    ck_assert_int_eq(b[127], '\n');
    ck_assert(memcmp(b + 128, f4v, sizeof f4v) == 0);
    free(b);
    /* ... which is what numpy.save wrote for the fixture */
    check_same_file(out, FIX "f4_v1.npy");

    NpyArray a;
    ck_assert_msg(npy_read(out, &a, &d), "%s", d.msg);
    check_fixture_array(&a, 0, out);
    npy_free(&a);

    /* overwriting an existing file */
    const int64_t flat = 6;
    ck_assert_msg(npy_write_f32(out, f4v, 1, &flat, &d), "%s", d.msg);
    ck_assert_msg(npy_read(out, &a, &d), "%s", d.msg);
    ck_assert_int_eq(a.rank, 1);
    ck_assert_int_eq(a.shape[0], 6);
    npy_free(&a);
    remove(out);

    /* scalar and rank 8 */
    const char *s = tmp_path("scalar.npy");
    const float v = 3.5f;
    ck_assert_msg(npy_write_f32(s, &v, 0, NULL, &d), "%s", d.msg);
    check_same_file(s, FIX "scalar_f4.npy");
    remove(s);

    const int64_t shape8[8] = {1, 2, 1, 1, 3, 1, 1, 1};
    ck_assert_msg(npy_write_f32(out, f4v, 8, shape8, &d), "%s", d.msg);
    ck_assert_msg(npy_read(out, &a, &d), "%s", d.msg);
    ck_assert_int_eq(a.rank, 8);
    ck_assert(memcmp(a.shape, shape8, sizeof shape8) == 0);
    ck_assert(memcmp(a.data, f4v, sizeof f4v) == 0);
    npy_free(&a);
    b = slurp(out, &len);
    ck_assert_int_eq((10 + b[8] + 256 * b[9]) % 64, 0);
    free(b);
    remove(out);
    ck_assert(!d.failed);
    rmdir(tmpdir);
}
END_TEST

/* Every numpy fixture read and written back is byte-identical. */
START_TEST(test_write_matches_numpy_for_every_dtype)
{
    make_tmpdir();
    const char *names[NFIX + 4];
    char buf[NFIX + 4][32];
    int n = 0;
    for (int i = 0; i < NFIX; i++) {
        snprintf(buf[n], sizeof buf[n], "%s_v1.npy", fixtures[i].code);
        names[n] = buf[n];
        n++;
    }
    names[n++] = "scalar_f4.npy";
    names[n++] = "vector_i4.npy";
    names[n++] = "empty_f4.npy";
    names[n++] = "rank3_u1.npy";
    for (int i = 0; i < n; i++) {
        char in[512];
        snprintf(in, sizeof in, FIX "%s", names[i]);
        const char *out = tmp_path(names[i]);
        NpyArray a;
        Diag d;
        diag_init(&d);
        ck_assert_msg(npy_read(in, &a, &d), "%s", d.msg);
        ck_assert_msg(npy_write(out, &a, &d), "%s", d.msg);
        check_same_file(out, in);
        npy_free(&a);
        remove(out);
    }
    rmdir(tmpdir);
}
END_TEST

START_TEST(test_write_failures_leave_no_file)
{
    make_tmpdir();
    Diag d;
    const int64_t shape[1] = {6};

    /* missing directory */
    const char *out = tmp_path("no/such/dir/out.npy");
    diag_init(&d);
    check_error(npy_write_f32(out, f4v, 1, shape, &d), &d, NULL, out, "cannot create");
    ck_assert(!file_exists(out));

    /* the target is a directory: the rename fails, the .tmp is removed */
    const char *dir = tmp_path("adir");
    ck_assert_int_eq(mkdir(dir, 0755), 0);
    diag_init(&d);
    check_error(npy_write_f32(dir, f4v, 1, shape, &d), &d, NULL, dir, "cannot rename");
    char tmp[300];
    snprintf(tmp, sizeof tmp, "%s.tmp", dir);
    ck_assert(!file_exists(tmp));
    rmdir(dir);

    /* invalid arguments are the caller's bug */
    out = tmp_path("bad.npy");
    const int64_t neg[1] = {-1};
    diag_init(&d);
    ck_assert(!npy_write_f32(out, f4v, 1, neg, &d));
    ck_assert_int_eq(d.exit_code, EXIT_INTERNAL);
    ck_assert_ptr_nonnull(strstr(d.msg, "negative dimension"));
    diag_init(&d);
    ck_assert(!npy_write_f32(out, f4v, 9, shape, &d));
    ck_assert_int_eq(d.exit_code, EXIT_INTERNAL);
    NpyArray a = {.dtype = NPY_F32, .rank = 1, .shape = {6}, .count = 5, .data = (void *)f4v};
    diag_init(&d);
    ck_assert(!npy_write(out, &a, &d));
    ck_assert_ptr_nonnull(strstr(d.msg, "does not match"));
    ck_assert(!file_exists(out));
    rmdir(tmpdir);
}
END_TEST

/* ---- robustness --------------------------------------------------------- */

static void parse_any(const unsigned char *b, size_t len)
{
    NpyArray a;
    Diag d;
    diag_init(&d);
    if (npy_read_mem(b, len, "fuzz.npy", &a, &d)) {
        ck_assert(a.rank >= 0 && a.rank <= NPY_MAX_RANK);
        int64_t c = 1;
        for (int r = 0; r < a.rank; r++)
            c *= a.shape[r];
        ck_assert_int_eq(c, a.count);
        float *f;
        ck_assert(npy_to_f32(&a, &f, &d));
        free(f);
        npy_free(&a);
    } else {
        ck_assert(d.failed && strncmp(d.msg, "fuzz.npy: ", 10) == 0);
        ck_assert_ptr_null(a.data);
    }
}

START_TEST(test_every_truncation_fails)
{
    static const char *files[] = {"f4_v1.npy", "f8_v2.npy", "scalar_f4.npy", "f4_v3.npy"};
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        char path[512];
        snprintf(path, sizeof path, FIX "%s", files[f]);
        size_t len;
        unsigned char *good = slurp(path, &len);
        for (size_t n = 0; n < len; n++) {
            /* an exact-size copy so ASan sees any read past the end */
            unsigned char *b = malloc(n ? n : 1);
            memcpy(b, good, n);
            NpyArray a;
            Diag d;
            diag_init(&d);
            bool ok = npy_read_mem(b, n, "cut.npy", &a, &d);
            ck_assert_msg(!ok, "%s cut to %zu bytes was accepted", files[f], n);
            ck_assert_msg(strncmp(d.msg, "cut.npy: ", 9) == 0, "%s", d.msg);
            ck_assert_int_eq(d.exit_code, EXIT_BAD_DATA);
            free(b);
        }
        free(good);
    }
}
END_TEST

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rng(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

START_TEST(test_random_mutations_never_crash)
{
    static const char *files[] = {"f4_v1.npy", "i8_v2.npy", "scalar_f4.npy", "b1_v1.npy",
                                  "big_endian_f4.npy", "empty_f4.npy"};
    static const char interesting[] = "{}()[],:'\" \n-0123456789LTrueFalse<>|=fiub";
    int accepted = 0;
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
        char path[512];
        snprintf(path, sizeof path, FIX "%s", files[f]);
        size_t len;
        unsigned char *good = slurp(path, &len);
        size_t hend = 10 + good[8] + 256u * good[9];
        for (int iter = 0; iter < 4000; iter++) {
            size_t n = len;
            if (rng() % 4 == 0)
                n = (size_t)(rng() % (len + 16));
            unsigned char *b = malloc(n ? n : 1);
            for (size_t k = 0; k < n; k++)
                b[k] = k < len ? good[k] : (unsigned char)rng();
            int flips = 1 + (int)(rng() % 4);
            for (int k = 0; k < flips && n; k++) {
                /* mostly inside the header, where the parser works */
                size_t pos = rng() % 2 ? (size_t)(rng() % (hend < n ? hend : n)) : (size_t)(rng() % n);
                b[pos] = rng() % 2 ? (unsigned char)rng()
                                   : (unsigned char)interesting[rng() % (sizeof interesting - 1)];
            }
            NpyArray probe;
            Diag d;
            diag_init(&d);
            if (npy_read_mem(b, n, "fuzz.npy", &probe, &d)) {
                accepted++;
                npy_free(&probe);
            }
            parse_any(b, n);
            free(b);
        }
        free(good);
    }
    /* data-only flips keep a file valid, so some mutants must be accepted */
    ck_assert_int_gt(accepted, 0);

    /* pure noise after a valid prefix */
    for (int iter = 0; iter < 20000; iter++) {
        size_t n = 6 + (size_t)(rng() % 120);
        unsigned char *b = malloc(n);
        memcpy(b, "\x93NUMPY", 6);
        for (size_t k = 6; k < n; k++)
            b[k] = rng() % 3 ? (unsigned char)interesting[rng() % (sizeof interesting - 1)]
                             : (unsigned char)rng();
        if (n > 9) {
            b[6] = (unsigned char)(1 + rng() % 3);
            b[7] = 0;
            size_t hl = n - (b[6] == 1 ? 10 : 12);
            if (n >= 12 && rng() % 2) {
                b[8] = (unsigned char)hl;
                b[9] = 0;
                if (b[6] != 1)
                    b[10] = b[11] = 0;
            }
        }
        parse_any(b, n);
        free(b);
    }
}
END_TEST

START_TEST(test_null_diag_is_tolerated)
{
    NpyArray a;
    ck_assert(!npy_read(FIX "fortran_f4.npy", &a, NULL));
    ck_assert(npy_read(FIX "f4_v1.npy", &a, NULL));
    npy_free(&a);
}
END_TEST

static Suite *npy_suite(void)
{
    Suite *s = suite_create("npy");
    TCase *tc = tcase_create("npy");
    tcase_add_test(tc, test_read_every_dtype_v1_v2);
    tcase_add_test(tc, test_read_v3_and_shapes);
    tcase_add_test(tc, test_read_big_endian_is_converted);
    tcase_add_test(tc, test_read_mem_equals_read);
    tcase_add_test(tc, test_header_syntax_variants);
    tcase_add_test(tc, test_error_fixtures);
    tcase_add_test(tc, test_error_headers);
    tcase_add_test(tc, test_error_prefix);
    tcase_add_test(tc, test_error_message_sanitizes_bytes);
    tcase_add_test(tc, test_write_f32_exact_header_and_round_trip);
    tcase_add_test(tc, test_write_matches_numpy_for_every_dtype);
    tcase_add_test(tc, test_write_failures_leave_no_file);
    tcase_add_test(tc, test_every_truncation_fails);
    tcase_add_test(tc, test_random_mutations_never_crash);
    tcase_add_test(tc, test_null_diag_is_tolerated);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(npy_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
