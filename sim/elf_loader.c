#include "elf_loader.h"

#include <errno.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool fail(char *err, size_t errlen, const char *path, const char *what)
{
    snprintf(err, errlen, "%s: %s", path, what);
    return false;
}

static uint8_t *read_file(const char *path, size_t *size, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    uint8_t *buf = NULL;
    size_t cap = 0, len = 0;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) {
                free(buf);
                fclose(f);
                snprintf(err, errlen, "%s: out of memory", path);
                return NULL;
            }
            buf = nb;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    bool bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        snprintf(err, errlen, "cannot read '%s'", path);
        return NULL;
    }
    *size = len;
    return buf;
}

static int compare_symbols(const void *a, const void *b)
{
    const struct ort_elf_symbol *x = a, *y = b;
    return x->value < y->value ? -1 : x->value > y->value;
}

static bool load_symbols(Elf *elf, struct ort_elf_image *img)
{
    Elf_Scn *scn = NULL;
    while ((scn = elf_nextscn(elf, scn)) != NULL) {
        GElf_Shdr sh;
        if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_SYMTAB || sh.sh_entsize == 0)
            continue;
        Elf_Data *data = elf_getdata(scn, NULL);
        if (!data)
            return false;
        size_t count = sh.sh_size / sh.sh_entsize;
        for (size_t i = 0; i < count; i++) {
            GElf_Sym sym;
            if (!gelf_getsym(data, (int)i, &sym))
                return false;
            int type = GELF_ST_TYPE(sym.st_info);
            if (sym.st_name == 0 || sym.st_shndx == SHN_UNDEF ||
                (type != STT_FUNC && type != STT_OBJECT && type != STT_NOTYPE))
                continue;
            const char *name = elf_strptr(elf, sh.sh_link, sym.st_name);
            if (!name || !*name)
                continue;
            struct ort_elf_symbol *ns =
                realloc(img->symbols, (img->symbol_count + 1) * sizeof *ns);
            if (!ns)
                return false;
            img->symbols = ns;
            struct ort_elf_symbol *s = &img->symbols[img->symbol_count];
            s->name = strdup(name);
            if (!s->name)
                return false;
            s->value = (uint32_t)sym.st_value;
            s->size = (uint32_t)sym.st_size;
            s->is_func = type == STT_FUNC;
            img->symbol_count++;
        }
    }
    if (img->symbol_count)
        qsort(img->symbols, img->symbol_count, sizeof *img->symbols, compare_symbols);
    return true;
}

bool ort_elf_load(const char *path, struct ort_elf_image *img, char *err, size_t errlen)
{
    memset(img, 0, sizeof *img);
    img->file = read_file(path, &img->file_size, err, errlen);
    if (!img->file)
        return false;
    if (elf_version(EV_CURRENT) == EV_NONE)
        return fail(err, errlen, path, "libelf is unusable");

    bool ok = false;
    char msg[160];
    Elf *elf = elf_memory((char *)img->file, img->file_size);
    GElf_Ehdr eh;
    size_t phnum = 0;
    if (!elf || elf_kind(elf) != ELF_K_ELF || img->file_size < 16 ||
        memcmp(img->file, ELFMAG, SELFMAG) != 0) {
        fail(err, errlen, path, "not an ELF file");
        goto out;
    }
    if (img->file[EI_CLASS] != ELFCLASS32) {
        fail(err, errlen, path, "not a 32-bit ELF (Ortigia runs RV32 programs)");
        goto out;
    }
    if (img->file[EI_DATA] != ELFDATA2LSB) {
        fail(err, errlen, path, "not a little-endian ELF");
        goto out;
    }
    if (!gelf_getehdr(elf, &eh)) {
        fail(err, errlen, path, "truncated or corrupt ELF header");
        goto out;
    }
    if (eh.e_machine != EM_RISCV) {
        snprintf(msg, sizeof msg, "ELF machine %u is not RISC-V (%u)", eh.e_machine, EM_RISCV);
        fail(err, errlen, path, msg);
        goto out;
    }
    if (eh.e_type != ET_EXEC) {
        fail(err, errlen, path, "not an executable ELF (type is not EXEC)");
        goto out;
    }
    if (elf_getphdrnum(elf, &phnum) != 0 || phnum == 0 ||
        eh.e_phoff + (uint64_t)phnum * eh.e_phentsize > img->file_size) {
        fail(err, errlen, path, "truncated or missing program header table");
        goto out;
    }
    img->segments = calloc(phnum, sizeof *img->segments);
    if (!img->segments) {
        fail(err, errlen, path, "out of memory");
        goto out;
    }
    for (size_t i = 0; i < phnum; i++) {
        GElf_Phdr ph;
        if (!gelf_getphdr(elf, (int)i, &ph)) {
            snprintf(msg, sizeof msg, "corrupt program header %zu", i);
            fail(err, errlen, path, msg);
            goto out;
        }
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
            continue;
        if (ph.p_offset + ph.p_filesz > img->file_size || ph.p_offset + ph.p_filesz < ph.p_offset) {
            snprintf(msg, sizeof msg, "segment %zu extends past the end of the file (truncated?)", i);
            fail(err, errlen, path, msg);
            goto out;
        }
        if (ph.p_filesz > ph.p_memsz || ph.p_paddr + ph.p_memsz > 0x100000000ull) {
            snprintf(msg, sizeof msg, "segment %zu has an invalid size or address", i);
            fail(err, errlen, path, msg);
            goto out;
        }
        struct ort_elf_segment *s = &img->segments[img->segment_count++];
        s->addr = (uint32_t)ph.p_paddr;
        s->file_size = (uint32_t)ph.p_filesz;
        s->mem_size = (uint32_t)ph.p_memsz;
        s->data = img->file + ph.p_offset;
    }
    if (img->segment_count == 0) {
        fail(err, errlen, path, "no loadable segment");
        goto out;
    }
    img->entry = (uint32_t)eh.e_entry;
    if (!load_symbols(elf, img)) {
        fail(err, errlen, path, "corrupt symbol table");
        goto out;
    }
    ok = true;
out:
    if (elf)
        elf_end(elf);
    if (!ok)
        ort_elf_free(img);
    return ok;
}

void ort_elf_free(struct ort_elf_image *img)
{
    for (size_t i = 0; i < img->symbol_count; i++)
        free(img->symbols[i].name);
    free(img->symbols);
    free(img->segments);
    free(img->file);
    memset(img, 0, sizeof *img);
}

bool ort_elf_find_symbol(const struct ort_elf_image *img, const char *name, uint32_t *value)
{
    for (size_t i = 0; i < img->symbol_count; i++) {
        if (strcmp(img->symbols[i].name, name) == 0) {
            *value = img->symbols[i].value;
            return true;
        }
    }
    return false;
}

uint64_t ort_elf_bytes_in(const struct ort_elf_image *img, uint32_t base, uint32_t size)
{
    uint64_t n = 0;
    for (size_t k = 0; k < img->segment_count; k++) {
        uint32_t a = img->segments[k].addr;
        if (a >= base && a - base < size)
            n += img->segments[k].mem_size;
    }
    return n;
}

uint64_t ort_elf_l1_stack_bytes(const struct ort_elf_image *img)
{
    uint32_t top, core0_top, size;
    if (!ort_elf_find_symbol(img, "__l1_stack_top", &top) ||
        !ort_elf_find_symbol(img, "__l1_stack_core0_top", &core0_top) ||
        !ort_elf_find_symbol(img, "__l1_stack_size", &size) || core0_top - size > top)
        return 0;
    return top - (core0_top - size); /* the workers' stacks and core 0's below them */
}

uint64_t ort_elf_l2_stack_bytes(const struct ort_elf_image *img)
{
    uint32_t size;
    return ort_elf_find_symbol(img, "__stack_size", &size) ? size : 0;
}
