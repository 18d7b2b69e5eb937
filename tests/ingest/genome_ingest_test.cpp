// Genome ingest under MPI (run at 1, 2 and 4 ranks): the bundled 1000 Genomes panel cut into 9
// windows gives the same dataset digests as a single-rank run, every rank commits windows, and the
// stored bits are the VCF's genotypes (read here with plain htslib, independently of the ingest's
// reader). Bad panels stop every rank together with the file, line and column, before any window
// is committed; skip policies count what they drop; contigs start new windows; a rerun resumes.
#include <gtest/gtest.h>
#include <htslib/vcf.h>

#include <filesystem>
#include <fstream>

#include "genome_test_files.hpp"
#include "pipeline/error.hpp"
#include "pipeline/mpi_comm.hpp"
#include "pipeline/stage.hpp"
#include "pipeline/store.hpp"
#include "stages/ingest/genome_ingest.hpp"
#include "stages/ingest/genome_store.hpp"
#include "stages/ingest/ingest_stage.hpp"

namespace fs = std::filesystem;
using sc::testing::vcf_record;
using sc::testing::vcf_text;

namespace {

const std::string kPanel = std::string(SC_DATA_DIR) + "/genomes/reference.vcf.gz";
const std::string kMap = std::string(SC_DATA_DIR) + "/genomes/chr20.b37.gmap.gz";

sc::po::options_description options() {
  sc::po::options_description all = sc::ingest_options();
  all.add_options()("store.compression", sc::po::value<int64_t>()->default_value(0), "deflate level");
  return all;
}

// A fresh directory for this test case and rank count, made by rank 0 and seen by all.
std::string fresh_dir(const sc::Communicator& comm, const std::string& name) {
  const std::string dir = ::testing::TempDir() + "/genome_ingest_np" + std::to_string(comm.size()) + "_" + name;
  if (comm.is_root()) {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  comm.barrier();
  return dir;
}

// Runs the genome half of ingest into `<dir>/store` and (when `finish`) publishes the stage.
nlohmann::json ingest(const sc::Communicator& comm, const std::string& dir, const std::vector<std::string>& args,
                      bool finish = true) {
  const sc::Config config = sc::Config::load(args, options(), {});
  const sc::StageContext context{comm, config, dir, dir + "/store", 1};
  sc::StageWriter writer(context.store_dir, "ingest", "genome-test", false, comm);
  sc::GenomeIngestOutcome outcome = sc::ingest_genomes(context, writer);
  if (!finish) return outcome.summary;
  return writer.finish(outcome.shards, outcome.summary);
}

std::string ingest_error(const sc::Communicator& comm, const std::string& dir, const std::vector<std::string>& args) {
  try {
    ingest(comm, dir, args);
  } catch (const sc::Error& e) {
    EXPECT_TRUE(e.agreed()) << "every rank must raise the error together";
    EXPECT_EQ(e.code(), sc::ExitCode::input);
    return e.what();
  }
  return "no error";
}

// Genome window files anywhere under the store (committed or not).
int window_files(const std::string& dir) {
  int n = 0;
  if (!fs::exists(dir + "/store")) return 0;
  for (const auto& entry : fs::recursive_directory_iterator(dir + "/store"))
    if (entry.path().string().find("genomes/reference/shard-") != std::string::npos) ++n;
  return n;
}

nlohmann::json digests(const nlohmann::json& index) { return index["datasets"]; }

}  // namespace

TEST(GenomeIngest, BundledPanelSameDigestsForAnyRankCountAndEveryRankCommits) {
  auto comm = sc::Communicator::world();
  const std::string dir = fresh_dir(comm, "panel");
  const std::vector<std::string> args = {"--genome.vcf", kPanel, "--genome.map", kMap,
                                         "--ingest.variants_per_window", "3000"};
  const nlohmann::json index = ingest(comm, dir + "/n", args);
  EXPECT_EQ(index["summary"]["windows"], 9);
  EXPECT_EQ(index["summary"]["variants"], 24990);
  EXPECT_EQ(index["summary"]["samples"], 300);
  EXPECT_EQ(index["shards"].size(), 10u);
  for (const auto& rank : index["ranks"]) EXPECT_GT(rank["shards_committed"].get<int>(), 0) << rank.dump();

  // The reference: the same ingest on rank 0 alone.
  nlohmann::json single;
  if (comm.is_root()) {
    auto self = sc::Communicator::duplicate(MPI_COMM_SELF);
    single = ingest(self, dir + "/one", args);
    EXPECT_EQ(digests(single), digests(index));
    EXPECT_TRUE(digests(index).contains("genomes/reference/haplotypes"));
  }

  // The stored bits, positions and alleles are the VCF's (read with plain htslib).
  if (comm.is_root()) {
    sc::StageReader reader(dir + "/n/store", "ingest");
    std::vector<sc::GenomeWindow> windows;
    for (const auto& name : reader.shards("genomes/reference"))
      windows.push_back(sc::read_genome_window(sc::h5::File::open_read(reader.path(name)), 0));
    htsFile* fp = hts_open(kPanel.c_str(), "r");
    bcf_hdr_t* hdr = bcf_hdr_read(fp);
    bcf1_t* rec = bcf_init();
    int32_t* gt = nullptr;
    int capacity = 0;
    size_t w = 0;
    int64_t v = 0, checked = 0;
    while (bcf_read(fp, hdr, rec) == 0) {
      if (v == windows[w].variants()) { ++w; v = 0; }
      bcf_unpack(rec, BCF_UN_STR);
      ASSERT_EQ(windows[w].position[static_cast<size_t>(v)], rec->pos + 1);
      ASSERT_EQ(windows[w].ref[static_cast<size_t>(v)], rec->d.allele[0]);
      ASSERT_EQ(windows[w].alt[static_cast<size_t>(v)], rec->d.allele[1]);
      ASSERT_EQ(windows[w].id[static_cast<size_t>(v)], rec->d.id);
      const int n = bcf_get_genotypes(hdr, rec, &gt, &capacity);
      for (int h = 0; h < n; ++h) ASSERT_EQ(windows[w].allele(h, v), bcf_gt_allele(gt[h])) << "haplotype " << h;
      ++v;
      ++checked;
    }
    EXPECT_EQ(checked, 24990);
    EXPECT_EQ(w, 8u);
    std::free(gt);
    bcf_destroy(rec);
    bcf_hdr_destroy(hdr);
    hts_close(fp);
    const auto samples = sc::read_genome_samples(
        sc::h5::File::open_read(reader.path(sc::genome_samples_shard("genomes/reference"))));
    EXPECT_EQ(samples.names.size(), 300u);
    EXPECT_EQ(samples.names.front(), "HG00096");
    EXPECT_EQ(samples.contigs, (std::vector<std::string>{"20"}));
    EXPECT_EQ(samples.population, std::vector<int32_t>(300, -1));
  }
  comm.barrier();
}

TEST(GenomeIngest, BadPanelsStopEveryRankBeforeAnyWindowIsCommitted) {
  auto comm = sc::Communicator::world();
  const std::string dir = fresh_dir(comm, "bad");
  const std::vector<std::string> samples = {"A", "B"};
  auto site = [](long pos, const std::string& alt, const std::string& g1, const std::string& g2) {
    return vcf_record("20", pos, ".", "A", alt, {g1, g2});
  };
  // Eight good sites (four windows of two) before the bad one: a streaming ingest would have
  // committed windows by the time it meets line 14.
  std::vector<std::string> good;
  for (int i = 1; i <= 8; ++i) good.push_back(site(100 * i, "G", "0|1", "1|0"));
  struct Case {
    std::string name, bad, expected;
  };
  const std::vector<Case> cases = {
      {"unphased", site(900, "G", "0|1", "1/0"), ".vcf.gz:14: column 11 (sample index 1): unphased genotype"},
      {"missing", site(900, "G", ".|1", "1|0"), ".vcf.gz:14: column 10 (sample index 0): missing genotype"},
      {"multiallelic", site(900, "G,C", "0|1", "1|2"), ".vcf.gz:14: column 5 (ALT): site with 2 ALT alleles"},
      {"unsorted", site(50, "G", "0|1", "1|0"), ".vcf.gz:14: column 2 (POS): position lower than the previous"},
      {"nomap", vcf_record("21", 5, ".", "A", "G", {"0|1", "1|0"}),
       ".vcf.gz:14: column 1 (CHROM): contig 21 has no positions in the genetic map"},
  };
  const std::string map = dir + "/map.txt";
  if (comm.is_root()) sc::testing::write_text(map, "pos chr cM\n1 20 0\n100000 20 1\n");
  for (const auto& c : cases) {
    const std::string vcf = dir + "/" + c.name + ".vcf.gz";
    std::vector<std::string> records = good;
    records.push_back(c.bad);
    if (comm.is_root()) sc::testing::write_bgzf(vcf, vcf_text(samples, records));
    comm.barrier();
    const std::string run = dir + "/run_" + c.name;
    const std::string error = ingest_error(comm, run, {"--genome.vcf", vcf, "--genome.map", map,
                                                       "--ingest.variants_per_window", "2"});
    EXPECT_NE(error.find(dir + "/" + c.name + c.expected), std::string::npos) << c.name << ": " << error;
    if (comm.is_root()) {
      EXPECT_EQ(window_files(run), 0) << c.name << ": windows were written for a bad panel";
    }
    comm.barrier();
  }

  // A truncated BGZF panel, and a map for another contig (named by the map's file and line).
  const std::string whole = dir + "/whole.vcf.gz", cut = dir + "/cut.vcf.gz", other_map = dir + "/other_map.txt";
  if (comm.is_root()) {
    sc::testing::write_bgzf(whole, vcf_text(samples, good));
    sc::testing::write_prefix(whole, cut, sc::testing::file_size(whole) - 10);
    sc::testing::write_text(other_map, "pos chr cM\n1 chr20 0\n100000 chr20 1\n1 chr22 0\n9 chr22 1\n");
  }
  comm.barrier();
  std::string error = ingest_error(comm, dir + "/run_cut", {"--genome.vcf", cut, "--genome.map", map});
  EXPECT_NE(error.find(cut + ": the file ends without the BGZF end-of-file block"), std::string::npos) << error;
  EXPECT_EQ(window_files(dir + "/run_cut"), 0);
  error = ingest_error(comm, dir + "/run_other", {"--genome.vcf", whole, "--genome.map", other_map});
  EXPECT_NE(error.find(other_map + ":4: the map is for contig chr22, which " + whole + " does not have"),
            std::string::npos)
      << error;
  comm.barrier();
}

TEST(GenomeIngest, SkipPoliciesContigWindowsAndPopulations) {
  auto comm = sc::Communicator::world();
  const std::string dir = fresh_dir(comm, "skips");
  const std::string vcf = dir + "/panel.vcf", map = dir + "/map.txt", populations = dir + "/pop.txt";
  if (comm.is_root()) {
    sc::testing::write_text(
        vcf, vcf_text({"A", "B", "C"},
                      {vcf_record("20", 100, "a", "A", "G", {"0|1", "1|0", "0|0"}),
                       vcf_record("20", 150, "unphased", "A", "G", {"0/1", "1|0", "0|0"}),
                       vcf_record("20", 200, "b", "A", "G", {"1|1", "1|0", "0|0"}),
                       vcf_record("20", 300, "c", "A", "G", {"0|0", "0|0", "0|1"}),
                       vcf_record("20", 310, "multi", "A", "G,T", {"0|2", "1|0", "0|0"}),
                       vcf_record("20", 250, "unsorted", "A", "G", {"0|0", "0|0", "0|1"}),
                       vcf_record("21", 10, "d", "C", "T", {"0|0", "1|0", "0|0"}),
                       vcf_record("21", 20, "missing", "C", "T", {"0|0", ".|0", "0|0"})}));
    sc::testing::write_text(map, "Chromosome Position(bp) Rate(cM/Mb) Map(cM)\nchr20 100 0 1.0\nchr20 300 0 3.0\n"
                                 "chr21 0 0 0.0\nchr21 100 0 1.0\n");
    sc::testing::write_text(populations, "sample population\nC YRI\nA CEU\nB YRI\n");
  }
  comm.barrier();
  const nlohmann::json index =
      ingest(comm, dir + "/run", {"--genome.vcf", vcf, "--genome.map", map, "--genome.populations", populations,
                                  "--ingest.variants_per_window", "2", "--genome.on_unphased", "skip",
                                  "--genome.on_multiallelic", "skip", "--genome.on_unsorted", "skip",
                                  "--genome.on_missing", "skip"});
  const auto& summary = index["summary"];
  EXPECT_EQ(summary["records"], 8);
  EXPECT_EQ(summary["variants"], 4);
  EXPECT_EQ(summary["skipped_sites"],
            (nlohmann::json{{"unphased", 1}, {"multiallelic", 1}, {"unsorted", 1}, {"missing", 1}}));
  EXPECT_EQ(summary["windows"], 3) << "a, b | c | d: the contig change starts a window";
  EXPECT_EQ(summary["genetic_map"]["format"], "hapmap");
  if (comm.is_root()) {
    sc::StageReader reader(dir + "/run/store", "ingest");
    const auto names = reader.shards("genomes/reference");
    ASSERT_EQ(names.size(), 3u);
    std::vector<std::string> ids;
    std::vector<double> cm;
    std::vector<int32_t> contigs;
    for (const auto& name : names) {
      const auto w = sc::read_genome_window(sc::h5::File::open_read(reader.path(name)), 0);
      ids.insert(ids.end(), w.id.begin(), w.id.end());
      cm.insert(cm.end(), w.cm.begin(), w.cm.end());
      contigs.insert(contigs.end(), w.contig.begin(), w.contig.end());
    }
    EXPECT_EQ(ids, (std::vector<std::string>{"a", "b", "c", "d"}));
    const std::vector<double> expected_cm = {1.0, 2.0, 3.0, 0.1};  // interpolated on the HapMap map
    ASSERT_EQ(cm.size(), expected_cm.size());
    for (size_t i = 0; i < cm.size(); ++i) EXPECT_DOUBLE_EQ(cm[i], expected_cm[i]) << ids[i];
    EXPECT_EQ(contigs, (std::vector<int32_t>{0, 0, 0, 1}));
    const auto samples = sc::read_genome_samples(
        sc::h5::File::open_read(reader.path(sc::genome_samples_shard("genomes/reference"))));
    EXPECT_EQ(samples.populations, (std::vector<std::string>{"CEU", "YRI"}));
    EXPECT_EQ(samples.population, (std::vector<int32_t>{0, 1, 1}));
    EXPECT_EQ(samples.contigs, (std::vector<std::string>{"20", "21"}));
  }
  comm.barrier();
}

TEST(GenomeIngest, RerunResumesFromCommittedWindows) {
  auto comm = sc::Communicator::world();
  const std::string dir = fresh_dir(comm, "resume");
  const std::vector<std::string> args = {"--genome.vcf", kPanel, "--genome.map", kMap,
                                         "--ingest.variants_per_window", "5000"};
  ingest(comm, dir + "/run", args, false);  // every window committed, the stage left unpublished
  const nlohmann::json resumed = ingest(comm, dir + "/run", args);
  EXPECT_EQ(resumed["shards_skipped"], 6) << "5 windows and the sample table were already committed";
  EXPECT_EQ(resumed["shards_committed"], 0);
  const nlohmann::json fresh = ingest(comm, dir + "/fresh", args);
  EXPECT_EQ(digests(resumed), digests(fresh));
}
