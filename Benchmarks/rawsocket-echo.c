/*
 * rawsocket-echo: a WAMP RawSocket echo server in C, the floor our Swift servers are measured
 * against (Benchmarks/echo-peers.sh, Benchmarks/echo-floor.sh). One thread, one epoll set, any
 * number of connections.
 *
 * Two modes:
 *   - opaque (the default): every payload is echoed as received: the cost of RawSocket framing
 *     plus loopback TCP alone, with no serializer;
 *   - --typed: every MESSAGE payload is MessagePack, unpacked with msgpack-c into a
 *     `msgpack_object` (with one zone reused for every message), checked to be a WAMP message (a
 *     non-empty array whose first element is a positive integer, the message code), packed back
 *     into one reused buffer and sent: the work a typed WAMP peer does per message, done in C.
 *     A payload that is not such a message closes the connection. The repacked bytes replace
 *     the received ones in place, so a payload whose repacking has another length (MessagePack
 *     that does not use the shortest encodings, which msgpack-c and our serializer always do)
 *     also closes the connection.
 *
 *   cc -O2 -o rawsocket-echo Benchmarks/rawsocket-echo.c -lmsgpackc
 *   ./rawsocket-echo [--host 127.0.0.1] [--port 0] [--typed]
 *
 * Prints `listening on rs://HOST:PORT` (the port actually bound, so --port 0 works) and then
 * serves until SIGINT or SIGTERM.
 *
 * Per connection:
 *   - Handshake: the client's 4 octets are 0x7F, (length exponent << 4 | serializer), 0, 0.
 *     Any serializer other than 0 is accepted, since payloads are never read (with --typed,
 *     only 2, MessagePack). The reply is
 *     0x7F, (15 << 4 | the client's serializer), 0, 0: frames up to 2^24 octets. Serializer 0
 *     gets error 1 (serializer unsupported), non-zero reserved octets get error 3; the
 *     connection is then closed.
 *   - Frames: a 4-octet header (frame type in the low 3 bits of the first octet, the upper 5
 *     bits zero; a 24-bit big-endian length) and the payload. MESSAGE frames (type 0) are
 *     written back unchanged, PING (1) is answered with a PONG (2) carrying the same payload,
 *     PONGs are dropped. Anything else (another type, reserved bits, a frame longer than the
 *     client said it accepts) closes the connection.
 *   - Bytes are echoed straight from the receive buffer: complete frames at its front are
 *     written with send(), and reading stops while a write is pending, so a client that does
 *     not read cannot make the server buffer without bound (at most one largest frame plus
 *     one read).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <msgpack.h>

enum {
    HEADER_LENGTH = 4,
    MAX_EXPONENT = 15,             /* 2^(9 + 15) = 16 MiB, the largest RawSocket allows */
    READ_CHUNK = 256 * 1024,       /* the most read() asks for at once */
    READS_PER_TURN = 8,            /* reads for one connection before the next one's turn */
    MAX_EVENTS = 64,
};

enum { FRAME_MESSAGE = 0, FRAME_PING = 1, FRAME_PONG = 2 };

/* Handshake error codes (upper nibble of the reply's second octet). */
enum { ERROR_SERIALIZER_UNSUPPORTED = 1, ERROR_RESERVED_BITS = 3 };

struct connection {
    int fd;
    int handshaken;          /* 1 once the handshake reply is queued */
    uint32_t peer_max;       /* the longest frame payload the client accepts */
    unsigned char *buffer;   /* received bytes; the first `ready` octets are checked frames */
    size_t capacity;
    size_t length;           /* bytes in buffer */
    size_t ready;            /* bytes at the front that are complete frames, ready to send */
    size_t scanned;          /* bytes at the front already walked (ready <= scanned <= length) */
    unsigned char reply[HEADER_LENGTH];
    size_t reply_left;       /* handshake reply octets not yet sent */
    int close_after_reply;   /* handshake failed: close once the reply is out */
    int writing;             /* 1 while EPOLLOUT is armed */
};

static volatile sig_atomic_t stopping = 0;

/* --typed: one zone and one output buffer, reused for every message (one thread serves all). */
static int typed = 0;
static msgpack_zone typed_zone;
static msgpack_sbuffer typed_output;
static msgpack_packer typed_packer;

/* Unpacks one MessagePack WAMP message, checks it, packs it back over the same bytes. Returns -1
 * when the payload is not a WAMP message or repacks to another length. */
static int retype(unsigned char *payload, size_t length) {
    msgpack_object message;
    size_t offset = 0;
    msgpack_zone_clear(&typed_zone);
    if (msgpack_unpack((const char *)payload, length, &offset, &typed_zone, &message) != MSGPACK_UNPACK_SUCCESS
        || offset != length)
        return -1;
    if (message.type != MSGPACK_OBJECT_ARRAY || message.via.array.size == 0
        || message.via.array.ptr[0].type != MSGPACK_OBJECT_POSITIVE_INTEGER)
        return -1;
    msgpack_sbuffer_clear(&typed_output);
    if (msgpack_pack_object(&typed_packer, message) != 0 || typed_output.size != length) return -1;
    memcpy(payload, typed_output.data, length);
    return 0;
}

static void on_signal(int signal_number) {
    (void)signal_number;
    stopping = 1;
}

static void fail(const char *what) {
    perror(what);
    exit(1);
}

static void set_nonblocking(int fd) {
    int flags = fcntl(fd, F_GETFL, 0);
    if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0) fail("fcntl");
}

static void close_connection(int epoll_fd, struct connection *c) {
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c->buffer);
    free(c);
}

/* Arms EPOLLOUT (and drops EPOLLIN) while output is pending, and the reverse once it is out. */
static int watch(int epoll_fd, struct connection *c, int want_write) {
    if (c->writing == want_write) return 0;
    struct epoll_event event = {.events = want_write ? EPOLLOUT : EPOLLIN, .data.ptr = c};
    if (epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c->fd, &event) < 0) return -1;
    c->writing = want_write;
    return 0;
}

/* Walks the frame headers after `scanned`, moving `ready` over complete frames. Returns -1 on a
 * frame the protocol does not allow. */
static int scan_frames(struct connection *c) {
    while (c->length - c->scanned >= HEADER_LENGTH) {
        unsigned char *header = c->buffer + c->scanned;
        unsigned type = header[0];
        uint32_t payload = ((uint32_t)header[1] << 16) | ((uint32_t)header[2] << 8) | header[3];
        if (type > FRAME_PONG) return -1;
        if (type != FRAME_PONG && payload > c->peer_max) return -1;
        size_t frame = HEADER_LENGTH + (size_t)payload;
        if (c->length - c->scanned < frame) {
            /* Make room for the whole frame, so the next reads can complete it. */
            size_t needed = c->scanned + frame + READ_CHUNK;
            if (needed > c->capacity) {
                unsigned char *grown = realloc(c->buffer, needed);
                if (grown == NULL) return -1;
                c->buffer = grown;
                c->capacity = needed;
            }
            return 0;
        }
        if (type == FRAME_PONG) {
            /* Dropped: the bytes after it move up. Only `ready` bytes stand before it. */
            memmove(header, header + frame, c->length - c->scanned - frame);
            c->length -= frame;
            continue;
        }
        if (type == FRAME_PING) header[0] = FRAME_PONG;
        if (type == FRAME_MESSAGE && typed && retype(header + HEADER_LENGTH, payload) < 0) return -1;
        c->scanned += frame;
        c->ready = c->scanned;
    }
    return 0;
}

/* Parses the client's handshake once its 4 octets are in, and queues the reply. */
static void handshake(struct connection *c) {
    const unsigned char *request = c->buffer;
    unsigned serializer = request[1] & 0x0F;
    unsigned exponent = request[1] >> 4;
    c->reply[0] = 0x7F;
    c->reply[2] = 0;
    c->reply[3] = 0;
    if (request[0] != 0x7F) {
        c->close_after_reply = 1;
        c->reply_left = 0;    /* not RawSocket: close without a word */
    } else if (request[2] != 0 || request[3] != 0) {
        c->reply[1] = ERROR_RESERVED_BITS << 4;
        c->close_after_reply = 1;
        c->reply_left = HEADER_LENGTH;
    } else if (serializer == 0 || (typed && serializer != 2)) {
        c->reply[1] = ERROR_SERIALIZER_UNSUPPORTED << 4;
        c->close_after_reply = 1;
        c->reply_left = HEADER_LENGTH;
    } else {
        c->reply[1] = (unsigned char)(MAX_EXPONENT << 4 | serializer);
        c->reply_left = HEADER_LENGTH;
        c->peer_max = (uint32_t)1 << (9 + exponent);
        if (c->peer_max > 0xFFFFFF) c->peer_max = 0xFFFFFF;
    }
    c->handshaken = 1;
    memmove(c->buffer, c->buffer + HEADER_LENGTH, c->length - HEADER_LENGTH);
    c->length -= HEADER_LENGTH;
}

/* Sends the handshake reply and then the ready frames. Returns -1 when the connection is to
 * close, 1 when output is still pending, 0 when all is out. */
static int flush(struct connection *c) {
    while (c->reply_left > 0) {
        ssize_t n = send(c->fd, c->reply + HEADER_LENGTH - c->reply_left, c->reply_left, MSG_NOSIGNAL);
        if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 1 : (errno == EINTR ? 1 : -1);
        c->reply_left -= (size_t)n;
    }
    if (c->close_after_reply) return -1;
    size_t sent = 0;
    while (sent < c->ready) {
        ssize_t n = send(c->fd, c->buffer + sent, c->ready - sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) break;
            return -1;
        }
        sent += (size_t)n;
    }
    if (sent > 0) {
        memmove(c->buffer, c->buffer + sent, c->length - sent);
        c->length -= sent;
        c->ready -= sent;
        c->scanned -= sent;
    }
    return c->ready > 0 ? 1 : 0;
}

/* Reads what is there (a few reads at most, so that one busy connection does not hold up the
 * others: epoll reports it again), handshakes, walks frames and echoes. Returns -1 to close. */
static int on_readable(struct connection *c) {
    for (int reads = 0; reads < READS_PER_TURN; reads++) {
        if (c->capacity - c->length < READ_CHUNK) {
            size_t wanted = c->length + READ_CHUNK;
            unsigned char *grown = realloc(c->buffer, wanted);
            if (grown == NULL) return -1;
            c->buffer = grown;
            c->capacity = wanted;
        }
        ssize_t n = recv(c->fd, c->buffer + c->length, c->capacity - c->length, 0);
        if (n == 0) return -1;
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK) return 0;
            return -1;
        }
        c->length += (size_t)n;
        if (!c->handshaken) {
            if (c->length < HEADER_LENGTH) continue;
            handshake(c);
            if (c->close_after_reply && c->reply_left == 0) return -1;
        }
        if (!c->close_after_reply && scan_frames(c) < 0) return -1;
        int pending = flush(c);
        if (pending != 0) return pending;   /* -1: close; 1: wait for EPOLLOUT before reading */
    }
    return 0;
}

static int listen_on(const char *host, const char *port) {
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE};
    struct addrinfo *found;
    int status = getaddrinfo(host, port, &hints, &found);
    if (status != 0) {
        fprintf(stderr, "rawsocket-echo: %s:%s: %s\n", host, port, gai_strerror(status));
        exit(1);
    }
    int fd = socket(found->ai_family, SOCK_STREAM, 0);
    if (fd < 0) fail("socket");
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, found->ai_addr, found->ai_addrlen) < 0) fail("bind");
    if (listen(fd, 1024) < 0) fail("listen");
    freeaddrinfo(found);
    set_nonblocking(fd);

    struct sockaddr_storage bound;
    socklen_t bound_length = sizeof bound;
    if (getsockname(fd, (struct sockaddr *)&bound, &bound_length) < 0) fail("getsockname");
    char shown_host[NI_MAXHOST], shown_port[NI_MAXSERV];
    getnameinfo((struct sockaddr *)&bound, bound_length, shown_host, sizeof shown_host, shown_port,
                sizeof shown_port, NI_NUMERICHOST | NI_NUMERICSERV);
    if (bound.ss_family == AF_INET6)
        printf("listening on rs://[%s]:%s\n", shown_host, shown_port);
    else
        printf("listening on rs://%s:%s\n", shown_host, shown_port);
    fflush(stdout);
    return fd;
}

static void accept_all(int epoll_fd, int listen_fd) {
    for (;;) {
        int fd = accept4(listen_fd, NULL, NULL, SOCK_NONBLOCK);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED) continue;
            if (errno != EAGAIN && errno != EWOULDBLOCK) perror("accept");
            return;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        struct connection *c = calloc(1, sizeof *c);
        if (c == NULL) {
            close(fd);
            continue;
        }
        c->fd = fd;
        struct epoll_event event = {.events = EPOLLIN, .data.ptr = c};
        if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &event) < 0) {
            close(fd);
            free(c);
        }
    }
}

static void usage(void) {
    fprintf(stderr, "usage: rawsocket-echo [--host HOST] [--port PORT] [--typed]\n");
    exit(2);
}

int main(int argc, char **argv) {
    const char *host = "127.0.0.1";
    const char *port = "0";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--host") == 0 && i + 1 < argc) host = argv[++i];
        else if (strcmp(argv[i], "--port") == 0 && i + 1 < argc) port = argv[++i];
        else if (strcmp(argv[i], "--typed") == 0) typed = 1;
        else usage();
    }
    if (typed) {
        if (!msgpack_zone_init(&typed_zone, 4096)) fail("msgpack_zone_init");
        msgpack_sbuffer_init(&typed_output);
        msgpack_packer_init(&typed_packer, &typed_output, msgpack_sbuffer_write);
    }
    struct sigaction action = {.sa_handler = on_signal};
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    signal(SIGPIPE, SIG_IGN);

    int listen_fd = listen_on(host, port);
    int epoll_fd = epoll_create1(0);
    if (epoll_fd < 0) fail("epoll_create1");
    static int listener_tag;   /* the listening socket's data.ptr, told apart from connections */
    struct epoll_event listen_event = {.events = EPOLLIN, .data.ptr = &listener_tag};
    if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listen_fd, &listen_event) < 0) fail("epoll_ctl");

    struct epoll_event events[MAX_EVENTS];
    while (!stopping) {
        int count = epoll_wait(epoll_fd, events, MAX_EVENTS, -1);
        if (count < 0) {
            if (errno == EINTR) continue;
            fail("epoll_wait");
        }
        for (int i = 0; i < count; i++) {
            if (events[i].data.ptr == &listener_tag) {
                accept_all(epoll_fd, listen_fd);
                continue;
            }
            struct connection *c = events[i].data.ptr;
            int result;
            if (events[i].events & (EPOLLERR | EPOLLHUP) && !(events[i].events & EPOLLIN)) {
                result = -1;
            } else if (c->writing) {
                result = flush(c);
                if (result == 0) result = on_readable(c);   /* bytes may have queued meanwhile */
            } else {
                result = on_readable(c);
            }
            if (result < 0 || watch(epoll_fd, c, result == 1) < 0) close_connection(epoll_fd, c);
        }
    }
    close(listen_fd);
    close(epoll_fd);
    return 0;
}
