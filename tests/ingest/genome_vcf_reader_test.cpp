// Reading phased panels: the same sites and bits from VCF, VCF.gz and BCF; every kind of bad site
// is an error naming the file, the line (VCF) or record (BCF), the column and what was expected,
// or is skipped and counted under its policy; truncated and empty files are errors; genotype
// values stay out of messages unless log.show_values is set.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "genome_test_files.hpp"
#include "pipeline/error.hpp"
#include "stages/ingest/bit_transpose.hpp"
#include "stages/ingest/genome_vcf_reader.hpp"

using sc::testing::vcf_record;
using sc::testing::vcf_text;

namespace {

const std::vector<std::string> kSamples = {"A", "B", "C"};

std::string temp(const std::string& name) { return ::testing::TempDir() + "/genome_vcf_reader_test_" + name; }

struct ReadResult {
  std::vector<sc::PhasedSite> sites;
  std::vector<std::vector<uint64_t>> rows;
  std::vector<std::string> contigs;
  std::map<std::string, int64_t> skipped;
  std::string error = "no error";
};

ReadResult read_all(const std::string& path, sc::SitePolicies policies = {}) {
  ReadResult result;
  try {
    sc::PhasedVcfReader reader(path, policies, 2);
    std::vector<uint64_t> row(static_cast<size_t>(sc::words_for_bits(reader.haplotypes())));
    sc::PhasedSite site;
    while (reader.next(site, row.data())) {
      result.sites.push_back(site);
      result.rows.push_back(row);
    }
    result.contigs = reader.contigs();
    result.skipped = reader.skipped();
  } catch (const sc::InputError& e) {
    result.error = e.what();
  }
  return result;
}

// The panel in its three forms; returns their paths.
std::vector<std::string> write_all_forms(const std::string& name, const std::string& text) {
  const std::string vcf = temp(name + ".vcf"), gz = temp(name + ".vcf.gz"), bcf = temp(name + ".bcf");
  sc::testing::write_text(vcf, text);
  sc::testing::write_bgzf(gz, text);
  sc::testing::write_bcf(vcf, bcf);
  return {vcf, gz, bcf};
}

}  // namespace

TEST(GenomeVcfReader, SameSitesAndBitsFromVcfBgzfAndBcf) {
  const std::string text = vcf_text(kSamples, {vcf_record("20", 100, "rs1", "A", "G", {"0|1", "1|0", "1|1"}),
                                               vcf_record("20", 100, ".", "AT", "A", {"0|0", "0|0", "0|1"}),
                                               vcf_record("20", 300, "rs3", "C", "T", {"1|1", "0|0", "1|0"}),
                                               vcf_record("21", 5, "rs4", "G", "C", {"0|0", "1|1", "0|0"})});
  for (const std::string& path : write_all_forms("good", text)) {
    const ReadResult r = read_all(path);
    ASSERT_EQ(r.error, "no error") << path;
    ASSERT_EQ(r.sites.size(), 4u) << path;
    EXPECT_EQ(r.contigs, (std::vector<std::string>{"20", "21"}));
    EXPECT_EQ(r.sites[0].position, 100);
    EXPECT_EQ(r.sites[0].id, "rs1");
    EXPECT_EQ(r.sites[1].id, ".");
    EXPECT_EQ(r.sites[1].ref, "AT");
    EXPECT_EQ(r.sites[1].alt, "A");
    EXPECT_EQ(r.sites[3].contig, 1);
    // Haplotype order: A hap0, A hap1, B hap0, ... with bit h = haplotype h, 1 = ALT.
    EXPECT_EQ(r.rows[0][0], 0b110110u) << path;
    EXPECT_EQ(r.rows[1][0], 0b100000u);
    EXPECT_EQ(r.rows[2][0], 0b010011u);
    EXPECT_EQ(r.rows[3][0], 0b001100u);
  }
}

TEST(GenomeVcfReader, BcfRecordsCutByBlocksGiveTheSameBitsPackedAtInflate) {
  // 150 samples over 3,000 sites: about 40 BGZF blocks, which cut records anywhere. Our own
  // inflate packs the records that lie whole in a block on the inflating thread (the block hook)
  // and the records a block boundary cuts on the decoder's; both must give the text VCF's sites
  // and bits, with the sites that fail a check (here unphased, under the skip policy) skipped and
  // counted alike.
  std::vector<std::string> samples;
  char name[16];
  for (int s = 0; s < 150; ++s) {
    std::snprintf(name, sizeof name, "S%d", s);
    samples.emplace_back(name);
  }
  std::vector<std::string> records;
  uint64_t state = 7;
  for (int site = 0; site < 3000; ++site) {
    std::vector<std::string> genotypes;
    for (int s = 0; s < 150; ++s) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      const bool unphased = site % 97 == 13 && s == static_cast<int>(state >> 60);
      std::string genotype(3, '|');
      genotype[0] = static_cast<char>('0' + ((state >> 40) & 1));
      genotype[2] = static_cast<char>('0' + ((state >> 50) & 1));
      if (unphased) genotype[1] = '/';
      genotypes.push_back(genotype);
    }
    std::snprintf(name, sizeof name, "s%d", site);
    records.push_back(vcf_record("20", 1000 + 10 * site, name, "A", "G", genotypes));
  }
  sc::SitePolicies skip_unphased;
  skip_unphased.skip_unphased = true;
  const std::vector<std::string> paths = write_all_forms("cut_by_blocks", vcf_text(samples, records));
  const ReadResult text = read_all(paths[0], skip_unphased), bcf = read_all(paths[2], skip_unphased);
  ASSERT_EQ(text.error, "no error");
  ASSERT_EQ(bcf.error, "no error");
  EXPECT_GT(text.skipped.at("unphased"), 10);
  EXPECT_EQ(bcf.skipped, text.skipped);
  ASSERT_EQ(bcf.sites.size(), text.sites.size());
  for (size_t i = 0; i < text.sites.size(); ++i) {
    ASSERT_EQ(bcf.sites[i].position, text.sites[i].position);
    ASSERT_EQ(bcf.rows[i], text.rows[i]) << "site " << text.sites[i].id;
  }
  // Most records lie whole in a block: their bits were packed at inflate.
  sc::PhasedVcfReader reader(paths[2], skip_unphased, 2);
  std::vector<uint64_t> row(static_cast<size_t>(sc::words_for_bits(reader.haplotypes())));
  sc::PhasedSite site;
  int64_t sites = 0;
  while (reader.next(site, row.data())) ++sites;
  EXPECT_GT(reader.sites_packed_at_inflate(), sites * 8 / 10);
  EXPECT_LT(reader.sites_packed_at_inflate(), sites);  // and some were cut by a block boundary
}

TEST(GenomeVcfReader, PacksWideRowsAcrossWords) {
  // 70 samples = 140 haplotypes: three words, the last one partly padding (which must stay zero).
  std::vector<std::string> samples, genotypes;
  for (int s = 0; s < 70; ++s) {
    samples.push_back(std::string(1, 'S') + std::to_string(s));
    genotypes.push_back(std::string(s % 3 == 0 ? "1" : "0") + "|" + (s % 5 == 0 ? "1" : "0"));
  }
  const std::string path = temp("wide.vcf.gz");
  sc::testing::write_bgzf(path, vcf_text(samples, {vcf_record("20", 1, ".", "A", "C", genotypes)}));
  const ReadResult r = read_all(path);
  ASSERT_EQ(r.error, "no error");
  ASSERT_EQ(r.rows[0].size(), 3u);
  for (int h = 0; h < 192; ++h) {
    const int s = h / 2;
    const bool expected = h < 140 && (h % 2 == 0 ? s % 3 == 0 : s % 5 == 0);
    EXPECT_EQ((r.rows[0][h / 64] >> (h % 64)) & 1u, expected ? 1u : 0u) << "haplotype " << h;
  }
}

TEST(GenomeVcfReader, EachBadSiteNamesFileLineColumnAndExpectation) {
  const std::string good1 = vcf_record("20", 100, "rs1", "A", "G", {"0|1", "1|0", "1|1"});
  const std::string good2 = vcf_record("20", 200, "rs2", "A", "G", {"0|1", "1|0", "1|1"});
  struct Case {
    const char* name;
    std::string bad;       // the third data line
    std::string expected;  // after "<path>:<line>: " or "<path>: record 3: "
  };
  const Case cases[] = {
      {"unphased", vcf_record("20", 300, "rs3", "A", "G", {"0|1", "0/1", "1|1"}),
       "column 11 (sample index 1): unphased genotype (value hidden; set log.show_values = true to print it); "
       "expected phased genotypes (a|b), or set genome.on_unphased = skip"},
      {"missing", vcf_record("20", 300, "rs3", "A", "G", {"0|1", "1|1", ".|1"}),
       "column 12 (sample index 2): missing genotype (value hidden; set log.show_values = true to print it); "
       "expected called genotypes (no '.'), or set genome.on_missing = skip"},
      {"multiallelic", vcf_record("20", 300, "rs3", "A", "G,T", {"0|1", "2|1", "1|1"}),
       "column 5 (ALT): site with 2 ALT alleles; expected biallelic sites, or set genome.on_multiallelic = skip"},
      {"unsorted_position", vcf_record("20", 150, "rs3", "A", "G", {"0|1", "1|0", "1|1"}),
       "column 2 (POS): position lower than the previous site's on this contig; expected sites sorted by position, "
       "or set genome.on_unsorted = skip"},
      {"haploid", vcf_record("20", 300, "rs3", "A", "G", {"0|1", "1", "1|1"}),
       "column 11 (sample index 1): haploid genotype (value hidden"},
      {"allele_out_of_range", vcf_record("20", 300, "rs3", "A", "G", {"0|2", "1|0", "1|1"}),
       "column 10 (sample index 0): genotype (value hidden; set log.show_values = true to print it) names an allele "
       "the site does not have"},
  };
  for (const auto& c : cases) {
    const auto paths = write_all_forms(c.name, vcf_text(kSamples, {good1, good2, c.bad}));
    for (size_t form = 0; form < paths.size(); ++form) {
      const bool bcf = form == 2;
      const std::string where = bcf ? paths[form] + ": record 3: " : paths[form] + ":" + std::to_string(sc::testing::kVcfHeaderLines + 3) + ": ";
      const std::string error = read_all(paths[form]).error;
      EXPECT_NE(error.find(where + c.expected), std::string::npos) << c.name << "\n got: " << error << "\n want: " << where + c.expected;
    }
  }
}

TEST(GenomeVcfReader, ContigComingBackIsUnsorted) {
  const std::string path = temp("contig_back.vcf");
  sc::testing::write_text(path, vcf_text(kSamples, {vcf_record("20", 100, ".", "A", "G", {"0|1", "1|0", "1|1"}),
                                                    vcf_record("21", 50, ".", "A", "G", {"0|1", "1|0", "1|1"}),
                                                    vcf_record("20", 900, ".", "A", "G", {"0|1", "1|0", "1|1"})}));
  EXPECT_NE(read_all(path).error.find(path + ":8: column 1 (CHROM): contig 20 comes back after another contig"),
            std::string::npos)
      << read_all(path).error;
}

TEST(GenomeVcfReader, SkipPoliciesDropAndCountEachSiteOnce) {
  const std::vector<std::string> records = {
      vcf_record("20", 100, "keep1", "A", "G", {"0|1", "1|0", "1|1"}),
      vcf_record("20", 200, "unphased", "A", "G", {"0|1", "0/1", "1|1"}),
      vcf_record("20", 300, "missing+unphased", "A", "G", {"./.", "0/1", "1|1"}),   // counted as missing
      vcf_record("20", 400, "multi+missing", "A", "G,T", {".|.", "2|1", "1|1"}),    // counted as multiallelic
      vcf_record("20", 350, "unsorted", "A", "G", {"0|1", "1|0", "1|1"}),           // below 400: unsorted
      vcf_record("20", 380, "unsorted2", "A", "G", {"0|0", "0|0", "0|1"}),          // still below 400
      vcf_record("20", 500, "keep3", "A", "G", {"1|0", "0|0", "0|0"}),
      vcf_record("21", 10, "keep4", "A", "G", {"0|0", "1|0", "0|0"}),
      vcf_record("20", 600, "contig back", "A", "G", {"0|0", "1|0", "0|0"}),
  };
  sc::SitePolicies skip_all;
  skip_all.skip_unsorted = skip_all.skip_multiallelic = skip_all.skip_missing = skip_all.skip_unphased = true;
  for (const std::string& path : write_all_forms("skips", vcf_text(kSamples, records))) {
    const ReadResult r = read_all(path, skip_all);
    ASSERT_EQ(r.error, "no error") << path;
    std::vector<std::string> kept;
    for (const auto& s : r.sites) kept.push_back(s.id);
    EXPECT_EQ(kept, (std::vector<std::string>{"keep1", "keep3", "keep4"})) << path;
    EXPECT_EQ(r.skipped, (std::map<std::string, int64_t>{{"missing", 1}, {"multiallelic", 1}, {"unphased", 1},
                                                          {"unsorted", 3}}))
        << path;
  }
  // A site is judged by its first problem: with missing sites skipped, the unphased genotype of
  // line 8 does not matter, but the plain unphased site of line 7 still stops ingest.
  sc::SitePolicies skip_missing;
  skip_missing.skip_missing = true;
  const std::string path = temp("skips.vcf");
  EXPECT_NE(read_all(path, skip_missing).error.find(path + ":7: column 11 (sample index 1): unphased genotype"),
            std::string::npos);
}

TEST(GenomeVcfReader, TruncatedAndEmptyFiles) {
  // Enough records for several BGZF blocks (64 KiB of text each).
  std::vector<std::string> samples, records;
  for (int s = 0; s < 50; ++s) samples.push_back(std::string(1, 'S') + std::to_string(s));
  for (int v = 1; v <= 3000; ++v)
    records.push_back(vcf_record("20", v, "rs" + std::to_string(v), "A", "G", std::vector<std::string>(50, "0|1")));
  const std::string text = vcf_text(samples, records);
  const std::string gz = temp("long.vcf.gz");
  sc::testing::write_bgzf(gz, text);
  ASSERT_EQ(read_all(gz).error, "no error");
  ASSERT_EQ(read_all(gz).sites.size(), 3000u);

  // Cut anywhere: the BGZF end-of-file block is gone.
  const std::string cut = temp("cut.vcf.gz");
  sc::testing::write_prefix(gz, cut, sc::testing::file_size(gz) / 2);
  EXPECT_NE(read_all(cut).error.find(cut + ": the file ends without the BGZF end-of-file block, so it is truncated"),
            std::string::npos)
      << read_all(cut).error;

  // Cut inside a block but closed with an end-of-file block: the damage shows while decoding.
  const std::string patched = temp("patched.vcf.gz");
  sc::testing::write_prefix(gz, patched, sc::testing::file_size(gz) / 2);
  {
    static const unsigned char eof_block[28] = {0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 0x42, 0x43,
                                                2,    0,    0x1b, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    std::ofstream(patched, std::ios::binary | std::ios::app).write(reinterpret_cast<const char*>(eof_block), 28);
  }
  const ReadResult damaged = read_all(patched);
  EXPECT_NE(damaged.error.find(": malformed or truncated record; expected a complete VCF data line"), std::string::npos)
      << damaged.error;
  EXPECT_NE(damaged.error.find(patched + ":"), std::string::npos);

  // Plain text cut in the middle of a line: the last record is incomplete.
  const std::string vcf = temp("long.vcf"), cut_vcf = temp("cut.vcf");
  sc::testing::write_text(vcf, text);
  sc::testing::write_prefix(vcf, cut_vcf, text.size() - 40);
  EXPECT_NE(read_all(cut_vcf).error.find(cut_vcf + ":" + std::to_string(sc::testing::kVcfHeaderLines + 3000) +
                                         ": malformed or truncated record"),
            std::string::npos)
      << read_all(cut_vcf).error;

  const std::string empty = temp("empty.vcf");
  sc::testing::write_text(empty, "");
  EXPECT_NE(read_all(empty).error.find(empty + ": not a VCF or BCF file"), std::string::npos) << read_all(empty).error;
  const std::string no_samples = temp("no_samples.vcf");
  sc::testing::write_text(no_samples, vcf_text({}, {}));
  EXPECT_NE(read_all(no_samples).error.find(no_samples + ": the header names no samples"), std::string::npos)
      << read_all(no_samples).error;
}

TEST(GenomeVcfReader, DamagedBcfIsAnErrorNamingTheRecord) {
  // A whole BCF is read from our own BGZF batches (bgzf_batch_reader.hpp): damage inside them is
  // an error naming the file and the record being read, like htslib's reader's.
  std::vector<std::string> samples, records;
  for (int s = 0; s < 50; ++s) samples.push_back(std::string(1, 'S') + std::to_string(s));
  for (int v = 1; v <= 3000; ++v)
    records.push_back(vcf_record("20", v, "rs" + std::to_string(v), "A", "G", std::vector<std::string>(50, v % 7 ? "0|1" : "1|0")));
  const std::string vcf = temp("long_bcf.vcf"), bcf = temp("long.bcf");
  sc::testing::write_text(vcf, vcf_text(samples, records));
  sc::testing::write_bcf(vcf, bcf);
  const ReadResult intact = read_all(bcf);
  ASSERT_EQ(intact.error, "no error");
  ASSERT_EQ(intact.sites.size(), 3000u);
  EXPECT_EQ(intact.rows, read_all(vcf).rows);

  const std::string bytes = sc::testing::read_file(bcf);
  static const unsigned char eof_block[28] = {0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 0xff, 6, 0, 0x42, 0x43,
                                              2,    0,    0x1b, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0};
  // Cut inside a block, closed with an end-of-file block.
  const std::string patched = temp("patched.bcf");
  sc::testing::write_text(patched, bytes.substr(0, bytes.size() * 3 / 4) + std::string(reinterpret_cast<const char*>(eof_block), 28));
  const ReadResult cut = read_all(patched);
  EXPECT_NE(cut.error.find(patched + ": record "), std::string::npos) << cut.error;
  EXPECT_NE(cut.error.find("malformed or truncated record; expected a complete BCF record"), std::string::npos) << cut.error;
  EXPECT_NE(cut.error.find("BGZF block at byte"), std::string::npos) << cut.error;
  EXPECT_LT(cut.sites.size(), 3000u);

  // One bit flipped inside the compressed records.
  std::string flipped_bytes = bytes;
  flipped_bytes[bytes.size() * 3 / 4] = static_cast<char>(flipped_bytes[bytes.size() * 3 / 4] ^ 0x04);
  const std::string flipped = temp("flipped.bcf");
  sc::testing::write_text(flipped, flipped_bytes);
  const ReadResult damaged = read_all(flipped);
  EXPECT_NE(damaged.error.find(flipped + ": record "), std::string::npos) << damaged.error;
  EXPECT_NE(damaged.error.find("malformed or truncated record; expected a complete BCF record"), std::string::npos)
      << damaged.error;
}

TEST(GenomeVcfReader, ValuesShownOnlyWhenAsked) {
  const std::string path = temp("show.vcf");
  sc::testing::write_text(path, vcf_text(kSamples, {vcf_record("20", 1, ".", "A", "G", {"0|1", "0/1", "1|1"})}));
  EXPECT_EQ(read_all(path).error.find("0/1"), std::string::npos);
  sc::set_show_values(true);
  const std::string shown = read_all(path).error;
  sc::set_show_values(false);
  EXPECT_NE(shown.find("unphased genotype '0/1'"), std::string::npos) << shown;
}
