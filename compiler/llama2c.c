#include "llama2c.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The tensors are read straight into float arrays: the file is
 * little-endian IEEE float32, so the host must be too. */
#if !defined(__BYTE_ORDER__) || __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "llama2c.c reads little-endian float32 files into memory as is"
#endif

#define V1_HEADER_BYTES 256
#define V0_HEADER_BYTES (7 * 4)

static int32_t le32(const unsigned char *p)
{
    return (int32_t)((uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24);
}

int ort_llama_check_config(struct ort_llama_config *c, const char *path, struct ort_diag *d)
{
    const struct {
        const char *name;
        int value;
    } params[] = {
        {"dim", c->dim},         {"hidden_dim", c->hidden_dim}, {"n_layers", c->n_layers},
        {"n_heads", c->n_heads}, {"n_kv_heads", c->n_kv_heads}, {"seq_len", c->seq_len},
    };
    for (size_t i = 0; i < sizeof params / sizeof params[0]; i++)
        if (params[i].value <= 0)
            return ort_fail(d, "%s: %s = %d in the header must be positive (not a llama2.c checkpoint?)",
                            path, params[i].name, params[i].value);
    /* Legacy files say "classifier stored" with a negative vocabulary size;
     * INT_MIN has no positive counterpart. */
    if (c->vocab_size == 0 || c->vocab_size == INT_MIN || (c->version > 0 && c->vocab_size < 0))
        return ort_fail(d, "%s: vocab_size = %d in the header is not a vocabulary size", path,
                        c->vocab_size);
    if (c->version == 0) {
        c->shared_classifier = c->vocab_size > 0;
        if (c->vocab_size < 0)
            c->vocab_size = -c->vocab_size;
    }
    if (c->dim % c->n_heads)
        return ort_fail(d, "%s: dim %d is not a multiple of n_heads %d", path, c->dim, c->n_heads);
    if (c->n_kv_heads > c->n_heads || c->n_heads % c->n_kv_heads)
        return ort_fail(d, "%s: n_kv_heads %d does not divide n_heads %d (grouped-query attention)", path,
                        c->n_kv_heads, c->n_heads);
    c->head_size = c->dim / c->n_heads;
    /* RoPE rotates pairs (i, i+1) inside a head. */
    if (c->head_size % 2)
        return ort_fail(d, "%s: head size %d (dim %d / n_heads %d) is odd: RoPE needs pairs", path,
                        c->head_size, c->dim, c->n_heads);
    c->kv_dim = c->head_size * c->n_kv_heads;
    return 0;
}

/* One tensor of the file, in file order; dst NULL for data that is skipped. */
struct span {
    float **dst;
    uint64_t count;
};

static int mul_ok(uint64_t *out, uint64_t a, uint64_t b, uint64_t c)
{
    return !__builtin_mul_overflow(a, b, out) && !__builtin_mul_overflow(*out, c, out);
}

/* The file's tensors in order (at most 13) into s; returns how many, or -1
 * when a size overflows 64 bits. */
static int layout(struct ort_llama_model *m, struct span *s)
{
    const struct ort_llama_config *c = &m->cfg;
    uint64_t L = (uint64_t)c->n_layers, D = (uint64_t)c->dim, H = (uint64_t)c->hidden_dim,
             V = (uint64_t)c->vocab_size, KV = (uint64_t)c->kv_dim;
    uint64_t emb, norm, qo, kv, ffn, rope;
    if (!mul_ok(&emb, V, D, 1) || !mul_ok(&norm, L, D, 1) || !mul_ok(&qo, L, D, D) ||
        !mul_ok(&kv, L, KV, D) || !mul_ok(&ffn, L, H, D) ||
        !mul_ok(&rope, (uint64_t)c->seq_len, (uint64_t)c->head_size, 1))
        return -1;
    int n = 0;
#define SPAN(p, k) (s[n++] = (struct span){(p), (k)})
    if (c->version == 0) {
        SPAN(&m->tok_embedding, emb);
        SPAN(&m->rms_att, norm);
        SPAN(&m->wq, qo);
        SPAN(&m->wk, kv);
        SPAN(&m->wv, kv);
        SPAN(&m->wo, qo);
        SPAN(&m->rms_ffn, norm);
        SPAN(&m->w1, ffn);
        SPAN(&m->w2, ffn);
        SPAN(&m->w3, ffn);
        SPAN(&m->rms_final, D);
        SPAN(NULL, rope); /* freq_cis real and imaginary: seq_len*head_size/2 each */
    } else {
        SPAN(&m->rms_att, norm);
        SPAN(&m->rms_ffn, norm);
        SPAN(&m->rms_final, D);
        SPAN(&m->tok_embedding, emb);
        SPAN(&m->wq, qo);
        SPAN(&m->wk, kv);
        SPAN(&m->wv, kv);
        SPAN(&m->wo, qo);
        SPAN(&m->w1, ffn);
        SPAN(&m->w2, ffn);
        SPAN(&m->w3, ffn);
    }
    if (!c->shared_classifier)
        SPAN(&m->wcls, emb);
#undef SPAN
    return n;
}

/* Reads the header at the start of f (size bytes long) into m->cfg;
 * *header gets its length. */
static int read_header(FILE *f, uint64_t size, const char *path, struct ort_llama_model *m, int *header,
                       struct ort_diag *d)
{
    unsigned char h[V1_HEADER_BYTES];
    if (size < V0_HEADER_BYTES)
        return ort_fail(d, "%s: %llu bytes is too short for a llama2.c checkpoint header", path,
                        (unsigned long long)size);
    if (fread(h, 1, V0_HEADER_BYTES, f) != V0_HEADER_BYTES)
        return ort_fail(d, "%s: cannot read the header", path);
    struct ort_llama_config *c = &m->cfg;
    const unsigned char *p = h;
    if ((uint32_t)le32(h) == ORT_LLAMA_MAGIC) {
        if (size < V1_HEADER_BYTES)
            return ort_fail(d, "%s: truncated: %llu bytes, the versioned header alone is %d", path,
                            (unsigned long long)size, V1_HEADER_BYTES);
        if (fread(h + V0_HEADER_BYTES, 1, V1_HEADER_BYTES - V0_HEADER_BYTES, f) !=
            V1_HEADER_BYTES - V0_HEADER_BYTES)
            return ort_fail(d, "%s: cannot read the header", path);
        c->version = le32(h + 4);
        if (c->version == 2)
            return ort_fail(d, "%s: version 2 (int8 Q8_0 weights) is not supported: export the model "
                            "in version 1 (float32) or the legacy format", path);
        if (c->version != 1)
            return ort_fail(d, "%s: unknown llama2.c checkpoint version %d (1 is read)", path, c->version);
        if (h[36] > 1)
            return ort_fail(d, "%s: shared_classifier flag is %u, not 0 or 1", path, h[36]);
        c->shared_classifier = h[36];
        p = h + 8;
        *header = V1_HEADER_BYTES;
    } else {
        c->version = 0;
        *header = V0_HEADER_BYTES;
    }
    c->dim = le32(p);
    c->hidden_dim = le32(p + 4);
    c->n_layers = le32(p + 8);
    c->n_heads = le32(p + 12);
    c->n_kv_heads = le32(p + 16);
    c->vocab_size = le32(p + 20);
    c->seq_len = le32(p + 24);
    return ort_llama_check_config(c, path, d);
}

int ort_llama_load(const char *path, struct ort_llama_model *m, struct ort_diag *d)
{
    memset(m, 0, sizeof *m);
    FILE *f = fopen(path, "rb");
    if (!f)
        return ort_fail(d, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return ort_fail(d, "%s: not a regular file", path);
    }
    uint64_t size = (uint64_t)st.st_size;
    int header = 0;
    if (read_header(f, size, path, m, &header, d) != 0)
        goto fail;

    struct span spans[13];
    int n = layout(m, spans);
    uint64_t floats = 0;
    for (int i = 0; i < n && n > 0; i++)
        if (__builtin_add_overflow(floats, spans[i].count, &floats))
            n = -1;
    uint64_t need;
    if (n < 0 || __builtin_mul_overflow(floats, 4, &need) || __builtin_add_overflow(need, header, &need)) {
        ort_fail(d, "%s: the header's sizes overflow (dim %d, hidden_dim %d, n_layers %d, vocab_size %d)",
                 path, m->cfg.dim, m->cfg.hidden_dim, m->cfg.n_layers, m->cfg.vocab_size);
        goto fail;
    }
    if (need != size) {
        ort_fail(d, "%s: %s: the header (version %d: dim %d, hidden_dim %d, n_layers %d, n_heads %d, "
                 "n_kv_heads %d, vocab_size %d, seq_len %d, %s classifier) describes %llu bytes, "
                 "the file has %llu",
                 path, need > size ? "truncated" : "bytes after the last tensor", m->cfg.version, m->cfg.dim,
                 m->cfg.hidden_dim, m->cfg.n_layers, m->cfg.n_heads, m->cfg.n_kv_heads, m->cfg.vocab_size,
                 m->cfg.seq_len, m->cfg.shared_classifier ? "shared" : "separate", (unsigned long long)need,
                 (unsigned long long)size);
        goto fail;
    }
    if (floats > SIZE_MAX / sizeof(float) || !(m->data = malloc((size_t)floats * sizeof(float)))) {
        ort_fail(d, "%s: out of memory for %llu weights", path, (unsigned long long)floats);
        goto fail;
    }
    if (fread(m->data, sizeof(float), (size_t)floats, f) != (size_t)floats) {
        ort_fail(d, "%s: read error (the file changed while being read?)", path);
        goto fail;
    }
    float *p = m->data;
    for (int i = 0; i < n; i++) {
        if (spans[i].dst)
            *spans[i].dst = p;
        p += spans[i].count;
    }
    if (m->cfg.shared_classifier)
        m->wcls = m->tok_embedding;
    fclose(f);
    return 0;
fail:
    fclose(f);
    ort_llama_free(m);
    return -1;
}

void ort_llama_free(struct ort_llama_model *m)
{
    free(m->data);
    memset(m, 0, sizeof *m);
}

/* ---- tokenizer ------------------------------------------------------------ */

int ort_llama_tokenizer_load(const char *path, int vocab_size, struct ort_llama_tokenizer *t,
                             struct ort_diag *d)
{
    memset(t, 0, sizeof *t);
    if (vocab_size <= 0)
        return ort_fail(d, "%s: a tokenizer needs the model's vocabulary size (got %d)", path, vocab_size);
    size_t len;
    unsigned char *buf = ort_read_file(path, &len, d);
    if (!buf)
        return -1;
    t->vocab_size = vocab_size;
    t->scores = calloc((size_t)vocab_size, sizeof *t->scores);
    t->pieces = calloc((size_t)vocab_size, sizeof *t->pieces);
    if (!t->scores || !t->pieces) {
        ort_fail(d, "%s: out of memory", path);
        goto fail;
    }
    for (int b = 0; b < 256; b++)
        t->bytes[b][0] = (char)b; /* [1] stays 0: a one-byte string */
    if (len < 4) {
        ort_fail(d, "%s: truncated: no max_token_length", path);
        goto fail;
    }
    t->max_token_length = le32(buf);
    if (t->max_token_length <= 0) {
        ort_fail(d, "%s: max_token_length %d must be positive (not a llama2.c tokenizer?)", path,
                 t->max_token_length);
        goto fail;
    }
    size_t at = 4;
    for (int i = 0; i < vocab_size; i++) {
        if (len - at < 8) {
            ort_fail(d, "%s: truncated at token %d of %d (offset %zu): the model's vocabulary is larger "
                     "than this tokenizer's?", path, i, vocab_size, at);
            goto fail;
        }
        memcpy(&t->scores[i], buf + at, 4);
        int32_t n = le32(buf + at + 4);
        at += 8;
        /* Pieces are never longer than the file says: llama2.c's encoder
         * sizes its buffers by max_token_length. */
        if (n < 0 || n > t->max_token_length) {
            ort_fail(d, "%s: token %d has length %d (max_token_length %d) at offset %zu", path, i, (int)n,
                     t->max_token_length, at - 4);
            goto fail;
        }
        if (len - at < (size_t)n) {
            ort_fail(d, "%s: truncated in token %d of %d (%d bytes at offset %zu)", path, i, vocab_size,
                     (int)n, at);
            goto fail;
        }
        if (!(t->pieces[i] = malloc((size_t)n + 1))) {
            ort_fail(d, "%s: out of memory", path);
            goto fail;
        }
        memcpy(t->pieces[i], buf + at, (size_t)n);
        t->pieces[i][n] = 0;
        at += (size_t)n;
    }
    if (at != len) {
        ort_fail(d, "%s: %zu bytes after token %d: the tokenizer has more pieces than the model's %d "
                 "(not this model's tokenizer?)", path, len - at, vocab_size - 1, vocab_size);
        goto fail;
    }
    free(buf);
    return 0;
fail:
    free(buf);
    ort_llama_tokenizer_free(t);
    return -1;
}

void ort_llama_tokenizer_free(struct ort_llama_tokenizer *t)
{
    if (t->pieces)
        for (int i = 0; i < t->vocab_size; i++)
            free(t->pieces[i]);
    free(t->pieces);
    free(t->scores);
    memset(t, 0, sizeof *t);
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

const char *ort_llama_decode(const struct ort_llama_tokenizer *t, int prev, int token)
{
    if (token < 0 || token >= t->vocab_size)
        return NULL;
    const char *piece = t->pieces[token];
    /* sentencepiece drops the leading space of the first word after BOS */
    if (prev == ORT_LLAMA_BOS && piece[0] == ' ')
        piece++;
    /* byte-fallback pieces "<0xHH>" stand for the raw byte */
    if (strncmp(piece, "<0x", 3) == 0 && hex_digit(piece[3]) >= 0 && hex_digit(piece[4]) >= 0 &&
        piece[5] == '>' && piece[6] == 0)
        return t->bytes[hex_digit(piece[3]) * 16 + hex_digit(piece[4])];
    return piece;
}

int ort_llama_piece_printable(const char *piece)
{
    if (!piece || !piece[0])
        return 0;
    if (piece[1] == 0) {
        unsigned char c = (unsigned char)piece[0];
        /* isprint/isspace in the C locale, as run.c sees them */
        return (c >= 0x20 && c < 0x7f) || c == ' ' || (c >= '\t' && c <= '\r');
    }
    return 1;
}
