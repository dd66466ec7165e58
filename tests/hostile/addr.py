"""addr.py - operand helpers shared by the hostile peers in tests/hostile."""
import socket


def hostport(s, port):
    """HOST, [HOST]:PORT or HOST:PORT as (host, port); port is the default."""
    if s.startswith("["):
        h, _, rest = s[1:].partition("]")
        return h, int(rest[1:]) if rest.startswith(":") else port
    if s.count(":") == 1:
        h, p = s.split(":")
        return h, int(p)
    return s, port


def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET
