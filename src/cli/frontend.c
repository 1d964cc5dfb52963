#include "frontend.h"

#include "cleanup.h"
#include "load_onnx.h"

Graph *frontend_load(const char *path, Diag *d)
{
    Graph *g = onnx_load_file(path, d);
    if (!g)
        return NULL;
    if (!cleanup_graph(g, true, d)) {
        graph_free(g);
        return NULL;
    }
    return g;
}
