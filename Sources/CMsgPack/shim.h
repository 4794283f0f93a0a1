#ifndef CMSGPACK_SHIM_H
#define CMSGPACK_SHIM_H
// msgpack-c's C API; the header has the same name in every version (see Package.swift,
// `MsgPackCLibrary`, for the library's names).
#include <msgpack.h>
#endif
