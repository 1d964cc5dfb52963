/* uart_main.c: the ice40 target's frame runner. Reads frames from a .npy
 * file, sends each over the link (uart_link.h) as the protocol says
 * (docs/ice40.md), one frame in flight, and writes the outputs as .npy:
 *
 *   PROG [--int] [PORT] IN.npy OUT.npy
 *
 * --int writes the integers before OutputAffine (as the rtl target's
 * simulation does). It also provides the ref target's API (model.h) on the
 * link, so the ref target's .npy code (npy_io.c) links. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host.h"
#include "uart_frames.h"
#include "uart_link.h"

static int run_elems(const int32_t *elems, int32_t *out_elems)
{
    static uint8_t in[IN_FRAME_BYTES], out[OUT_FRAME_BYTES];
    uart_pack_input(elems, in);
    if (uart_link_frame(in, out) != 0)
        return 1;
    uart_unpack_output(out, out_elems);
    return 0;
}

int UART_RUN(const float *in, float *out)
{
    static int32_t e[RTL_IN_ELEMS], y[RTL_OUT_ELEMS];
    int status = rtl_input_stream(in, e);
    if (status != 0)
        return status;
    if (run_elems(e, y) != 0)
        return 1;
    rtl_output_frame(y, out);
    return 0;
}

int UART_RUN_INT(const int32_t *in, int32_t *out)
{
    static int32_t e[RTL_IN_ELEMS], y[RTL_OUT_ELEMS];
    int status = rtl_int_input_stream(in, e);
    if (status != 0)
        return status;
    if (run_elems(e, y) != 0)
        return 1;
    rtl_output_int(y, out);
    return 0;
}

int main(int argc, char **argv)
{
    const char *paths[3] = { NULL, NULL, NULL };
    int as_int = 0, n = 0, k, want = uart_link_takes_port ? 3 : 2, rc = 1;
    long frames = 0, f;
    float *data = NULL;
    void *outs = NULL;
    for (k = 1; k < argc; k++) {
        if (!strcmp(argv[k], "--int"))
            as_int = 1;
        else if (argv[k][0] != '-' && n < 3)
            paths[n++] = argv[k];
        else
            n = 99;
    }
    if (n != want) {
        fprintf(stderr, "usage: %s [--int] %sIN.npy OUT.npy\n", argv[0],
                uart_link_takes_port ? "PORT " : "");
        return 2;
    }
    if (!rtlsim_read_frames(paths[want - 2], &data, &frames))
        return 1;
    outs = malloc((size_t)(frames ? frames : 1) *
                  (as_int ? RTL_INT_OUTPUT_SIZE * sizeof(int32_t) : RTL_OUTPUT_SIZE * sizeof(float)));
    if (!outs) {
        fprintf(stderr, "%s: out of memory\n", argv[0]);
        free(data);
        return 1;
    }
    if (uart_link_open(uart_link_takes_port ? paths[0] : NULL) != 0)
        goto done;
    for (f = 0; f < frames; f++) {
        static int32_t e[RTL_IN_ELEMS], y[RTL_OUT_ELEMS];
        int status = rtl_input_stream(data + f * RTL_INPUT_SIZE, e);
        if (status == 0)
            status = run_elems(e, y) != 0 ? 2 : 0;
        if (status == 0 && as_int)
            rtl_output_int(y, (int32_t *)outs + f * RTL_INT_OUTPUT_SIZE);
        else if (status == 0)
            rtl_output_frame(y, (float *)outs + f * RTL_OUTPUT_SIZE);
        if (status != 0) {
            fprintf(stderr, "%s: %s: frame %ld: %s\n", argv[0], paths[want - 2], f,
                    status == 2 ? "the link failed"
                                : "an input value cannot be represented (NaN, or outside the "
                                  "input's datatype)");
            uart_link_close();
            goto done;
        }
    }
    uart_link_close();
    rc = rtlsim_write_frames(paths[want - 1], outs, frames, as_int) ? 0 : 1;
done:
    free(data);
    free(outs);
    return rc;
}
