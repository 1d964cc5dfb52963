/* Synthesis of a build's rtl/ folder with yosys (docs/synthesis.md): the
 * script of the folder's `make synth`, plus a dump of the top module's
 * cells so each layer's instance can be matched to its yosys module:
 *
 *   cd DIR/rtl && yosys -q -l synth/<name>_top.log -p '
 *       read_verilog -defer <VERILOG of the Makefile>;
 *       synth_xilinx -family xc7 -top <name>_top;
 *       tee -o synth/<name>_top.stat stat;
 *       tee -q -o synth/<name>_top.cells dump <name>_top/t:*' */
#ifndef QONNXC_SYNTH_YOSYS_H
#define QONNXC_SYNTH_YOSYS_H

#include <stdbool.h>
#include <stdio.h>

#include "diag.h"
#include "synth_stat.h"

/* What the rtl folder's Makefile says about the design. */
typedef struct SynthDesign {
    char rtl_dir[4096];     /* DIR/rtl */
    char name[128];         /* NAME; the top module is <name>_top */
    char verilog[2048];     /* VERILOG, $(NAME) expanded: files relative to rtl_dir */
} SynthDesign;

/* What one run wrote, and how long it took. */
typedef struct SynthRun {
    char log[4300], stat[4300], cells[4300];   /* paths under DIR/rtl/synth */
    char version[96];       /* "Yosys 0.23 (git sha1 7ce5011c24b)", from the log */
    double seconds;         /* wall time */
} SynthRun;

/* Reads DIR/rtl/Makefile and checks every Verilog file it names is there.
 * Errors name DIR/rtl or the file (exit code EXIT_USAGE). */
bool synth_design_read(const char *dir, SynthDesign *des, Diag *d);

/* Runs yosys on the design, removing the files of an earlier run first so
 * a failure leaves none behind. Prints a progress line (elapsed time and
 * yosys's current pass) on `progress` every 10 s. Errors: yosys not
 * installed, or failing (the message quotes the log's ERROR line); exit
 * code EXIT_INTERNAL. */
bool synth_run_yosys(const SynthDesign *des, FILE *progress, SynthRun *run, Diag *d);

/* One cell of the top module, from the dump: "cell TYPE NAME". */
typedef struct SynthInstance {
    char *name;             /* "l0_fc1" (yosys's escaping backslash removed) */
    char *module;           /* "$paramod$ee31...\qnn_mvau", as `stat` names it */
} SynthInstance;

typedef struct SynthInstances {
    SynthInstance *v;
    int n;
} SynthInstances;

/* Parses the dump, `text` being the contents of `path` (named in errors). */
bool synth_instances_parse(const char *text, const char *path, SynthInstances *out, Diag *d);
void synth_instances_free(SynthInstances *ins);
/* The module of instance `name`; NULL if there is no such cell. */
const char *synth_instance_module(const SynthInstances *ins, const char *name);

/* Reads and parses the stat report and the dump a run wrote. */
bool synth_load_results(const SynthRun *run, SynthStat *stat, SynthInstances *ins, Diag *d);

#endif
