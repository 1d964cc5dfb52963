/* The step driver (pipeline.h): the steps in one table, one function that
 * runs a step, checks it, times it and dumps it. */
#include "pipeline.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "child_run.h"
#include "cleanup.h"
#include "emit_names.h"
#include "emit_ref.h"
#include "emit_rtl.h"
#include "input_type.h"
#include "load_onnx.h"
#include "save_onnx.h"
#include "streamline.h"

/* ---- the steps -------------------------------------------------------------- */

static bool run_load(Pipeline *p, const PipelineStep *s, Diag *d)
{
    (void)s;
    p->g = onnx_load_file(p->o.model, d);
    return p->g != NULL;
}

/* The Quant node of the input type goes on the cleaned-up graph, whose
 * consumers are the real ones; a second cleanup sorts it in and infers
 * its shape. */
static bool run_cleanup(Pipeline *p, const PipelineStep *s, Diag *d)
{
    (void)s;
    if (!cleanup_graph(p->g, true, d))
        return false;
    return !p->input_type.bits ||
           (graph_insert_input_quant(p->g, &p->input_type, d) && cleanup_graph(p->g, true, d));
}

static bool run_streamline(Pipeline *p, const PipelineStep *s, Diag *d)
{
    (void)s;
    return streamline_graph(p->g, true, d);
}

static bool run_dataflow(Pipeline *p, const PipelineStep *s, Diag *d)
{
    (void)s;
    p->have_df = dataflow_build(p->g, p->o.cfg, &p->df, d);
    return p->have_df;
}

/* The names every emitter prints, made once before the first of them
 * (emit_names.h); FIFO sizing emits the design too, so it comes after. */
static bool run_names(Pipeline *p, const PipelineStep *s, Diag *d)
{
    (void)s;
    p->named = emit_names(p->g, p->have_df ? &p->df : NULL, d);
    p->named_df = p->named && p->have_df;
    return p->named;
}

static bool run_size_fifos(Pipeline *p, const PipelineStep *s, Diag *d)
{
    (void)s;
    interrupts_install();
    return rtl_size_fifos(&p->df, p->o.model, p->name, p->o.size_fifos,
                          p->o.fifo_log ? p->o.fifo_log : stdout, d);
}

static bool check_graph(const Pipeline *p, Diag *d)
{
    return graph_verify(p->g, d);
}

static bool check_integer_graph(const Pipeline *p, Diag *d)
{
    return graph_verify_integer(p->g, d);
}

static bool check_dataflow(const Pipeline *p, Diag *d)
{
    return dataflow_verify(&p->df, d);
}

/* The steps before the emit steps, in order. The loader checks what it
 * reads; the graph is first verified after its sort, inside cleanup. */
enum { STEP_LOAD, STEP_CLEANUP, STEP_STREAMLINE, STEP_DATAFLOW, STEP_NAMES, STEP_SIZE_FIFOS,
       N_FIXED };
static const PipelineStep fixed_steps[N_FIXED] = {
    [STEP_LOAD] = { "load", run_load, NULL, -1 },
    [STEP_CLEANUP] = { "cleanup", run_cleanup, check_graph, -1 },
    [STEP_STREAMLINE] = { "streamline", run_streamline, check_integer_graph, -1 },
    [STEP_DATAFLOW] = { "dataflow", run_dataflow, check_dataflow, -1 },
    [STEP_NAMES] = { "names", run_names, check_integer_graph, -1 },
    [STEP_SIZE_FIFOS] = { "size-fifos", run_size_fifos, check_dataflow, -1 },
};

/* emit-<target>: the target's files into p->tree; the emitters must leave
 * the integer graph valid for the ones after them. */
static bool run_emit(Pipeline *p, const PipelineStep *s, Diag *d)
{
    int target = s->target;
    const Target *t = &targets[target];
    TargetInput in = { p->g, p->have_df ? &p->df : NULL, p->o.model, p->name, &p->notes,
                       p->o.cfg };
    if (t->needs_dataflow && !p->have_df) {
        diag_error(d, p->o.model, NULL, NULL, "the %s target needs the dataflow step "
                   "(a bug in qonnxc)", t->name);
        diag_set_exit(d, EXIT_INTERNAL);
        return false;
    }
    /* verify builds the dataflow graph only for the targets that need it,
     * after the names step: its layers are named then (the step is
     * idempotent on what it named already) */
    if ((!p->named || (p->have_df && !p->named_df)) && !run_names(p, s, d))
        return false;
    int before = p->tree->n;
    bool ok = t->emit(&in, p->tree, d);
    p->files[target] = p->tree->n - before;
    return ok;
}

/* ---- planning --------------------------------------------------------------- */

/* --dump-to FILE.onnx: the graph as an ONNX model instead of text. */
static bool dump_is_onnx(const char *path)
{
    size_t len = path ? strlen(path) : 0;
    return len > 5 && !strcmp(path + len - 5, ".onnx");
}

void pipeline_step_names(char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int k = 0; k < N_FIXED && used < size; k++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", k ? ", " : "",
                                 fixed_steps[k].name);
    for (int k = 0; k < n_targets && used < size; k++)
        used += (size_t)snprintf(buf + used, size - used, ", emit-%s", targets[k].name);
}

/* Whether `name` is a step of the table, planned or not. */
static bool is_step_name(const char *name)
{
    for (int k = 0; k < N_FIXED; k++)
        if (!strcmp(name, fixed_steps[k].name))
            return true;
    return !strncmp(name, "emit-", 5) && target_find(name + 5, strlen(name + 5)) >= 0;
}

static bool named(const char *option, const char *step)
{
    return option && !strcmp(option, step);
}

static void add_step(Pipeline *p, PipelineStep s)
{
    p->steps[p->n_steps++] = s;
}

/* An option naming a step: a step of the table, and one this run has. */
static bool check_step_option(const Pipeline *p, const char *option, const char *value, Diag *d)
{
    char names[256], planned[256] = "";
    if (!value || pipeline_find(p, value) >= 0)
        return true;
    pipeline_step_names(names, sizeof names);
    for (int k = 0, used = 0; k < p->n_steps && used < (int)sizeof planned; k++)
        used += snprintf(planned + used, sizeof planned - (size_t)used, "%s%s", k ? ", " : "",
                         p->steps[k].name);
    if (!is_step_name(value))
        diag_error(d, NULL, NULL, NULL, "%s: unknown step '%s' (steps: %s)", option, value,
                   names);
    else
        diag_error(d, NULL, NULL, NULL, "%s: this command does not run the step '%s' (it runs: "
                   "%s)", option, value, planned);
    diag_set_exit(d, EXIT_USAGE);
    return false;
}

bool pipeline_init(Pipeline *p, const PipelineOptions *o, Diag *d)
{
    memset(p, 0, sizeof *p);
    p->o = *o;
    tb_init(&p->notes);
    config_defaults(&p->defaults);
    if (!p->o.cfg)
        p->o.cfg = &p->defaults;
    ref_model_name(o->model, p->name, sizeof p->name);
    /* --input-type wins over the config's; a bad one is refused before loading */
    p->input_type = p->o.cfg->input_type;
    if (o->input_type) {
        char err[256];
        if (!input_type_parse(o->input_type, &p->input_type, err, sizeof err)) {
            diag_error(d, NULL, NULL, NULL, "--input-type: %s", err);
            diag_set_exit(d, EXIT_USAGE);
            return false;
        }
    }
    bool dataflow = named(o->dump_after, "dataflow") || named(o->stop_after, "dataflow");
    for (int k = 0; k < n_targets; k++)
        dataflow = dataflow || (target_set_has(o->targets, k) && targets[k].needs_dataflow);
    add_step(p, fixed_steps[STEP_LOAD]);
    add_step(p, fixed_steps[STEP_CLEANUP]);
    add_step(p, fixed_steps[STEP_STREAMLINE]);
    if (dataflow)
        add_step(p, fixed_steps[STEP_DATAFLOW]);
    if (o->targets)
        add_step(p, fixed_steps[STEP_NAMES]);
    int rtl = target_find("rtl", 3);
    if (o->size_fifos > 0 && target_set_has(o->targets, rtl))
        add_step(p, fixed_steps[STEP_SIZE_FIFOS]);
    for (int k = 0; k < n_targets; k++)
        if (target_set_has(o->targets, k)) {
            snprintf(p->emit_names[k], sizeof p->emit_names[k], "emit-%s", targets[k].name);
            add_step(p, (PipelineStep){ p->emit_names[k], run_emit, check_integer_graph, k });
        }
    if (!check_step_option(p, "the last step", o->stop_after, d))
        return false;
    if (o->stop_after)
        p->n_steps = pipeline_find(p, o->stop_after) + 1;
    if (dump_is_onnx(o->dump_to) &&
        (named(o->dump_after, "dataflow") || named(o->dump_after, "size-fifos"))) {
        diag_error(d, o->dump_to, NULL, NULL, "--dump-to: the dataflow graph after step %s has "
                   "no ONNX form; dump it as text (a FILE not ending in .onnx)", o->dump_after);
        diag_set_exit(d, EXIT_USAGE);
        return false;
    }
    return check_step_option(p, "--dump-after", o->dump_after, d);
}

void pipeline_free(Pipeline *p)
{
    if (!p->o.model)
        return;               /* zeroed, never initialized */
    if (p->have_df)
        dataflow_free(&p->df);
    if (p->g)
        graph_free(p->g);
    config_free(&p->defaults);
    tb_free(&p->notes);
    p->g = NULL;
    p->have_df = false;
}

int pipeline_find(const Pipeline *p, const char *name)
{
    for (int k = 0; k < p->n_steps; k++)
        if (!strcmp(p->steps[k].name, name))
            return k;
    return -1;
}

/* ---- running ---------------------------------------------------------------- */

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

static bool write_dump(const Pipeline *p, const char *step, Diag *d)
{
    if (dump_is_onnx(p->o.dump_to))
        return onnx_save_file(p->g, p->o.dump_to, d);
    if (!p->o.dump_to) {
        pipeline_dump(p, step, stdout);
        fflush(stdout);
        return true;
    }
    FILE *f = fopen(p->o.dump_to, "w");
    if (!f) {
        diag_error(d, p->o.dump_to, NULL, NULL, "--dump-to: cannot write the file");
        diag_set_exit(d, EXIT_USAGE);
        return false;
    }
    pipeline_dump(p, step, f);
    if (fclose(f) != 0)
        return diag_error(d, p->o.dump_to, NULL, NULL, "--dump-to: write failed");
    return true;
}

bool pipeline_step(Pipeline *p, int k, Diag *d)
{
    const PipelineStep *s = &p->steps[k];
    double t0 = now_ms();
    bool ok = s->run(p, s, d);
    if (ok && s->check && !s->check(p, d))
        ok = diag_invalid_after(d, p->o.model, "the graph", "step", s->name);
    p->ms[k] = now_ms() - t0;
    p->done[k] = ok;
    if (p->o.verbose)
        fprintf(stderr, "step %d/%d %s ... %.1f ms%s\n", k + 1, p->n_steps, s->name, p->ms[k],
                ok ? "" : " (failed)");
    p->next = k + 1;
    return ok && (!named(p->o.dump_after, s->name) || write_dump(p, s->name, d));
}

bool pipeline_run_to(Pipeline *p, int last, Diag *d)
{
    while (p->next <= last && p->next < p->n_steps)
        if (!pipeline_step(p, p->next, d))
            return false;
    return true;
}

bool pipeline_run(Pipeline *p, Diag *d)
{
    return pipeline_run_to(p, p->n_steps - 1, d);
}
