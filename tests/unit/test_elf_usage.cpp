// A program's static memory use from its ELF (sim/elf_loader.h): the
// segments in each memory and the stacks firmware/rt/sections.ld reserves,
// on a firmware test program of the build.
#include <gtest/gtest.h>

#include <string>

#include "elf_loader.h"
#include "platform_map.h"

TEST(ElfUsage, SegmentsPerMemoryAndTheReservedStacks)
{
    const std::string path = std::string(ORTIGIA_FW_DIR) + "/tests/hello.elf";
    ort_elf_image img{};
    char err[256];
    ASSERT_TRUE(ort_elf_load(path.c_str(), &img, err, sizeof err)) << err;
    // sections.ld's defaults: 15 worker stacks and core 0's below them,
    // 2 KiB each, at the top of L1; main's 64 KiB at the top of L2
    EXPECT_EQ(ort_elf_l1_stack_bytes(&img), 16u * 2048u);
    EXPECT_EQ(ort_elf_l2_stack_bytes(&img), 65536u);
    // every loadable segment counted in exactly one memory
    uint64_t total = 0;
    for (size_t k = 0; k < img.segment_count; k++)
        total += img.segments[k].mem_size;
    uint64_t l1 = ort_elf_bytes_in(&img, ORT_L1_BASE, 1u << 20), l2 = ort_elf_bytes_in(&img, ORT_L2_BASE, 2u << 20),
             wmem = ort_elf_bytes_in(&img, ORT_WMEM_BASE, 4u << 20);
    EXPECT_GT(l2, 1000u); // the code
    EXPECT_EQ(l1 + l2 + wmem, total);
    EXPECT_EQ(ort_elf_bytes_in(&img, ORT_L2_BASE + (2u << 20), 1u << 20), 0u);
    ort_elf_free(&img);
}

TEST(ElfUsage, NoStacksWithoutTheLinkScriptsSymbols)
{
    ort_elf_image img{};
    EXPECT_EQ(ort_elf_l1_stack_bytes(&img), 0u);
    EXPECT_EQ(ort_elf_l2_stack_bytes(&img), 0u);
}
