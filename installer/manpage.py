#!/usr/bin/env python3
"""Prepares a Chinese man page for groff 1.22, which finds no line breaks in a run of Chinese:
adds a break point (\\:) after each Chinese character unless punctuation that may not start a
line follows, and writes it gzipped (reproducibly: no name, no time). Usage: manpage.py SRC OUT.gz"""
import gzip
import sys

NO_START = set("，。、；：？！）」』》〉”’…—")


def cjk(c):
    o = ord(c)
    return 0x4E00 <= o <= 0x9FFF or 0x3000 <= o <= 0x303F or 0xFF00 <= o <= 0xFFEF or o in (0x201D, 0x2019)


def breakable(line):
    if line.startswith('.\\"'):
        return line
    out = []
    for i, c in enumerate(line):
        out.append(c)
        nxt = line[i + 1] if i + 1 < len(line) else ""
        if cjk(c) and nxt and nxt not in NO_START and c not in "（「『《〈“‘" and not nxt.isspace():
            out.append("\\:")
    return "".join(out)


src, dst = sys.argv[1], sys.argv[2]
text = "".join(breakable(l) for l in open(src, encoding="utf-8").read().splitlines(keepends=True))
with open(dst, "wb") as f, gzip.GzipFile(filename="", mode="wb", fileobj=f, compresslevel=9, mtime=0) as g:
    g.write(text.encode("utf-8"))
