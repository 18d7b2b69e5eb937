// Population files: with or without a header, extra columns ignored, labels sorted into the
// population list, and the rejected cases (a sample without a population, a sample given two).
#include <gtest/gtest.h>

#include <fstream>

#include "pipeline/error.hpp"
#include "stages/ingest/genome_populations.hpp"

namespace {

std::string write(const std::string& name, const std::string& text) {
  const std::string path = ::testing::TempDir() + "/genome_populations_test_" + name;
  std::ofstream(path) << text;
  return path;
}

const std::vector<std::string> kSamples = {"S1", "S2", "S3"};

std::string error_of(const std::string& path) {
  try {
    sc::read_populations(path, kSamples);
  } catch (const sc::InputError& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST(GenomePopulations, LabelsEverySampleWithSortedPopulations) {
  for (const char* text : {"sample population\nS1 YRI\nS2 CEU\nS3 YRI\n",
                           "S1 YRI\nS2 CEU\nS3 YRI\n",
                           "sample pop super_pop sex\nS3 YRI AFR female\nS9 GBR EUR male\nS1 YRI AFR male\n\nS2 CEU EUR f\n"}) {
    const auto labels = sc::read_populations(write("ok.txt", text), kSamples);
    EXPECT_EQ(labels.names, (std::vector<std::string>{"CEU", "YRI"})) << text;
    EXPECT_EQ(labels.of_sample, (std::vector<int32_t>{1, 0, 1})) << text;
  }
}

TEST(GenomePopulations, NoFileMeansMinusOne) {
  const auto labels = sc::no_populations(3);
  EXPECT_TRUE(labels.names.empty());
  EXPECT_EQ(labels.of_sample, (std::vector<int32_t>{-1, -1, -1}));
}

TEST(GenomePopulations, RejectsIncompleteOrContradictoryFiles) {
  std::string path = write("missing.txt", "S1 YRI\nS3 YRI\n");
  EXPECT_NE(error_of(path).find(path + ": sample index 1 (VCF column 11, (value hidden"), std::string::npos)
      << error_of(path);
  path = write("twice.txt", "S1 YRI\nS2 CEU\nS3 YRI\nS2 GBR\n");
  EXPECT_NE(error_of(path).find(path + ":4: column 2: sample (value hidden"), std::string::npos) << error_of(path);
  EXPECT_NE(error_of(path).find("already has another population on line 2"), std::string::npos);
  path = write("one_field.txt", "S1 YRI\nS2\n");
  EXPECT_NE(error_of(path).find(path + ":2: expected two whitespace-separated fields"), std::string::npos);
}
