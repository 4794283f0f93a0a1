#ifndef CMSGPACK_SHIM_H
#define CMSGPACK_SHIM_H
// msgpack-c (Debian: libmsgpack-dev, pkg-config "msgpack", library "msgpackc").
#include <msgpack.h>
#endif
