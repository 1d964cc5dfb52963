/* The int engine against the golden executor on the seven real models.
 *
 * Each model is loaded and cleaned up twice (frontend_load); one copy is
 * streamlined into the integer graph. Both run, with exec_run_frames, on
 * the model's inputs.npy and on random frames of a fixed seed (uniform in
 * [0, 1] for the image models, -1/+1 for UNSW-NB15, whose input is
 * BIPOLAR). What must agree:
 *
 *   - every quantized activation: the integer graph names its tensors
 *     after the float tensors they replace, so for each integer tensor
 *     whose golden namesake is a quantizer's output, golden must be
 *     fl32(int * scale) bit for bit;
 *   - every accumulator (IntMatMul / IntConv output) whose golden namesake
 *     is a MatMul / Conv / Gemm output: golden must be fl32(dot * scale_x *
 *     scale_w) (plus Gemm's C, added last), with dot the integer dot
 *     product (2 * popcount - K for XNOR; negated on the channels whose
 *     weights the streamliner negated), bit for bit when the scales are
 *     powers of two, as in the bnn_pynq models (golden's float sums are then
 *     exact). The OutputAffine input is one of them: the integer-level
 *     output;
 *   - the float outputs to 1e-5 of the frame's largest output magnitude
 *     (OutputAffine rounds once in double, golden after each float op),
 *     and the argmax on every frame.
 *
 * UNSW-NB15 has non-power-of-two scales (docs/integer-graph.md, last
 * paragraph): golden's float32 sums carry rounding the integers do not,
 * which could move a value lying on a quantizer boundary. Its accumulators
 * are not compared bit for bit; how far golden's sums are from the exact
 * ones is printed, and its quantized values must still all agree (they do
 * on these frames; a difference would be reported element by element).
 *
 * ResNet-20 (RESNET20_W4A4_RANDOM) is the model where they do not: golden's
 * float32 sums move 2127 of 290 million quantized values across a
 * quantizer boundary, and summing the same products in another float32
 * order moves the same ones back (bench/bench_golden_sum). It is compared
 * with golden summing in double (ExecOptions.sum), which the int engine
 * equals on every value; golden summing in float32 runs too, bounded.
 *
 * Frames: 1000 random ones per model, plus the model's own inputs.npy. A
 * CNV frame costs about 20 ms in the golden executor and 20 to 30 ms in
 * the int engine here (every intermediate tensor is kept for comparison):
 * about two and a half minutes for the three CNV models on an idle
 * two-core machine, more when others load it. Under AddressSanitizer
 * every model gets far fewer.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exec.h"
#include "frontend.h"
#include "model_data.h"
#include "op_quant.h"
#include "streamline.h"

#if defined(__SANITIZE_ADDRESS__)
enum { MLP_FRAMES = 100, CNV_FRAMES = 6, BATCH = 50 };
#else
enum { MLP_FRAMES = 1000, CNV_FRAMES = 1000, BATCH = 50 };
#endif

static uint32_t rng_state;
static uint32_t rng(void)
{
    uint32_t x = rng_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return rng_state = x;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void add_output(Graph *g, Tensor *t)
{
    Tensor **outs = arena_array(&g->arena, (size_t)g->n_outputs + 1, sizeof *outs);
    ck_assert_ptr_nonnull(outs);
    memcpy(outs, g->outputs, (size_t)g->n_outputs * sizeof *outs);
    outs[g->n_outputs++] = t;
    g->outputs = outs;
    t->is_graph_output = true;
}

static bool is_quantizer(const Node *n)
{
    return n && n->domain_kind == DOMAIN_QONNX &&
           (!strcmp(n->op_type, "Quant") || !strcmp(n->op_type, "IntQuant") ||
            !strcmp(n->op_type, "BipolarQuant"));
}

/* The quantizer whose output reaches t through layout ops and MaxPool
 * (which keep the scale), or NULL. */
static const Node *quantizer_of(const Tensor *t)
{
    static const char *const keep[] = { "Reshape", "Flatten", "Transpose", "Squeeze",
                                        "Unsqueeze", "MaxPool" };
    for (int depth = 0; t && t->producer && depth < 16; depth++) {
        const Node *p = t->producer;
        if (is_quantizer(p))
            return p;
        bool through = false;
        for (size_t k = 0; k < sizeof keep / sizeof keep[0]; k++)
            through = through || !strcmp(p->op_type, keep[k]);
        if (!through)
            return NULL;
        t = p->inputs[0];
    }
    return NULL;
}

static bool power_of_two(double s)
{
    int e;
    return frexp(s, &e) == 0.5;
}

/* One integer tensor checked against its golden namesake. */
typedef struct Check {
    const Tensor *gold, *it;
    bool acc;                  /* an accumulator; else a quantized activation */
    const Node *quant;         /* activation: its quantizer */
    double sx;                 /* accumulator: input scale */
    const Value *sw;           /* accumulator: weight scales (1 or C) */
    int64_t xnor_k;            /* accumulator: K for an XNOR popcount, else 0 */
    int caxis;                 /* accumulator: channel axis of the output */
    bool exact;                /* all scales powers of two */
    bool is_output_affine_input;
    const Value *bias;         /* accumulator: Gemm's C, added by golden */
    const Tensor *gold_w;      /* accumulator: golden's weights (B or W) */
    bool trans_b;              /* accumulator: golden's B is [N, K] (Gemm transB) */
    const Value *int_w;        /* accumulator: the integer weights */
    int8_t *sign;              /* accumulator: -1 where the streamliner negated a channel */
    int64_t count, bad;
    double worst;              /* accumulators with inexact scales: max |dev| */
    int64_t count32, bad32;    /* activation, against golden summing in float32 */
} Check;

typedef struct Model {
    const char *name;
    Graph *gold, *intg;
    int n_out;                 /* the models' own outputs */
    Check checks[64];
    int n_checks;
    int layers, xnor_layers, thresholds;
    GoldenSum sum;             /* how golden sums for the exact comparison */
    /* sum is not float32: golden is also run summing in float32 (its
     * contract) and the quantized values that moved are counted apart */
    bool float32_too;
} Model;

/* Pairs the integer graph's tensors with golden ones and makes them all
 * outputs of both graphs. */
static void pair_tensors(Model *m)
{
    m->n_out = m->gold->n_outputs;
    const Node *affine = NULL;
    for (int k = 0; k < m->intg->n_nodes; k++) {
        const Node *n = m->intg->nodes[k];
        if (!strcmp(n->op_type, "IntMatMul") || !strcmp(n->op_type, "IntConv")) {
            m->layers++;
            m->xnor_layers += node_attr_int(n, "xnor", 0) == 1;
        }
        m->thresholds += !strcmp(n->op_type, "MultiThreshold");
        if (!strcmp(n->op_type, "OutputAffine"))
            affine = n;
    }
    for (int k = 0; k < m->intg->n_tensors && m->n_checks < 64; k++) {
        Tensor *ti = m->intg->tensors[k];
        if (ti->value || !ti->qdt || !ti->producer)
            continue;
        Tensor *tg = graph_find_tensor(m->gold, ti->name);
        if (!tg || tg->value || !tg->producer)
            continue;
        Check c = { .gold = tg, .it = ti, .exact = true };
        const Node *gp = tg->producer, *ip = ti->producer;
        if (is_quantizer(gp)) {
            c.quant = gp;
        } else if ((!strcmp(gp->op_type, "MatMul") || !strcmp(gp->op_type, "Conv") ||
                    !strcmp(gp->op_type, "Gemm")) &&
                   (gp->n_inputs == 2 || (!strcmp(gp->op_type, "Gemm") && gp->inputs[2] &&
                                          gp->inputs[2]->value &&
                                          node_attr_float(gp, "alpha", 1) == 1 &&
                                          node_attr_float(gp, "beta", 1) == 1)) &&
                   (!strcmp(ip->op_type, "IntMatMul") || !strcmp(ip->op_type, "IntConv"))) {
            const Node *qx = quantizer_of(gp->inputs[0]), *qw = quantizer_of(gp->inputs[1]);
            if (!qx || !qw || qx->inputs[1]->value->count != 1)
                continue;
            c.acc = true;
            c.bias = gp->n_inputs > 2 ? gp->inputs[2]->value : NULL;
            c.sx = value_get(qx->inputs[1]->value, 0);
            c.sw = qw->inputs[1]->value;
            c.caxis = !strcmp(gp->op_type, "Conv") ? 1 : tg->shape.rank - 1;
            if (node_attr_int(ip, "xnor", 0)) {
                const Value *w = ip->inputs[1]->value;
                c.xnor_k = !strcmp(ip->op_type, "IntMatMul") ? w->shape.dims[0]
                                                              : w->count / w->shape.dims[0];
            }
            c.exact = power_of_two(c.sx);
            for (int64_t j = 0; j < c.sw->count; j++)
                c.exact = c.exact && power_of_two(value_get(c.sw, j));
            c.is_output_affine_input = affine && affine->inputs[0] == ti;
            c.gold_w = gp->inputs[1];
            c.trans_b = !strcmp(gp->op_type, "Gemm") && node_attr_int(gp, "transB", 0);
            c.int_w = ip->inputs[1]->value;
        } else {
            continue;
        }
        m->checks[m->n_checks++] = c;
        add_output(m->gold, tg);
        add_output(m->intg, ti);
    }
}

/* A falling response (negative BatchNorm gamma) makes the streamliner
 * negate a channel's weights, and so its accumulator. Which channels: the
 * integer weights against golden's (computed once, on a zero frame). */
static void weight_signs(Model *m, const Value *in)
{
    Graph *g = m->gold;
    Tensor **saved = g->outputs;
    int n_saved = g->n_outputs;
    Tensor *ws[64];
    int n = 0;
    for (int j = 0; j < m->n_checks; j++)
        if (m->checks[j].acc)
            ws[n++] = (Tensor *)m->checks[j].gold_w;
    if (!n)
        return;
    g->outputs = ws;
    g->n_outputs = n;
    for (int k = 0; k < n; k++)
        ws[k]->is_graph_output = true;
    Value *zero = value_new(ET_FLOAT, &in->shape), *vals[64];
    zero->shape.dims[0] = 1;
    zero->count = in->count / in->shape.dims[0];
    Diag d;
    diag_init(&d);
    ck_assert_msg(exec_run(g, (const Value *[]){ zero }, vals, &d), "%s", d.msg);
    for (int k = 0; k < n; k++)
        ws[k]->is_graph_output = false;
    g->outputs = saved;
    g->n_outputs = n_saved;
    for (int j = 0, k = 0; j < m->n_checks; j++) {
        Check *c = &m->checks[j];
        if (!c->acc)
            continue;
        const Value *gw = vals[k++], *iw = c->int_w;
        bool conv = iw->shape.rank > 2;
        int64_t C = conv ? iw->shape.dims[0] : iw->shape.dims[1];
        int64_t per = iw->count / C;
        c->sign = malloc((size_t)C);
        ck_assert_int_eq(gw->count, iw->count);
        for (int64_t ch = 0; ch < C; ch++) {
            c->sign[ch] = 0;
            for (int64_t e = 0; e < per && !c->sign[ch]; e++) {
                int64_t at = conv ? ch * per + e : e * C + ch;
                int64_t gat = c->trans_b ? ch * per + e : at;
                if (iw->i[at] && gw->f[gat])
                    c->sign[ch] = (iw->i[at] > 0) == (gw->f[gat] > 0) ? 1 : -1;
            }
            if (!c->sign[ch])
                c->sign[ch] = 1;   /* all-zero channel */
        }
        value_free(vals[k - 1]);
    }
    value_free(zero);
}

/* Channel index of flat element k of a value of shape s along axis. */
static int64_t channel_of(const Shape *s, int axis, int64_t k)
{
    int64_t inner = 1;
    for (int d = axis + 1; d < s->rank; d++)
        inner *= s->dims[d];
    return (k / inner) % s->dims[axis];
}

/* A quantized activation: golden must be fl32(integer * scale). */
static void compare_activation(const Model *m, const Check *c, const Value *g, const Value *iv,
                               int64_t *count, int64_t *bad)
{
    QonnxParam sp;
    Shape one = g->shape;
    one.dims[0] = 1;
    int64_t per = g->count / g->shape.dims[0];
    qonnx_param_init(&sp, c->quant->inputs[1]->value, &one);
    for (int64_t k = 0; k < g->count; k++) {
        float s = qonnx_param_at(&sp, k % per);
        ++*count;
        if ((float)iv->i[k] * s != g->f[k] && ++*bad <= 3)
            fprintf(stderr, "  %s%s: %s[%lld]: integer %lld means %.9g; golden %.9g\n",
                    m->name, count == &c->count32 ? " (golden summing in float32)" : "",
                    c->it->name, (long long)k, (long long)iv->i[k],
                    (double)((float)iv->i[k] * s), (double)g->f[k]);
    }
}

static void compare_checks(Model *m, Value *const *og, Value *const *oi)
{
    for (int j = 0; j < m->n_checks; j++) {
        Check *c = &m->checks[j];
        const Value *g = og[m->n_out + j], *iv = oi[m->n_out + j];
        ck_assert_int_eq(g->count, iv->count);
        ck_assert_ptr_nonnull(iv->i);
        if (c->acc) {
            for (int64_t k = 0; k < g->count; k++) {
                int64_t ch = channel_of(&g->shape, c->caxis, k);
                double sw = value_get(c->sw, c->sw->count == 1 ? 0 : ch);
                int64_t dot = c->xnor_k ? 2 * iv->i[k] - c->xnor_k : iv->i[k];
                dot *= c->sign[ch];
                float want = (float)((double)dot * c->sx * sw);
                /* golden's Gemm adds C last, in float32 */
                float bias = c->bias ? (float)value_get(c->bias, c->bias->count == 1 ? 0 : ch) : 0;
                if (c->bias)
                    want = want + bias;
                c->count++;
                if (c->exact) {
                    if (want != g->f[k] && c->bad++ < 3)
                        fprintf(stderr, "  %s: %s[%lld]: integer %lld means %.9g; golden %.9g\n",
                                m->name, c->it->name, (long long)k, (long long)dot,
                                (double)want, (double)g->f[k]);
                } else {
                    /* in accumulator steps: how far golden's float sums are from exact */
                    double sum = (double)g->f[k] - bias;
                    c->worst = fmax(c->worst, fabs(sum / (c->sx * sw) - (double)dot));
                }
            }
            continue;
        }
        compare_activation(m, c, g, iv, &c->count, &c->bad);
    }
}

/* The quantized activations only, against golden run a second time, summing
 * in float32 (Model.float32_too). */
static void compare_activations_float32(Model *m, Value *const *og, Value *const *oi)
{
    for (int j = 0; j < m->n_checks; j++) {
        Check *c = &m->checks[j];
        if (!c->acc)
            compare_activation(m, c, og[m->n_out + j], oi[m->n_out + j], &c->count32,
                               &c->bad32);
    }
}

/* Frames [first, first + n) of v. */
static Value *slice(const Value *v, int64_t first, int64_t n)
{
    Shape s = v->shape;
    s.dims[0] = n;
    Value *out = value_new(ET_FLOAT, &s);
    ck_assert_ptr_nonnull(out);
    int64_t per = v->count / v->shape.dims[0];
    memcpy(out->f, v->f + first * per, (size_t)(n * per) * sizeof(float));
    return out;
}

typedef struct Totals {
    int64_t frames, floats, argmax_bad;
    double max_err, t_gold, t_int;
    /* Model.float32_too: golden summing in float32 against the int engine */
    int64_t argmax_bad32;
    double max_err32;
} Totals;

/* Float outputs of n frames: the largest difference relative to each
 * frame's largest golden output, into *max_err; frames whose argmax
 * differs, into *argmax_bad. */
static void compare_outputs(const Value *g, const Value *iv, int64_t n, double *max_err,
                            int64_t *argmax_bad)
{
    ck_assert_int_eq(g->count, iv->count);
    int64_t per = g->count / n;
    for (int64_t f = 0; f < n; f++) {
        const float *gf = g->f + f * per, *jf = iv->f + f * per;
        double big = 0;
        int64_t ag = 0, ai = 0;
        for (int64_t c = 0; c < per; c++) {
            big = fmax(big, fabs(gf[c]));
            ag = gf[c] > gf[ag] ? c : ag;
            ai = jf[c] > jf[ai] ? c : ai;
        }
        for (int64_t c = 0; c < per; c++) {
            double e = fabs((double)gf[c] - jf[c]);
            *max_err = fmax(*max_err, big > 0 ? e / big : e);
        }
        *argmax_bad += ag != ai;
    }
}

static void run_frames(Model *m, const Value *in, Totals *t)
{
    Diag d;
    diag_init(&d);
    int n_all = m->n_out + m->n_checks;
    Value **og = calloc((size_t)n_all, sizeof *og), **oi = calloc((size_t)n_all, sizeof *oi);
    ExecOptions eo = { m->sum }, eo32 = { GOLDEN_SUM_FLOAT32 };
    for (int64_t f0 = 0; f0 < in->shape.dims[0]; f0 += BATCH) {
        int64_t n = in->shape.dims[0] - f0 < BATCH ? in->shape.dims[0] - f0 : BATCH;
        Value *batch = slice(in, f0, n);
        double t0 = now();
        ck_assert_msg(exec_run_frames_with(m->gold, (const Value *[]){ batch }, og, &eo, &d),
                      "%s golden: %s", m->name, d.msg);
        double t1 = now();
        ck_assert_msg(exec_run_frames(m->intg, (const Value *[]){ batch }, oi, &d),
                      "%s int: %s", m->name, d.msg);
        t->t_gold += t1 - t0;
        t->t_int += now() - t1;
        compare_checks(m, og, oi);
        for (int j = 0; j < m->n_out; j++) {
            compare_outputs(og[j], oi[j], n, &t->max_err, &t->argmax_bad);
            t->floats += og[j]->count;
        }
        if (m->float32_too) {
            for (int j = 0; j < n_all; j++)
                value_free(og[j]);
            ck_assert_msg(exec_run_frames_with(m->gold, (const Value *[]){ batch }, og, &eo32,
                                               &d), "%s golden: %s", m->name, d.msg);
            compare_activations_float32(m, og, oi);
            for (int j = 0; j < m->n_out; j++)
                compare_outputs(og[j], oi[j], n, &t->max_err32, &t->argmax_bad32);
        }
        t->frames += n;
        for (int j = 0; j < n_all; j++) {
            value_free(og[j]);
            value_free(oi[j]);
        }
        value_free(batch);
    }
    free(og);
    free(oi);
}

/* dir/name/file into buf; dir NULL: the vendored tests/models. */
static const char *path_in(char *buf, int size, const char *dir, const char *name,
                           const char *file)
{
    if (!dir)
        return model_path(buf, size, name, file);
    snprintf(buf, (size_t)size, "%s/%s/%s", dir, name, file);
    return buf;
}

/* Quantized values that moved, so far (float32: against golden summing in
 * float32 when Model.float32_too). */
static int64_t moved_values(const Model *m, bool float32)
{
    int64_t bad = 0;
    for (int j = 0; j < m->n_checks; j++)
        bad += m->checks[j].acc ? 0 : float32 ? m->checks[j].bad32 : m->checks[j].bad;
    return bad;
}

/* double_golden: the model's scales are not powers of two and its float32
 * sums put values on the other side of a quantizer boundary
 * (docs/integer-graph.md "Exact thresholds"). The exact comparison is then
 * with golden summing in double (each sum rounded to float32 once): every
 * quantized value equal. Golden summing in float32, its contract, is run
 * too; the values it moves must stay within one in 10^5, the float outputs
 * within 1e-2 of the frame's largest, every argmax equal, and inputs.npy
 * exact. */
static void check_model_in(const char *dir, const char *name, int64_t random_frames,
                           bool bipolar_input, bool double_golden)
{
    char path[512];
    Diag d;
    diag_init(&d);
    Model m = { .name = name, .sum = double_golden ? GOLDEN_SUM_DOUBLE : GOLDEN_SUM_FLOAT32,
                .float32_too = double_golden };
    double t0 = now();
    m.gold = frontend_load(path_in(path, sizeof path, dir, name, "model.onnx"), &d);
    ck_assert_msg(m.gold != NULL, "%s", d.msg);
    m.intg = frontend_load(path, &d);
    ck_assert_msg(m.intg != NULL, "%s", d.msg);
    ck_assert_msg(streamline_graph(m.intg, true, &d), "%s: %s", name, d.msg);
    double t_streamline = now() - t0;
    pair_tensors(&m);
    Value *file_in = load_npy_value(path_in(path, sizeof path, dir, name, "inputs.npy"));
    weight_signs(&m, file_in);
    Shape rs = file_in->shape;
    rs.dims[0] = random_frames;
    Value *rand_in = value_new(ET_FLOAT, &rs);
    rng_state = 0xC0FFEEu;
    for (int64_t k = 0; k < rand_in->count; k++)
        rand_in->f[k] = bipolar_input ? (rng() & 1 ? 1.0f : -1.0f)
                                      : (float)(rng() / 4294967296.0);
    Totals t = { 0 };
    run_frames(&m, file_in, &t);
    int64_t moved_on_file = moved_values(&m, false) + moved_values(&m, true);
    double file_err = fmax(t.max_err, t.max_err32);
    run_frames(&m, rand_in, &t);

    int64_t q_count = 0, q_bad = 0, a_count = 0, a_bad = 0, out_count = 0, out_bad = 0;
    int64_t negated = 0;
    double inexact = 0;
    for (int j = 0; j < m.n_checks; j++) {
        const Check *c = &m.checks[j];
        if (c->acc) {
            bool conv = c->int_w->shape.rank > 2;
            int64_t C = conv ? c->int_w->shape.dims[0] : c->int_w->shape.dims[1];
            for (int64_t ch = 0; ch < C; ch++)
                negated += c->sign[ch] < 0;
            a_count += c->count;
            a_bad += c->bad;
            inexact = fmax(inexact, c->worst);
        } else {
            q_count += c->count;
            q_bad += c->bad;
        }
        if (c->is_output_affine_input) {
            out_count += c->count;
            out_bad += c->bad;
        }
    }
    printf("%-16s %2d layers (%d xnor), %2d thresholds, %lld channels negated | %4lld frames | "
           "quantized %9lld values, "
           "%lld differ | accumulators %9lld, %lld differ | integer outputs %6lld, %lld differ | "
           "float outputs max err %.2g, argmax differs %lld | streamline %.2fs golden %.1fs int "
           "%.1fs\n", name, m.layers, m.xnor_layers, m.thresholds, (long long)negated,
           (long long)t.frames,
           (long long)q_count, (long long)q_bad, (long long)a_count, (long long)a_bad,
           (long long)out_count, (long long)out_bad, t.max_err, (long long)t.argmax_bad,
           t_streamline, t.t_gold, t.t_int);
    if (inexact > 0)
        printf("%-16s   non-power-of-two scales: golden's float32 sums differ from the exact "
               "integer ones by up to %.3g accumulator steps; %lld quantized values moved\n",
               name, inexact, (long long)q_bad);
    fflush(stdout);   /* before a failed check ends the forked test */
    ck_assert_int_gt(q_count, 0);
    ck_assert_msg(moved_on_file == 0 && file_err <= 1e-5, "%s: on inputs.npy %lld quantized "
                  "values differ, float outputs by %g", name, (long long)moved_on_file, file_err);
    if (double_golden) {
        int64_t q_bad32 = moved_values(&m, true), q_count32 = 0;
        for (int j = 0; j < m.n_checks; j++)
            q_count32 += m.checks[j].count32;
        printf("%-16s   golden summing in double: %lld of %lld quantized values differ; "
               "golden summing in float32 (the contract): %lld of %lld moved by its rounding, "
               "float outputs within %.2g, argmax differs %lld\n", name, (long long)q_bad,
               (long long)q_count, (long long)q_bad32, (long long)q_count32, t.max_err32,
               (long long)t.argmax_bad32);
        fflush(stdout);
        ck_assert_msg(q_bad32 * 100000 <= q_count32, "%s: %lld quantized values differ from "
                      "golden summing in float32", name, (long long)q_bad32);
        ck_assert_msg(t.max_err32 <= 1e-2, "%s: float outputs differ from golden summing in "
                      "float32 by %g", name, t.max_err32);
        ck_assert_int_eq(t.argmax_bad32, 0);
    }
    ck_assert_msg(q_bad == 0, "%s: %lld quantized values differ", name, (long long)q_bad);
    ck_assert_msg(a_bad == 0, "%s: %lld accumulator values differ", name, (long long)a_bad);
    ck_assert_msg(t.max_err <= 1e-5, "%s: float outputs differ by %g", name, t.max_err);
    ck_assert_int_eq(t.argmax_bad, 0);
    for (int j = 0; j < m.n_checks; j++)
        free(m.checks[j].sign);
    value_free(file_in);
    value_free(rand_in);
    graph_free(m.gold);
    graph_free(m.intg);
}

static void check_model(const char *name, int64_t random_frames, bool bipolar_input)
{
    check_model_in(NULL, name, random_frames, bipolar_input, false);
}

/* The shared models (../shared/models beside the clone); skipped with a
 * message when absent. */
static void check_shared_model(const char *name, int64_t random_frames, bool double_golden)
{
    if (shared_model_present(name))
        check_model_in(shared_models_dir(), name, random_frames, false, double_golden);
}

START_TEST(test_tfc_1w1a) { check_model("TFC_1W1A", MLP_FRAMES, false); }
END_TEST
START_TEST(test_tfc_1w2a) { check_model("TFC_1W2A", MLP_FRAMES, false); }
END_TEST
START_TEST(test_tfc_2w2a) { check_model("TFC_2W2A", MLP_FRAMES, false); }
END_TEST
START_TEST(test_unsw) { check_model("UNSW_MLP_W2A2", MLP_FRAMES, true); }
END_TEST
START_TEST(test_cnv_1w1a) { check_model("CNV_1W1A_RANDOM", CNV_FRAMES, false); }
END_TEST
START_TEST(test_cnv_1w2a) { check_model("CNV_1W2A_RANDOM", CNV_FRAMES, false); }
END_TEST
START_TEST(test_cnv_2w2a) { check_model("CNV_2W2A_RANDOM", CNV_FRAMES, false); }
END_TEST
/* ResNet-20 (random BatchNorm statistics, non-power-of-two scales): on
 * random frames golden's float32 convolution sums put a few values on the
 * other side of a quantizer boundary (first at layer3.1's relu1), which
 * then propagate; golden summing in double agrees with the int engine on
 * every value. Exact on inputs.npy either way. */
START_TEST(test_resnet20_w4a4) { check_shared_model("RESNET20_W4A4_RANDOM", CNV_FRAMES, true); }
END_TEST
START_TEST(test_resnet_w2a2) { check_shared_model("RESNET_W2A2_RANDOM", CNV_FRAMES, false); }
END_TEST
START_TEST(test_mobilenet_w4a4) { check_shared_model("MOBILENET_W4A4_RANDOM", CNV_FRAMES, false); }
END_TEST

int main(void)
{
    Suite *s = suite_create("int_engine");
    TCase *tc = tcase_create("models");
    tcase_set_timeout(tc, 1800);
    tcase_add_test(tc, test_tfc_1w1a);
    tcase_add_test(tc, test_tfc_1w2a);
    tcase_add_test(tc, test_tfc_2w2a);
    tcase_add_test(tc, test_unsw);
    tcase_add_test(tc, test_cnv_1w1a);
    tcase_add_test(tc, test_cnv_1w2a);
    tcase_add_test(tc, test_cnv_2w2a);
    suite_add_tcase(s, tc);
    /* CK_RUN_CASE=shared runs only these */
    TCase *shared = tcase_create("shared");
    tcase_set_timeout(shared, 3600);
    tcase_add_test(shared, test_resnet20_w4a4);
    tcase_add_test(shared, test_resnet_w2a2);
    tcase_add_test(shared, test_mobilenet_w4a4);
    suite_add_tcase(s, shared);
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
