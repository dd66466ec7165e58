#!/usr/bin/env python3
"""tftp.py - TFTP peers for the test suite, honest and not (run inside a
test's network namespace, never on the host's own network).

  serve ADDR DIR [--port P] [--seconds S]
        a plain RFC 1350 server (no options: clients fall back to plain
        512-byte blocks), one transfer at a time, files from DIR
  error-nonul ADDR [--port P] [--seconds S]
        answers every request with ERROR 1 whose message lacks its NUL
  forge GROUP:PORT [--seconds S] [--blocks N]
        sends DATA packets of junk for blocks 1..N to a multicast group,
        round and round, from a port of its own

Every mode ends by itself after its time, whatever happens.
"""
import argparse
import os
import select
import socket
import struct
import sys
import time

from addr import family, hostport


def listen(a):
    s = socket.socket(family(a.addr), socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a.addr, a.port))
    print("tftp: listening", file=sys.stderr, flush=True)
    return s


def requests(s, end):
    """(filename, peer) of each RRQ until end."""
    while time.monotonic() < end:
        r, _, _ = select.select([s], [], [], 0.05)
        if not r:
            continue
        try:
            p, peer = s.recvfrom(2048)
        except OSError:
            continue
        if len(p) < 4 or struct.unpack("!H", p[:2])[0] != 1:
            continue
        name = p[2:].split(b"\0")[0].decode("latin-1")
        yield name, peer


def send_file(a, path, peer, end):
    t = socket.socket(family(a.addr), socket.SOCK_DGRAM)
    t.bind((a.addr, 0))
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError:
        t.sendto(struct.pack("!HH", 5, 1) + b"File not found\0", peer)
        t.close()
        return
    block = 1
    while time.monotonic() < end:
        chunk = data[(block - 1) * 512:block * 512]
        pkt = struct.pack("!HH", 3, block & 0xFFFF) + chunk
        for _ in range(6):
            t.sendto(pkt, peer)
            r, _, _ = select.select([t], [], [], 1.0)
            if not r:
                continue
            ack, src = t.recvfrom(2048)
            if src == peer and len(ack) >= 4 and \
                    struct.unpack("!HH", ack[:4]) == (4, block & 0xFFFF):
                break
        else:
            break
        if len(chunk) < 512:
            break
        block += 1
    t.close()


def serve(a):
    s = listen(a)
    end = time.monotonic() + a.seconds
    for name, peer in requests(s, end):
        send_file(a, os.path.join(a.dir, os.path.basename(name)), peer, end)


def error_nonul(a):
    s = listen(a)
    end = time.monotonic() + a.seconds
    for _, peer in requests(s, end):
        # "File not found" and no terminating NUL, from a new TID
        t = socket.socket(family(a.addr), socket.SOCK_DGRAM)
        t.bind((a.addr, 0))
        t.sendto(struct.pack("!HH", 5, 1) + b"File not fou\x01nd", peer)
        t.close()


def forge(a):
    host, port = hostport(a.target, 1758)
    out = socket.socket(family(host), socket.SOCK_DGRAM)
    if family(host) == socket.AF_INET:
        out.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    end = time.monotonic() + a.seconds
    sent = 0
    print("forge: sending", file=sys.stderr, flush=True)
    while time.monotonic() < end:
        for b in range(1, a.blocks + 1):
            out.sendto(struct.pack("!HH", 3, b) + b"\xee" * a.blksize,
                       (host, port))
            sent += 1
        time.sleep(0.002)
    print(f"forge: {sent} packets", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    sv = sub.add_parser("serve")
    sv.add_argument("addr")
    sv.add_argument("dir")
    sv.set_defaults(fn=serve)
    en = sub.add_parser("error-nonul")
    en.add_argument("addr")
    en.set_defaults(fn=error_nonul)
    for p in (sv, en):
        p.add_argument("--port", type=int, default=69)
        p.add_argument("--seconds", type=float, default=30)
    fg = sub.add_parser("forge")
    fg.add_argument("target")
    fg.add_argument("--seconds", type=float, default=10)
    fg.add_argument("--blocks", type=int, default=64)
    fg.add_argument("--blksize", type=int, default=1468)
    fg.set_defaults(fn=forge)
    a = ap.parse_args()
    a.seconds = min(a.seconds, 120)    # bounded, whatever the caller says
    a.fn(a)


if __name__ == "__main__":
    main()
