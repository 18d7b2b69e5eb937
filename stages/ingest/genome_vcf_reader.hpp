// Reading a phased reference panel (VCF, VCF.gz or BCF) through htslib, site by site, with the
// checks that genome ingest needs: sites sorted (within a contig, and each contig in one block),
// biallelic, every genotype present, diploid and phased. A site that fails a check is an
// InputError naming the file, the record (VCF line counting header lines, or BCF record number),
// the column and what was expected, unless the policy for that problem is `skip`: then the site is
// dropped and counted. A site is judged by its first problem in the order unsorted, multiallelic,
// missing, unphased, and counted once, under that problem. Every kept site's genotypes come out
// packed, one bit per haplotype (1 = ALT), ready for the window transpose.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace sc {

enum class SiteProblem { unsorted, multiallelic, missing, unphased };
const char* to_string(SiteProblem problem);

// Which problems drop the site (skip) instead of stopping ingest (error).
struct SitePolicies {
  bool skip_unsorted = false, skip_multiallelic = false, skip_missing = false, skip_unphased = false;
  bool skips(SiteProblem problem) const;
};

struct PhasedSite {
  int32_t contig = 0;     // index into PhasedVcfReader::contigs()
  int64_t position = 0;   // 1-based VCF POS
  std::string id, ref, alt;
};

class PhasedVcfReader {
 public:
  // How the file will be read: all of it, record after record, or by regions (read_region).
  // A bgzipped BCF, whole or by regions, the reader inflates itself, in batches on TBB's threads
  // (bgzf_batch_reader.hpp), and packs each record's GT bytes without copying them into htslib;
  // a region is read from its first index chunk on, its records picked as htslib's iterator
  // would. Everything else goes through htslib.
  enum class Access { whole_file, regions };

  // Opens the file and reads its header; `threads` decompress BGZF blocks in htslib's pool
  // (ignored for plain text, and for a bgzipped BCF, whose blocks TBB's threads inflate). An
  // InputError when the file is empty, not VCF/BCF, has no samples, or (BGZF) lacks the
  // end-of-file marker that every complete BGZF file carries.
  PhasedVcfReader(const std::string& path, SitePolicies policies, int threads, Access access = Access::whole_file);
  ~PhasedVcfReader();
  PhasedVcfReader(const PhasedVcfReader&) = delete;
  PhasedVcfReader& operator=(const PhasedVcfReader&) = delete;

  const std::string& path() const { return path_; }
  bool is_bcf() const { return bcf_; }
  const std::vector<std::string>& samples() const { return samples_; }
  int64_t haplotypes() const { return 2 * static_cast<int64_t>(samples_.size()); }
  // Contigs declared in the header (##contig), in header order.
  std::vector<std::string> header_contigs() const;

  // The next kept site, its haplotypes packed into row[0], row[stride], ... (words_for_bits(
  // haplotypes()) words, bit h = allele of haplotype h, padding bits zero). False at the end of
  // the file.
  bool next(PhasedSite& site, uint64_t* row, int64_t stride = 1);

  // Contigs of the kept sites, in order of first appearance.
  const std::vector<std::string>& contigs() const { return contigs_; }
  // Sites dropped by a skip policy, per problem (every problem listed, zero included).
  std::map<std::string, int64_t> skipped() const;
  int64_t records_read() const { return records_; }
  // Sites whose genotypes were packed while their BGZF block was inflated (a bgzipped BCF's
  // common case; bgzf_batch_reader.hpp), for tests and profiles.
  int64_t sites_packed_at_inflate() const { return packed_at_inflate_; }
  // How far into the file reading has come, 0 to 1 (compressed bytes for BGZF), for the
  // progress estimate.
  double fraction_read() const;
  // "path:LINE" (VCF, header lines counted) or "path: record N" (BCF) of the last record read.
  std::string location() const;

  // Region reading (a BCF file with its CSI index, genome_regions.hpp): from here on next()
  // returns the records of header contig `rid` whose POS (0-based) lies in [begin, end), in file
  // order, and the record count, skip counts and order checks start afresh, as if the region were
  // a file of its own (records that start before `begin` belong to the region before). The
  // caller turns region-relative record numbers into the file's.
  void read_region(const std::string& index_path, int32_t rid, int64_t begin, int64_t end);

 private:
  void open(int threads);  // opens path_, reads and checks the header
  struct Htslib;
  bool read_batched_record(const int8_t*& gt);  // the next BCF record from our own batches
  bool check_order();
  bool pack_common_case(const int8_t* gt, uint64_t* row, int64_t stride) const;
  // The bits the block hook packed for this record (bgzf_batch_reader.hpp), into the row.
  bool take_noted(const uint64_t* bits, uint64_t* row, int64_t stride) const;
  // False when a site with no ALT allele has a haplotype carrying allele 1 (the general path
  // names the problem).
  bool alleles_declared(const uint64_t* row, int64_t stride) const;
  bool pack_genotypes(uint64_t* row, int64_t stride);
  [[noreturn]] void fail(const std::string& what) const;
  bool judge(SiteProblem problem, const std::string& column, const std::string& what);

  std::string path_;
  SitePolicies policies_;
  Access access_;
  std::unique_ptr<Htslib> hts_;
  bool bcf_ = false;
  int64_t header_lines_ = 0, records_ = 0, file_bytes_ = 0, packed_at_inflate_ = 0;
  std::vector<std::string> samples_;
  std::vector<std::string> contigs_;
  std::vector<int32_t> contig_of_rid_;  // header rid -> index in contigs_, -1 before first kept site
  std::vector<uint8_t> rid_seen_;       // header rid -> a record of it has been read (order checks)
  int32_t current_rid_ = -1;
  int64_t last_position_ = 0;
  int64_t skipped_[4] = {0, 0, 0, 0};
};

}  // namespace sc
