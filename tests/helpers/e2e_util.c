#include "e2e_util.h"

#include <check.h>
#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "model_data.h"
#include "run_cli.h"

Value *model_inputs(const char *name, int64_t frames)
{
    char path[512];
    return model_inputs_at(model_path(path, sizeof path, name, "inputs.npy"), frames);
}

Value *model_inputs_at(const char *path, int64_t frames)
{
    Value *all = load_npy_value(path);
    if (frames <= 0 || frames >= all->shape.dims[0])
        return all;
    Shape s = all->shape;
    s.dims[0] = frames;
    Value *v = value_new(ET_FLOAT, &s);
    ck_assert_ptr_nonnull(v);
    memcpy(v->f, all->f, (size_t)v->count * sizeof(float));
    value_free(all);
    return v;
}

Value *random_inputs(const Tensor *in, int64_t frames, uint32_t seed)
{
    Shape s = in->shape;
    s.dims[0] = frames;
    Value *v = value_new(ET_FLOAT, &s);
    bool bipolar = in->qdt && !strcmp(in->qdt, "BIPOLAR");
    for (int64_t k = 0; k < v->count; k++) {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        v->f[k] = bipolar ? (seed & 1u ? 1.0f : -1.0f) : (float)(seed >> 8) / 16777216.0f;
    }
    return v;
}

void expose_integers(Graph *g)
{
    const Node *oa = NULL;
    for (int k = 0; k < g->n_nodes; k++)
        if (g->nodes[k]->domain_kind == DOMAIN_QONNXC &&
            !strcmp(g->nodes[k]->op_type, "OutputAffine"))
            oa = g->nodes[k];
    ck_assert_ptr_nonnull(oa);
    Tensor **outs = arena_array(&g->arena, 2, sizeof *outs);
    outs[0] = g->outputs[0];
    outs[1] = oa->inputs[0];
    oa->inputs[0]->is_graph_output = true;
    g->outputs = outs;
    g->n_outputs = 2;
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void collect(const char *root, const char *rel, TextBuf *out)
{
    char path[1024];
    snprintf(path, sizeof path, "%s%s%s", root, rel[0] ? "/" : "", rel);
    DIR *dir = opendir(path);
    ck_assert_ptr_nonnull(dir);
    char *names[256];
    int n = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL && n < 256)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            names[n++] = strdup(e->d_name);
    closedir(dir);
    qsort(names, (size_t)n, sizeof names[0], compare_names);
    for (int i = 0; i < n; i++) {
        char sub[1024], full[2048];
        snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", names[i]);
        snprintf(full, sizeof full, "%s/%s", root, sub);
        struct stat st;
        ck_assert_int_eq(stat(full, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            collect(root, sub, out);
        } else {
            size_t len;
            char *text = read_whole_file(full, &len);
            ck_assert_ptr_nonnull(text);
            tb_printf(out, "== %s (%zu bytes)\n", sub, len);
            tb_write(out, text, len);
            free(text);
        }
        free(names[i]);
    }
}

void collect_tree(const char *root, TextBuf *out)
{
    collect(root, "", out);
}

void assert_same_files(const char *a, const char *b)
{
    size_t la, lb;
    char *x = read_whole_file(a, &la), *y = read_whole_file(b, &lb);
    ck_assert_msg(x && y, "missing output %s or %s", a, b);
    ck_assert_msg(la == lb && !memcmp(x, y, la), "%s and %s differ", a, b);
    free(x);
    free(y);
}

int shell(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof cmd, fmt, ap);
    va_end(ap);
    int rc = system(cmd);
    return rc == -1 || !WIFEXITED(rc) ? -1 : WEXITSTATUS(rc);
}

void scratch_dir(char *dir, size_t size, const char *what)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, size, "%s/qonnxc-%s-XXXXXX", tmp && tmp[0] ? tmp : "/tmp", what);
    ck_assert_ptr_nonnull(mkdtemp(dir));
}
