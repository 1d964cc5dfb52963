/* The rtl target's library modules and Verilator harness, embedded into
 * the compiler at build time (cmake/embed_files.cmake generates
 * rtl_sources.c), so emit_rtl.c writes them verbatim wherever qonnxc runs,
 * without the source tree. */
#ifndef QONNXC_RTL_SOURCES_H
#define QONNXC_RTL_SOURCES_H

#include <stddef.h>

typedef struct RtlSource {
    const char *path;              /* relative to the source tree: "rtl/qnn_mvau.v" */
    const unsigned char *text;     /* the file's bytes, followed by a 0 */
    size_t size;                   /* bytes, without the 0 */
} RtlSource;

/* rtl/qnn_*.v and sim/rtlsim_main.cpp, sorted by path. */
extern const RtlSource rtl_sources[];
extern const int rtl_source_count;

/* NULL if there is no such file. */
const RtlSource *rtl_source_find(const char *path);

#endif
