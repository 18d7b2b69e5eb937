#include "stages/fit/allele_age_file.hpp"

#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>

#include "pipeline/error.hpp"
#include "stages/ingest/value_parsing.hpp"

namespace sc {
namespace {

std::string trimmed(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t\r");
  if (a == std::string::npos) return "";
  return s.substr(a, s.find_last_not_of(" \t\r") + 1 - a);
}

std::vector<std::string> fields_of(const std::string& line) {
  std::vector<std::string> out;
  size_t start = 0;
  for (;;) {
    const size_t comma = line.find(',', start);
    out.push_back(trimmed(line.substr(start, comma == std::string::npos ? std::string::npos : comma - start)));
    if (comma == std::string::npos) return out;
    start = comma + 1;
  }
}

std::string contig_name(const std::string& c) { return c.rfind("chr", 0) == 0 ? c.substr(3) : c; }

// HAPNEST keeps the first row of a site after sorting by source: Combined, then the single-data-set
// estimates (TGP before SGDP here, the larger sample).
int source_rank(const std::string& source) {
  if (source.empty() || source == "Combined") return 0;
  if (source == "TGP") return 1;
  if (source == "SGDP") return 2;
  return 3;
}

}  // namespace

std::string allele_age_site_key(const std::string& contig, int64_t position) {
  return contig_name(contig) + ":" + std::to_string(position);
}

AlleleAgeRows read_allele_age_file(const std::string& path, const std::unordered_set<std::string>& wanted) {
  std::ifstream in(path);
  if (!in) throw InputError("genome.allele_ages: cannot open " + path + " (" + std::strerror(errno) + ")");
  const std::string name = "genome.allele_ages " + path;
  std::string line;
  int64_t number = 0;
  std::vector<std::string> header;
  while (std::getline(in, line)) {
    ++number;
    if (trimmed(line).empty() || line[0] == '#') continue;
    header = fields_of(line);
    break;
  }
  if (header.empty()) throw InputError(name + ": no header line (expected the Atlas of Variant Age's column names)");
  auto column = [&](const char* wanted_name, bool required) {
    for (size_t i = 0; i < header.size(); ++i)
      if (header[i] == wanted_name) return static_cast<int>(i);
    if (required)
      throw InputError(name + ", line " + std::to_string(number) + ": the header has no column " + wanted_name +
                       " (needed: Chromosome, Position, AlleleRef, AlleleAlt, AgeMean_Mut)");
    return -1;
  };
  const int c_chrom = column("Chromosome", true), c_pos = column("Position", true), c_ref = column("AlleleRef", true),
            c_alt = column("AlleleAlt", true), c_age = column("AgeMean_Mut", true), c_anc = column("AlleleAnc", false),
            c_source = column("DataSource", false);
  AlleleAgeRows rows;
  while (std::getline(in, line)) {
    ++number;
    if (trimmed(line).empty() || line[0] == '#') continue;
    const std::vector<std::string> f = fields_of(line);
    const std::string where = name + ", line " + std::to_string(number);
    if (f.size() != header.size())
      throw InputError(where + ": " + std::to_string(f.size()) + " fields, the header names " + std::to_string(header.size()));
    auto bad = [&](int c, const std::string& expected) {
      throw InputError(where + ", column " + std::to_string(c + 1) + " (" + header[static_cast<size_t>(c)] + "): expected " +
                       expected);
    };
    int64_t position = 0;
    if (!parse_int64(f[static_cast<size_t>(c_pos)], position) || position < 1) bad(c_pos, "a position >= 1");
    double age = 0;  // parse_real takes finite values only
    if (!parse_real(f[static_cast<size_t>(c_age)], age) || age < 0) bad(c_age, "an age in generations (a finite number >= 0)");
    if (f[static_cast<size_t>(c_chrom)].empty()) bad(c_chrom, "a chromosome name");
    if (f[static_cast<size_t>(c_ref)].empty()) bad(c_ref, "an allele");
    if (f[static_cast<size_t>(c_alt)].empty()) bad(c_alt, "an allele");
    const std::string key = allele_age_site_key(f[static_cast<size_t>(c_chrom)], position);
    if (!wanted.count(key)) continue;
    AlleleAgeRow row;
    row.ref = f[static_cast<size_t>(c_ref)];
    row.alt = f[static_cast<size_t>(c_alt)];
    row.ancestral = c_anc >= 0 ? f[static_cast<size_t>(c_anc)] : row.ref;
    row.generations = age;
    row.source_rank = c_source >= 0 ? source_rank(f[static_cast<size_t>(c_source)]) : 0;
    rows[key].push_back(std::move(row));
  }
  if (in.bad()) throw InputError(name + ": read error after line " + std::to_string(number));
  return rows;
}

VariantAlleleAge match_allele_age(const AlleleAgeRows& rows, const std::string& contig, int64_t position,
                                  const std::string& ref, const std::string& alt) {
  VariantAlleleAge out{std::numeric_limits<double>::infinity(), false};
  const auto it = rows.find(allele_age_site_key(contig, position));
  if (it == rows.end()) return out;
  const AlleleAgeRow* best = nullptr;
  for (const auto& row : it->second) {
    const bool same = (row.ref == ref && row.alt == alt) || (row.ref == alt && row.alt == ref);
    if (!same || (row.ancestral != ref && row.ancestral != alt)) continue;
    if (best == nullptr || row.source_rank < best->source_rank) best = &row;
  }
  if (best != nullptr) out = {best->generations, best->ancestral == alt};
  return out;
}

}  // namespace sc
