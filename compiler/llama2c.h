/*
 * llama2.c checkpoints and tokenizers (Karpathy's llama2.c, export.py):
 * the float32 Llama models `ortigia llm` runs, read whole into host memory.
 *
 * Checkpoint (.bin), little-endian, two header forms:
 *   legacy (version 0): 7 int32 (dim, hidden_dim, n_layers, n_heads,
 *     n_kv_heads, vocab_size, seq_len); a negative vocab_size means the
 *     classifier is stored (not shared with the token embedding). Then
 *     float32: token embedding [vocab][dim], rms_att [L][dim], wq [L][dim][dim],
 *     wk [L][kv_dim][dim], wv [L][kv_dim][dim], wo [L][dim][dim],
 *     rms_ffn [L][dim], w1 [L][hidden][dim], w2 [L][dim][hidden],
 *     w3 [L][hidden][dim], rms_final [dim], two RoPE tables of
 *     seq_len*head_size/2 floats (skipped: the model recomputes them), then
 *     the classifier [vocab][dim] when not shared.
 *   version 1: a 256-byte header: uint32 magic 0x616b3432 ("ak42"), int32
 *     version, the same 7 int32, uint8 shared_classifier, zeros. Then
 *     float32: rms_att, rms_ffn, rms_final, token embedding, wq, wk, wv, wo,
 *     w1, w2, w3, then the classifier when not shared. (Version 2, int8
 *     Q8_0, is refused.)
 * Every size is checked against the file's size before anything is read;
 * a file whose size differs from what its header describes is refused.
 *
 * Tokenizer (tokenizer.bin): int32 max_token_length, then per token of the
 * model's vocabulary: float score, int32 length, that many bytes.
 */
#ifndef ORTIGIA_COMPILER_LLAMA2C_H
#define ORTIGIA_COMPILER_LLAMA2C_H

#include "diag.h"

#ifdef __cplusplus
extern "C" {
#endif

#define ORT_LLAMA_MAGIC 0x616b3432u /* "ak42" read as a little-endian uint32 */
#define ORT_LLAMA_BOS 1             /* begins (and, produced, ends) a sequence */

struct ort_llama_config {
    int dim;        /* model width */
    int hidden_dim; /* FFN width */
    int n_layers;
    int n_heads;    /* query heads */
    int n_kv_heads; /* key/value heads (grouped-query attention: divides n_heads) */
    int vocab_size; /* always positive here (the legacy sign is in shared_classifier) */
    int seq_len;    /* longest sequence (KV cache length) */
    int shared_classifier; /* 1: the classifier is the token embedding */
    int version;           /* 0 (legacy header) or 1 */
    /* derived */
    int head_size; /* dim / n_heads */
    int kv_dim;    /* head_size * n_kv_heads */
};

/* Weights as run.c indexes them: matrices row-major [out][in], layers
 * stacked ([L][...]). */
struct ort_llama_model {
    struct ort_llama_config cfg;
    float *tok_embedding; /* [vocab][dim] */
    float *rms_att;       /* [L][dim] */
    float *rms_ffn;       /* [L][dim] */
    float *rms_final;     /* [dim] */
    float *wq;            /* [L][dim][dim] */
    float *wk;            /* [L][kv_dim][dim] */
    float *wv;            /* [L][kv_dim][dim] */
    float *wo;            /* [L][dim][dim] */
    float *w1;            /* [L][hidden][dim] */
    float *w2;            /* [L][dim][hidden] */
    float *w3;            /* [L][hidden][dim] */
    float *wcls;          /* [vocab][dim]; == tok_embedding when shared */
    float *data;          /* owns every array above */
};

/* Reads the checkpoint at `path` into *m. On error fills d (naming the
 * file and what is wrong), leaves *m empty and returns -1. */
int ort_llama_load(const char *path, struct ort_llama_model *m, struct ort_diag *d);
void ort_llama_free(struct ort_llama_model *m);

/* Checks a header's numbers (as read; for version 0 vocab_size may be
 * negative). Returns 0, or -1 with d naming `path` and the problem.
 * Fills the derived fields of *c. Public for the tests. */
int ort_llama_check_config(struct ort_llama_config *c, const char *path, struct ort_diag *d);

struct ort_llama_tokenizer {
    int vocab_size;
    int max_token_length;
    float *scores;  /* [vocab_size] (BPE merge priority; unused by decoding) */
    char **pieces;  /* [vocab_size] NUL-terminated */
    char bytes[256][2]; /* the one-byte strings <0xHH> pieces decode to */
};

/* Reads `path` for a model of `vocab_size` tokens: the file must hold
 * exactly that many pieces. On error fills d and returns -1. */
int ort_llama_tokenizer_load(const char *path, int vocab_size, struct ort_llama_tokenizer *t,
                             struct ort_diag *d);
void ort_llama_tokenizer_free(struct ort_llama_tokenizer *t);

/* The text of `token` following `prev`, as llama2.c prints it: the leading
 * space of a piece that follows BOS is dropped (sentencepiece does so), and
 * a raw-byte piece "<0xHH>" is that byte. NULL if token is out of range.
 * The string lives as long as the tokenizer. */
const char *ort_llama_decode(const struct ort_llama_tokenizer *t, int prev, int token);

/* 1 if run.c would print this decoded piece: not empty, and a single byte
 * only when printable or white space (raw bytes can be control codes). */
int ort_llama_piece_printable(const char *piece);

#ifdef __cplusplus
}
#endif

#endif
