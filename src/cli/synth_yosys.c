/* Running yosys on a build's rtl/ folder (synth_yosys.h). */
#include "synth_yosys.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "emit_util.h"

#define PROGRESS_SECONDS 10

/* ---- the Makefile ------------------------------------------------------------ */

/* The value of "KEY = value" in `mk`, into out; false if there is none. */
static bool make_variable(const char *mk, const char *key, char *out, size_t size)
{
    size_t klen = strlen(key);
    for (const char *line = mk; *line;) {
        size_t len = strcspn(line, "\n");
        if (!strncmp(line, key, klen) && !strncmp(line + klen, " = ", 3)) {
            size_t n = len - klen - 3;
            if (n >= size)
                return false;
            memcpy(out, line + klen + 3, n);
            out[n] = '\0';
            return true;
        }
        line += len + (line[len] == '\n');
    }
    return false;
}

/* Expands "$(NAME)" in the file list; false if it does not fit. */
static bool expand_name(const char *list, const char *name, char *out, size_t size)
{
    size_t len = 0;
    for (const char *p = list; *p;) {
        const char *piece = !strncmp(p, "$(NAME)", 7) ? name : NULL;
        size_t n = piece ? strlen(name) : 1;
        if (len + n >= size)
            return false;
        memcpy(out + len, piece ? piece : p, n);
        len += n;
        p += piece ? 7 : 1;
    }
    out[len] = '\0';
    return true;
}

/* File names go into a yosys script: letters, digits and "._-" only. */
static bool plain_word(const char *s, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (!isalnum((unsigned char)s[k]) && !strchr("._-", s[k]))
            return false;
    return n > 0;
}

static bool usage_error(Diag *d, const char *path, const char *msg)
{
    diag_error(d, path, NULL, NULL, "%s", msg);
    diag_set_exit(d, EXIT_USAGE);
    return false;
}

bool synth_design_read(const char *dir, SynthDesign *des, Diag *d)
{
    memset(des, 0, sizeof *des);
    snprintf(des->rtl_dir, sizeof des->rtl_dir, "%s/rtl", dir);
    struct stat st;
    if (stat(des->rtl_dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return usage_error(d, des->rtl_dir, "no rtl design here: build with --target rtl first");
    char mk_path[4200];
    snprintf(mk_path, sizeof mk_path, "%s/Makefile", des->rtl_dir);
    char *mk = read_text_file(mk_path, NULL);
    if (!mk)
        return usage_error(d, mk_path, "cannot read the rtl folder's Makefile: build with "
                           "--target rtl again");
    char list[2048];
    bool ok = make_variable(mk, "NAME", des->name, sizeof des->name) &&
              make_variable(mk, "VERILOG", list, sizeof list);
    free(mk);
    if (!ok || !plain_word(des->name, strlen(des->name)) ||
        !expand_name(list, des->name, des->verilog, sizeof des->verilog))
        return usage_error(d, mk_path, "not a qonnxc rtl Makefile (no usable NAME and VERILOG "
                           "lines)");
    for (const char *p = des->verilog; *p;) {
        size_t n = strcspn(p, " ");
        char path[4400];
        snprintf(path, sizeof path, "%s/%.*s", des->rtl_dir, (int)n, p);
        if (n && !plain_word(p, n))
            return usage_error(d, mk_path, "unexpected file name in VERILOG");
        if (n && (stat(path, &st) != 0 || !S_ISREG(st.st_mode)))
            return usage_error(d, path, "missing: the rtl folder is incomplete, build it again");
        p += n + (p[n] == ' ');
    }
    return true;
}

/* ---- running yosys ------------------------------------------------------------ */

static double now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* The last line of the log naming a pass ("5.14. Executing ABC pass."),
 * into out; "" if none yet. Reads only the end of the log. */
static void current_pass(const char *log, char *out, size_t size)
{
    out[0] = '\0';
    FILE *f = fopen(log, "rb");
    if (!f)
        return;
    char tail[16384];
    fseek(f, 0, SEEK_END);
    long end = ftell(f);
    fseek(f, end > (long)sizeof tail - 1 ? end - (long)sizeof tail + 1 : 0, SEEK_SET);
    size_t n = fread(tail, 1, sizeof tail - 1, f);
    fclose(f);
    tail[n] = '\0';
    for (char *line = tail; line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        char *ex = strstr(line, ". Executing ");
        if (isdigit((unsigned char)line[0]) && ex) {
            size_t len = strlen(ex + 12);
            if (len && ex[12 + len - 1] == '.')
                len--;
            snprintf(out, size, "%.*s", (int)(len < 60 ? len : 60), ex + 12);
        }
        line = nl ? nl + 1 : NULL;
    }
}

/* The first line of the log containing `word`, from there on, into out
 * ("" if none). With `version`, only a line " Yosys <digit>...". */
static void log_line(const char *log, const char *word, bool version, char *out, size_t size)
{
    out[0] = '\0';
    char *text = read_text_file(log, NULL);
    for (char *line = text; line && !out[0];) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        char *p = version ? line + strspn(line, " ") : strstr(line, word);
        if (p && !strncmp(p, word, strlen(word)) &&
            (!version || isdigit((unsigned char)p[strlen(word)])))
            snprintf(out, size, "%s", p);
        line = nl ? nl + 1 : NULL;
    }
    free(text);
}

/* Forks yosys in the rtl folder, its console output discarded (the log
 * has all of it). Returns the pid, or -1 with errno set when yosys could
 * not be started (ENOENT: not installed). */
static pid_t spawn_yosys(const char *dir, char *const *argv)
{
    int report[2];
    if (pipe(report) != 0)
        return -1;
    fcntl(report[1], F_SETFD, FD_CLOEXEC);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        close(report[0]);
        close(report[1]);
        return -1;
    }
    if (pid == 0) {
        close(report[0]);
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) {
            dup2(null, 0);
            dup2(null, 1);
            dup2(null, 2);
        }
        int err = chdir(dir) == 0 ? (execvp(argv[0], argv), errno) : errno;
        ssize_t w = write(report[1], &err, sizeof err);
        (void)w;
        _exit(127);
    }
    close(report[1]);
    int err = 0;
    ssize_t got;
    while ((got = read(report[0], &err, sizeof err)) < 0 && errno == EINTR)
        ;
    close(report[0]);
    if (got == (ssize_t)sizeof err) {
        /* the exec failed: collect the child */
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
        errno = err;
        return -1;
    }
    return pid;
}

/* Waits for the child, printing progress every PROGRESS_SECONDS. */
static int wait_with_progress(pid_t pid, const char *log, double start, FILE *progress)
{
    double next = start + PROGRESS_SECONDS;
    int status = 0;
    char pass[80] = "";
    for (;;) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return status;
        if (r < 0 && errno != EINTR)
            return -1;
        double t = now_seconds();
        if (progress && t >= next) {
            char now[80];
            current_pass(log, now, sizeof now);
            if (now[0]) /* else the end of the log names no pass: keep the last */
                snprintf(pass, sizeof pass, "%s", now);
            fprintf(progress, "  yosys: %4.0f s  %s\n", t - start, pass);
            fflush(progress);
            next += PROGRESS_SECONDS;
        }
        struct timespec nap = { 0, 200 * 1000 * 1000 };
        nanosleep(&nap, NULL);
    }
}

static bool tool_error(Diag *d, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* An error of the synthesis tool or its files: exit code EXIT_INTERNAL. */
static bool tool_error(Diag *d, const char *path, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    diag_verror(d, path, NULL, NULL, fmt, ap);
    va_end(ap);
    diag_set_exit(d, EXIT_INTERNAL);
    return false;
}

bool synth_run_yosys(const SynthDesign *des, FILE *progress, SynthRun *run, Diag *d)
{
    memset(run, 0, sizeof *run);
    char synth_dir[4200], rel_log[200], rel_stat[200], rel_cells[200];
    snprintf(synth_dir, sizeof synth_dir, "%s/synth", des->rtl_dir);
    snprintf(rel_log, sizeof rel_log, "synth/%s_top.log", des->name);
    snprintf(rel_stat, sizeof rel_stat, "synth/%s_top.stat", des->name);
    snprintf(rel_cells, sizeof rel_cells, "synth/%s_top.cells", des->name);
    snprintf(run->log, sizeof run->log, "%s/%s", des->rtl_dir, rel_log);
    snprintf(run->stat, sizeof run->stat, "%s/%s", des->rtl_dir, rel_stat);
    snprintf(run->cells, sizeof run->cells, "%s/%s", des->rtl_dir, rel_cells);
    if (mkdir(synth_dir, 0777) != 0 && errno != EEXIST)
        return tool_error(d, synth_dir, "cannot create the directory: %s", strerror(errno));
    remove(run->stat);
    remove(run->cells);
    remove(run->log);

    char script[3000];
    snprintf(script, sizeof script,
             "read_verilog -defer %s; synth_xilinx -family xc7 -top %s_top; tee -o %s stat; "
             "tee -q -o %s dump %s_top/t:*", des->verilog, des->name, rel_stat, rel_cells,
             des->name);
    char *argv[] = { "yosys", "-q", "-l", rel_log, "-p", script, NULL };
    if (progress) {
        fprintf(progress, "qonnxc report: synthesizing %s with yosys synth_xilinx -family xc7 "
                "(log: %s)\n", des->rtl_dir, run->log);
        fflush(progress);
    }
    double start = now_seconds();
    pid_t pid = spawn_yosys(des->rtl_dir, argv);
    if (pid < 0 && errno == ENOENT)
        return tool_error(d, des->rtl_dir, "cannot synthesize: yosys is not installed "
                          "(Debian package yosys)");
    if (pid < 0)
        return tool_error(d, des->rtl_dir, "cannot run yosys: %s", strerror(errno));
    int status = wait_with_progress(pid, run->log, start, progress);
    run->seconds = now_seconds() - start;
    if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        char err[600];
        log_line(run->log, "ERROR:", false, err, sizeof err);
        remove(run->stat);
        remove(run->cells);
        if (status >= 0 && WIFSIGNALED(status))
            snprintf(err, sizeof err, "killed by signal %d", WTERMSIG(status));
        return tool_error(d, run->log, "yosys failed on %s: %s", des->rtl_dir,
                          err[0] ? err : "no ERROR line in the log");
    }
    log_line(run->log, "Yosys ", true, run->version, sizeof run->version);
    if (progress) {
        fprintf(progress, "  yosys: done in %.1f s\n", run->seconds);
        fflush(progress);
    }
    return true;
}

/* ---- the dump of the top's cells --------------------------------------------- */

/* The next whitespace-separated word of *p, without a leading '\'. */
static char *next_word(const char **p, const char *end)
{
    const char *s = *p;
    while (s < end && isspace((unsigned char)*s))
        s++;
    const char *e = s;
    while (e < end && !isspace((unsigned char)*e))
        e++;
    *p = e;
    if (e < s + 1)
        return NULL;
    if (*s == '\\' && e > s + 1)
        s++;
    char *w = malloc((size_t)(e - s) + 1);
    if (w) {
        memcpy(w, s, (size_t)(e - s));
        w[e - s] = '\0';
    }
    return w;
}

bool synth_instances_parse(const char *text, const char *path, SynthInstances *out, Diag *d)
{
    memset(out, 0, sizeof *out);
    for (const char *line = text; *line;) {
        const char *nl = strchr(line, '\n');
        const char *end = nl ? nl : line + strlen(line);
        const char *p = line;
        while (p < end && (*p == ' ' || *p == '\t'))
            p++;
        if (end - p > 5 && !strncmp(p, "cell ", 5)) {
            p += 5;
            char *module = next_word(&p, end), *name = next_word(&p, end);
            SynthInstance *v = realloc(out->v, (size_t)(out->n + 1) * sizeof *v);
            if (!module || !name || !v) {
                free(module);
                free(name);
                if (v)
                    out->v = v;
                return tool_error(d, path, "out of memory or a malformed cell line");
            }
            out->v = v;
            v[out->n].module = module;
            v[out->n++].name = name;
        }
        line = nl ? nl + 1 : end;
    }
    if (out->n == 0) {
        return tool_error(d, path, "no cells: not a yosys dump of the top module");
    }
    return true;
}

void synth_instances_free(SynthInstances *ins)
{
    for (int k = 0; k < ins->n; k++) {
        free(ins->v[k].name);
        free(ins->v[k].module);
    }
    free(ins->v);
    memset(ins, 0, sizeof *ins);
}

const char *synth_instance_module(const SynthInstances *ins, const char *name)
{
    for (int k = 0; k < ins->n; k++)
        if (!strcmp(ins->v[k].name, name))
            return ins->v[k].module;
    return NULL;
}

/* ---- the results ------------------------------------------------------------- */

bool synth_load_results(const SynthRun *run, SynthStat *stat, SynthInstances *ins, Diag *d)
{
    memset(stat, 0, sizeof *stat);
    memset(ins, 0, sizeof *ins);
    char *stat_text = read_text_file(run->stat, NULL);
    char *cells_text = read_text_file(run->cells, NULL);
    bool ok = stat_text && cells_text;
    if (!ok)
        tool_error(d, stat_text ? run->cells : run->stat, "yosys did not write it");
    ok = ok && synth_stat_parse(stat_text, run->stat, stat, d) &&
         synth_instances_parse(cells_text, run->cells, ins, d);
    free(stat_text);
    free(cells_text);
    return ok;
}
