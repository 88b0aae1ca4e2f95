#!/usr/bin/env python3
"""Makes the app icon in every size the packages need from src-tauri/icons/icon.png.

Python's standard library only (zlib, struct): no ImageMagick, no Pillow, nothing downloaded.
It reads an 8-bit non-interlaced RGB/RGBA PNG, scales it down by area averaging (exact for the
fractional ratios too, on premultiplied alpha so edges do not go dark) and writes PNGs, and a
Windows .ico holding PNG images.

    installer/icons.py hicolor SRC.png OUT_DIR      # OUT_DIR/NxN/apps/yichuang.png, N = SIZES
    installer/icons.py png SRC.png N OUT.png        # one size
    installer/icons.py ico SRC.png OUT.ico          # 16, 24, 32, 48, 64, 256 (Windows bundles)

Output is byte-for-byte reproducible (no timestamps, fixed compression level).
"""

import struct
import sys
import zlib
from pathlib import Path

SIZES = [16, 24, 32, 48, 64, 128, 256, 512]
ICO_SIZES = [16, 24, 32, 48, 64, 256]
NAME = "yichuang"
PNG_SIG = b"\x89PNG\r\n\x1a\n"


def read_png(path):
    data = Path(path).read_bytes()
    if not data.startswith(PNG_SIG):
        raise SystemExit(f"{path}: not a PNG file")
    pos, idat, hdr = 8, [], None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind = data[pos + 4 : pos + 8]
        body = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat.append(body)
        elif kind == b"IEND":
            break
    w, h, depth, ctype, _, _, interlace = hdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise SystemExit(f"{path}: only 8-bit non-interlaced RGB/RGBA PNGs are supported")
    bpp = 4 if ctype == 6 else 3
    raw = zlib.decompress(b"".join(idat))
    stride = w * bpp
    prev = bytearray(stride)
    rgba = bytearray()
    for y in range(h):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + ((a + b) >> 1)) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pr = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pr) & 255
            elif f != 0:
                raise SystemExit(f"{path}: bad filter type {f}")
        prev = line
        if bpp == 4:
            rgba += line
        else:
            for x in range(w):
                rgba += line[x * 3 : x * 3 + 3] + b"\xff"
    return w, h, rgba


def png_bytes(w, h, rgba):
    raw = bytearray()
    for y in range(h):
        raw.append(0)
        raw += rgba[y * w * 4 : (y + 1) * w * 4]

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return (
        PNG_SIG
        + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 6, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(bytes(raw), 9))
        + chunk(b"IEND", b"")
    )


def weights(n_in, n_out):
    """For each output index, the (input index, weight) pairs covering it; weights sum to 1."""
    scale = n_in / n_out
    out = []
    for o in range(n_out):
        lo, hi = o * scale, (o + 1) * scale
        ws, i = [], int(lo)
        while i < hi and i < n_in:
            cover = min(hi, i + 1) - max(lo, i)
            if cover > 1e-12:
                ws.append((i, cover / scale))
            i += 1
        out.append(ws)
    return out


def resize(w, h, rgba, nw, nh):
    if (nw, nh) == (w, h):
        return bytearray(rgba)
    if nw > w or nh > h:
        raise SystemExit(f"the source icon is {w}x{h}: it cannot be enlarged to {nw}x{nh}")
    # Premultiplied floats, then horizontal and vertical passes.
    px = []
    for i in range(0, len(rgba), 4):
        a = rgba[i + 3] / 255.0
        px.append((rgba[i] * a, rgba[i + 1] * a, rgba[i + 2] * a, a))
    wx = weights(w, nw)
    rows = []
    for y in range(h):
        row = px[y * w : (y + 1) * w]
        out = []
        for ws in wx:
            r = g = b = a = 0.0
            for i, k in ws:
                p = row[i]
                r += p[0] * k
                g += p[1] * k
                b += p[2] * k
                a += p[3] * k
            out.append((r, g, b, a))
        rows.append(out)
    wy = weights(h, nh)
    result = bytearray()
    for ws in wy:
        for x in range(nw):
            r = g = b = a = 0.0
            for j, k in ws:
                p = rows[j][x]
                r += p[0] * k
                g += p[1] * k
                b += p[2] * k
                a += p[3] * k
            if a > 0:
                result += bytes(min(255, round(c / a)) for c in (r, g, b))
            else:
                result += b"\0\0\0"
            result.append(min(255, round(a * 255)))
    return result


def scaled(src, n):
    w, h, rgba = src
    return png_bytes(n, n, resize(w, h, rgba, n, n))


def ico_bytes(src, sizes):
    images = [scaled(src, n) for n in sizes]
    head = struct.pack("<HHH", 0, 1, len(images))
    offset = 6 + 16 * len(images)
    entries = b""
    for n, img in zip(sizes, images):
        dim = 0 if n >= 256 else n
        entries += struct.pack("<BBBBHHII", dim, dim, 0, 0, 1, 32, len(img), offset)
        offset += len(img)
    return head + entries + b"".join(images)


def main(argv):
    if len(argv) < 2:
        raise SystemExit(__doc__)
    cmd, src = argv[0], read_png(argv[1])
    if src[0] != src[1]:
        raise SystemExit(f"{argv[1]}: an icon must be square, this one is {src[0]}x{src[1]}")
    if cmd == "hicolor" and len(argv) == 3:
        for n in SIZES:
            d = Path(argv[2]) / f"{n}x{n}" / "apps"
            d.mkdir(parents=True, exist_ok=True)
            (d / f"{NAME}.png").write_bytes(scaled(src, n))
    elif cmd == "png" and len(argv) == 4:
        Path(argv[3]).write_bytes(scaled(src, int(argv[2])))
    elif cmd == "ico" and len(argv) == 3:
        Path(argv[2]).write_bytes(ico_bytes(src, ICO_SIZES))
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
