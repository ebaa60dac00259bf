#include "npz.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Zip record signatures (APPNOTE.TXT). */
#define ZIP_LOCAL 0x04034b50u
#define ZIP_CENTRAL 0x02014b50u
#define ZIP_END 0x06054b50u
#define ZIP64_END 0x06064b50u
#define ZIP64_LOCATOR 0x07064b50u

static uint16_t rd16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const unsigned char *p) { return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static uint64_t rd64(const unsigned char *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }


/* --- .npy ------------------------------------------------------------ */

/* Reorders a column-major (Fortran-order) array's values into row-major. */
static int to_row_major(struct ort_array *a, const char *where, struct ort_diag *d)
{
    int64_t count = ort_shape_count(&a->shape);
    int64_t *rm = malloc((size_t)(count ? count : 1) * sizeof *rm);
    if (!rm)
        return ort_fail(d, "%s: out of memory", where);
    for (int64_t r = 0; r < count; r++) {
        int64_t rem = r, col = 0, stride = 1;
        int64_t idx[ORT_MAX_RANK];
        for (int i = a->shape.rank - 1; i >= 0; i--) {
            idx[i] = rem % a->shape.dim[i];
            rem /= a->shape.dim[i];
        }
        for (int i = 0; i < a->shape.rank; i++) {
            col += idx[i] * stride;
            stride *= a->shape.dim[i];
        }
        rm[r] = a->data[col];
    }
    free(a->data);
    a->data = rm;
    return 0;
}

/* The value of `key` in the header dict: points just after "'key':". */
static const char *dict_value(const char *hdr, const char *key)
{
    char pat[64];
    snprintf(pat, sizeof pat, "'%s':", key);
    const char *p = strstr(hdr, pat);
    if (!p)
        return NULL;
    p += strlen(pat);
    while (*p == ' ')
        p++;
    return p;
}

int ort_npy_parse(const unsigned char *buf, size_t len, struct ort_array *out, const char *where,
                  struct ort_diag *d)
{
    if (len < 10 || memcmp(buf, "\x93NUMPY", 6) != 0)
        return ort_fail(d, "%s: not a .npy array (bad magic)", where);
    size_t hlen, hstart;
    if (buf[6] == 1) {
        hlen = rd16(buf + 8);
        hstart = 10;
    } else if (buf[6] == 2 || buf[6] == 3) {
        if (len < 12)
            return ort_fail(d, "%s: truncated .npy header", where);
        hlen = rd32(buf + 8);
        hstart = 12;
    } else {
        return ort_fail(d, "%s: .npy format version %d is not supported", where, buf[6]);
    }
    if (hstart + hlen > len || hlen > 65536)
        return ort_fail(d, "%s: truncated .npy header", where);
    char hdr[65537];
    memcpy(hdr, buf + hstart, hlen);
    hdr[hlen] = 0;

    const char *descr = dict_value(hdr, "descr");
    const char *fortran = dict_value(hdr, "fortran_order");
    const char *shape = dict_value(hdr, "shape");
    if (!descr || !fortran || !shape || *descr != '\'' || *shape != '(')
        return ort_fail(d, "%s: .npy header lacks descr, fortran_order or shape: %s", where, hdr);
    bool column_major = strncmp(fortran, "True", 4) == 0;
    if (!column_major && strncmp(fortran, "False", 5) != 0)
        return ort_fail(d, "%s: fortran_order is neither True nor False: %s", where, hdr);

    static const struct { const char *descr; enum ort_dtype dt; int size; bool is_float; } kinds[] = {
        {"'|i1'", ORT_DT_INT8, 1, false},   {"'|u1'", ORT_DT_UINT8, 1, false},
        {"'<i2'", ORT_DT_INT16, 2, false},  {"'<u2'", ORT_DT_UINT16, 2, false},
        {"'<i4'", ORT_DT_INT32, 4, false},  {"'<i8'", ORT_DT_INT64, 8, false},
        {"'<f4'", ORT_DT_FLOAT, 4, true},   {"'<f8'", ORT_DT_FLOAT, 8, true},
        {"'|b1'", ORT_DT_UINT8, 1, false},
    };
    int kind = -1;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++)
        if (strncmp(descr, kinds[k].descr, strlen(kinds[k].descr)) == 0)
            kind = (int)k;
    if (kind < 0) {
        const char *end = strchr(descr + 1, '\'');
        return ort_fail(d, "%s: element type %.*s is not supported (integers, float32, float64)",
                        where, end ? (int)(end - descr + 1) : 8, descr);
    }

    out->shape.rank = 0;
    const char *p = shape + 1;
    for (;;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (*p == ')')
            break;
        char *end;
        long long v = strtoll(p, &end, 10);
        if (end == p || v < 0)
            return ort_fail(d, "%s: bad shape in .npy header: %s", where, shape);
        if (out->shape.rank == ORT_MAX_RANK)
            return ort_fail(d, "%s: rank above %d is not supported", where, ORT_MAX_RANK);
        out->shape.dim[out->shape.rank++] = v;
        p = end;
    }
    if (ort_shape_check(&out->shape, where, "the .npy header's shape", d))
        return -1;
    int64_t count = ort_shape_count(&out->shape);
    size_t size = (size_t)kinds[kind].size;
    size_t need = hstart + hlen + (size_t)count * size;
    if (count < 0 || count > (int64_t)(1u << 30) || need > len)
        return ort_fail(d, "%s: data is %zu bytes, the header's shape needs %zu", where,
                        len - hstart - hlen, (size_t)count * size);
    out->dtype = kinds[kind].dt;
    out->data = malloc((size_t)(count ? count : 1) * sizeof *out->data);
    if (!out->data)
        return ort_fail(d, "%s: out of memory", where);
    const unsigned char *v = buf + hstart + hlen;
    for (int64_t i = 0; i < count; i++, v += size) {
        int64_t x;
        switch (kind) {
        case 0: x = (int8_t)v[0]; break;
        case 1: case 8: x = v[0]; break;
        case 2: x = (int16_t)rd16(v); break;
        case 3: x = rd16(v); break;
        case 4: x = (int32_t)rd32(v); break;
        case 5: x = (int64_t)rd64(v); break;
        default: {
            double f;
            if (size == 4) {
                uint32_t bits = rd32(v);
                float ff;
                memcpy(&ff, &bits, 4);
                f = ff;
            } else {
                uint64_t bits = rd64(v);
                memcpy(&f, &bits, 8);
            }
            if (!(f == floor(f)) || fabs(f) > 9.0e18) {
                free(out->data);
                out->data = NULL;
                return ort_fail(d, "%s: element %lld is %g, not an integer (integer networks only)",
                                where, (long long)i, f);
            }
            x = (int64_t)f;
        }
        }
        out->data[i] = x;
    }
    if (column_major && out->shape.rank > 1)
        return to_row_major(out, where, d);
    return 0;
}

/* --- .npz ------------------------------------------------------------ */

static int inflate_raw(const unsigned char *src, size_t slen, unsigned char *dst, size_t dlen)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, -MAX_WBITS) != Z_OK)
        return -1;
    z.next_in = (unsigned char *)src;
    z.avail_in = (uInt)slen;
    z.next_out = dst;
    z.avail_out = (uInt)dlen;
    int rc = inflate(&z, Z_FINISH);
    size_t produced = dlen - z.avail_out;
    inflateEnd(&z);
    return rc == Z_STREAM_END && produced == dlen ? 0 : -1;
}

void ort_npz_free(struct ort_npz *npz)
{
    for (int i = 0; i < npz->n; i++)
        free(npz->arrays[i].data);
    free(npz->arrays);
    free(npz->source);
    npz->arrays = NULL;
    npz->source = NULL;
    npz->n = 0;
}

int ort_npz_read(const char *path, struct ort_npz *out, struct ort_diag *d)
{
    memset(out, 0, sizeof *out);
    size_t len;
    unsigned char *buf = ort_read_file(path, &len, d);
    if (!buf)
        return -1;
    int rc = -1;
    unsigned char *entry = NULL;

    /* The end-of-central-directory record: the last one in the file. */
    size_t eocd = (size_t)-1;
    for (size_t i = len >= 22 ? len - 22 : 0; len >= 22; i--) {
        if (rd32(buf + i) == ZIP_END) {
            eocd = i;
            break;
        }
        if (i == 0 || len - i > 65557)
            break;
    }
    if (eocd == (size_t)-1) {
        ort_fail(d, "%s: not a zip (.npz) archive: no end of central directory", path);
        goto out;
    }
    uint64_t entries = rd16(buf + eocd + 10), cd_off = rd32(buf + eocd + 16);
    if ((entries == 0xFFFF || cd_off == 0xFFFFFFFFu) && eocd >= 20 &&
        rd32(buf + eocd - 20) == ZIP64_LOCATOR) {
        uint64_t z64 = rd64(buf + eocd - 20 + 8);
        if (z64 + 56 > len || rd32(buf + z64) != ZIP64_END) {
            ort_fail(d, "%s: corrupt zip64 end record", path);
            goto out;
        }
        entries = rd64(buf + z64 + 32);
        cd_off = rd64(buf + z64 + 48);
    }
    if (entries > 100000) {
        ort_fail(d, "%s: corrupt archive (%llu entries)", path, (unsigned long long)entries);
        goto out;
    }
    out->arrays = calloc(entries ? entries : 1, sizeof *out->arrays);
    if (!out->arrays) {
        ort_fail(d, "%s: out of memory", path);
        goto out;
    }
    uint64_t at = cd_off;
    for (uint64_t e = 0; e < entries; e++) {
        if (at + 46 > len || rd32(buf + at) != ZIP_CENTRAL) {
            ort_fail(d, "%s: corrupt central directory (entry %llu)", path, (unsigned long long)e);
            goto out;
        }
        const unsigned char *c = buf + at;
        unsigned method = rd16(c + 10);
        uint32_t crc = rd32(c + 16);
        uint64_t csize = rd32(c + 20), usize = rd32(c + 24), loc = rd32(c + 42);
        size_t nlen = rd16(c + 28), xlen = rd16(c + 30), clen = rd16(c + 32);
        if (at + 46 + nlen + xlen + clen > len) {
            ort_fail(d, "%s: corrupt central directory (entry %llu)", path, (unsigned long long)e);
            goto out;
        }
        /* zip64 extra field: the 64-bit values of the fields that are 0xFFFFFFFF. */
        for (size_t x = 0; x + 4 <= xlen;) {
            const unsigned char *f = c + 46 + nlen + x;
            size_t fl = rd16(f + 2);
            if (rd16(f) == 1) {
                const unsigned char *v = f + 4, *vend = f + 4 + fl;
                if (usize == 0xFFFFFFFFu && v + 8 <= vend) { usize = rd64(v); v += 8; }
                if (csize == 0xFFFFFFFFu && v + 8 <= vend) { csize = rd64(v); v += 8; }
                if (loc == 0xFFFFFFFFu && v + 8 <= vend) { loc = rd64(v); }
            }
            x += 4 + fl;
        }
        char name[256];
        size_t keep = nlen < sizeof name - 1 ? nlen : sizeof name - 1;
        memcpy(name, c + 46, keep);
        name[keep] = 0;
        at += 46 + nlen + xlen + clen;

        char where[600];
        snprintf(where, sizeof where, "%s: entry '%s'", path, name);
        if (loc + 30 > len || rd32(buf + loc) != ZIP_LOCAL) {
            ort_fail(d, "%s: bad local header offset", where);
            goto out;
        }
        uint64_t data = loc + 30 + rd16(buf + loc + 26) + rd16(buf + loc + 28);
        if (data + csize > len || usize > (1u << 31)) {
            ort_fail(d, "%s: data runs past the end of the file (truncated archive?)", where);
            goto out;
        }
        free(entry);
        entry = malloc(usize ? usize : 1);
        if (!entry) {
            ort_fail(d, "%s: out of memory", where);
            goto out;
        }
        if (method == 0) {
            if (csize != usize) {
                ort_fail(d, "%s: stored entry with different sizes", where);
                goto out;
            }
            memcpy(entry, buf + data, usize);
        } else if (method == 8) {
            if (inflate_raw(buf + data, csize, entry, usize)) {
                ort_fail(d, "%s: corrupt deflate data", where);
                goto out;
            }
        } else {
            ort_fail(d, "%s: compression method %u is not supported (stored or deflate)", where, method);
            goto out;
        }
        if (crc32(0, entry, (uInt)usize) != crc) {
            ort_fail(d, "%s: CRC mismatch (corrupt archive)", where);
            goto out;
        }
        struct ort_array *a = &out->arrays[out->n];
        size_t nl = strlen(name);
        if (nl > 4 && strcmp(name + nl - 4, ".npy") == 0)
            name[nl - 4] = 0;
        snprintf(a->name, sizeof a->name, "%s", name);
        if (ort_npy_parse(entry, usize, a, where, d))
            goto out;
        out->n++;
    }
    out->source = malloc(strlen(path) + 1);
    if (out->source)
        strcpy(out->source, path);
    rc = 0;
out:
    free(entry);
    free(buf);
    if (rc)
        ort_npz_free(out);
    return rc;
}

const struct ort_array *ort_npz_find(const struct ort_npz *npz, const char *name)
{
    for (int i = 0; i < npz->n; i++)
        if (strcmp(npz->arrays[i].name, name) == 0)
            return &npz->arrays[i];
    return NULL;
}

static void wr16(unsigned char *p, unsigned v) { p[0] = (unsigned char)v; p[1] = (unsigned char)(v >> 8); }
static void wr32(unsigned char *p, uint32_t v) { wr16(p, v & 0xFFFF); wr16(p + 2, v >> 16); }

/* The .npy image of one array as '<i8'. */
static unsigned char *npy_image(const struct ort_array *a, size_t *len)
{
    char hdr[512];
    int n = snprintf(hdr, sizeof hdr, "{'descr': '<i8', 'fortran_order': False, 'shape': (");
    for (int i = 0; i < a->shape.rank; i++)
        n += snprintf(hdr + n, sizeof hdr - (size_t)n, "%lld,%s", (long long)a->shape.dim[i],
                      i + 1 < a->shape.rank ? " " : "");
    n += snprintf(hdr + n, sizeof hdr - (size_t)n, "), }");
    /* Pad with spaces so the data starts on a 64-byte boundary; end with \n. */
    size_t total_hdr = 10 + (size_t)n + 1;
    size_t pad = (64 - total_hdr % 64) % 64;
    size_t hlen = (size_t)n + pad + 1;
    int64_t count = ort_shape_count(&a->shape);
    *len = 10 + hlen + (size_t)count * 8;
    unsigned char *img = malloc(*len);
    if (!img)
        return NULL;
    memcpy(img, "\x93NUMPY\x01\x00", 8);
    wr16(img + 8, (unsigned)hlen);
    memcpy(img + 10, hdr, (size_t)n);
    memset(img + 10 + n, ' ', pad);
    img[10 + hlen - 1] = '\n';
    unsigned char *v = img + 10 + hlen;
    for (int64_t i = 0; i < count; i++, v += 8) {
        uint64_t x = (uint64_t)a->data[i];
        wr32(v, (uint32_t)x);
        wr32(v + 4, (uint32_t)(x >> 32));
    }
    return img;
}

int ort_npz_write(const char *path, const struct ort_npz *npz, struct ort_diag *d)
{
    /* Write to a temporary name and rename, so a failure never leaves a
     * half-written archive under the real name. */
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return ort_fail(d, "%s: cannot create: %s", tmp, strerror(errno));
    unsigned char *cd = NULL;
    size_t cd_len = 0;
    uint32_t off = 0;
    int rc = -1;
    for (int i = 0; i < npz->n; i++) {
        size_t len;
        unsigned char *img = npy_image(&npz->arrays[i], &len);
        char name[300];
        int nl = snprintf(name, sizeof name, "%s.npy", npz->arrays[i].name);
        if (!img || len > 0xFFFFFFF0u) {
            free(img);
            ort_fail(d, "%s: array '%s' too large for this writer", path, npz->arrays[i].name);
            goto out;
        }
        uint32_t crc = (uint32_t)crc32(0, img, (uInt)len);
        unsigned char lh[30] = {0};
        wr32(lh, ZIP_LOCAL);
        wr16(lh + 4, 20);
        wr16(lh + 12, 0x21); /* 1980-01-01, as numpy writes */
        wr32(lh + 14, crc);
        wr32(lh + 18, (uint32_t)len);
        wr32(lh + 22, (uint32_t)len);
        wr16(lh + 26, (unsigned)nl);
        bool ok = fwrite(lh, 1, 30, f) == 30 && fwrite(name, 1, (size_t)nl, f) == (size_t)nl &&
                  fwrite(img, 1, len, f) == len;
        free(img);
        if (!ok) {
            ort_fail(d, "%s: write error", tmp);
            goto out;
        }
        unsigned char *c = realloc(cd, cd_len + 46 + (size_t)nl);
        if (!c) {
            ort_fail(d, "%s: out of memory", path);
            goto out;
        }
        cd = c;
        unsigned char *e = cd + cd_len;
        memset(e, 0, 46);
        wr32(e, ZIP_CENTRAL);
        wr16(e + 4, 20);
        wr16(e + 6, 20);
        wr16(e + 14, 0x21);
        wr32(e + 16, crc);
        wr32(e + 20, (uint32_t)len);
        wr32(e + 24, (uint32_t)len);
        wr16(e + 28, (unsigned)nl);
        wr32(e + 42, off);
        memcpy(e + 46, name, (size_t)nl);
        cd_len += 46 + (size_t)nl;
        off += 30 + (uint32_t)nl + (uint32_t)len;
    }
    unsigned char end[22] = {0};
    wr32(end, ZIP_END);
    wr16(end + 8, (unsigned)npz->n);
    wr16(end + 10, (unsigned)npz->n);
    wr32(end + 12, (uint32_t)cd_len);
    wr32(end + 16, off);
    if ((cd_len && fwrite(cd, 1, cd_len, f) != cd_len) || fwrite(end, 1, 22, f) != 22) {
        ort_fail(d, "%s: write error", tmp);
        goto out;
    }
    rc = 0;
out:
    free(cd);
    if (fclose(f) && rc == 0)
        rc = ort_fail(d, "%s: write error", tmp);
    if (rc == 0 && rename(tmp, path))
        rc = ort_fail(d, "%s: cannot rename to %s: %s", tmp, path, strerror(errno));
    if (rc)
        remove(tmp);
    return rc;
}
