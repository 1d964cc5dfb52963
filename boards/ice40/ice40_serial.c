/* ice40_serial.c: the frame runner's link over a serial port (the board's
 * FTDI UART): raw 8N1 at UART_BAUD (uart_design.h), no flow control. A
 * frame's output must arrive within UART_TIMEOUT_S seconds. */
#define _DEFAULT_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "uart_frames.h"
#include "uart_link.h"

#define UART_TIMEOUT_S 5

const int uart_link_takes_port = 1;
static int fd = -1;
static const char *port_name = "";

static speed_t baud_constant(long baud)
{
    switch (baud) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    case 460800: return B460800;
    case 500000: return B500000;
    case 921600: return B921600;
    case 1000000: return B1000000;
    case 2000000: return B2000000;
    case 3000000: return B3000000;
    default: return 0;
    }
}

int uart_link_open(const char *port)
{
    struct termios t;
    speed_t speed = baud_constant(UART_BAUD);
    port_name = port;
    if (!speed) {
        fprintf(stderr, "%s: %ld baud is not a speed termios names; choose uart_baud from "
                "9600 ... 3000000 (docs/ice40.md)\n", port, (long)UART_BAUD);
        return 1;
    }
    fd = open(port, O_RDWR | O_NOCTTY);
    if (fd < 0) {
        fprintf(stderr, "%s: %s\n", port, strerror(errno));
        return 1;
    }
    if (tcgetattr(fd, &t) != 0) {
        fprintf(stderr, "%s: not a serial port: %s\n", port, strerror(errno));
        close(fd);
        fd = -1;
        return 1;
    }
    cfmakeraw(&t);
    t.c_cflag |= CLOCAL | CREAD;
    t.c_cflag &= ~(tcflag_t)(CSTOPB | PARENB | CRTSCTS);
    t.c_cc[VMIN] = 0;
    t.c_cc[VTIME] = 0;
    cfsetispeed(&t, speed);
    cfsetospeed(&t, speed);
    if (tcsetattr(fd, TCSANOW, &t) != 0) {
        fprintf(stderr, "%s: cannot set %ld baud 8N1: %s\n", port, (long)UART_BAUD,
                strerror(errno));
        close(fd);
        fd = -1;
        return 1;
    }
    tcflush(fd, TCIOFLUSH);
    return 0;
}

int uart_link_frame(const uint8_t *in, uint8_t *out)
{
    size_t done = 0;
    while (done < IN_FRAME_BYTES) {
        ssize_t n = write(fd, in + done, IN_FRAME_BYTES - done);
        if (n < 0 && errno != EINTR) {
            fprintf(stderr, "%s: write: %s\n", port_name, strerror(errno));
            return 1;
        }
        done += n > 0 ? (size_t)n : 0;
    }
    done = 0;
    while (done < OUT_FRAME_BYTES) {
        struct pollfd p = { fd, POLLIN, 0 };
        int ready = poll(&p, 1, UART_TIMEOUT_S * 1000);
        ssize_t n;
        if (ready == 0) {
            fprintf(stderr, "%s: no answer for %d s (%zu of %d bytes of the frame's output); "
                    "is the bitstream loaded (iceprog) and the baud rate %ld?\n", port_name,
                    UART_TIMEOUT_S, done, OUT_FRAME_BYTES, (long)UART_BAUD);
            return 1;
        }
        n = ready > 0 ? read(fd, out + done, OUT_FRAME_BYTES - done) : -1;
        if (n < 0 && errno != EINTR) {
            fprintf(stderr, "%s: read: %s\n", port_name, strerror(errno));
            return 1;
        }
        done += n > 0 ? (size_t)n : 0;
    }
    return 0;
}

void uart_link_close(void)
{
    if (fd >= 0)
        close(fd);
    fd = -1;
}
