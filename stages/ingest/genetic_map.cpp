#include "stages/ingest/genetic_map.hpp"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstring>
#include <set>
#include <string_view>

#include "pipeline/error.hpp"

namespace sc {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string_view> fields_of(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    size_t start = i;
    while (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != '\r') ++i;
    if (i > start) fields.push_back(line.substr(start, i - start));
  }
  return fields;
}

bool parse_integer(std::string_view text, int64_t& value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size();
}

bool parse_real(std::string_view text, double& value) {
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() && std::isfinite(value);
}

// The whole file, inflated when it is gzip (zlib reads plain files unchanged).
std::string read_all(const std::string& path) {
  gzFile in = gzopen(path.c_str(), "rb");
  if (!in) throw InputError("cannot open genetic map " + path + ": " + std::strerror(errno));
  std::string text;
  char buffer[1 << 16];
  int n;
  while ((n = gzread(in, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<size_t>(n));
  // A gzip stream that ends early reads as a short file; only gzerror() tells (Z_BUF_ERROR).
  int code = Z_OK;
  const char* reason = gzerror(in, &code);
  const std::string why = reason ? reason : "";
  gzclose(in);
  if (n < 0 || code != Z_OK)
    throw InputError("genetic map " + path + " cannot be read to its end (" + why +
                     "); expected a complete plain or gzip file (is it truncated?)");
  return text;
}

// Column roles of the two formats (0-based).
struct Layout {
  size_t fields, contig, position, cm;
  const char* position_name;
  const char* cm_name;
};
constexpr Layout kShapeit{3, 1, 0, 2, "pos", "cM"};
constexpr Layout kHapmap{4, 0, 1, 3, "Position(bp)", "Map(cM)"};

const char* kFormats =
    "a shapeit map (header `pos chr cM`) or a HapMap map (header `Chromosome Position(bp) Rate(cM/Mb) Map(cM)`)";

}  // namespace

bool parse_map_format(const std::string& text, MapFormat& format) {
  if (text == "auto") format = MapFormat::automatic;
  else if (text == "shapeit") format = MapFormat::shapeit;
  else if (text == "hapmap") format = MapFormat::hapmap;
  else return false;
  return true;
}

std::string normalized_contig(const std::string& name) {
  return name.rfind("chr", 0) == 0 ? name.substr(3) : name;
}

ContigMap::ContigMap(std::string name, int64_t first_line, std::vector<int64_t> positions, std::vector<double> cm)
    : name_(std::move(name)), first_line_(first_line), positions_(std::move(positions)), cm_(std::move(cm)) {}

double ContigMap::cm_at(int64_t position) const {
  // The interval [i-1, i] holding the position; outside the map the first or last interval's
  // rate carries on (reading makes sure there are at least two positions).
  size_t i = static_cast<size_t>(std::upper_bound(positions_.begin(), positions_.end(), position) - positions_.begin());
  i = std::clamp<size_t>(i, 1, positions_.size() - 1);
  const double rate = (cm_[i] - cm_[i - 1]) / static_cast<double>(positions_[i] - positions_[i - 1]);
  return cm_[i - 1] + rate * static_cast<double>(position - positions_[i - 1]);
}

GeneticMap GeneticMap::read(const std::string& path, MapFormat format) {
  const std::string text = read_all(path);
  GeneticMap map;
  map.path_ = path;

  // Walk the lines; the first non-blank line decides the format (auto) and whether it is a header.
  std::string_view rest(text);
  int64_t line_number = 0;
  bool first = true;
  const Layout* layout = nullptr;
  std::string contig;  // of the block being read
  int64_t block_line = 0;
  std::vector<int64_t> positions;
  std::vector<double> cm;
  std::set<std::string> finished;  // contigs whose block has ended (normalized)
  int64_t previous_line = 0;

  auto close_block = [&]() {
    if (contig.empty()) return;
    if (positions.size() < 2)
      throw InputError(path + ":" + std::to_string(block_line) + ": contig " + contig + " has " +
                       std::to_string(positions.size()) +
                       " map position; expected at least two, to give a cM/bp rate for interpolation");
    finished.insert(normalized_contig(contig));
    map.contigs_.emplace_back(contig, block_line, std::move(positions), std::move(cm));
    positions.clear();
    cm.clear();
  };

  while (!rest.empty()) {
    size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    ++line_number;
    std::vector<std::string_view> fields = fields_of(line);
    if (fields.empty()) continue;
    const std::string where = path + ":" + std::to_string(line_number);

    if (first) {
      first = false;
      const bool shapeit_header = fields.size() == 3 && lower(fields[0]) == "pos";
      const bool hapmap_header = fields.size() == 4 && lower(fields[1]).rfind("position", 0) == 0;
      if (format == MapFormat::automatic) {
        if (!shapeit_header && !hapmap_header)
          throw InputError(where + ": cannot tell the genetic map's format from its first line; expected " +
                           kFormats + ", or set genome.map_format");
        format = shapeit_header ? MapFormat::shapeit : MapFormat::hapmap;
      }
      layout = format == MapFormat::shapeit ? &kShapeit : &kHapmap;
      // With the format given, a first line whose position is not a number is its header.
      int64_t ignored;
      if (shapeit_header || hapmap_header ||
          (fields.size() > layout->position && !parse_integer(fields[layout->position], ignored)))
        continue;
    }
    if (fields.size() != layout->fields)
      throw InputError(where + ": expected " + std::to_string(layout->fields) + " whitespace-separated fields (" +
                       (layout == &kShapeit ? "pos chr cM" : "Chromosome Position(bp) Rate(cM/Mb) Map(cM)") +
                       "), found " + std::to_string(fields.size()));
    int64_t position;
    double value;
    if (!parse_integer(fields[layout->position], position) || position < 0)
      throw InputError(where + ": column " + std::to_string(layout->position + 1) + " (" + layout->position_name +
                       "): expected a non-negative integer bp position, found " +
                       input_value(std::string(fields[layout->position])));
    if (!parse_real(fields[layout->cm], value))
      throw InputError(where + ": column " + std::to_string(layout->cm + 1) + " (" + layout->cm_name +
                       "): expected a finite cM value, found " + input_value(std::string(fields[layout->cm])));
    std::string name(fields[layout->contig]);
    if (name != contig) {
      close_block();
      if (finished.count(normalized_contig(name)))
        throw InputError(where + ": column " + std::to_string(layout->contig + 1) + ": contig " + name +
                         " starts a second block; expected each contig's lines together, sorted by position");
      contig = name;
      block_line = line_number;
    } else if (position <= positions.back()) {
      throw InputError(where + ": column " + std::to_string(layout->position + 1) + " (" + layout->position_name +
                       "): position not above line " + std::to_string(previous_line) +
                       "'s; expected strictly increasing positions within a contig");
    } else if (value < cm.back()) {
      throw InputError(where + ": column " + std::to_string(layout->cm + 1) + " (" + layout->cm_name +
                       "): cM lower than line " + std::to_string(previous_line) +
                       "'s; expected genetic positions that never decrease along the contig");
    }
    positions.push_back(position);
    cm.push_back(value);
    previous_line = line_number;
  }
  close_block();
  if (map.contigs_.empty())
    throw InputError(path + ": genetic map has no positions; expected " + std::string(kFormats) + " with data lines");
  map.format_ = format;
  return map;
}

const ContigMap* GeneticMap::find(const std::string& contig) const {
  const std::string wanted = normalized_contig(contig);
  for (const auto& c : contigs_)
    if (normalized_contig(c.name()) == wanted) return &c;
  return nullptr;
}

void GeneticMap::check_contigs_belong_to(const std::vector<std::string>& vcf_contigs, const std::string& vcf_path) const {
  std::set<std::string> known;
  for (const auto& c : vcf_contigs) known.insert(normalized_contig(c));
  for (const auto& c : contigs_) {
    if (known.count(normalized_contig(c.name()))) continue;
    std::string list;
    for (const auto& v : vcf_contigs) list += (list.empty() ? "" : ", ") + v;
    throw InputError(path_ + ":" + std::to_string(c.first_line()) + ": the map is for contig " + c.name() +
                     ", which " + vcf_path + " does not have; expected a map of the VCF's contigs (" + list +
                     ", compared without a leading \"chr\")");
  }
}

}  // namespace sc
