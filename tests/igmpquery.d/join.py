#!/usr/bin/env python3
"""join.py - hold multicast memberships for the igmpquery tests (RFC 3678
protocol-independent API), until killed or for SECONDS.

usage: join.py IFACE SECONDS [SOURCE,]GROUP...
Prints "joined" on stderr once every membership is in place."""
import socket
import struct
import sys
import time

MCAST_JOIN_GROUP = 42
MCAST_JOIN_SOURCE_GROUP = 46


def sockaddr(addr):
    """A struct sockaddr_storage (128 bytes) holding a numeric address."""
    if ":" in addr:
        raw = struct.pack("=H", socket.AF_INET6) + struct.pack(
            "!HI", 0, 0) + socket.inet_pton(socket.AF_INET6, addr) + \
            struct.pack("=I", 0)
    else:
        raw = struct.pack("=H", socket.AF_INET) + struct.pack("!H", 0) + \
            socket.inet_pton(socket.AF_INET, addr)
    return raw.ljust(128, b"\0")


def main():
    ifname, secs, specs = sys.argv[1], float(sys.argv[2]), sys.argv[3:]
    ifindex = socket.if_nametoindex(ifname)
    socks = []
    for spec in specs:
        source, _, group = spec.rpartition(",")
        fam = socket.AF_INET6 if ":" in group else socket.AF_INET
        level = socket.IPPROTO_IPV6 if fam == socket.AF_INET6 \
            else socket.IPPROTO_IP
        s = socket.socket(fam, socket.SOCK_DGRAM)
        # struct group_req / group_source_req: interface, padding to 8,
        # then sockaddr_storage members
        head = struct.pack("=I4x", ifindex)
        if source:
            s.setsockopt(level, MCAST_JOIN_SOURCE_GROUP,
                         head + sockaddr(group) + sockaddr(source))
        else:
            s.setsockopt(level, MCAST_JOIN_GROUP, head + sockaddr(group))
        socks.append(s)
    sys.stderr.write("joined\n")
    sys.stderr.flush()
    time.sleep(secs)


if __name__ == "__main__":
    main()
