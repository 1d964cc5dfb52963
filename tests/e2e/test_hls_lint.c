/* A lint of the hls target's HLS sources (<name>.c and <name>.h): a simple,
 * honest text check of what the target promises HLS tools, run on every
 * model of tests/models at the configuration's folding and at PE = SIMD = 1.
 * It reads C as tokens (comments and strings dropped, `#pragma HLS` lines
 * kept as tokens), finds the functions and their loops, and reports:
 *
 *   heap        a call of malloc, calloc, realloc, free or alloca
 *   recursion   a function that calls itself, directly or through others
 *   fnptr       a function pointer: a declarator "(*name)(", or a function
 *               of the file used other than by calling it
 *   loop        a `while` or `do` loop, or a `for` whose bound (the right
 *               side of its comparison) or start is not a constant
 *               expression: integer literals, names from #define, enum or
 *               const declarations of the file, arithmetic and parentheses
 *   pipeline    a `for` loop that carries neither PIPELINE nor UNROLL and
 *               holds no pipelined loop (an inner loop left sequential), a
 *               loop inside a pipelined one without UNROLL, or a layer
 *               function (one the top calls) without a pipelined loop
 *   dataflow    not exactly one function with `#pragma HLS DATAFLOW`
 *   interface   the top lacks `#pragma HLS INTERFACE axis` on a parameter
 *   stream      an array declared in the top without `#pragma HLS STREAM`
 *   partition   a file-scope `static const` array (weights, thresholds)
 *               named by no ARRAY_PARTITION pragma
 *   pragma      a `#pragma HLS` that is not PIPELINE, UNROLL, DATAFLOW,
 *               INTERFACE, STREAM or ARRAY_PARTITION, or whose variable=
 *               names nothing of the file
 *
 * A pragma belongs to a loop when it opens the loop's body. The rules are
 * documented in docs/hls.md; this file also checks that each one fires on
 * a small bad example. */
#include <check.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "dataflow.h"
#include "emit_hls.h"
#include "emit_ref.h"
#include "frontend.h"
#include "model_data.h"
#include "streamline.h"

/* ---- tokens -------------------------------------------------------------- */

typedef enum { T_IDENT, T_NUMBER, T_STRING, T_PUNCT, T_PRAGMA } TokKind;

typedef struct Tok {
    TokKind kind;
    int off;              /* its text in Lint.pool; T_PRAGMA: the words after "#pragma HLS" */
    int line;
} Tok;

typedef struct Lint {
    const char *file;
    Tok *t;
    int n, cap;
    char *pool;           /* the tokens' texts, each NUL-terminated */
    size_t pool_len, pool_cap;
    char (*consts)[128];  /* #define, enum and const names */
    int n_consts, cap_consts;
    char report[8192];    /* "file:line: rule: message" lines */
    int n_reports;
} Lint;

static void report(Lint *L, int line, const char *rule, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void report(Lint *L, int line, const char *rule, const char *fmt, ...)
{
    size_t len = strlen(L->report);
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    snprintf(L->report + len, sizeof L->report - len, "%s:%d: %s: %s\n", L->file, line, rule, msg);
    L->n_reports++;
}

static void push(Lint *L, TokKind kind, const char *s, size_t len, int line)
{
    if (L->n == L->cap) {
        L->cap = L->cap ? 2 * L->cap : 1024;
        L->t = realloc(L->t, (size_t)L->cap * sizeof *L->t);
        ck_assert_ptr_nonnull(L->t);
    }
    Tok *t = &L->t[L->n++];
    t->kind = kind;
    t->line = line;
    if (kind == T_NUMBER || kind == T_STRING)
        len = 0;   /* no rule reads them */
    if (L->pool_len + len + 1 > L->pool_cap) {
        L->pool_cap = L->pool_cap ? 2 * L->pool_cap + len : 65536;
        L->pool = realloc(L->pool, L->pool_cap);
        ck_assert_ptr_nonnull(L->pool);
    }
    t->off = (int)L->pool_len;
    memcpy(L->pool + L->pool_len, s, len);
    L->pool[L->pool_len + len] = '\0';
    L->pool_len += len + 1;
}

/* The text of token i. */
#define TXT(L, i) ((L)->pool + (L)->t[i].off)

static void add_const(Lint *L, const char *name)
{
    if (L->n_consts == L->cap_consts) {
        L->cap_consts = L->cap_consts ? 2 * L->cap_consts : 64;
        L->consts = realloc(L->consts, (size_t)L->cap_consts * sizeof *L->consts);
        ck_assert_ptr_nonnull(L->consts);
    }
    snprintf(L->consts[L->n_consts++], 128, "%s", name);
}

static bool is_const(const Lint *L, const char *name)
{
    for (int k = 0; k < L->n_consts; k++)
        if (!strcmp(L->consts[k], name))
            return true;
    return false;
}

static void tokenize(Lint *L, const char *src)
{
    static const char *const two[] = { "->", "++", "--", "<=", ">=", "==", "!=", "&&", "||",
                                       "<<", ">>", "+=", "-=", "*=", "/=", "%=", "&=", "|=",
                                       "^=" };
    int line = 1;
    bool line_start = true;
    for (const char *p = src; *p;) {
        if (*p == '\n') {
            line++;
            line_start = true;
            p++;
        } else if (isspace((unsigned char)*p)) {
            p++;
        } else if (p[0] == '/' && p[1] == '*') {
            const char *e = strstr(p + 2, "*/");
            for (const char *q = p; q < (e ? e : p + strlen(p)); q++)
                line += *q == '\n';
            p = e ? e + 2 : p + strlen(p);
        } else if (p[0] == '/' && p[1] == '/') {
            while (*p && *p != '\n')
                p++;
        } else if (*p == '#' && line_start) {
            /* a preprocessor line, with continuations */
            const char *e = p;
            while (*e && (*e != '\n' || e[-1] == '\\'))
                e++;
            char buf[512];
            size_t len = (size_t)(e - p) < sizeof buf - 1 ? (size_t)(e - p) : sizeof buf - 1;
            memcpy(buf, p, len);
            buf[len] = '\0';
            char word[64], name[64];
            if (sscanf(buf, "# pragma HLS %63s", word) == 1 || sscanf(buf, "#pragma HLS %63s", word) == 1) {
                const char *rest = strstr(buf, "HLS") + 3;
                while (*rest == ' ')
                    rest++;
                push(L, T_PRAGMA, rest, strlen(rest), line);
            } else if (sscanf(buf, "# define %63[A-Za-z0-9_]", name) == 1 ||
                       sscanf(buf, "#define %63[A-Za-z0-9_]", name) == 1) {
                add_const(L, name);
            }
            for (const char *q = p; q < e; q++)
                line += *q == '\n';
            p = e;
        } else if (isalpha((unsigned char)*p) || *p == '_') {
            const char *s = p;
            while (isalnum((unsigned char)*p) || *p == '_')
                p++;
            push(L, T_IDENT, s, (size_t)(p - s), line);
            line_start = false;
        } else if (isdigit((unsigned char)*p)) {
            const char *s = p;
            while (isalnum((unsigned char)*p) || *p == '.')
                p++;
            push(L, T_NUMBER, s, (size_t)(p - s), line);
            line_start = false;
        } else if (*p == '"' || *p == '\'') {
            char q = *p++;
            while (*p && *p != q) {
                if (*p == '\\' && p[1])
                    p++;
                p++;
            }
            if (*p)
                p++;
            push(L, T_STRING, "\"\"", 2, line);
            line_start = false;
        } else {
            size_t len = 1;
            for (size_t k = 0; k < sizeof two / sizeof two[0]; k++)
                if (!strncmp(p, two[k], 2))
                    len = 2;
            push(L, T_PUNCT, p, len, line);
            p += len;
            line_start = false;
        }
    }
}

static bool is(const Lint *L, int i, const char *text)
{
    return i >= 0 && i < L->n && L->t[i].kind != T_STRING && !strcmp(TXT(L, i), text);
}

/* The index of the bracket closing the one at i. */
static int match(const Lint *L, int i)
{
    const char *open = TXT(L, i), *close = !strcmp(open, "(") ? ")" : !strcmp(open, "[") ? "]"
                                                                                             : "}";
    int depth = 0;
    for (int k = i; k < L->n; k++) {
        if (L->t[k].kind != T_PUNCT)
            continue;
        if (!strcmp(TXT(L, k), open))
            depth++;
        else if (!strcmp(TXT(L, k), close) && --depth == 0)
            return k;
    }
    return L->n - 1;
}

/* ---- declarations -------------------------------------------------------- */

/* enum constants and const variables anywhere in the file */
static void find_consts(Lint *L)
{
    for (int i = 0; i < L->n; i++) {
        if (is(L, i, "enum")) {
            int b = i + 1;
            while (b < L->n && !is(L, b, "{") && !is(L, b, ";"))
                b++;
            if (!is(L, b, "{"))
                continue;
            int end = match(L, b);
            bool expect_name = true;
            int depth = 0;
            for (int k = b + 1; k < end; k++) {
                if (is(L, k, "(") || is(L, k, "["))
                    depth++;
                else if (is(L, k, ")") || is(L, k, "]"))
                    depth--;
                else if (depth == 0 && is(L, k, ","))
                    expect_name = true;
                else if (expect_name && L->t[k].kind == T_IDENT) {
                    add_const(L, TXT(L, k));
                    expect_name = false;
                }
            }
        } else if (is(L, i, "const")) {
            /* the declarator: the identifier before '=' (not after '*') */
            for (int k = i + 1; k < L->n && !is(L, k, ";") && !is(L, k, "{") && !is(L, k, ")");
                 k++)
                if (is(L, k, "=") && L->t[k - 1].kind == T_IDENT) {
                    add_const(L, TXT(L, k - 1));
                    break;
                }
        }
    }
}

typedef struct Func {
    char name[128];
    int line;
    int params_open;          /* index of '(' of the parameter list */
    int body, end;            /* '{' and '}' */
} Func;

static int find_funcs(Lint *L, Func *f, int max)
{
    int n = 0, depth = 0;
    for (int i = 0; i < L->n; i++) {
        if (is(L, i, "{")) {
            if (depth == 0 && is(L, i - 1, ")")) {
                /* the '(' of the parameter list, and the name before it */
                int d = 0, k = i - 1;
                for (; k >= 0; k--) {
                    if (is(L, k, ")"))
                        d++;
                    else if (is(L, k, "(") && --d == 0)
                        break;
                }
                if (k > 0 && L->t[k - 1].kind == T_IDENT && n < max) {
                    snprintf(f[n].name, sizeof f[n].name, "%s", TXT(L, k - 1));
                    f[n].line = L->t[k - 1].line;
                    f[n].params_open = k;
                    f[n].body = i;
                    f[n].end = match(L, i);
                    i = f[n].end;
                    n++;
                    continue;
                }
            }
            depth++;
        } else if (is(L, i, "}")) {
            depth--;
        }
    }
    return n;
}

static int find_func(const Func *f, int n, const char *name)
{
    for (int k = 0; k < n; k++)
        if (!strcmp(f[k].name, name))
            return k;
    return -1;
}

/* ---- loops --------------------------------------------------------------- */

typedef struct Loop {
    int at, line;
    int parent;               /* enclosing loop, -1 */
    bool pipeline, unroll;
    bool has_pipelined;       /* a PIPELINE loop somewhere inside */
} Loop;

typedef struct Walk {
    Lint *L;
    Loop loops[512];
    int n_loops;
} Walk;

static int statement(Walk *w, int i, int end, int loop);

/* Whether tokens [a, b) form a constant expression. */
static bool constant_expr(const Lint *L, int a, int b)
{
    if (a >= b)
        return false;
    for (int k = a; k < b; k++) {
        const Tok *t = &L->t[k];
        if (t->kind == T_NUMBER)
            continue;
        if (t->kind == T_IDENT && is_const(L, (L->pool + t->off)))
            continue;
        if (t->kind == T_PUNCT && strchr("+-*/%()", (L->pool + t->off)[0]) && strlen((L->pool + t->off)) == 1)
            continue;
        return false;
    }
    return true;
}

static void check_for_header(Walk *w, int open, int close)
{
    Lint *L = w->L;
    int s1 = open + 1, s2;
    while (s1 < close && !is(L, s1, ";"))
        s1++;
    s2 = s1 + 1;
    while (s2 < close && !is(L, s2, ";"))
        s2++;
    /* start: "var = EXPR" */
    int eq = open + 1;
    while (eq < s1 && !is(L, eq, "="))
        eq++;
    if (eq >= s1 || !constant_expr(L, eq + 1, s1))
        report(L, L->t[open].line, "loop", "the loop does not start at a constant");
    /* condition: "var OP EXPR" */
    int op = s1 + 1;
    while (op < s2 && !is(L, op, "<") && !is(L, op, "<=") && !is(L, op, ">") &&
           !is(L, op, ">=") && !is(L, op, "!="))
        op++;
    if (op >= s2 || op != s1 + 2 || L->t[s1 + 1].kind != T_IDENT || !constant_expr(L, op + 1, s2))
        report(L, L->t[open].line, "loop", "the loop bound is not a constant expression");
}

static int for_loop(Walk *w, int i, int end, int parent)
{
    Lint *L = w->L;
    int open = i + 1, close = match(L, open);
    check_for_header(w, open, close);
    Loop *lp = &w->loops[w->n_loops < 511 ? w->n_loops++ : 511];
    int me = (int)(lp - w->loops);
    memset(lp, 0, sizeof *lp);
    lp->at = i;
    lp->line = L->t[i].line;
    lp->parent = parent;
    int body = close + 1;
    if (is(L, body, "{"))
        for (int k = body + 1; k < end && L->t[k].kind == T_PRAGMA; k++) {
            lp->pipeline |= !strncmp(TXT(L, k), "PIPELINE", 8);
            lp->unroll |= !strncmp(TXT(L, k), "UNROLL", 6);
        }
    int after = statement(w, body, end, me);
    if (w->loops[me].pipeline)
        for (int p = parent; p >= 0; p = w->loops[p].parent)
            w->loops[p].has_pipelined = true;
    return after;
}

/* Parses the statement at i (before end); returns the index after it. */
static int statement(Walk *w, int i, int end, int loop)
{
    Lint *L = w->L;
    if (i >= end)
        return end;
    if (L->t[i].kind == T_PRAGMA)
        return i + 1;
    if (is(L, i, "{")) {
        int close = match(L, i), k = i + 1;
        while (k < close)
            k = statement(w, k, close, loop);
        return close + 1;
    }
    if (is(L, i, "for"))
        return for_loop(w, i, end, loop);
    if (is(L, i, "if")) {
        int after = statement(w, match(L, i + 1) + 1, end, loop);
        return is(L, after, "else") ? statement(w, after + 1, end, loop) : after;
    }
    if (is(L, i, "while") || is(L, i, "do")) {
        report(L, L->t[i].line, "loop", "a %s loop has no constant bound", TXT(L, i));
        if (is(L, i, "while"))
            return statement(w, match(L, i + 1) + 1, end, loop);
        int after = statement(w, i + 1, end, loop);
        while (after < end && !is(L, after, ";"))
            after++;
        return after + 1;
    }
    /* an expression or declaration, up to ';' outside brackets */
    int depth = 0;
    for (int k = i; k < end; k++) {
        if (is(L, k, "(") || is(L, k, "[") || is(L, k, "{"))
            depth++;
        else if (is(L, k, ")") || is(L, k, "]") || is(L, k, "}"))
            depth--;
        else if (depth == 0 && is(L, k, ";"))
            return k + 1;
    }
    return end;
}

/* ---- the rules ----------------------------------------------------------- */

static bool reaches(const bool *calls, int n, int from, int to, bool *seen)
{
    if (calls[from * n + to])
        return true;
    seen[from] = true;
    for (int k = 0; k < n; k++)
        if (calls[from * n + k] && !seen[k] && reaches(calls, n, k, to, seen))
            return true;
    return false;
}

/* Lints one file; returns the number of findings (listed in L->report). */
static int lint_file(Lint *L, const char *file, const char *src)
{
    memset(L, 0, sizeof *L);
    L->file = file;
    tokenize(L, src);
    find_consts(L);
    Func f[256];
    int nf = find_funcs(L, f, 256);

    /* heap, function pointers, calls */
    bool *calls = calloc((size_t)(nf * nf + 1), 1);
    for (int i = 0; i < L->n; i++) {
        const Tok *t = &L->t[i];
        if (t->kind != T_IDENT) {
            if (is(L, i, "(") && is(L, i + 1, "*") && L->t[i + 2].kind == T_IDENT &&
                is(L, i + 3, ")") && is(L, i + 4, "("))
                report(L, t->line, "fnptr", "'%s' is a function pointer", TXT(L, i + 2));
            continue;
        }
        static const char *const heap[] = { "malloc", "calloc", "realloc", "free", "alloca" };
        for (size_t k = 0; k < sizeof heap / sizeof heap[0]; k++)
            if (!strcmp((L->pool + t->off), heap[k]) && is(L, i + 1, "("))
                report(L, t->line, "heap", "calls %s", (L->pool + t->off));
        int callee = find_func(f, nf, (L->pool + t->off));
        if (callee < 0)
            continue;
        int caller = -1;
        for (int k = 0; k < nf; k++)
            if (i > f[k].body && i < f[k].end)
                caller = k;
        bool definition = i + 1 == f[callee].params_open;
        if (is(L, i + 1, "(") && caller >= 0)
            calls[caller * nf + callee] = true;
        else if (!definition && !is(L, i + 1, "("))
            report(L, t->line, "fnptr", "function '%s' is used as a value", (L->pool + t->off));
    }
    bool *seen = calloc((size_t)nf + 1, 1);
    for (int k = 0; k < nf; k++) {
        memset(seen, 0, (size_t)nf + 1);
        if (reaches(calls, nf, k, k, seen))
            report(L, f[k].line, "recursion", "function '%s' calls itself", f[k].name);
    }
    free(seen);

    /* loops and pragmas, function by function */
    int top = -1, n_dataflow = 0;
    for (int k = 0; k < nf; k++)
        for (int i = f[k].body; i < f[k].end; i++)
            if (L->t[i].kind == T_PRAGMA && !strncmp(TXT(L, i), "DATAFLOW", 8)) {
                top = k;
                n_dataflow++;
            }
    if (nf > 0 && n_dataflow != 1 && strstr(file, ".c"))
        report(L, 1, "dataflow", "%d functions with #pragma HLS DATAFLOW, expected 1", n_dataflow);
    for (int k = 0; k < nf; k++) {
        Walk *w = calloc(1, sizeof *w);
        w->L = L;
        statement(w, f[k].body, f[k].end + 1, -1);
        bool any_pipeline = false;
        for (int j = 0; j < w->n_loops; j++) {
            const Loop *lp = &w->loops[j];
            bool in_pipeline = false;
            for (int p = lp->parent; p >= 0; p = w->loops[p].parent)
                in_pipeline |= w->loops[p].pipeline;
            any_pipeline |= lp->pipeline;
            if (in_pipeline && !lp->unroll)
                report(L, lp->line, "pipeline", "a loop inside a pipelined loop is not unrolled");
            else if (!lp->pipeline && !lp->unroll && !lp->has_pipelined)
                report(L, lp->line, "pipeline", "an inner loop of '%s' has no PIPELINE pragma",
                       f[k].name);
        }
        if (top >= 0 && k != top && calls[top * nf + k] && !any_pipeline)
            report(L, f[k].line, "pipeline", "layer function '%s' has no pipelined loop",
                   f[k].name);
        free(w);
    }

    if (top >= 0) {
        /* the top: axis ports, a STREAM pragma on every local array */
        const Func *t = &f[top];
        int close = match(L, t->params_open);
        for (int i = t->params_open + 1; i < close; i++) {
            if (L->t[i].kind != T_IDENT || !is(L, i + 1, "["))
                continue;
            char want[160];
            snprintf(want, sizeof want, "INTERFACE axis port=%s", TXT(L, i));
            bool found = false;
            for (int k = t->body; k < t->end && !found; k++)
                found = L->t[k].kind == T_PRAGMA && !strcmp(TXT(L, k), want);
            if (!found)
                report(L, t->line, "interface", "parameter '%s' has no #pragma HLS %s",
                       TXT(L, i), want);
        }
        int depth = 0;
        for (int i = t->body + 1; i < t->end; i++) {
            if (is(L, i, "{"))
                depth++;
            else if (is(L, i, "}"))
                depth--;
            else if (depth == 0 && L->t[i].kind == T_IDENT && is(L, i + 1, "[") &&
                     L->t[i - 1].kind == T_IDENT) {
                char want[160];
                snprintf(want, sizeof want, "STREAM variable=%s ", TXT(L, i));
                bool found = false;
                for (int k = t->body; k < t->end && !found; k++)
                    found = L->t[k].kind == T_PRAGMA && !strncmp(TXT(L, k), want, strlen(want));
                if (!found)
                    report(L, L->t[i].line, "stream", "array '%s' of the top has no #pragma HLS "
                           "STREAM", TXT(L, i));
            }
        }
    }

    /* pragmas: known directives, variables that exist */
    static const char *const directives[] = { "PIPELINE", "UNROLL", "DATAFLOW", "INTERFACE",
                                              "STREAM", "ARRAY_PARTITION" };
    for (int i = 0; i < L->n; i++) {
        if (L->t[i].kind != T_PRAGMA)
            continue;
        const char *text = TXT(L, i), *var = strstr(text, "variable=");
        size_t k = 0, n_dir = sizeof directives / sizeof directives[0];
        while (k < n_dir && strncmp(text, directives[k], strlen(directives[k])))
            k++;
        if (k == n_dir || strchr(text, '#'))
            report(L, L->t[i].line, "pragma", "unknown or malformed: #pragma HLS %s", text);
        if (!var)
            continue;
        char name[128];
        if (sscanf(var + 9, "%127[A-Za-z0-9_]", name) != 1)
            name[0] = '\0';
        bool known = false;
        for (int j = 0; j < L->n && !known; j++)
            known = L->t[j].kind == T_IDENT && !strcmp(TXT(L, j), name);
        if (!known)
            report(L, L->t[i].line, "pragma", "variable '%s' is not declared", name);
    }

    /* file-scope static const arrays: partitioned */
    int depth = 0;
    for (int i = 0; i < L->n; i++) {
        if (is(L, i, "{"))
            depth++;
        else if (is(L, i, "}"))
            depth--;
        else if (depth == 0 && is(L, i, "static") && is(L, i + 1, "const")) {
            int k = i + 2;
            while (k < L->n && !is(L, k, "[") && !is(L, k, "=") && !is(L, k, ";") &&
                   !is(L, k, "("))
                k++;
            if (!is(L, k, "[") || L->t[k - 1].kind != T_IDENT)
                continue;
            char want[160];
            snprintf(want, sizeof want, "ARRAY_PARTITION variable=%s ", TXT(L, k - 1));
            bool found = false;
            for (int j = 0; j < L->n && !found; j++)
                found = L->t[j].kind == T_PRAGMA && !strncmp(TXT(L, j), want, strlen(want));
            if (!found)
                report(L, L->t[k - 1].line, "partition", "const array '%s' is not partitioned",
                       TXT(L, k - 1));
        }
    }
    free(calls);
    free(L->t);
    free(L->consts);
    free(L->pool);
    L->t = NULL;
    L->consts = NULL;
    L->pool = NULL;
    return L->n_reports;
}

/* ---- the rules fire ------------------------------------------------------ */

#define GOOD_TOP                                                                                 \
    "void top(const int in[4], int out[4])\n"                                                    \
    "{\n"                                                                                        \
    "#pragma HLS INTERFACE axis port=in\n"                                                       \
    "#pragma HLS INTERFACE axis port=out\n"                                                      \
    "#pragma HLS DATAFLOW\n"                                                                     \
    "    int s1[4];\n"                                                                           \
    "#pragma HLS STREAM variable=s1 depth=2\n"                                                   \
    "    copy(in, s1);\n"                                                                        \
    "    copy(s1, out);\n"                                                                       \
    "}\n"

#define GOOD_COPY                                                                                \
    "#define N 4\n"                                                                              \
    "static const int w[2][N] = { { 1, 2, 3, 4 }, { 5, 6, 7, 8 } };\n"                           \
    "static void copy(const int in[N], int out[N])\n"                                            \
    "{\n"                                                                                        \
    "    enum { M = N / 2 };\n"                                                                  \
    "    int i, j;\n"                                                                            \
    "#pragma HLS ARRAY_PARTITION variable=w complete dim=1\n"                                    \
    "    for (i = 0; i < M * 2; ++i) {\n"                                                        \
    "#pragma HLS PIPELINE II=1\n"                                                                \
    "        for (j = 0; j < 2; ++j) {\n"                                                        \
    "#pragma HLS UNROLL\n"                                                                       \
    "            out[i] = in[i] + w[j][i];\n"                                                    \
    "        }\n"                                                                                \
    "    }\n"                                                                                    \
    "}\n"

static void expect(const char *src, const char *rule)
{
    Lint L;
    int n = lint_file(&L, "x.c", src);
    if (!rule) {
        ck_assert_msg(n == 0, "a clean file gives findings:\n%s", L.report);
        return;
    }
    char want[64];
    snprintf(want, sizeof want, ": %s: ", rule);
    ck_assert_msg(n > 0 && strstr(L.report, want), "rule %s does not fire; findings:\n%s", rule,
                  L.report);
}

START_TEST(test_rules_fire)
{
    expect(GOOD_COPY GOOD_TOP, NULL);
    /* heap */
    expect("#include <stdlib.h>\n" GOOD_COPY GOOD_TOP "void g(void) { free(malloc(4)); }\n", "heap");
    /* recursion, direct and indirect */
    expect(GOOD_COPY GOOD_TOP "int r(int x) { return x ? r(x - 1) : 0; }\n", "recursion");
    expect(GOOD_COPY GOOD_TOP "int b(int);\nint a(int x) { return b(x); }\n"
           "int b(int x) { return x ? a(x - 1) : 0; }\n", "recursion");
    /* function pointers */
    expect(GOOD_COPY GOOD_TOP "void h(void (*cb)(int)) { cb(1); }\n", "fnptr");
    expect(GOOD_COPY GOOD_TOP "void *h(void) { return (void *)copy; }\n", "fnptr");
    /* loop bounds */
    expect(GOOD_TOP "static void copy(const int in[4], int out[4])\n{\n    int i, n = 4;\n"
           "    for (i = 0; i < n; ++i) {\n#pragma HLS PIPELINE II=1\n        out[i] = in[i];\n"
           "    }\n}\n", "loop");
    expect(GOOD_TOP "static void copy(const int in[4], int out[4])\n{\n    int i = 0;\n"
           "    while (i < 4) {\n        out[i] = in[i];\n        ++i;\n    }\n}\n", "loop");
    /* an inner loop without PIPELINE, and a layer without any */
    expect(GOOD_TOP "static void copy(const int in[4], int out[4])\n{\n    int i;\n"
           "    for (i = 0; i < 4; ++i)\n        out[i] = in[i];\n}\n", "pipeline");
    /* a loop in a pipelined loop that is not unrolled */
    expect(GOOD_TOP "static void copy(const int in[4], int out[4])\n{\n    int i, j;\n"
           "    for (i = 0; i < 4; ++i) {\n#pragma HLS PIPELINE II=1\n"
           "        for (j = 0; j < 1; ++j)\n            out[i] = in[i];\n    }\n}\n", "pipeline");
    /* the top's pragmas */
    const char *top = strstr(GOOD_COPY GOOD_TOP, "void top");
    char buf[4096];
    snprintf(buf, sizeof buf, "%.*s", (int)(top - (GOOD_COPY GOOD_TOP)), GOOD_COPY GOOD_TOP);
    expect(buf, "dataflow");
    snprintf(buf, sizeof buf, "%s%s", GOOD_COPY,
             "void top(const int in[4], int out[4])\n{\n#pragma HLS INTERFACE axis port=in\n"
             "#pragma HLS DATAFLOW\n    copy(in, out);\n}\n");
    expect(buf, "interface");
    snprintf(buf, sizeof buf, "%s%s", GOOD_COPY,
             "void top(const int in[4], int out[4])\n{\n#pragma HLS INTERFACE axis port=in\n"
             "#pragma HLS INTERFACE axis port=out\n#pragma HLS DATAFLOW\n    int s1[4];\n\n"
             "    copy(in, s1);\n    copy(s1, out);\n}\n");
    expect(buf, "stream");
    /* an unpartitioned weight array */
    expect("static const int v[4] = { 1, 2, 3, 4 };\n" GOOD_COPY GOOD_TOP, "partition");
    /* a cut-short pragma, a pragma about nothing */
    expect(GOOD_COPY GOOD_TOP "void g(int a[2])\n{\n#pragma HLS ARRAY_PARTITION variable=a#pragma "
           "HLS STREAM variable=a\n    a[0] = 0;\n}\n", "pragma");
    expect(GOOD_COPY GOOD_TOP "void g(int a[2])\n{\n#pragma HLS ARRAY_PARTITION variable=b "
           "complete dim=1\n    a[0] = 0;\n}\n", "pragma");
}
END_TEST

/* ---- the emitted code ---------------------------------------------------- */

/* shared: a model of ../shared/models (the DAG models), else tests/models */
static void lint_model(const char *model, const char *config, bool shared)
{
    char path[512], cfg_path[512], name[64];
    Diag d;
    diag_init(&d);
    if (shared)
        shared_model_path(path, sizeof path, model, "model.onnx");
    else
        model_path(path, sizeof path, model, "model.onnx");
    Graph *g = frontend_load(path, &d);
    ck_assert_msg(g && streamline_graph(g, true, &d), "%s", d.msg);
    BuildConfig cfg;
    config_defaults(&cfg);
    if (config) {
        snprintf(cfg_path, sizeof cfg_path, "%s/../configs/%s.yaml", TESTS_DIR, config);
        ck_assert_msg(config_load(&cfg, cfg_path, &d), "%s", d.msg);
    }
    Dataflow df;
    memset(&df, 0, sizeof df);
    ck_assert_msg(dataflow_build(g, &cfg, &df, &d), "%s", d.msg);
    ref_model_name(path, name, sizeof name);
    TextBuf h, c;
    tb_init(&h);
    tb_init(&c);
    ck_assert_msg(emit_hls_kernels(&df, name, &h, &c, &d), "%s", d.msg);
    Lint L;
    char file[160];
    snprintf(file, sizeof file, "%s/%s/top.h", config ? "config" : "pe1", name);
    ck_assert_msg(lint_file(&L, file, tb_str(&h)) == 0, "%s", L.report);
    snprintf(file, sizeof file, "%s/%s/top.c", config ? "config" : "pe1", name);
    ck_assert_msg(lint_file(&L, file, tb_str(&c)) == 0, "%s", L.report);
    /* the promised pragmas are there, and the lint sees them go */
    ck_assert_ptr_nonnull(strstr(tb_str(&c), "#pragma HLS DATAFLOW"));
    static const struct {
        const char *line, *rule;
    } cuts[] = {
        { "#pragma HLS PIPELINE II=1\n", ": pipeline: " },
        { "#pragma HLS STREAM variable=", ": stream: " },
        { "#pragma HLS INTERFACE axis port=out\n", ": interface: " },
        { "_weights complete dim=1\n", ": partition: " },
    };
    for (size_t k = 0; k < sizeof cuts / sizeof cuts[0]; k++) {
        const char *at = strstr(tb_str(&c), cuts[k].line);
        if (!at)
            continue;   /* e.g. no stream between layers in a one-layer net */
        char *cut = strdup(tb_str(&c));
        char *line = cut + (at - tb_str(&c)), *eol = strchr(line, '\n');
        while (line > cut && line[-1] != '\n')
            line--;
        memmove(line, eol + 1, strlen(eol + 1) + 1);
        ck_assert_msg(lint_file(&L, file, cut) > 0 && strstr(L.report, cuts[k].rule),
                      "%s: removing '%s' goes unnoticed", file, cuts[k].line);
        free(cut);
    }
    tb_free(&h);
    tb_free(&c);
    dataflow_free(&df);
    config_free(&cfg);
    graph_free(g);
}

static const char *const configs[N_REAL_MODELS] = {
    "TFC_1W1A", "TFC_1W2A", "TFC_2W2A", "UNSW_MLP_W2A2", "CNV_1W1A", "CNV_1W2A", "CNV_2W2A",
};

START_TEST(test_models)
{
    const char *model = real_models[_i];
    /* configs/ names the CNV models without _RANDOM */
    for (int k = 0; k < N_REAL_MODELS; k++)
        if (!strncmp(model, configs[k], strlen(configs[k]))) {
            lint_model(model, configs[k], false);
            break;
        }
    lint_model(model, NULL, false);
}
END_TEST

/* The dataflow DAG's kernels (FORK, JOIN, VVAU, POOL) and top. */
static const char *const dag_models[][2] = {
    { "RESNET_W2A2_RANDOM", "RESNET_W2A2" },
    { "MOBILENET_W4A4_RANDOM", "MOBILENET_W4A4" },
    { "RESNET20_W4A4_RANDOM", "RESNET20_W4A4" },
};

START_TEST(test_dag_models)
{
    if (!shared_model_present(dag_models[_i][0]))
        return;
    lint_model(dag_models[_i][0], dag_models[_i][1], true);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("hls_lint");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 600);
    tcase_add_test(tc, test_rules_fire);
    tcase_add_loop_test(tc, test_models, 0, N_REAL_MODELS);
    tcase_add_loop_test(tc, test_dag_models, 0, 3);
    suite_add_tcase(s, tc);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
