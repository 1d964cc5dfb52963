/* The quant core sources, embedded into the compiler at build time
 * (cmake/embed_files.cmake generates quant_sources.c), so the emitters can
 * copy them verbatim into the code they write wherever qonnxc runs. */
#ifndef QONNXC_QUANT_SOURCES_H
#define QONNXC_QUANT_SOURCES_H

#include <stddef.h>

typedef struct QuantSource {
    const char *name;              /* "qc_xnor64.h" */
    const unsigned char *text;     /* the file's bytes, followed by a 0 */
    size_t size;                   /* bytes, without the 0 */
} QuantSource;

/* Every file of src/quant, sorted by name. */
extern const QuantSource quant_sources[];
extern const int quant_source_count;

/* NULL if there is no such file. */
const QuantSource *quant_source_find(const char *name);

/* The files emitted code needs for `n` headers it includes: each header,
 * the .c of the same name when there is one, and recursively the quant
 * headers those files include ("#include \"qc_...h\""). `out` (room for
 * quant_source_count entries) receives them sorted by name; returns how
 * many, or -1 if a header is not a quant core file. */
int quant_sources_needed(const char *const *headers, int n, const QuantSource **out);

#endif
