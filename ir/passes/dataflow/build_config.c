/* The defaults of a build configuration and its release (build_config.h). */
#include "build_config.h"

#include <string.h>

void config_defaults(BuildConfig *c)
{
    memset(c, 0, sizeof *c);
    c->path = "(defaults)";
    c->clock_mhz = DEFAULT_CLOCK_MHZ;
    c->max_weight_stream_bits = DEFAULT_MAX_WEIGHT_STREAM_BITS;
    c->fifo_depth = DEFAULT_FIFO_DEPTH;
    c->uart_baud = DEFAULT_UART_BAUD;
}

void config_free(BuildConfig *c)
{
    arena_release(&c->arena);
    memset(c, 0, sizeof *c);
}
