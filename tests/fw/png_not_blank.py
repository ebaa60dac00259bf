#!/usr/bin/env python3
"""Exit 0 when a PNG screenshot is not blank: its scanlines, sampled, take
more than 20 distinct pixel values (a blank page compresses to a few).
The PNG is decoded with zlib alone. Usage: png_not_blank.py FILE.png"""
import struct
import sys
import zlib

data = open(sys.argv[1], 'rb').read()
if data[:8] != b'\x89PNG\r\n\x1a\n':
    sys.exit("not a PNG file")
pos, idat, bpp = 8, b'', 4
while pos < len(data):
    n, = struct.unpack('>I', data[pos:pos + 4])
    kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + n]
    if kind == b'IHDR':
        ctype = body[9]
        bpp = {2: 3, 6: 4}[ctype]
    elif kind == b'IDAT':
        idat += body
    pos += 12 + n
raw = zlib.decompress(idat)
values = set(raw[i:i + bpp] for i in range(0, len(raw) - bpp, 97))
sys.exit(0 if len(values) > 20 else 1)
