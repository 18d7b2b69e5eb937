// The cutting of an indexed BCF panel into regions (stages/ingest/genome_regions.hpp): the
// regions tile every contig in file order, each holds records, and each holds about its share of
// the compressed bytes, also where a contig has a long gap without records (the planner then
// widens its index queries) and past a contig's last record.
#include <gtest/gtest.h>
#include <htslib/bgzf.h>
#include <htslib/hts.h>
#include <htslib/vcf.h>

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "stages/ingest/genome_regions.hpp"
#include "tests/ingest/genome_test_files.hpp"

namespace {

using sc::testing::vcf_record;
using sc::testing::vcf_text;

std::string temp(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / "sc_genome_regions_test";
  std::filesystem::create_directories(dir);
  return (dir / name).string();
}

// Contig 20: 6,000 sites 1 kb apart, a 5 Mb gap, 6,000 more; contig 21: 3,000 sites. Random
// genotypes, so that the BCF spans many BGZF blocks.
std::string write_indexed_panel() {
  std::mt19937 random(7);
  std::vector<std::string> samples;
  for (int s = 0; s < 60; ++s) samples.push_back(std::string(1, 'S') + std::to_string(s));  // (GCC 12 warns wrongly on "S" + ...)
  std::vector<std::string> records;
  auto add = [&](const std::string& chrom, long position) {
    std::vector<std::string> genotypes;
    for (size_t s = 0; s < samples.size(); ++s) genotypes.push_back(std::string(random() % 2 ? "1" : "0") + "|" + (random() % 2 ? "1" : "0"));
    records.push_back(vcf_record(chrom, position, ".", "A", "G", genotypes));
  };
  for (long i = 1; i <= 6000; ++i) add("20", i * 1000);
  for (long i = 1; i <= 6000; ++i) add("20", 11'000'000 + i * 1000);
  for (long i = 1; i <= 3000; ++i) add("21", i * 1000);
  const std::string vcf = temp("panel.vcf"), bcf = temp("panel.bcf");
  sc::testing::write_text(vcf, vcf_text(samples, records));
  sc::testing::write_bcf(vcf, bcf);
  if (bcf_index_build3(bcf.c_str(), nullptr, 14, 0) != 0) throw std::runtime_error("cannot index " + bcf);
  return bcf;
}

struct RegionContent {
  int64_t records = 0;
  int64_t first_block = -1;  // compressed offset of the block where the region's first record ends
};

// What htslib's own iterator finds in a region, counting only records whose POS lies in it.
RegionContent read_region(const std::string& bcf, const sc::PanelRegion& region) {
  htsFile* file = hts_open(bcf.c_str(), "r");
  bcf_hdr_t* header = bcf_hdr_read(file);
  hts_idx_t* index = bcf_index_load(bcf.c_str());
  hts_itr_t* itr = bcf_itr_queryi(index, region.rid, region.begin, region.end);
  bcf1_t* record = bcf_init();
  RegionContent content;
  for (;;) {
    if (bcf_itr_next(file, itr, record) < 0) break;
    if (record->pos < region.begin || record->pos >= region.end) continue;
    const int64_t block = static_cast<int64_t>(bgzf_tell(file->fp.bgzf) >> 16);  // where the record ends
    if (content.first_block < 0) content.first_block = block;
    ++content.records;
  }
  bcf_destroy(record);
  hts_itr_destroy(itr);
  hts_idx_destroy(index);
  bcf_hdr_destroy(header);
  hts_close(file);
  return content;
}

TEST(PanelRegions, TileEveryContigWithBalancedNonEmptyRegions) {
  const std::string bcf = write_indexed_panel();
  const int64_t bytes = static_cast<int64_t>(sc::testing::file_size(bcf));
  EXPECT_FALSE(sc::plan_panel_regions(bcf, 1, 1000)) << "one rank reads the stream";
  for (const int ranks : {2, 4}) {
    const auto plan = sc::plan_panel_regions(bcf, ranks, 1000);
    ASSERT_TRUE(plan) << ranks << " ranks";
    EXPECT_EQ(plan->records, 15000);
    // Fifteen windows of 1,000: four regions per rank, with contigs 20 and 21 cut apart.
    ASSERT_GE(plan->regions.size(), static_cast<size_t>(2 * ranks)) << ranks << " ranks";
    int64_t records = 0, previous_block = -1;
    for (size_t r = 0; r < plan->regions.size(); ++r) {
      const sc::PanelRegion& region = plan->regions[r];
      const bool contig_starts = r == 0 || plan->regions[r - 1].rid != region.rid;
      const bool contig_ends = r + 1 == plan->regions.size() || plan->regions[r + 1].rid != region.rid;
      const int64_t begin_wanted = contig_starts ? 0 : plan->regions[r - 1].end;
      EXPECT_EQ(region.begin, begin_wanted) << "region " << r;
      if (contig_ends) {
        EXPECT_EQ(region.end, HTS_POS_MAX) << "region " << r;
      }
      EXPECT_LT(region.begin, region.end) << "region " << r;
      const RegionContent content = read_region(bcf, region);
      EXPECT_GT(content.records, 0) << "region " << r << " at " << ranks << " ranks";
      EXPECT_GT(content.first_block, previous_block) << "region " << r << ": regions in file order";
      previous_block = content.first_block;
      records += content.records;
    }
    EXPECT_EQ(records, 15000) << ranks << " ranks";
    // About equal bytes: no region spans more than twice the mean share and a block.
    const int64_t share = bytes / static_cast<int64_t>(plan->regions.size());
    for (size_t r = 0; r + 1 < plan->regions.size(); ++r) {
      const int64_t span = read_region(bcf, plan->regions[r + 1]).first_block - read_region(bcf, plan->regions[r]).first_block;
      EXPECT_LE(span, 2 * share + (int64_t{1} << 16)) << "region " << r << " at " << ranks << " ranks";
    }
    // The gap on contig 20 (1 kb past the 6,000th site to 11 Mb) holds no cut that leaves a
    // region without records (checked above), and no cut lies past a contig's last record.
    for (const sc::PanelRegion& region : plan->regions) {
      if (region.end != HTS_POS_MAX) {
        EXPECT_LE(region.end, region.rid == 0 ? 17'000'000 : 3'000'000);
      }
    }
  }
}

}  // namespace
