#include "genome_test_files.hpp"

#include <htslib/bgzf.h>
#include <htslib/hts.h>
#include <htslib/vcf.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>

namespace sc::testing {

std::string vcf_text(const std::vector<std::string>& samples, const std::vector<std::string>& records) {
  std::string text =
      "##fileformat=VCFv4.2\n"
      "##contig=<ID=20>\n"
      "##contig=<ID=21>\n"
      "##FORMAT=<ID=GT,Number=1,Type=String,Description=\"Genotype\">\n"
      "#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO";
  if (!samples.empty()) text += "\tFORMAT";  // a sites-only VCF has no FORMAT column
  for (const auto& s : samples) text += "\t" + s;
  text += "\n";
  for (const auto& r : records) text += r + "\n";
  return text;
}

std::string vcf_record(const std::string& chrom, long position, const std::string& id, const std::string& ref,
                       const std::string& alt, const std::vector<std::string>& genotypes) {
  std::string line = chrom + "\t" + std::to_string(position) + "\t" + id + "\t" + ref + "\t" + alt + "\t.\t.\t.\tGT";
  for (const auto& g : genotypes) line += "\t" + g;
  return line;
}

void write_text(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes(std::istreambuf_iterator<char>(in), {});
  if (!in && !in.eof()) throw std::runtime_error("cannot read " + path);
  return bytes;
}

void write_bgzf(const std::string& path, const std::string& text) {
  BGZF* out = bgzf_open(path.c_str(), "w");
  if (!out || bgzf_write(out, text.data(), text.size()) < 0 || bgzf_close(out) != 0)
    throw std::runtime_error("cannot write " + path);
}

void write_bcf(const std::string& vcf_path, const std::string& bcf_path) {
  htsFile* in = hts_open(vcf_path.c_str(), "r");
  htsFile* out = hts_open(bcf_path.c_str(), "wb");
  if (!in || !out) throw std::runtime_error("cannot convert " + vcf_path);
  bcf_hdr_t* hdr = bcf_hdr_read(in);
  if (!hdr || bcf_hdr_write(out, hdr) != 0) throw std::runtime_error("cannot convert the header of " + vcf_path);
  bcf1_t* rec = bcf_init();
  while (bcf_read(in, hdr, rec) == 0)
    if (bcf_write(out, hdr, rec) != 0) throw std::runtime_error("cannot convert a record of " + vcf_path);
  bcf_destroy(rec);
  bcf_hdr_destroy(hdr);
  hts_close(in);
  if (hts_close(out) != 0) throw std::runtime_error("cannot close " + bcf_path);
}

void write_prefix(const std::string& path, const std::string& cut_path, size_t keep) {
  std::ifstream in(path, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  write_text(cut_path, bytes.substr(0, std::min(keep, bytes.size())));
}

size_t file_size(const std::string& path) { return static_cast<size_t>(std::filesystem::file_size(path)); }

}  // namespace sc::testing
