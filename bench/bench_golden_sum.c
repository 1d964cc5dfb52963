/* How much golden's float32 sums decide a model's quantized values.
 *
 *   bench_golden_sum MODEL.onnx [FRAMES [FIRST]]
 *
 * Runs FRAMES random frames (uniform in [0, 1), fixed seed; default 200;
 * from frame FIRST of that sequence, default 0, so runs can be split)
 * through the golden executor three times, its Conv/MatMul/Gemm summing
 * (ExecOptions.sum) in float32 in natural order (the golden semantics), in
 * float32 in reverse order, and in double rounded once; and through the
 * integer graph (the int engine). Every quantizer's output (activations,
 * not weights) is compared: golden with itself across the summation
 * orders, and the int engine (fl32(integer * scale)) with each. Prints the
 * quantized values that differ per pair and, for the first batch of
 * frames with a difference, the first quantizer (in graph order) where
 * there is one; docs/integer-graph.md "Exact thresholds" quotes the
 * numbers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exec.h"
#include "frontend.h"
#include "op_quant.h"
#include "streamline.h"

enum { BATCH = 25, MAX_Q = 128 };

typedef struct Quantized {
    Tensor *gold, *intg;   /* intg: the integer namesake, or NULL */
    const Value *scale;
} Quantized;

static bool is_activation_quantizer(const Node *n)
{
    return n->domain_kind == DOMAIN_QONNX && n->inputs[0] && !n->inputs[0]->value &&
           (!strcmp(n->op_type, "Quant") || !strcmp(n->op_type, "IntQuant") ||
            !strcmp(n->op_type, "BipolarQuant")) && n->inputs[1] && n->inputs[1]->value;
}

static void add_output(Graph *g, Tensor *t)
{
    Tensor **outs = arena_array(&g->arena, (size_t)g->n_outputs + 1, sizeof *outs);
    if (!outs) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    memcpy(outs, g->outputs, (size_t)g->n_outputs * sizeof *outs);
    outs[g->n_outputs++] = t;
    g->outputs = outs;
    t->is_graph_output = true;
}

static uint32_t rng_state = 0xC0FFEEu;
static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

/* Values of output `o` (a quantized tensor) that differ between a and b. */
static int64_t differ(const Value *a, const Value *b)
{
    int64_t bad = 0;
    for (int64_t k = 0; k < a->count; k++)
        bad += a->f[k] != b->f[k];
    return bad;
}

/* The int engine's integers of q as golden floats, fl32(integer * scale). */
static Value *as_float(const Quantized *q, const Value *iv)
{
    Value *f = value_new(ET_FLOAT, &iv->shape);
    Shape one = iv->shape;
    one.dims[0] = 1;
    int64_t per = iv->count / iv->shape.dims[0];
    QonnxParam sp;
    qonnx_param_init(&sp, q->scale, &one);
    for (int64_t k = 0; f && k < iv->count; k++)
        f->f[k] = (float)iv->i[k] * qonnx_param_at(&sp, k % per);
    return f;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s MODEL.onnx [FRAMES [FIRST]]\n", argv[0]);
        return 2;
    }
    int64_t frames = argc > 2 ? atoll(argv[2]) : 200, first_frame = argc > 3 ? atoll(argv[3]) : 0;
    Diag d;
    diag_init(&d);
    Graph *gold = frontend_load(argv[1], &d), *intg = gold ? frontend_load(argv[1], &d) : NULL;
    if (!intg || !streamline_graph(intg, true, &d)) {
        fprintf(stderr, "%s\n", d.msg);
        return 1;
    }
    int n_model_out = gold->n_outputs, n_int_out = intg->n_outputs, n_q = 0;
    Quantized q[MAX_Q];
    for (int k = 0; k < gold->n_nodes && n_q < MAX_Q; k++) {
        Node *n = gold->nodes[k];
        if (!is_activation_quantizer(n))
            continue;
        Tensor *ti = graph_find_tensor(intg, n->outputs[0]->name);
        q[n_q] = (Quantized){ n->outputs[0], ti && ti->qdt && !ti->value ? ti : NULL,
                              n->inputs[1]->value };
        add_output(gold, q[n_q].gold);
        if (q[n_q].intg)
            add_output(intg, q[n_q].intg);
        n_q++;
    }
    static const char *const mode_name[] = { "float32", "float32 reversed", "double" };
    enum { N_MODES = 3 };
    /* pairs: golden modes with each other, then the int engine with each */
    int64_t count = 0, bad[N_MODES][N_MODES + 1] = { { 0 } };
    const char *first[N_MODES][N_MODES + 1] = { { NULL } };
    Shape s = gold->inputs[0]->shape;
    int64_t per_frame = 1;
    for (int k = 1; k < s.rank; k++)
        per_frame *= s.dims[k];
    for (int64_t k = 0; k < first_frame * per_frame; k++)
        rng();
    for (int64_t f0 = 0; f0 < frames; f0 += BATCH) {
        s.dims[0] = frames - f0 < BATCH ? frames - f0 : BATCH;
        Value *in = value_new(ET_FLOAT, &s);
        for (int64_t k = 0; in && k < in->count; k++)
            in->f[k] = (float)(rng() / 4294967296.0);
        Value *out[N_MODES][MAX_Q + 16], *iout[MAX_Q + 16];
        for (int m = 0; m < N_MODES; m++) {
            ExecOptions eo = { (GoldenSum)m };
            if (!exec_run_frames_with(gold, (const Value *[]){ in }, out[m], &eo, &d)) {
                fprintf(stderr, "golden (%s): %s\n", mode_name[m], d.msg);
                return 1;
            }
        }
        if (!exec_run_frames(intg, (const Value *[]){ in }, iout, &d)) {
            fprintf(stderr, "int engine: %s\n", d.msg);
            return 1;
        }
        for (int j = 0; j < n_q; j++) {
            const Value *g[N_MODES];
            for (int m = 0; m < N_MODES; m++)
                g[m] = out[m][n_model_out + j];
            count += g[0]->count;
            for (int a = 0; a < N_MODES; a++)
                for (int b = a + 1; b < N_MODES; b++) {
                    int64_t n = differ(g[a], g[b]);
                    bad[a][b] += n;
                    if (n && !first[a][b])
                        first[a][b] = q[j].gold->name;
                }
        }
        /* the int engine's outputs: the model's own, then each paired q */
        for (int j = 0, next = n_int_out; j < n_q; j++) {
            if (!q[j].intg)
                continue;
            Value *fi = as_float(&q[j], iout[next++]);
            for (int m = 0; fi && m < N_MODES; m++) {
                int64_t n = differ(fi, out[m][n_model_out + j]);
                bad[m][N_MODES] += n;
                if (n && !first[m][N_MODES])
                    first[m][N_MODES] = q[j].gold->name;
            }
            value_free(fi);
        }
        for (int k = 0; k < gold->n_outputs; k++)
            for (int m = 0; m < N_MODES; m++)
                value_free(out[m][k]);
        for (int k = 0; k < intg->n_outputs; k++)
            value_free(iout[k]);
        value_free(in);
    }
    printf("%s: %lld frames from %lld, %d quantizers, %lld quantized values\n", argv[1],
           (long long)frames, (long long)first_frame, n_q, (long long)count);
    for (int a = 0; a < N_MODES; a++)
        for (int b = a + 1; b <= N_MODES; b++)
            printf("  golden %-16s vs %-24s: %8lld differ%s%s\n", mode_name[a],
                   b < N_MODES ? mode_name[b] : "int engine", (long long)bad[a][b],
                   first[a][b] ? ", first at " : "", first[a][b] ? first[a][b] : "");
    graph_free(gold);
    graph_free(intg);
    return 0;
}
