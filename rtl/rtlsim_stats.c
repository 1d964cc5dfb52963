/* Reading rtlsim.json (rtlsim_stats.h). */
#include "rtlsim_stats.h"

#include <stdio.h>

#include "json_doc.h"

bool rtlsim_stats_read(const char *path, int n_fifos, int64_t *occ, int64_t *cycles, Diag *d)
{
    cJSON *root = json_read_file(path, d);
    long long v = 0;
    bool ok = root && json_get_int(root, NULL, "cycles_per_frame", path, &v, d);
    *cycles = v;
    const cJSON *fifos = ok ? json_get_array(root, NULL, "fifos", path, d) : NULL;
    ok = fifos != NULL;
    if (ok && cJSON_GetArraySize(fifos) != n_fifos)
        ok = diag_error(d, path, NULL, NULL, "\"fifos\" has %d entries, the design %d FIFOs",
                        cJSON_GetArraySize(fifos), n_fifos);
    for (int k = 0; ok && k < n_fifos; k++) {
        char where[32];
        snprintf(where, sizeof where, "fifos[%d]", k);
        ok = json_get_int(cJSON_GetArrayItem(fifos, k), where, "max_occupancy", path, &v, d);
        occ[k] = v;
    }
    cJSON_Delete(root);
    if (!ok)
        diag_set_exit(d, EXIT_INTERNAL);
    return ok;
}
