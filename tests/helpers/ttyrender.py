#!/usr/bin/env python3
"""ttyrender.py FILE - prints the lines a terminal shows for a typescript
(script(1) output): carriage returns move to the start of the line, ESC [ K
clears to its end, other escape sequences are dropped. A progress line that
an event line ran into shows up here as one line holding both."""
import re
import sys

data = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
# script(1) frames the session with "Script started/done" lines unless -q
lines, cur, col = [], [], 0
i = 0
while i < len(data):
    c = data[i]
    if c == "\x1b":
        m = re.match(r"\x1b\[[0-9;?]*([A-Za-z])", data[i:])
        if m:
            if m.group(1) == "K":
                del cur[col:]
            i += m.end()
            continue
        i += 1
        continue
    if c == "\r":
        col = 0
    elif c == "\n":
        lines.append("".join(cur))
        cur, col = [], 0
    else:
        if col < len(cur):
            cur[col] = c
        else:
            cur.append(c)
        col += 1
    i += 1
if cur:
    lines.append("".join(cur))
for line in lines:
    print(line)
