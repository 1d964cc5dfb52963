/* Estimates reports (report_estimates.h): JSON, the text table, and the
 * Graphviz drawing. */
#include "report_estimates.h"

#include <errno.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "json_doc.h"
#include "qc_dtype_name.h"

extern char **environ;

/* ---- JSON ----------------------------------------------------------------- */

static void json_stream(JsonDoc *doc, cJSON *parent, const char *key, const Stream *s)
{
    char dt[16];
    cJSON *o = jd_object(doc, parent, key);
    jd_string(doc, o, "dtype", qc_dtype_name(s->dt, dt));
    jd_int(doc, o, "elems_per_beat", s->elems_per_beat);
    jd_int(doc, o, "width", s->bits);
    jd_int(doc, o, "beats", s->beats);
}

static void json_layer(JsonDoc *doc, cJSON *layers, const Dataflow *df, int k)
{
    const Layer *l = &df->layers[k];
    cJSON *o = jd_object(doc, layers, NULL);
    jd_int(doc, o, "index", k);
    jd_string(doc, o, "name", l->name);
    jd_string(doc, o, "kind", layer_kind_name(l->kind));
    jd_int(doc, o, "pe", l->pe);
    jd_int(doc, o, "simd", l->simd);
    json_stream(doc, o, "in", &l->in);
    json_stream(doc, o, "out", &l->out);
    jd_int(doc, o, "in_width", l->in.bits);
    jd_int(doc, o, "out_width", l->out.bits);
    if (l->kind == LAYER_MVAU) {
        char wdt[16];
        jd_int(doc, o, "mh", l->mh);
        jd_int(doc, o, "mw", l->mw);
        jd_int(doc, o, "vectors", l->vectors);
        jd_bool(doc, o, "xnor", l->xnor);
        jd_string(doc, o, "weight_dtype", qc_dtype_name(l->wdt, wdt));
        jd_int(doc, o, "thresholds", l->n_thresholds);
    }
    if (l->kind == LAYER_FIFO)
        jd_int(doc, o, "depth", l->depth);
    jd_int(doc, o, "cycles", l->cycles);
    jd_int(doc, o, "latency", l->latency);
    jd_int(doc, o, "luts", l->luts);
    jd_int(doc, o, "bram18", l->bram18);
    jd_int(doc, o, "dsp", l->dsp);
    jd_int(doc, o, "weight_bits", l->weight_bits);
    jd_bool(doc, o, "target_missed", l->target_missed);
}

void estimates_json(const Dataflow *df, TextBuf *b)
{
    JsonDoc doc;
    json_doc_init(&doc);
    cJSON *root = doc.root;
    jd_string(&doc, root, "model", df->path ? df->path : "");
    jd_number_as(&doc, root, "clock_mhz", "%.6g", df->clock_mhz);
    if (df->target_fps > 0)
        jd_number_as(&doc, root, "target_fps", "%.6g", df->target_fps);
    else
        jd_null(&doc, root, "target_fps");
    jd_bool(&doc, root, "labels_out", df->labels_out);
    cJSON *layers = jd_array(&doc, root, "layers");
    for (int k = 0; k < df->n_layers; k++)
        json_layer(&doc, layers, df, k);
    cJSON *n = jd_object(&doc, root, "network");
    jd_string(&doc, n, "bottleneck_layer", df->n_layers ? df->layers[df->bottleneck].name : "");
    jd_int(&doc, n, "bottleneck_index", df->bottleneck);
    jd_int(&doc, n, "bottleneck_cycles", df->bottleneck_cycles);
    jd_number_as(&doc, n, "fps", "%.2f", df->fps);
    jd_int(&doc, n, "latency_cycles", df->latency_cycles);
    jd_int(&doc, n, "luts", df->total_luts);
    jd_int(&doc, n, "bram18", df->total_bram18);
    jd_int(&doc, n, "dsp", df->total_dsp);
    jd_int(&doc, n, "weight_bits", df->total_weight_bits);
    cJSON *missing = jd_array(&doc, n, "layers_missing_target");
    for (int k = 0; k < df->n_layers; k++)
        if (df->layers[k].target_missed)
            jd_string(&doc, missing, NULL, df->layers[k].name);
    json_doc_finish(&doc, b);
}

/* Whether layer k is a bottleneck: as slow as the slowest layer. Layers
 * that tie are all bottlenecks; speeding up one of them gains nothing. */
static bool is_bottleneck(const Dataflow *df, int k)
{
    return df->bottleneck_cycles > 0 && df->layers[k].cycles == df->bottleneck_cycles;
}

/* ---- the table ------------------------------------------------------------ */

void estimates_table(const Dataflow *df, TextBuf *b)
{
    const Dataflow *n = df;
    tb_printf(b, "%3s  %-40s %-11s %5s %5s %7s %7s %9s %8s %6s %5s\n", "#", "layer", "kind",
              "PE", "SIMD", "in_w", "out_w", "cycles", "LUTs", "BRAM18", "DSP");
    for (int k = 0; k < df->n_layers; k++) {
        const Layer *l = &df->layers[k];
        char name[48];
        size_t len = strlen(l->name);
        if (len > 40)
            snprintf(name, sizeof name, "...%s", l->name + len - 37);
        else
            snprintf(name, sizeof name, "%s", l->name);
        char pe[16] = "-", simd[16] = "-";
        if (l->pe)
            snprintf(pe, sizeof pe, "%d", l->pe);
        if (l->simd)
            snprintf(simd, sizeof simd, "%d", l->simd);
        tb_printf(b, "%3d  %-40s %-11s %5s %5s %7d %7d %9lld %8lld %6lld %5lld%s\n", k, name,
                  layer_kind_name(l->kind), pe, simd, l->in.bits, l->out.bits,
                  (long long)l->cycles, (long long)l->luts, (long long)l->bram18,
                  (long long)l->dsp,
                  is_bottleneck(df, k) ? "  <- bottleneck"
                  : l->target_missed ? "  (misses target)" : "");
    }
    tb_printf(b, "\ntotal: %lld LUTs, %lld BRAM18, %lld DSP, %lld weight bits\n",
              (long long)n->total_luts, (long long)n->total_bram18, (long long)n->total_dsp,
              (long long)n->total_weight_bits);
    tb_puts(b, "bottleneck: ");
    int tied = 0;
    for (int k = 0; k < df->n_layers; k++)
        if (is_bottleneck(df, k))
            tb_printf(b, "%s%s", tied++ ? ", " : "", df->layers[k].name);
    if (!tied && df->n_layers)
        tb_puts(b, df->layers[n->bottleneck].name);
    tb_printf(b, "%s, %lld cycles per frame: %.2f fps at %.6g MHz\n", tied > 1 ? " (tied)" : "",
              (long long)n->bottleneck_cycles, n->fps, df->clock_mhz);
    tb_printf(b, "latency: %lld cycles (%.2f us)\n", (long long)n->latency_cycles,
              (double)n->latency_cycles / df->clock_mhz);
    if (df->target_fps > 0) {
        int missed = 0;
        for (int k = 0; k < df->n_layers; k++)
            missed += df->layers[k].target_missed;
        tb_printf(b, "target: %.6g fps; %d layer%s cannot reach it\n", df->target_fps, missed,
                  missed == 1 ? "" : "s");
    }
}

/* ---- Graphviz ------------------------------------------------------------- */

static void dot_escaped(TextBuf *b, const char *s)
{
    for (; *s; s++) {
        if (*s == '"' || *s == '\\')
            tb_printf(b, "\\%c", *s);
        else
            tb_write(b, s, 1);
    }
}

/* The layers feeding layer k's inputs, in input order (k == n_layers: the
 * host's output); -1 is the host's input. The DAG's edges (Layer.src): a
 * chain's layer has one, the layer before it; a JOIN has two. */
static int layer_producers(const Dataflow *df, int k, int *producers, int max)
{
    if (k >= df->n_layers) {
        /* the host's output reads the last layer */
        if (max < 1)
            return 0;
        producers[0] = df->n_layers - 1;
        return 1;
    }
    const Layer *l = &df->layers[k];
    int n = 0;
    for (int i = 0; i < l->n_inputs && n < max; i++)
        producers[n++] = l->src[i];   /* DATAFLOW_INPUT (-1): the host's input */
    return n;
}

static bool is_buffer(const Layer *l)
{
    return l->kind == LAYER_FIFO || l->kind == LAYER_DWC;
}

/* Long networks are drawn in rows of ROW_LAYERS compute layers, as text
 * wraps: a row's first boxes share a column with the rows above, and the
 * edge from a row's end to the next row's start does not set columns. */
enum { ROW_LAYERS = 6, WRAP_ABOVE = 8 };

/* The position of layer k among the compute layers (the host's input
 * before them, its output after them). */
static int compute_position(const Dataflow *df, int k)
{
    int pos = 0;
    for (int i = 0; i < k && i < df->n_layers; i++)
        pos += !is_buffer(&df->layers[i]);
    return k < 0 ? -1 : pos;
}

static int compute_count(const Dataflow *df)
{
    return compute_position(df, df->n_layers);
}

static int row_of(const Dataflow *df, int k)
{
    if (compute_count(df) <= WRAP_ABOVE)
        return 0;
    int pos = compute_position(df, k);
    return pos < 0 ? 0 : pos / ROW_LAYERS;
}

/* rank=same groups: the layers at one position of their rows */
static void row_columns(const Dataflow *df, TextBuf *b)
{
    int n = compute_count(df);
    if (n <= WRAP_ABOVE)
        return;
    for (int col = 0; col < ROW_LAYERS; col++) {
        tb_puts(b, "  { rank=same;");
        for (int k = 0; k < df->n_layers; k++)
            if (!is_buffer(&df->layers[k]) && compute_position(df, k) % ROW_LAYERS == col)
                tb_printf(b, " L%d;", k);
        tb_puts(b, " }\n");
    }
}

/* The node of layer k, or of the host's input (k < 0). */
static void node_name(const Dataflow *df, int k, TextBuf *b)
{
    if (k < 0)
        tb_puts(b, "host_in");
    else if (k >= df->n_layers)
        tb_puts(b, "host_out");
    else
        tb_printf(b, "L%d", k);
}

static void compute_node(const Dataflow *df, int k, TextBuf *b)
{
    const Layer *l = &df->layers[k];
    char dt_in[16], dt_out[16];
    tb_printf(b, "  L%d [label=\"", k);
    dot_escaped(b, l->name);
    tb_printf(b, "\\n%s", layer_kind_name(l->kind));
    if (l->kind == LAYER_MVAU)
        tb_printf(b, "  PE %d  SIMD %d", l->pe, l->simd);
    else if (l->kind == LAYER_SWG)
        tb_printf(b, "  SIMD %d", l->simd);
    else
        tb_printf(b, "  PE %d", l->pe);
    tb_printf(b, "\\n%s -> %s\\n%lld cycles%s\\n%lld LUT  %lld BRAM18  %lld DSP\"",
              qc_dtype_name(l->in.dt, dt_in), qc_dtype_name(l->out.dt, dt_out),
              (long long)l->cycles, is_bottleneck(df, k) ? " (bottleneck)" : "",
              (long long)l->luts, (long long)l->bram18, (long long)l->dsp);
    if (is_bottleneck(df, k))
        tb_puts(b, ", style=\"filled,bold\", fillcolor=\"#f4a0a0\", penwidth=2");
    tb_puts(b, "];\n");
}

/* The edge from `producer` into layer k (n_layers: the host's output),
 * drawn from the compute layer (or the host) behind the FIFOs and width
 * converters on the way, labelled with them, nearest the producer first;
 * red when one of them is as slow as the bottleneck. */
static void edge_into(const Dataflow *df, int k, int producer, TextBuf *b)
{
    int chain[64], n = 0;
    bool slow = false;
    while (producer >= 0 && is_buffer(&df->layers[producer]) && n < 64) {
        chain[n++] = producer;
        slow = slow || is_bottleneck(df, producer);
        int up[4];
        producer = layer_producers(df, producer, up, 4) > 0 ? up[0] : -1;
    }
    tb_puts(b, "  ");
    node_name(df, producer, b);
    tb_puts(b, " -> ");
    node_name(df, k, b);
    tb_puts(b, " [label=\"");
    for (int i = n - 1; i >= 0; i--) {
        const Layer *l = &df->layers[chain[i]];
        if (l->kind == LAYER_FIFO)
            tb_printf(b, "%sFIFO %lld x %d b", i < n - 1 ? "\\n" : "", (long long)l->depth,
                      l->in.bits);
        else
            tb_printf(b, "%sDWC %d -> %d b", i < n - 1 ? "\\n" : "", l->in.bits, l->out.bits);
    }
    if (n == 0 && (producer >= 0 || k < df->n_layers))
        tb_printf(b, "%d b", producer >= 0 ? df->layers[producer].out.bits
                             : df->layers[k].in.bits);
    tb_puts(b, "\"");
    if (row_of(df, producer) != row_of(df, k))
        tb_puts(b, ", constraint=false");
    if (slow)
        tb_puts(b, ", color=\"#d04040\", fontcolor=\"#d04040\", penwidth=2");
    tb_puts(b, "];\n");
}

static void legend(TextBuf *b)
{
    tb_puts(b, "  subgraph cluster_legend {\n    label=\"legend\"; fontsize=10; color=\"#999999\";\n"
               "    legend [shape=plaintext, fontsize=9, label=<"
               "<table border=\"0\" cellspacing=\"2\">"
               "<tr><td align=\"left\">box: layer name, kind and folding, datatypes in -&gt; out,"
               "</td></tr>"
               "<tr><td align=\"left\">cycles per frame, estimated LUT / BRAM18 / DSP</td></tr>"
               "<tr><td align=\"left\" bgcolor=\"#f4a0a0\">red: the bottleneck (every layer "
               "tied at the slowest)</td></tr>"
               "<tr><td align=\"left\">edge: FIFO depth x beat width (bits), width converter "
               "(DWC) bits in -&gt; out</td></tr>"
               "</table>>];\n  }\n");
}

void dataflow_dot(const Dataflow *df, TextBuf *b)
{
    int compute = compute_count(df);
    tb_puts(b, "digraph dataflow {\n  rankdir=LR;\n  labelloc=t;\n  fontname=\"Helvetica\";\n"
               "  label=\"");
    dot_escaped(b, df->path ? df->path : "dataflow");
    tb_printf(b, ": %d layers at %g MHz, %lld cycles per frame (%.2f fps), latency %lld cycles"
              "\\n%lld LUT  %lld BRAM18  %lld DSP (estimates)\";\n", compute, df->clock_mhz,
              (long long)df->bottleneck_cycles, df->fps, (long long)df->latency_cycles,
              (long long)df->total_luts, (long long)df->total_bram18, (long long)df->total_dsp);
    tb_puts(b, "  node [shape=box, style=rounded, fontname=\"Helvetica\", fontsize=10];\n"
               "  edge [fontname=\"Helvetica\", fontsize=9];\n");
    tb_puts(b, "  host_in [shape=ellipse, label=\"host: InputQuant\"];\n");
    for (int k = 0; k < df->n_layers; k++)
        if (!is_buffer(&df->layers[k]))
            compute_node(df, k, b);
    tb_printf(b, "  host_out [shape=ellipse, label=\"host: %s\"];\n",
              df->labels_out ? "labels" : "OutputAffine");
    for (int k = 0; k <= df->n_layers; k++) {
        if (k < df->n_layers && is_buffer(&df->layers[k]))
            continue;
        int producers[8];
        int n = layer_producers(df, k, producers, 8);
        for (int i = 0; i < n; i++)
            edge_into(df, k, producers[i], b);
    }
    row_columns(df, b);
    legend(b);
    tb_puts(b, "}\n");
}

/* ---- files ---------------------------------------------------------------- */

static bool make_dirs(const char *dir, Diag *d)
{
    char path[4096];
    snprintf(path, sizeof path, "%s", dir);
    for (char *p = path + 1;; p++) {
        bool end = *p == '\0';
        if (*p == '/' || end) {
            *p = '\0';
            if (mkdir(path, 0777) != 0 && errno != EEXIST) {
                diag_error(d, path, NULL, NULL, "cannot create the directory: %s",
                           strerror(errno));
                diag_set_exit(d, EXIT_USAGE);
                return false;
            }
            if (end)
                break;
            *p = '/';
        }
    }
    return true;
}

static bool write_text(const char *dir, const char *file, const TextBuf *text, Diag *d)
{
    char path[4096], tmp[4200];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    if (text->oom) {
        diag_error(d, path, NULL, NULL, "out of memory");
        diag_set_exit(d, EXIT_INTERNAL);
        return false;
    }
    FILE *f = fopen(tmp, "wb");
    bool ok = f && fwrite(tb_str(text), 1, text->len, f) == text->len;
    ok = f && fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        diag_error(d, path, NULL, NULL, "cannot write: %s", strerror(errno));
        diag_set_exit(d, EXIT_USAGE);
        remove(tmp);
        return false;
    }
    return true;
}

bool write_estimates_json(const Dataflow *df, const char *dir, Diag *d)
{
    if (!make_dirs(dir, d))
        return false;
    TextBuf b;
    tb_init(&b);
    estimates_json(df, &b);
    bool ok = write_text(dir, "estimates.json", &b, d);
    tb_free(&b);
    return ok;
}

bool write_dataflow_svg(const Dataflow *df, const char *dir, bool *dot_missing, Diag *d)
{
    *dot_missing = false;
    if (!make_dirs(dir, d))
        return false;
    TextBuf b;
    tb_init(&b);
    dataflow_dot(df, &b);
    bool ok = write_text(dir, "dataflow.dot", &b, d);
    tb_free(&b);
    if (!ok)
        return false;
    char dot_path[4096], svg_tmp[4200], svg[4096];
    snprintf(dot_path, sizeof dot_path, "%s/dataflow.dot", dir);
    snprintf(svg, sizeof svg, "%s/dataflow.svg", dir);
    snprintf(svg_tmp, sizeof svg_tmp, "%s.tmp", svg);
    char *argv[] = { "dot", "-Tsvg", "-o", svg_tmp, dot_path, NULL };
    pid_t pid;
    int rc = posix_spawnp(&pid, "dot", NULL, NULL, argv, environ);
    if (rc == ENOENT) {
        *dot_missing = true;
        return true;
    }
    int status = 0;
    if (rc != 0 || waitpid(pid, &status, 0) < 0) {
        diag_error(d, svg, NULL, NULL, "cannot run Graphviz's dot: %s", strerror(rc ? rc : errno));
        diag_set_exit(d, EXIT_INTERNAL);
        return false;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        *dot_missing = true; /* the spawn's exec failed: no dot on PATH */
        remove(svg_tmp);
        return true;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || rename(svg_tmp, svg) != 0) {
        remove(svg_tmp);
        diag_error(d, svg, NULL, NULL, "Graphviz's dot failed on %s", dot_path);
        diag_set_exit(d, EXIT_INTERNAL);
        return false;
    }
    return true;
}
