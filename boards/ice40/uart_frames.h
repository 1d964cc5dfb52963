/* uart_frames.h: one frame of the accelerator's streams as the bytes the
 * ice40 target's UART carries (docs/ice40.md, "Protocol"), for the serial
 * host program (ice40_serial.c) and the gate-level simulation
 * (gatesim_main.cpp). The design's numbers are in uart_design.h. */
#ifndef UART_FRAMES_H
#define UART_FRAMES_H

#include <stdint.h>

#include "uart_design.h"

#define IN_FRAME_BYTES (IN_BEATS * IN_BEAT_BYTES)
#define OUT_FRAME_BYTES (OUT_BEATS * OUT_BEAT_BYTES)

#ifdef __cplusplus
extern "C" {
#endif

/* The input stream's elements of one frame -> IN_FRAME_BYTES bytes: each
 * beat's bits (element 0 lowest) least significant byte first. */
void uart_pack_input(const int32_t *elems, uint8_t *bytes);
/* OUT_FRAME_BYTES received bytes -> the output stream's elements. */
void uart_unpack_output(const uint8_t *bytes, int32_t *elems);

#ifdef __cplusplus
}
#endif

#endif
