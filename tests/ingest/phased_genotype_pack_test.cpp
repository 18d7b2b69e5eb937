// The int8 GT fast path of genome ingest against a value-by-value reference: random phased panels
// of sizes that are and are not multiples of 8 and 64 pack to the same bits, and each kind of
// genotype the fast path must refuse (missing, vector end, allele 2, unphased) is refused
// wherever it sits, in the 8-byte words and in the tail.
#include <gtest/gtest.h>

#include <htslib/vcf.h>

#include <random>
#include <vector>

#include "stages/ingest/bit_transpose.hpp"
#include "stages/ingest/phased_genotype_pack.hpp"

namespace {

// htslib's encoding of one allele: (allele+1)<<1, phase bit on the second allele of a sample.
std::vector<int8_t> random_phased(int64_t haplotypes, std::mt19937_64& rng) {
  std::vector<int8_t> gt(static_cast<size_t>(haplotypes));
  for (int64_t h = 0; h < haplotypes; ++h)
    gt[static_cast<size_t>(h)] = static_cast<int8_t>(h % 2 ? bcf_gt_phased(rng() % 2) : bcf_gt_unphased(rng() % 2));
  return gt;
}

std::vector<uint64_t> reference_bits(const std::vector<int8_t>& gt) {
  std::vector<uint64_t> row(static_cast<size_t>(sc::words_for_bits(static_cast<int64_t>(gt.size()))), 0);
  for (size_t h = 0; h < gt.size(); ++h)
    if (bcf_gt_allele(gt[h]) == 1) row[h / 64] |= uint64_t{1} << (h % 64);
  return row;
}

}  // namespace

TEST(PhasedGenotypePack, MatchesValueByValue) {
  std::mt19937_64 rng(11);
  for (int64_t haplotypes : {2, 6, 8, 10, 62, 64, 66, 126, 128, 130, 5000, 5008}) {
    const std::vector<int8_t> gt = random_phased(haplotypes, rng);
    std::vector<uint64_t> row(static_cast<size_t>(sc::words_for_bits(haplotypes)), ~uint64_t{0});
    ASSERT_TRUE(sc::pack_phased_gt_bytes(gt.data(), haplotypes, row.data())) << haplotypes;
    EXPECT_EQ(row, reference_bits(gt)) << haplotypes;  // padding bits zero too
  }
}

TEST(PhasedGenotypePack, RefusesEveryOtherGenotypeAnywhere) {
  std::mt19937_64 rng(12);
  const int64_t haplotypes = 134;  // two full words and a tail of 6
  const std::vector<int8_t> good = random_phased(haplotypes, rng);
  struct Case {
    const char* what;
    int8_t value;
    bool second_only;
  };
  const Case cases[] = {{"missing", static_cast<int8_t>(bcf_gt_missing), false},
                        {"int8 missing", bcf_int8_missing, false},
                        {"vector end (haploid)", bcf_int8_vector_end, true},
                        {"allele 2", static_cast<int8_t>(bcf_gt_phased(2)), false},
                        {"allele 3 unphased", static_cast<int8_t>(bcf_gt_unphased(3)), false},
                        {"unphased 0", static_cast<int8_t>(bcf_gt_unphased(0)), true},
                        {"unphased 1", static_cast<int8_t>(bcf_gt_unphased(1)), true}};
  std::vector<uint64_t> row(static_cast<size_t>(sc::words_for_bits(haplotypes)));
  for (const Case& c : cases)
    for (int64_t h = c.second_only ? 1 : 0; h < haplotypes; h += c.second_only ? 2 : 1) {
      std::vector<int8_t> gt = good;
      gt[static_cast<size_t>(h)] = c.value;
      EXPECT_FALSE(sc::pack_phased_gt_bytes(gt.data(), haplotypes, row.data())) << c.what << " at haplotype " << h;
    }
  // A phase bit on the first allele is not a problem (htslib leaves it clear, VCF cannot say it).
  std::vector<int8_t> gt = good;
  gt[0] = static_cast<int8_t>(bcf_gt_phased(bcf_gt_allele(gt[0])));
  EXPECT_TRUE(sc::pack_phased_gt_bytes(gt.data(), haplotypes, row.data()));
  EXPECT_EQ(row, reference_bits(gt));
}

TEST(PhasedGenotypePack, EverySimdPathAgreesWithPortable) {
  // Each path this CPU has (AVX-512, AVX2) packs strided rows to the same bits and gives the same
  // verdict as the portable one, on good panels and with one bad genotype anywhere.
  std::mt19937_64 rng(13);
  for (sc::SimdPath path : sc::available_simd_paths()) {
    for (int64_t haplotypes : {2, 30, 32, 34, 64, 66, 96, 128, 190, 5000}) {
      const std::vector<int8_t> good = random_phased(haplotypes, rng);
      const std::vector<uint64_t> expected = reference_bits(good);
      const int64_t stride = 3;
      std::vector<uint64_t> rows(expected.size() * stride, 7);
      ASSERT_TRUE(sc::pack_phased_gt_bytes(path, good.data(), haplotypes, rows.data(), stride)) << sc::to_string(path);
      for (size_t w = 0; w < expected.size(); ++w) {
        EXPECT_EQ(rows[w * stride], expected[w]) << sc::to_string(path) << " " << haplotypes << " word " << w;
        EXPECT_EQ(rows[w * stride + 1], 7u) << "wrote between the strided words";
      }
      for (int64_t h = 0; h < haplotypes; h += 1 + haplotypes / 17) {
        for (int8_t value : std::initializer_list<int8_t>{static_cast<int8_t>(bcf_gt_missing), static_cast<int8_t>(bcf_int8_vector_end), static_cast<int8_t>(bcf_gt_phased(2)),
                             static_cast<int8_t>(bcf_gt_unphased(h % 2))}) {
          std::vector<int8_t> gt = good;
          gt[static_cast<size_t>(h)] = value;
          const bool ok = sc::pack_phased_gt_bytes(sc::SimdPath::portable, gt.data(), haplotypes, rows.data(), stride);
          EXPECT_EQ(sc::pack_phased_gt_bytes(path, gt.data(), haplotypes, rows.data(), stride), ok)
              << sc::to_string(path) << " value " << int(value) << " at haplotype " << h;
        }
      }
    }
  }
}
