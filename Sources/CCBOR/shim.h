#ifndef CCBOR_SHIM_H
#define CCBOR_SHIM_H
// libcbor (Debian: libcbor-dev, pkg-config "libcbor", library "cbor"). Only the streaming
// decoder (cbor_stream_decode with callbacks) and the encoders (cbor_encode_*) are used:
// neither allocates.
#include <cbor.h>
#endif
