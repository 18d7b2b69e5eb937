// Genetic maps: both formats (with and without a header, plain and gzip), interpolation between
// map positions, extrapolation at the edge rates, "chr" prefixes, and every rejected map with the
// file and line in the message.
#include <gtest/gtest.h>
#include <zlib.h>

#include <fstream>

#include "pipeline/error.hpp"
#include "stages/ingest/genetic_map.hpp"

namespace {

std::string write(const std::string& name, const std::string& text, bool gzip = false) {
  const std::string path = ::testing::TempDir() + "/genetic_map_test_" + name;
  if (gzip) {
    gzFile out = gzopen(path.c_str(), "wb");
    gzwrite(out, text.data(), static_cast<unsigned>(text.size()));
    gzclose(out);
  } else {
    std::ofstream(path, std::ios::binary) << text;
  }
  return path;
}

std::string error_of(const std::string& path, sc::MapFormat format = sc::MapFormat::automatic) {
  try {
    sc::GeneticMap::read(path, format);
  } catch (const sc::InputError& e) {
    return e.what();
  }
  return "no error";
}

const char* kShapeit = "pos\tchr\tcM\n1000\t20\t0.5\n2000\t20\t1.5\n4000\t20\t2.5\n";
const char* kHapmap =
    "Chromosome Position(bp) Rate(cM/Mb) Map(cM)\nchr20 1000 1000 0.5\nchr20 2000 500 1.5\nchr20 4000 0 2.5\n";

}  // namespace

TEST(GeneticMap, InterpolatesAndExtrapolatesBothFormats) {
  for (auto [name, text, format] : {std::tuple{"s.txt", kShapeit, sc::MapFormat::shapeit},
                                    std::tuple{"h.txt", kHapmap, sc::MapFormat::hapmap}}) {
    for (bool gzip : {false, true}) {
      const auto map = sc::GeneticMap::read(write(std::string(name) + (gzip ? ".gz" : ""), text, gzip),
                                            sc::MapFormat::automatic);
      EXPECT_EQ(map.format(), format);
      const sc::ContigMap* contig = map.find("20");
      ASSERT_NE(contig, nullptr);
      EXPECT_EQ(contig->size(), 3u);
      EXPECT_DOUBLE_EQ(contig->cm_at(1000), 0.5);  // on map positions: the map's values
      EXPECT_DOUBLE_EQ(contig->cm_at(2000), 1.5);
      EXPECT_DOUBLE_EQ(contig->cm_at(4000), 2.5);
      EXPECT_DOUBLE_EQ(contig->cm_at(1500), 1.0);   // inside: linear in bp
      EXPECT_DOUBLE_EQ(contig->cm_at(3000), 2.0);
      EXPECT_DOUBLE_EQ(contig->cm_at(500), 0.0);    // before: first interval's rate, 1 cM / 1000 bp
      EXPECT_DOUBLE_EQ(contig->cm_at(1), -0.499);
      EXPECT_DOUBLE_EQ(contig->cm_at(6000), 3.5);   // after: last interval's rate, 1 cM / 2000 bp
    }
  }
}

TEST(GeneticMap, ContigNamesCompareWithoutChr) {
  const auto map = sc::GeneticMap::read(write("chr.txt", kHapmap), sc::MapFormat::automatic);
  EXPECT_NE(map.find("20"), nullptr);
  EXPECT_NE(map.find("chr20"), nullptr);
  EXPECT_EQ(map.find("21"), nullptr);
  EXPECT_NO_THROW(map.check_contigs_belong_to({"20"}, "panel.vcf"));
  EXPECT_NO_THROW(map.check_contigs_belong_to({"19", "chr20"}, "panel.vcf"));
}

TEST(GeneticMap, GivenFormatWithoutHeader) {
  const auto shapeit = sc::GeneticMap::read(write("noheader_s.txt", "10 1 0\n20 1 1\n"), sc::MapFormat::shapeit);
  EXPECT_DOUBLE_EQ(shapeit.find("1")->cm_at(15), 0.5);
  const auto hapmap = sc::GeneticMap::read(write("noheader_h.txt", "1 10 0 0\n1 20 0 1\n"), sc::MapFormat::hapmap);
  EXPECT_DOUBLE_EQ(hapmap.find("chr1")->cm_at(25), 1.5);
  const std::string message = error_of(write("noheader_auto.txt", "10 1 0\n20 1 1\n"));
  EXPECT_NE(message.find(":1: cannot tell the genetic map's format"), std::string::npos) << message;
}

TEST(GeneticMap, SeveralContigs) {
  const auto map = sc::GeneticMap::read(write("two.txt", "pos chr cM\n1 1 0\n11 1 1\n5 2 0\n105 2 1\n"),
                                        sc::MapFormat::automatic);
  EXPECT_DOUBLE_EQ(map.find("1")->cm_at(6), 0.5);
  EXPECT_DOUBLE_EQ(map.find("2")->cm_at(55), 0.5);
  EXPECT_EQ(map.find("2")->first_line(), 4);
}

TEST(GeneticMap, RejectsBadMapsWithFileAndLine) {
  struct Case {
    const char* name;
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"unknown_header.txt", "position chrom cm\n1 20 0\n", ":1: cannot tell the genetic map's format"},
      {"unsorted.txt", "pos chr cM\n10 20 0\n30 20 1\n20 20 2\n", ":4: column 1 (pos): position not above line 3's"},
      {"equal.txt", "pos chr cM\n10 20 0\n10 20 1\n", ":3: column 1 (pos): position not above line 2's"},
      {"decreasing.txt", "pos chr cM\n10 20 1\n20 20 0.5\n", ":3: column 3 (cM): cM lower than line 2's"},
      {"single.txt", "pos chr cM\n10 20 1\n", ":2: contig 20 has 1 map position; expected at least two"},
      {"bad_number.txt", "pos chr cM\n10 20 x\n", ":2: column 3 (cM): expected a finite cM value"},
      {"bad_position.txt", "pos chr cM\n-5 20 0\n", ":2: column 1 (pos): expected a non-negative integer"},
      {"fields.txt", "pos chr cM\n10 20\n", ":2: expected 3 whitespace-separated fields"},
      {"hapmap_fields.txt", "Chromosome Position(bp) Rate(cM/Mb) Map(cM)\nchr20 1000 0.5\n", ":2: expected 4"},
      {"split.txt", "pos chr cM\n1 20 0\n2 20 1\n1 21 0\n2 21 1\n3 20 2\n", ":6: column 2: contig 20 starts a second block"},
      {"empty.txt", "pos chr cM\n", ": genetic map has no positions"},
  };
  for (const auto& c : cases) {
    const std::string path = write(c.name, c.text);
    const std::string message = error_of(path);
    EXPECT_NE(message.find(path + c.expected), std::string::npos) << c.name << ": " << message;
  }
  // Values stay out of messages unless the operator asks (log.show_values).
  EXPECT_EQ(error_of(write("secret.txt", "pos chr cM\n10 20 SECRET\n")).find("SECRET"), std::string::npos);
}

TEST(GeneticMap, MapForAnotherContigNamesFileAndLine) {
  const std::string path = write("other.txt", "pos chr cM\n1 20 0\n2 20 1\n1 chr21 0\n2 chr21 1\n");
  const auto map = sc::GeneticMap::read(path, sc::MapFormat::automatic);
  try {
    map.check_contigs_belong_to({"20"}, "panel.vcf");
    FAIL() << "a map for contig 21 was accepted for a panel of contig 20";
  } catch (const sc::InputError& e) {
    EXPECT_NE(std::string(e.what()).find(path + ":4: the map is for contig chr21, which panel.vcf does not have"),
              std::string::npos)
        << e.what();
  }
}

TEST(GeneticMap, TruncatedGzipIsAnError) {
  std::string text = "pos chr cM\n";
  for (int i = 1; i <= 20000; ++i) text += std::to_string(i * 10) + " 20 " + std::to_string(i * 0.01) + "\n";
  const std::string whole = write("long.txt.gz", text, true);
  std::ifstream in(whole, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::string cut = ::testing::TempDir() + "/genetic_map_test_cut.txt.gz";
  std::ofstream(cut, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  EXPECT_NE(error_of(cut).find("cannot be read to its end"), std::string::npos) << error_of(cut);
}
