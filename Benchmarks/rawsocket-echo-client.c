/*
 * rawsocket-echo-client: drives a WAMP RawSocket echo server as fast as one C thread can, so that
 * the server, not the client, is what limits the rate (with `wamp bench` as the client, every
 * server runs at the client's speed and a comparison says nothing).
 *
 *   cc -O2 -o rawsocket-echo-client Benchmarks/rawsocket-echo-client.c -lmsgpackc
 *   ./rawsocket-echo-client --port PORT [--host 127.0.0.1] [--window 64] [--seconds 5]
 *
 * It handshakes for MessagePack (serializer 2) with the largest frame length, then keeps
 * `window` copies of one small MessagePack EVENT in flight: [36, 5512315355, 4429313566, {},
 * ["hello", 42, true]]. Each echoed frame is checked to be a MESSAGE of the same length and
 * answered with the next copy. After `seconds` it stops sending, collects what is still in
 * flight, and prints one JSON line:
 *   {"messages":N,"messages_per_second":R,"seconds":S,"window":W}
 * Exit status: 0 done, 1 a socket or protocol failure (said on stderr), 2 a usage error.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <msgpack.h>

enum { HEADER_LENGTH = 4, SERIALIZER_MSGPACK = 2, MAX_EXPONENT = 15, READ_CHUNK = 256 * 1024 };

static void fail(const char *what) {
    fprintf(stderr, "rawsocket-echo-client: %s: %s\n", what, errno ? strerror(errno) : "protocol error");
    exit(1);
}

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void send_all(int fd, const unsigned char *bytes, size_t length) {
    while (length > 0) {
        ssize_t n = send(fd, bytes, length, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail("send");
        }
        bytes += n;
        length -= (size_t)n;
    }
}

static int connect_to(const char *host, const char *port) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM};
    struct addrinfo *found;
    int status = getaddrinfo(host, port, &hints, &found);
    if (status != 0) {
        fprintf(stderr, "rawsocket-echo-client: %s:%s: %s\n", host, port, gai_strerror(status));
        exit(1);
    }
    int fd = socket(found->ai_family, SOCK_STREAM, 0);
    if (fd < 0) fail("socket");
    if (connect(fd, found->ai_addr, found->ai_addrlen) < 0) fail("connect");
    freeaddrinfo(found);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* The EVENT frame (header and payload) the client sends over and over. */
static msgpack_sbuffer make_frame(void) {
    msgpack_sbuffer payload;
    msgpack_sbuffer_init(&payload);
    msgpack_packer packer;
    msgpack_packer_init(&packer, &payload, msgpack_sbuffer_write);
    msgpack_pack_array(&packer, 5);
    msgpack_pack_uint64(&packer, 36);
    msgpack_pack_uint64(&packer, 5512315355ULL);
    msgpack_pack_uint64(&packer, 4429313566ULL);
    msgpack_pack_map(&packer, 0);
    msgpack_pack_array(&packer, 3);
    msgpack_pack_str_with_body(&packer, "hello", 5);
    msgpack_pack_uint64(&packer, 42);
    msgpack_pack_true(&packer);

    msgpack_sbuffer frame;
    msgpack_sbuffer_init(&frame);
    unsigned char header[HEADER_LENGTH] = {0, (unsigned char)(payload.size >> 16),
                                           (unsigned char)(payload.size >> 8), (unsigned char)payload.size};
    msgpack_sbuffer_write(&frame, (const char *)header, HEADER_LENGTH);
    msgpack_sbuffer_write(&frame, payload.data, payload.size);
    msgpack_sbuffer_destroy(&payload);
    return frame;
}

static void usage(void) {
    fprintf(stderr, "usage: rawsocket-echo-client --port PORT [--host HOST] [--window W] [--seconds S]\n");
    exit(2);
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1";
    const char *port = NULL;
    long window = 64;
    double seconds = 5;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--host") == 0 && i + 1 < argc) host = argv[++i];
        else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) port = argv[++i];
        else if (strcmp(argv[i], "--window") == 0 && i + 1 < argc) window = strtol(argv[++i], NULL, 10);
        else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) seconds = strtod(argv[++i], NULL);
        else usage();
    }
    if (port == NULL || window < 1 || window > 100000 || !(seconds > 0)) usage();

    int fd = connect_to(host, port);
    unsigned char handshake[HEADER_LENGTH] = {0x7F, MAX_EXPONENT << 4 | SERIALIZER_MSGPACK, 0, 0};
    send_all(fd, handshake, HEADER_LENGTH);
    unsigned char reply[HEADER_LENGTH];
    size_t got = 0;
    while (got < HEADER_LENGTH) {
        ssize_t n = recv(fd, reply + got, HEADER_LENGTH - got, 0);
        if (n == 0) { errno = 0; fail("handshake: connection closed"); }
        if (n < 0) { if (errno == EINTR) continue; fail("handshake"); }
        got += (size_t)n;
    }
    if (reply[0] != 0x7F || (reply[1] & 0x0F) != SERIALIZER_MSGPACK) {
        fprintf(stderr, "rawsocket-echo-client: handshake refused: error %d\n", reply[1] >> 4);
        return 1;
    }

    msgpack_sbuffer frame = make_frame();
    size_t frame_length = frame.size;
    /* A burst of `window` frames, sent at the start; later each echo is answered by one frame,
     * several at once when several echoes arrived in one read. */
    unsigned char *burst = malloc(frame_length * (size_t)window);
    if (burst == NULL) fail("malloc");
    for (long i = 0; i < window; i++) memcpy(burst + (size_t)i * frame_length, frame.data, frame_length);

    unsigned char *buffer = malloc(READ_CHUNK);
    if (buffer == NULL) fail("malloc");
    size_t buffered = 0;
    long in_flight = window;
    unsigned long long received = 0;
    send_all(fd, burst, frame_length * (size_t)window);
    double start = now(), deadline = start + seconds, end = start;
    int sending = 1;
    while (in_flight > 0) {
        ssize_t n = recv(fd, buffer + buffered, READ_CHUNK - buffered, 0);
        if (n == 0) { errno = 0; fail("the server closed the connection"); }
        if (n < 0) { if (errno == EINTR) continue; fail("recv"); }
        buffered += (size_t)n;
        size_t offset = 0;
        long echoed = 0;
        while (buffered - offset >= frame_length) {
            const unsigned char *header = buffer + offset;
            size_t length = ((size_t)header[1] << 16) | ((size_t)header[2] << 8) | header[3];
            if (header[0] != 0 || length + HEADER_LENGTH != frame_length) { errno = 0; fail("unexpected frame"); }
            offset += frame_length;
            echoed++;
        }
        memmove(buffer, buffer + offset, buffered - offset);
        buffered -= offset;
        received += (unsigned long long)echoed;
        in_flight -= echoed;
        if (sending && echoed > 0) {
            end = now();
            if (end >= deadline) {
                sending = 0;
            } else {
                send_all(fd, burst, frame_length * (size_t)echoed);
                in_flight += echoed;
            }
        }
    }
    end = now();
    close(fd);
    double elapsed = end - start;
    printf("{\"messages\":%llu,\"messages_per_second\":%.0f,\"seconds\":%.3f,\"window\":%ld}\n", received,
           (double)received / elapsed, elapsed, window);
    msgpack_sbuffer_destroy(&frame);
    free(burst);
    free(buffer);
    return 0;
}
