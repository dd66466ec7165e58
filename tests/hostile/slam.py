#!/usr/bin/env python3
"""slam.py - hostile SLAM peers for the test suite (run inside a test's
network namespace, never on the host's own network).

  flood SERVER[:PORT] --ports N [--seconds S]
        a 3-byte NACK ("send block 0") from each of N source ports; with
        --seconds, again and again from new ports until S seconds passed
  liars SERVER[:PORT] --count N --seconds S
        N clients that answer every ping with "everything is missing"
  forge GROUP[:PORT] --mode evil|copy --seconds S [--from-port P]
        data packets to the group: "evil" sends a 5-byte file EVIL! under
        a header of its own; "copy" waits for a real data packet, then
        sends every block of that header again with forged content

  server --total BYTES --bs BYTES [--txn-each] --seconds S [GROUP[:PORT]]
        a server that answers every NACK with a ping (the header alone)
        and one data packet of block 0 to the group; with --txn-each,
        a new transaction id in every packet

Every mode ends by itself after its time (or its count), whatever happens.
"""
import argparse
import os
import select
import socket
import struct
import sys
import time

from addr import family, hostport


def enc(v):
    """A SLAM Int (PROTOCOLS.md 1.3): 3 bits of length, then the value."""
    n = 1
    while v >= 1 << (8 * n - 3):
        n += 1
    b = v.to_bytes(n, "big")
    return bytes([n << 5 | b[0]]) + b[1:]


def dec(buf, pos):
    """(value, next position) of the Int at pos, or None."""
    if pos >= len(buf):
        return None
    n = buf[pos] >> 5
    if n == 0 or pos + n > len(buf):
        return None
    v = buf[pos] & 0x1F
    for k in range(1, n):
        v = v << 8 | buf[pos + k]
    return v, pos + n


def header(buf):
    """(txn, total, bs, header length) of a ping or data packet, or None."""
    out, pos = [], 0
    for _ in range(3):
        r = dec(buf, pos)
        if r is None:
            return None
        out.append(r[0])
        pos = r[1]
    return out[0], out[1], out[2], pos


def flood(a):
    host, port = hostport(a.target, 10000)
    end = time.monotonic() + a.seconds
    sent = 0
    while True:
        for _ in range(a.ports):
            s = socket.socket(family(host), socket.SOCK_DGRAM)
            try:
                s.sendto(b"\x20\x21\x00", (host, port))
                sent += 1
            except OSError:
                pass
            s.close()
        if time.monotonic() >= end:
            break
    print(f"flood: {sent} NACKs", file=sys.stderr)


def liars(a):
    host, port = hostport(a.target, 10000)
    socks = []
    for _ in range(a.count):
        s = socket.socket(family(host), socket.SOCK_DGRAM)
        s.connect((host, port))
        s.setblocking(False)
        s.send(b"\x20\x21\x00")     # hello: "send me block 0"
        socks.append(s)
    end = time.monotonic() + a.seconds
    answers = 0
    print("liars: listening", file=sys.stderr, flush=True)
    while time.monotonic() < end:
        r, _, _ = select.select(socks, [], [], 0.05)
        for s in r:
            try:
                p = s.recv(65536)
            except OSError:
                continue
            h = header(p)
            if not h or not h[2]:
                continue
            nblocks = -(-h[1] // h[2])
            # have 0, lack all of it
            try:
                s.send(enc(0) + enc(nblocks) + b"\x00")
                answers += 1
            except OSError:
                pass
            if answers == 5 * a.count:
                # every liar had a few turns: the lies are in effect
                print(f"liars: {answers} pings answered", file=sys.stderr,
                      flush=True)
    for s in socks:
        s.close()
    print(f"liars: {answers} answers", file=sys.stderr)


def forge(a):
    host, port = hostport(a.target, 10000)
    fam = family(host)
    out = socket.socket(fam, socket.SOCK_DGRAM)
    if a.from_port:
        out.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        out.bind(("", a.from_port))
    if fam == socket.AF_INET:
        out.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    end = time.monotonic() + a.seconds
    sent = 0
    if a.mode == "evil":
        data = b"EVIL!"
        pkt = enc(0x6666) + enc(len(data)) + enc(len(data)) + enc(0) + data
        print("forge: sending", file=sys.stderr, flush=True)
        while time.monotonic() < end:
            out.sendto(pkt, (host, port))
            sent += 1
            time.sleep(0.002)
    else:
        inp = socket.socket(fam, socket.SOCK_DGRAM)
        inp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        inp.bind((host, port))
        if fam == socket.AF_INET:
            mreq = struct.pack("4s4s", socket.inet_aton(host),
                               socket.inet_aton("0.0.0.0"))
            inp.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreq)
        else:
            mreq = socket.inet_pton(fam, host) + struct.pack("@I", 0)
            inp.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq)
        print("forge: listening", file=sys.stderr, flush=True)
        h = None
        while h is None and time.monotonic() < end:
            r, _, _ = select.select([inp], [], [], 0.05)
            if r:
                h = header(inp.recv(65536))
        if h:
            txn, total, bs, hl = h
            raw = enc(txn) + enc(total) + enc(bs)
            nblocks = -(-total // bs) if bs else 0
            i = 0
            while nblocks and time.monotonic() < end:
                n = min(bs, total - i * bs)
                out.sendto(raw + enc(i) + b"\xee" * n, (host, port))
                sent += 1
                i = (i + 1) % nblocks
                if sent % 64 == 0:
                    time.sleep(0.001)
    print(f"forge: {sent} packets", file=sys.stderr)


def server(a):
    host, port = hostport(a.target, 10000)
    fam = family(host)
    s = socket.socket(fam, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", a.port))
    if fam == socket.AF_INET:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
    end = time.monotonic() + a.seconds
    txn, sent = 1, 0
    print("server: listening", file=sys.stderr, flush=True)
    while time.monotonic() < end:
        r, _, _ = select.select([s], [], [], 0.05)
        if not r:
            continue
        try:
            p, peer = s.recvfrom(65536)
        except OSError:
            continue
        if not p or p[0] == 0:
            continue
        if a.txn_each:
            txn += 1
        hdr = enc(txn) + enc(a.total) + enc(a.bs)
        n = min(a.bs, a.total)
        try:
            s.sendto(hdr, peer)
            s.sendto(hdr + enc(0) + b"\xaa" * n, (host, port))
            sent += 2
        except OSError:
            pass
    print(f"server: {sent} packets", file=sys.stderr)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    f = sub.add_parser("flood")
    f.add_argument("target")
    f.add_argument("--ports", type=int, default=1000)
    f.add_argument("--seconds", type=float, default=0)
    f.set_defaults(fn=flood)
    lp = sub.add_parser("liars")
    lp.add_argument("target")
    lp.add_argument("--count", type=int, default=1)
    lp.add_argument("--seconds", type=float, default=30)
    lp.set_defaults(fn=liars)
    fg = sub.add_parser("forge")
    fg.add_argument("target")
    fg.add_argument("--mode", choices=("evil", "copy"), default="evil")
    fg.add_argument("--seconds", type=float, default=10)
    fg.add_argument("--from-port", type=int, default=0)
    fg.set_defaults(fn=forge)
    sv = sub.add_parser("server")
    sv.add_argument("target", nargs="?", default="239.255.1.1:10000")
    sv.add_argument("--port", type=int, default=10000)
    sv.add_argument("--total", type=int, default=1000)
    sv.add_argument("--bs", type=int, default=100)
    sv.add_argument("--txn-each", action="store_true")
    sv.add_argument("--seconds", type=float, default=10)
    sv.set_defaults(fn=server)
    a = ap.parse_args()
    a.seconds = min(a.seconds, 120)    # bounded, whatever the caller says
    a.fn(a)


if __name__ == "__main__":
    main()
