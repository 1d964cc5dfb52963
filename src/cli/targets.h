/* The targets of `qonnxc build` and `qonnxc verify`, in one table: every
 * command, the configuration's `targets:` key and the usage texts read
 * their names from here, so adding a target is one row.
 *
 *   name  dataflow  builds (make -C DIR/<name> [goal] -> ./<model><suffix>)
 *   ref   no        ./<model>             portable C99 executor
 *   hls   yes       ./<model>_csim        HLS C and its C simulation
 *   rtl   yes       sim: ./<model>_rtlsim Verilog, simulated by Verilator
 *   mcu   no        ./<model>             Cortex-M C, built for the host
 *   npu   no        ./<model>             the mcu code with NPU layers
 *   ice40 yes       <model>.bin           yosys, nextpnr-ice40, icepack: a bitstream
 *
 * A target that needs the dataflow graph is emitted from it (folded as
 * the configuration says); the others from the integer graph. */
#ifndef QONNXC_TARGETS_H
#define QONNXC_TARGETS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "build_config.h"
#include "dataflow.h"
#include "emit_util.h"
#include "graph.h"

/* What an emitter is given. */
typedef struct TargetInput {
    Graph *g;                 /* the integer graph (after streamline) */
    const Dataflow *df;       /* the dataflow graph; NULL unless the target needs it */
    const char *model;        /* the model file, named in the emitted comments */
    const char *name;         /* the C prefix and executable name (ref_model_name) */
    TextBuf *notes;           /* what the target prints after build's line (the npu
                                 layer table), or NULL */
    const BuildConfig *cfg;   /* the configuration (the ice40 target's device) */
} TargetInput;

typedef struct Target {
    const char *name;         /* also the folder it is written to, DIR/<name>/ */
    bool needs_dataflow;
    bool (*emit)(const TargetInput *in, OutTree *out, Diag *d);
    const char *make_goal;    /* what `make -C DIR/<name>` is given; NULL: the default goal */
    const char *exe_suffix;   /* that builds ./<model name><exe_suffix> */
    const char *also;         /* build's line adds this after the executable, or "" */
    bool progress_fd;         /* the executable takes --progress-fd FD (a long simulation) */
    const char *make_products; /* what the folder's Makefile makes and `make clean` removes:
                                  space-separated names or globs relative to the folder, `%`
                                  standing for the model name (a test compares them with the
                                  emitted clean rules) */
} Target;

extern const Target targets[];
extern const int n_targets;

/* A set of targets: bit k stands for targets[k]. */
typedef uint32_t TargetSet;

static inline bool target_set_has(TargetSet s, int k)
{
    return (s >> k) & 1u;
}

/* Whether `rel` (a path relative to DIR/<t->name>) is one of the files
 * the folder's Makefile makes for the model `model_name`, or lies in a
 * folder it makes: a rebuild may replace those like qonnxc's own files. */
bool target_made_by_make(const Target *t, const char *model_name, const char *rel);

/* The index of the target called `name` (len bytes), or -1. */
int target_find(const char *name, size_t len);

/* "ref, hls, rtl, mcu, npu" into buf. */
void target_names(char *buf, size_t size);

/* A comma-separated list of target names, or "all" (every target), or,
 * when allow_none, "none" (the empty set). False with `err` naming the
 * unknown name and listing the table's. */
bool target_set_parse(const char *list, bool allow_none, TargetSet *set, char *err,
                      size_t err_size);

#endif
