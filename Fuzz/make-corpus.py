#!/usr/bin/env python3
"""Writes the seed corpus of the fuzz targets into Fuzz/Corpus/<Target>/.

- FuzzJSON, FuzzMsgPack, FuzzCBOR: every JSON, MessagePack and CBOR sample of the wamp-proto
  conformance vectors (`Tests/ConformanceVectors/wamp-proto/singlemessage/**/*.json`: the
  JSON `bytes`, the MessagePack and CBOR `bytes_hex` decoded).
- FuzzHandshake: handshake words (request, accepted reply, refusals, bad magic), each
  followed by the control octet the target reads.
- FuzzFrameDecoder: two control octets, then a RawSocket stream (handshake word, MESSAGE,
  PING and PONG frames), for the client and the server side.

Run it from anywhere: `python3 Fuzz/make-corpus.py`. It replaces the corpus folders.
"""
import glob
import json
import os
import shutil
import struct
import sys

FUZZ = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(FUZZ)
VECTORS = os.path.join(ROOT, "Tests", "ConformanceVectors", "wamp-proto", "singlemessage")
CORPUS = os.path.join(FUZZ, "Corpus")


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def vectors():
    files = sorted(glob.glob(os.path.join(VECTORS, "**", "*.json"), recursive=True))
    if not files:
        sys.exit(f"no vectors under {os.path.normpath(VECTORS)}")
    seen = {"FuzzJSON": set(), "FuzzMsgPack": set(), "FuzzCBOR": set()}

    def add(target, name, data):
        if data not in seen[target]:
            seen[target].add(data)
            write(target, name, data)

    for path in files:
        stem = os.path.relpath(path, VECTORS)[: -len(".json")].replace(os.sep, "-")
        with open(path) as f:
            doc = json.load(f)
        n = 0
        cbor_index = 0
        for sample in doc.get("samples", []):
            serializers = sample.get("serializers", {})
            for entry in serializers.get("json", []):
                data = entry["bytes"].encode("utf-8") if "bytes" in entry else bytes.fromhex(entry["bytes_hex"])
                add("FuzzJSON", f"{stem}-{n}.json", data)
                n += 1
            for entry in serializers.get("msgpack", []):
                add("FuzzMsgPack", f"{stem}-{n}.msgpack", bytes.fromhex(entry["bytes_hex"]))
                n += 1
            # CBOR seeds have their own numbering, so that the other names stay as they were.
            for entry in serializers.get("cbor", []):
                add("FuzzCBOR", f"{stem}-{cbor_index}.cbor", bytes.fromhex(entry["bytes_hex"]))
                cbor_index += 1
    return {k: len(v) for k, v in seen.items()}


def word(*octets):
    return bytes(octets)


def frame(kind, payload):
    return struct.pack(">I", kind << 24 | len(payload)) + payload


def handshakes():
    seeds = {
        "request-msgpack-16m": word(0x7F, 0xF2, 0, 0) + b"\x06",
        "request-json-512": word(0x7F, 0x01, 0, 0) + b"\x02",
        "request-cbor-64k": word(0x7F, 0x73, 0, 0) + b"\x8f",
        "reply-msgpack-4k": word(0x7F, 0x32, 0, 0) + b"\x02",
        "reply-json-1m": word(0x7F, 0xB1, 0, 0) + b"\x31",
        "refusal-serializer": word(0x7F, 0x10, 0, 0),
        "refusal-max-length": word(0x7F, 0x20, 0, 0),
        "refusal-reserved": word(0x7F, 0x30, 0, 0),
        "refusal-connections": word(0x7F, 0x40, 0, 0) + b"\x84",
        "reserved-octets": word(0x7F, 0xF2, 0x01, 0x00),
        "bad-magic-http": b"GET /",
        "frame-header-x-bit": word(0x08, 0, 0, 0) + b"\xf0",
    }
    for name, data in seeds.items():
        write("FuzzHandshake", name, data)
    return len(seeds)


def frame_streams():
    hello_json = b'[1,"realm1",{"roles":{"caller":{}}}]'
    welcome_msgpack = bytes.fromhex("9302cf0000000000003039" "80")  # [2, 12345, {}]
    ping1 = frame(1, struct.pack(">Q", 1))
    pong1 = frame(2, struct.pack(">Q", 1))
    client = word(0x7F, 0x32, 0, 0)  # server reply: it receives 4096 octets, MessagePack
    server = word(0x7F, 0x32, 0, 0)  # client request: it receives 4096 octets, MessagePack
    seeds = {
        # control octets: [chunking seed, flags: bit 0 client serializer JSON, bit 1 PINGs]
        "client-messages": b"\x00\x00" + client + frame(0, welcome_msgpack) + frame(1, b"ping") + frame(0, b""),
        "client-chunked-pings": b"\x07\x02" + client + pong1 + frame(0, welcome_msgpack) + ping1,
        "server-messages": b"\x09\x00" + server + frame(0, welcome_msgpack) + frame(2, b"") + frame(0, b"x" * 300),
        "server-json-bytewise": b"\x00\x01" + word(0x7F, 0x31, 0, 0) + frame(0, hello_json) + frame(1, b""),
        "max-frame": b"\x08\x02" + server + frame(0, b"\xa5" * 512),
        "too-large-frame": b"\x03\x00" + server + struct.pack(">I", 513),
        "truncated-payload": b"\x05\x00" + server + struct.pack(">I", 100) + b"abc",
        "reserved-type": b"\x02\x00" + server + struct.pack(">I", 3 << 24),
        "refused-by-server": b"\x00\x00" + word(0x7F, 0x10, 0, 0),
        "x-bit": b"\x01\x00" + server + word(0x08, 0, 0, 0),
    }
    for name, data in seeds.items():
        write("FuzzFrameDecoder", name, data)
    return len(seeds)


def main():
    for target in ("FuzzHandshake", "FuzzFrameDecoder", "FuzzJSON", "FuzzMsgPack", "FuzzCBOR"):
        shutil.rmtree(os.path.join(CORPUS, target), ignore_errors=True)
    counts = vectors()
    counts["FuzzHandshake"] = handshakes()
    counts["FuzzFrameDecoder"] = frame_streams()
    for target, count in sorted(counts.items()):
        print(f"{target}: {count} seeds")


if __name__ == "__main__":
    main()
