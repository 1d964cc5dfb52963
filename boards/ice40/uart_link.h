/* uart_link.h: what carries the frames' bytes to the accelerator and back,
 * for the ice40 target's frame runner (uart_main.c): a serial port
 * (ice40_serial.c) or the gate-level simulation (gatesim_main.cpp). */
#ifndef UART_LINK_H
#define UART_LINK_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Whether the program's first argument names a serial port. */
extern const int uart_link_takes_port;
/* Opens the link (port: NULL unless uart_link_takes_port); 0 on success,
 * else a message on stderr. */
int uart_link_open(const char *port);
/* Sends one frame's IN_FRAME_BYTES bytes and receives its OUT_FRAME_BYTES
 * (uart_frames.h); 0 on success, else a message on stderr. */
int uart_link_frame(const uint8_t *in, uint8_t *out);
void uart_link_close(void);

#ifdef __cplusplus
}
#endif

#endif
