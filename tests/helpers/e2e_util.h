/* What the target tests share: input frames and the emitted tree as one
 * string for byte-identity checks (test_ref_target, test_hls_target), and
 * the int graph's integers (those two and test_emit_ref). */
#ifndef QONNXC_TESTS_E2E_UTIL_H
#define QONNXC_TESTS_E2E_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include "graph.h"
#include "emit_util.h"
#include "value.h"

/* The first `frames` frames of tests/models/<name>/inputs.npy as floats
 * (all of them when frames <= 0). */
Value *model_inputs(const char *name, int64_t frames);
/* The same from an inputs.npy path. */
Value *model_inputs_at(const char *path, int64_t frames);

/* `frames` random frames of in's shape: uniform in [0, 1), or -1/+1 when in
 * is BIPOLAR; the same frames for the same seed. */
Value *random_inputs(const Tensor *in, int64_t frames, uint32_t seed);

/* Makes OutputAffine's input a second graph output, so that running the int
 * graph also gives the integers before the float boundary. */
void expose_integers(Graph *g);

/* Every file below root, sorted by path, as "== PATH (N bytes)" and its
 * contents, appended to out. */
void collect_tree(const char *root, TextBuf *out);

/* Fails the running Check test unless the files at a and b hold the same
 * bytes (both must exist). */
void assert_same_files(const char *a, const char *b);

/* Runs a printf-formatted shell command; its exit status, or -1 when it
 * did not exit normally. */
int shell(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* A fresh directory $TMPDIR/qonnxc-<what>-XXXXXX (default /tmp) into dir;
 * fails the running Check test when it cannot be made. */
void scratch_dir(char *dir, size_t size, const char *what);

#endif
