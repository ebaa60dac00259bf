/*
 * Differential test: string handling. picolibc's string functions, a
 * hand-written tokenizer, reversal and palindromes, a word-frequency count
 * over a built-in text, snprintf formatting and byte accesses at every
 * alignment (byte and halfword loads/stores, sign extension).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char text[] =
    "It was the best of times, it was the worst of times, it was the age of wisdom, "
    "it was the age of foolishness, it was the epoch of belief, it was the epoch of "
    "incredulity, it was the season of Light, it was the season of Darkness, it was "
    "the spring of hope, it was the winter of despair, we had everything before us, "
    "we had nothing before us, we were all going direct to Heaven, we were all going "
    "direct the other way -- in short, the period was so far like the present period, "
    "that some of its noisiest authorities insisted on its being received, for good or "
    "for evil, in the superlative degree of comparison only.";

static uint32_t fnv(const void *p, size_t n)
{
    const unsigned char *b = p;
    uint32_t h = 0x811c9dc5u;
    for (size_t i = 0; i < n; i++) {
        h ^= b[i];
        h *= 0x01000193u;
    }
    return h;
}

/* Hides a string's contents from the compiler, whose truncation warnings
 * would otherwise reject the deliberate truncations below. */
static const char *opaque(const char *s)
{
    __asm__("" : "+r"(s));
    return s;
}

static int sign(int v) { return (v > 0) - (v < 0); }

static void test_basic(void)
{
    printf("== basic\n");
    char buf[128];
    printf("strlen(text)=%u\n", (unsigned)strlen(text));
    strcpy(buf, "Hello");
    strcat(buf, ", ");
    strcat(buf, "world");
    strncat(buf, opaque("!!!???"), 3);
    printf("built: '%s' len=%u\n", buf, (unsigned)strlen(buf));

    static const char *const words[] = {"apple", "apples", "apple", "Apple", "banana",
                                        "", "b", "appla", "zz", "a"};
    for (unsigned i = 0; i + 1 < sizeof words / sizeof words[0]; i++)
        printf("cmp('%s','%s')=%d ncmp3=%d\n", words[i], words[i + 1],
               sign(strcmp(words[i], words[i + 1])), sign(strncmp(words[i], words[i + 1], 3)));

    const char *p = strstr(text, "season");
    printf("strstr season at %d, next word '%.6s'\n", (int)(p - text), p);
    p = strstr(p + 1, "season");
    printf("second season at %d\n", (int)(p - text));
    printf("strstr missing: %s\n", strstr(text, "seasons") ? "found" : "null");
    printf("strchr 'L' at %d, strrchr 'e' at %d\n", (int)(strchr(text, 'L') - text),
           (int)(strrchr(text, 'e') - text));
    printf("strchr NUL at %d\n", (int)(strchr(text, '\0') - text));
    printf("strspn digits of \"12345abc\"=%u strcspn \",\" of text=%u\n",
           (unsigned)strspn("12345abc", "0123456789"), (unsigned)strcspn(text, ","));
    printf("memchr 'z'=%s memcmp=%d\n", memchr(text, 'z', sizeof text) ? "found" : "null",
           sign(memcmp("abcX", "abcY", 4)));

    memset(buf, 'x', sizeof buf);
    strncpy(buf, "short", 10);
    printf("strncpy pads: %d %d %d\n", buf[5], buf[9], buf[10]);
}

/* memmove with every overlap direction and offset, checked against a
 * byte-by-byte model. */
static void test_memmove(void)
{
    printf("== memmove\n");
    static uint8_t a[96], model[96];
    unsigned bad = 0;
    uint32_t h = 0;
    for (int src = 0; src < 24; src += 1) {
        for (int dst = 0; dst < 24; dst += 3) {
            for (int len = 0; len <= 60; len += 7) {
                for (int i = 0; i < 96; i++)
                    a[i] = model[i] = (uint8_t)(i * 7 + src);
                memmove(a + dst, a + src, (size_t)len);
                if (dst < src)
                    for (int i = 0; i < len; i++)
                        model[dst + i] = model[src + i];
                else
                    for (int i = len - 1; i >= 0; i--)
                        model[dst + i] = model[src + i];
                if (memcmp(a, model, sizeof a) != 0)
                    bad++;
                h = h * 33u ^ fnv(a, sizeof a);
            }
        }
    }
    printf("memmove sweep: hash=%08x bad=%u\n", (unsigned)h, bad);

    char s[32] = "0123456789abcdefghij";
    memmove(s + 4, s, 10);
    printf("overlap right: %s\n", s);
    memmove(s, s + 5, 12);
    printf("overlap left:  %s\n", s);
    memcpy(s, "ABCDEFGH", 8);
    printf("memcpy: %s\n", s);
}

/* A tokenizer: identifiers, numbers (decimal and hex), strings in double
 * quotes with \-escapes, operators of one or two characters. */
enum tok { T_IDENT, T_NUMBER, T_STRING, T_OP, T_END, T_ERROR };
static const char *const tok_names[] = {"IDENT", "NUMBER", "STRING", "OP", "END", "ERROR"};

struct token {
    enum tok kind;
    char text[32];
    uint32_t value;
};

static int is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int hex_value(char c)
{
    if (is_digit(c))
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static const char *next_token(const char *s, struct token *t)
{
    while (*s == ' ' || *s == '\t' || *s == '\n')
        s++;
    size_t n = 0;
    t->value = 0;
    t->text[0] = '\0';
    if (*s == '\0') {
        t->kind = T_END;
        return s;
    }
    if (is_alpha(*s)) {
        t->kind = T_IDENT;
        while ((is_alpha(*s) || is_digit(*s)) && n < sizeof t->text - 1)
            t->text[n++] = *s++;
    } else if (is_digit(*s)) {
        t->kind = T_NUMBER;
        if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
            t->text[n++] = *s++;
            t->text[n++] = *s++;
            while (hex_value(*s) >= 0 && n < sizeof t->text - 1) {
                t->value = t->value * 16u + (uint32_t)hex_value(*s);
                t->text[n++] = *s++;
            }
        } else {
            while (is_digit(*s) && n < sizeof t->text - 1) {
                t->value = t->value * 10u + (uint32_t)(*s - '0');
                t->text[n++] = *s++;
            }
        }
    } else if (*s == '"') {
        t->kind = T_STRING;
        s++;
        while (*s != '"') {
            if (*s == '\0') {
                t->kind = T_ERROR;
                break;
            }
            char c = *s++;
            if (c == '\\') {
                c = *s++;
                c = c == 'n' ? '\n' : c == 't' ? '\t' : c;
            }
            if (n < sizeof t->text - 1)
                t->text[n++] = c;
        }
        if (*s == '"')
            s++;
    } else {
        static const char *const two[] = {"==", "!=", "<=", ">=", "&&", "||", "<<", ">>", "->"};
        t->kind = T_OP;
        for (unsigned i = 0; i < sizeof two / sizeof two[0]; i++)
            if (s[0] == two[i][0] && s[1] == two[i][1]) {
                t->text[n++] = *s++;
                break;
            }
        t->text[n++] = *s++;
    }
    t->text[n] = '\0';
    return s;
}

static void test_tokenizer(void)
{
    printf("== tokenizer\n");
    static const char *const src[] = {
        "x = 0x1F + y_2 * (365 >> 2);",
        "if (a <= b && c != 0) return \"tab\\there\";",
        "p->next = q; s = \"unterminated",
    };
    for (unsigned i = 0; i < sizeof src / sizeof src[0]; i++) {
        printf("source %u: %s\n", i, src[i]);
        const char *s = src[i];
        struct token t;
        unsigned count = 0;
        do {
            s = next_token(s, &t);
            if (t.kind == T_NUMBER)
                printf("  %-6s %-8s = %u\n", tok_names[t.kind], t.text, (unsigned)t.value);
            else if (t.kind == T_STRING) {
                /* Show escapes again so the line stays one line. */
                char shown[64];
                size_t k = 0;
                for (const char *c = t.text; *c && k < sizeof shown - 3; c++) {
                    if (*c == '\t') {
                        shown[k++] = '\\';
                        shown[k++] = 't';
                    } else
                        shown[k++] = *c;
                }
                shown[k] = '\0';
                printf("  %-6s \"%s\" (%u chars)\n", tok_names[t.kind], shown,
                       (unsigned)strlen(t.text));
            } else if (t.kind == T_END)
                printf("  %s\n", tok_names[t.kind]);
            else
                printf("  %-6s %s\n", tok_names[t.kind], t.text);
            count++;
        } while (t.kind != T_END && t.kind != T_ERROR);
        printf("  %u tokens\n", count);
    }

    /* strtok and strtol from the library as well. */
    char line[] = "  10, -20,0x30 ,  +40,077,junk";
    long total = 0;
    for (char *tok = strtok(line, ","); tok; tok = strtok(NULL, ",")) {
        char *end;
        long v = strtol(tok, &end, 0);
        total += v;
        printf("  strtol('%s') = %ld, rest '%s'\n", tok, v, end);
    }
    printf("  total %ld, atoi=%d, strtoul=%lu\n", total, atoi("-1234xyz"),
           strtoul("4294967295", NULL, 10));
}

static void reverse(char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n / 2; i++) {
        char t = s[i];
        s[i] = s[n - 1 - i];
        s[n - 1 - i] = t;
    }
}

static char lower(char c) { return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c; }

/* Palindrome ignoring case and anything that is not a letter or digit. */
static int is_palindrome(const char *s)
{
    size_t i = 0, j = strlen(s);
    while (i < j) {
        char a = lower(s[i]), b = lower(s[j - 1]);
        if (!is_alpha(a) && !is_digit(a)) {
            i++;
            continue;
        }
        if (!is_alpha(b) && !is_digit(b)) {
            j--;
            continue;
        }
        if (a != b)
            return 0;
        i++;
        j--;
    }
    return 1;
}

static void test_reverse(void)
{
    printf("== reverse and palindromes\n");
    static const char *const samples[] = {
        "A man, a plan, a canal: Panama", "racecar", "Was it a car or a cat I saw?", "Ortigia",
        "No 'x' in Nixon", "", "ab", "12321", "step on no pets", "palindrome",
    };
    for (unsigned i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        char buf[64];
        snprintf(buf, sizeof buf, "%s", samples[i]);
        reverse(buf);
        printf("'%s' -> '%s' palindrome=%d\n", samples[i], buf, is_palindrome(samples[i]));
    }
    /* Longest palindromic substring of the text (expand around centres). */
    size_t n = strlen(text), best_at = 0, best_len = 0;
    for (size_t c = 0; c < 2 * n - 1; c++) {
        long l = (long)(c / 2), r = l + (long)(c % 2);
        while (l >= 0 && (size_t)r < n && text[l] == text[r]) {
            l--;
            r++;
        }
        size_t len = (size_t)(r - l - 1);
        if (len > best_len) {
            best_len = len;
            best_at = (size_t)(l + 1);
        }
    }
    printf("longest palindromic substring: '%.*s' at %u\n", (int)best_len, text + best_at,
           (unsigned)best_at);
}

/* Word frequency: lower-cased words in a small open-addressing table. */
#define TABLE_SIZE 256
struct entry {
    char word[16];
    unsigned count;
    unsigned first;
};
static struct entry table[TABLE_SIZE];

static int cmp_entry(const void *pa, const void *pb)
{
    const struct entry *a = pa, *b = pb;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return strcmp(a->word, b->word);
}

static void test_words(void)
{
    printf("== word frequency\n");
    memset(table, 0, sizeof table);
    unsigned nwords = 0, distinct = 0, probes = 0;
    const char *s = text;
    while (*s) {
        while (*s && !is_alpha(*s))
            s++;
        if (!*s)
            break;
        char w[16];
        size_t n = 0;
        while (is_alpha(*s)) {
            if (n < sizeof w - 1)
                w[n++] = lower(*s);
            s++;
        }
        w[n] = '\0';
        uint32_t h = fnv(w, n) % TABLE_SIZE;
        while (table[h].count && strcmp(table[h].word, w) != 0) {
            h = (h + 1) % TABLE_SIZE;
            probes++;
        }
        if (!table[h].count) {
            strcpy(table[h].word, w);
            table[h].first = nwords;
            distinct++;
        }
        table[h].count++;
        nwords++;
    }
    printf("words=%u distinct=%u probes=%u\n", nwords, distinct, probes);
    qsort(table, TABLE_SIZE, sizeof table[0], cmp_entry);
    for (unsigned i = 0; i < 15 && table[i].count; i++)
        printf("%2u. %-12s %2u (first at word %u)\n", i + 1, table[i].word, table[i].count,
               table[i].first);
    unsigned once = 0;
    for (unsigned i = 0; i < distinct; i++)
        once += table[i].count == 1;
    printf("words used once: %u, rarest-last: %s\n", once, table[distinct - 1].word);
}

static void test_snprintf(void)
{
    printf("== snprintf\n");
    char buf[48];
    int n;
    n = snprintf(buf, sizeof buf, "[%5d|%-5d|%05d|%+d]", 42, -42, 42, 42);
    printf("%s n=%d\n", buf, n);
    n = snprintf(buf, sizeof buf, "[%x|%X|%#x|%o|%#o]", 0xbeefu, 0xbeefu, 255u, 8u, 8u);
    printf("%s n=%d\n", buf, n);
    n = snprintf(buf, sizeof buf, "[%c%c%c|%.3s|%8.2s|%-6s]", 'a', 'b', 'c', "truncate", "xyz",
                 "ab");
    printf("%s n=%d\n", buf, n);
    n = snprintf(buf, sizeof buf, "[%ld|%lu|%lx|%u]", -2147483647L - 1, 4294967295UL,
                 0xdeadbeefUL, 0u);
    printf("%s n=%d\n", buf, n);
    n = snprintf(buf, sizeof buf, "[%hd|%hhu|%%|%*d|%-*d]", (short)-3, (unsigned char)200, 6, 7,
                 4, 8);
    printf("%s n=%d\n", buf, n);
    /* Truncation: the return value is the length that would have been written. */
    char small[8];
    n = snprintf(small, sizeof small, "%s-%d", opaque("truncated"), 12345);
    printf("small='%s' n=%d\n", small, n);
    n = snprintf(NULL, 0, "%d%d%d", 111, 222, 333);
    printf("length only: %d\n", n);
    /* Build a table with repeated appends. */
    char line[200];
    size_t len = 0;
    for (int i = 1; i <= 12; i++)
        len += (size_t)snprintf(line + len, sizeof line - len, "%d*%d=%d ", i, i, i * i);
    printf("%s(%u)\n", line, (unsigned)len);
}

/* Byte, halfword and word accesses at all offsets of a buffer; multi-byte
 * values are assembled from bytes so nothing is misaligned. */
static void test_bytes(void)
{
    printf("== byte accesses\n");
    static uint8_t buf[64] __attribute__((aligned(4)));
    for (unsigned i = 0; i < sizeof buf; i++)
        buf[i] = (uint8_t)(0x80u + i * 13u);
    for (unsigned off = 0; off < 8; off++) {
        const uint8_t *p = buf + off;
        uint32_t le = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                      (uint32_t)p[3] << 24;
        uint32_t be = (uint32_t)p[3] | (uint32_t)p[2] << 8 | (uint32_t)p[1] << 16 |
                      (uint32_t)p[0] << 24;
        uint32_t via_memcpy;
        memcpy(&via_memcpy, p, 4);
        int8_t sb = (int8_t)p[0];
        int16_t sh = (int16_t)((uint16_t)p[0] | (uint16_t)(p[1] << 8));
        printf("off %u: le=%08x be=%08x memcpy=%08x sbyte=%d shalf=%d\n", off, (unsigned)le,
               (unsigned)be, (unsigned)via_memcpy, sb, sh);
    }
    /* Aligned halfword loads/stores, signed and unsigned. */
    volatile int16_t *hs = (volatile int16_t *)buf;
    volatile uint16_t *hu = (volatile uint16_t *)buf;
    printf("halves: %d %u %d %u\n", hs[0], hu[0], hs[3], hu[3]);
    hs[1] = -2;
    hu[2] = 0xabcd;
    volatile uint32_t *w = (volatile uint32_t *)buf;
    printf("after halfword stores: %08x %08x\n", (unsigned)w[0], (unsigned)w[1]);
    volatile uint8_t *b = buf;
    b[0] = 0x11;
    b[1] = 0x22;
    b[3] = 0x44;
    printf("after byte stores: %08x\n", (unsigned)w[0]);
    /* Copy with byte-granular source and destination offsets. */
    static uint8_t dst[80];
    uint32_t h = 0;
    for (unsigned so = 0; so < 4; so++)
        for (unsigned d = 0; d < 4; d++) {
            memset(dst, 0, sizeof dst);
            memcpy(dst + d, buf + so, 37);
            h = h * 31u + fnv(dst, sizeof dst);
        }
    printf("offset copies hash %08x\n", (unsigned)h);
}

int main(void)
{
    printf("diff_strings\n");
    test_basic();
    test_memmove();
    test_tokenizer();
    test_reverse();
    test_words();
    test_snprintf();
    test_bytes();
    printf("done\n");
    return 0;
}
