/* ice40_report.c: report.json of the ice40 target (docs/ice40.md) from
 * what the tools wrote:
 *
 *   ice40_report NAME DEVICE PACKAGE MHZ fit.txt layers.txt nextpnr_report.json
 *
 * fit.txt is qonnxc's estimate, layers.txt yosys's LUT4 and EBR counts
 * per layer (select -count on the flattened netlist, whose cells keep
 * their instance's name), nextpnr_report.json nextpnr-ice40's --report:
 * the cells placed, the fmax achieved and the critical path. The report
 * goes to stdout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    long n;
    if (!f) {
        perror(path);
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
        (text = malloc((size_t)n + 1)) != NULL) {
        size_t got = fread(text, 1, (size_t)n, f);
        text[got] = '\0';
    }
    fclose(f);
    if (!text)
        fprintf(stderr, "%s: cannot read\n", path);
    return text;
}

/* `"KIND": {"available": A, "used": U}` of nextpnr's utilization */
static int utilization(const char *json, const char *kind, long *used, long *avail)
{
    char key[64];
    const char *p;
    snprintf(key, sizeof key, "\"%s\": {\"available\": ", kind);
    p = strstr(json, key);
    return p && sscanf(p + strlen(key), "%ld, \"used\": %ld", avail, used) == 2;
}

/* A JSON string value starting at s (after its opening quote) into out. */
static void string_at(const char *s, char *out, size_t size)
{
    size_t n = 0;
    while (*s && *s != '"' && n + 1 < size) {
        if (*s == '\\' && s[1])
            s++;
        out[n++] = *s++;
    }
    out[n] = '\0';
}

/* The first clock-to-clock path of nextpnr's critical_paths: its first
 * cell, its last, and the sum of its delays. */
static int critical_path(const char *json, char *from, char *to, size_t size, double *ns)
{
    const char *p = strstr(json, "{\"from\": \"posedge ");
    const char *q, *end;
    int depth = 0;
    if (!p || !(p = strstr(p, "\"path\": [")))
        return 0;
    p += strlen("\"path\": ");
    for (end = p; *end; end++) {
        depth += *end == '[' || *end == '{';
        depth -= *end == ']' || *end == '}';
        if (depth == 0)
            break;
    }
    *ns = 0;
    from[0] = to[0] = '\0';
    for (q = strstr(p, "\"delay\": "); q && q < end; q = strstr(q + 1, "\"delay\": "))
        *ns += strtod(q + strlen("\"delay\": "), NULL);
    q = strstr(p, "\"from\": {\"cell\": \"");
    if (q && q < end)
        string_at(q + strlen("\"from\": {\"cell\": \""), from, size);
    for (q = strstr(p, "\"to\": {\"cell\": \""); q && q < end;
         q = strstr(q + 1, "\"to\": {\"cell\": \""))
        string_at(q + strlen("\"to\": {\"cell\": \""), to, size);
    return 1;
}

/* `WHAT  N of M` of fit.txt */
static long estimate(const char *fit, const char *what)
{
    const char *p = fit;
    size_t n = strlen(what);
    while (p && *p) {
        if (!strncmp(p, what, n) && p[n] == ' ')
            return strtol(p + n, NULL, 10);
        p = strchr(p, '\n');
        p = p ? p + 1 : NULL;
    }
    return -1;
}

static void json_string(const char *s)
{
    putchar('"');
    for (; *s; s++)
        if (*s == '"' || *s == '\\')
            printf("\\%c", *s);
        else if ((unsigned char)*s >= 0x20)
            putchar(*s);
    putchar('"');
}

/* The number before the next " objects." from *p on; -1 if none. */
static long objects(const char **p)
{
    const char *q = strstr(*p, " objects."), *s;
    if (!q)
        return -1;
    for (s = q; s > *p && s[-1] >= '0' && s[-1] <= '9'; s--)
        ;
    *p = q + strlen(" objects.");
    return strtol(s, NULL, 10);
}

/* The next entry of layers.txt: "layer NAME", then two "N objects."
 * lines (LUT4, EBR). 0 at the end. */
static int next_layer(const char **p, char *name, size_t size, long *lut4, long *ebr)
{
    const char *at = strstr(*p, "layer ");
    size_t n;
    if (!at)
        return 0;
    at += strlen("layer ");
    n = strcspn(at, "\r\n");
    snprintf(name, size, "%.*s", (int)(n < size ? n : size - 1), at);
    *p = at + n;
    *lut4 = objects(p);
    *ebr = objects(p);
    return 1;
}

/* Every layer but the first entry, the whole design's. */
static void print_layers(const char *text)
{
    const char *p = text;
    char name[128];
    long lut4, ebr;
    int k = 0;
    printf("  \"layers\": [");
    while (next_layer(&p, name, sizeof name, &lut4, &ebr)) {
        if (k++ == 0)
            continue;
        printf("%s\n    {\"name\": ", k > 2 ? "," : "");
        json_string(name);
        printf(", \"lut4\": %ld, \"ebr\": %ld}", lut4, ebr);
    }
    printf("%s]\n", k > 1 ? "\n  " : "");
}

int main(int argc, char **argv)
{
    char *fit, *layers, *pnr, from[256], to[256];
    long lc = 0, lc_avail = 0, ram = 0, ram_avail = 0, spram = 0, spram_avail = 0, dsp = 0,
         dsp_avail = 0;
    double fmax = 0, asked, ns = 0;
    const char *p;
    if (argc != 8) {
        fprintf(stderr, "usage: %s NAME DEVICE PACKAGE MHZ fit.txt layers.txt "
                "nextpnr_report.json\n", argv[0]);
        return 2;
    }
    asked = strtod(argv[4], NULL);
    fit = slurp(argv[5]);
    layers = slurp(argv[6]);
    pnr = slurp(argv[7]);
    if (!fit || !layers || !pnr)
        return 1;
    if (!utilization(pnr, "ICESTORM_LC", &lc, &lc_avail) ||
        !utilization(pnr, "ICESTORM_RAM", &ram, &ram_avail)) {
        fprintf(stderr, "%s: no utilization of ICESTORM_LC and ICESTORM_RAM\n", argv[7]);
        return 1;
    }
    utilization(pnr, "ICESTORM_SPRAM", &spram, &spram_avail);
    utilization(pnr, "ICESTORM_DSP", &dsp, &dsp_avail);
    p = strstr(pnr, "\"fmax\": {");
    p = p ? strstr(p, "\"achieved\": ") : NULL;
    if (!p) {
        fprintf(stderr, "%s: no fmax\n", argv[7]);
        return 1;
    }
    fmax = strtod(p + strlen("\"achieved\": "), NULL);
    printf("{\n  \"model\": ");
    json_string(argv[1]);
    printf(",\n  \"device\": ");
    json_string(argv[2]);
    printf(",\n  \"package\": ");
    json_string(argv[3]);
    printf(",\n  \"clock_mhz\": %g,\n  \"fmax_mhz\": %.2f,\n  \"timing_met\": %s,\n", asked, fmax,
           fmax >= asked ? "true" : "false");
    {
        const char *q = layers;
        char name[128];
        long lut4 = -1, ebr = -1;
        next_layer(&q, name, sizeof name, &lut4, &ebr);
        printf("  \"lut4\": %ld,\n", lut4);
    }
    printf("  \"logic_cells\": %ld,\n  \"logic_cells_available\": %ld,\n", lc, lc_avail);
    printf("  \"ebr\": %ld,\n  \"ebr_available\": %ld,\n", ram, ram_avail);
    printf("  \"spram\": %ld,\n  \"spram_available\": %ld,\n", spram, spram_avail);
    printf("  \"dsp\": %ld,\n  \"dsp_available\": %ld,\n", dsp, dsp_avail);
    printf("  \"estimate\": {\"lut4\": %ld, \"ebr\": %ld},\n", estimate(fit, "LUT4"),
           estimate(fit, "EBR"));
    if (critical_path(pnr, from, to, sizeof from, &ns)) {
        printf("  \"critical_path\": {\"from\": ");
        json_string(from);
        printf(", \"to\": ");
        json_string(to);
        printf(", \"ns\": %.2f},\n", ns);
    }
    print_layers(layers);
    printf("}\n");
    free(fit);
    free(layers);
    free(pnr);
    return 0;
}
