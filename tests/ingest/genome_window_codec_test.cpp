// A genome window survives the trip to its owner rank unchanged, and a message cut short is
// rejected instead of being read past its end.
#include <gtest/gtest.h>

#include "pipeline/error.hpp"
#include "stages/ingest/genome_window_codec.hpp"

namespace {

sc::GenomeWindow sample_window() {
  sc::GenomeWindow w;
  w.index = 42;
  w.haplotypes = 3;
  w.position = {100, 100, 250};
  w.cm = {0.1, 0.1, 0.25};
  w.contig = {1, 1, 1};
  w.id = {"rs1", ".", "rs3"};
  w.ref = {"A", "AT", "G"};
  w.alt = {"G", "A", "."};
  w.bits = {0b101, 0b010, 0b111};
  return w;
}

}  // namespace

TEST(GenomeWindowCodec, RoundTrip) {
  const sc::GenomeWindow w = sample_window();
  const sc::GenomeWindow back = sc::decode_window(sc::encode_window(w));
  EXPECT_EQ(back.index, w.index);
  EXPECT_EQ(back.haplotypes, w.haplotypes);
  EXPECT_EQ(back.position, w.position);
  EXPECT_EQ(back.cm, w.cm);
  EXPECT_EQ(back.contig, w.contig);
  EXPECT_EQ(back.id, w.id);
  EXPECT_EQ(back.ref, w.ref);
  EXPECT_EQ(back.alt, w.alt);
  EXPECT_EQ(back.bits, w.bits);
  EXPECT_EQ(back.allele(0, 0), 1);
  EXPECT_EQ(back.allele(0, 1), 0);
  EXPECT_EQ(back.allele(1, 1), 1);
}

TEST(GenomeWindowCodec, DamagedBytesAreRejected) {
  const std::vector<uint8_t> bytes = sc::encode_window(sample_window());
  for (size_t keep : {size_t{0}, size_t{7}, bytes.size() / 2, bytes.size() - 1}) {
    std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(keep));
    EXPECT_THROW(sc::decode_window(cut), sc::IoError) << "kept " << keep << " of " << bytes.size();
  }
  std::vector<uint8_t> longer = bytes;
  longer.push_back(0);
  EXPECT_THROW(sc::decode_window(longer), sc::IoError);
}
