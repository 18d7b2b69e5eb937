// Small panels for the genome tests, written on the fly so that each bad case is visible next to
// the test that uses it: VCF text with a fixed header (line numbers below count it), the same as
// BGZF (.vcf.gz), as BCF, and cut short.
#pragma once

#include <string>
#include <vector>

namespace sc::testing {

// Header lines written by vcf_text(): fileformat, two contigs (20, 21), GT, #CHROM.
constexpr int kVcfHeaderLines = 5;

// A VCF with `samples` (none: a sites-only VCF) and the given data lines ("20\t100\trs1\tA\tG\t.\t.\t.\tGT\t0|1\t1|0").
std::string vcf_text(const std::vector<std::string>& samples, const std::vector<std::string>& records);
// A data line: CHROM POS ID REF ALT, then ". . . GT" and one genotype per sample.
std::string vcf_record(const std::string& chrom, long position, const std::string& id, const std::string& ref,
                       const std::string& alt, const std::vector<std::string>& genotypes);

void write_text(const std::string& path, const std::string& text);
// `text` as a BGZF file (as bgzip writes it, end-of-file block included).
void write_bgzf(const std::string& path, const std::string& text);
// The VCF at `vcf_path` converted to BCF through htslib.
void write_bcf(const std::string& vcf_path, const std::string& bcf_path);
// The first `keep` bytes of `path`, written to `cut_path`.
void write_prefix(const std::string& path, const std::string& cut_path, size_t keep);
size_t file_size(const std::string& path);
// The bytes of `path` (to damage a copy of a file).
std::string read_file(const std::string& path);

}  // namespace sc::testing
