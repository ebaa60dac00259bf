/*
 * ELF loading for RV32 programs (libelf): loadable segments, entry point and
 * the symbol table. Everything is validated: class, byte order, machine,
 * type, and that every segment's bytes lie inside the file.
 */
#ifndef ORTIGIA_ELF_LOADER_H
#define ORTIGIA_ELF_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ort_elf_segment {
    uint32_t addr;        /* physical load address */
    uint32_t file_size;   /* bytes taken from the file */
    uint32_t mem_size;    /* bytes in memory (the rest is zero) */
    const uint8_t *data;  /* file_size bytes, inside the image's file buffer */
};

struct ort_elf_symbol {
    char *name;
    uint32_t value, size;
    bool is_func;
};

struct ort_elf_image {
    uint32_t entry;
    struct ort_elf_segment *segments;
    size_t segment_count;
    struct ort_elf_symbol *symbols; /* sorted by value */
    size_t symbol_count;
    uint8_t *file;
    size_t file_size;
};

/* False with a message naming the file and the problem. */
bool ort_elf_load(const char *path, struct ort_elf_image *img, char *err, size_t errlen);
void ort_elf_free(struct ort_elf_image *img);

bool ort_elf_find_symbol(const struct ort_elf_image *img, const char *name, uint32_t *value);

/* The bytes of the segments that start in [base, base + size): a program's
 * code and data in one memory (zeroed data included). */
uint64_t ort_elf_bytes_in(const struct ort_elf_image *img, uint32_t base, uint32_t size);

/* The stacks the link reserves (firmware/rt/sections.ld): in L1, the
 * cores' stacks below __l1_stack_top; in L2, main's __stack_size. 0 for a
 * program linked without those symbols. */
uint64_t ort_elf_l1_stack_bytes(const struct ort_elf_image *img);
uint64_t ort_elf_l2_stack_bytes(const struct ort_elf_image *img);

#ifdef __cplusplus
}
#endif

#endif
