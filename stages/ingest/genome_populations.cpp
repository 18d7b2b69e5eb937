#include "stages/ingest/genome_populations.hpp"

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>
#include <unordered_map>

#include "pipeline/error.hpp"

namespace sc {

SamplePopulations no_populations(size_t samples) {
  SamplePopulations out;
  out.of_sample.assign(samples, -1);
  return out;
}

SamplePopulations read_populations(const std::string& path, const std::vector<std::string>& samples) {
  std::ifstream in(path);
  if (!in) throw InputError("cannot open population file " + path);
  std::unordered_map<std::string, size_t> sample_index;
  for (size_t s = 0; s < samples.size(); ++s) sample_index.emplace(samples[s], s);

  std::vector<std::string> label(samples.size());
  std::vector<int64_t> label_line(samples.size(), 0);
  std::string line;
  int64_t line_number = 0;
  bool first = true;
  while (std::getline(in, line)) {
    ++line_number;
    std::istringstream fields(line);
    std::string sample, population;
    if (!(fields >> sample)) continue;  // blank line
    if (!(fields >> population))
      throw InputError(path + ":" + std::to_string(line_number) +
                       ": expected two whitespace-separated fields (sample population), found one");
    auto it = sample_index.find(sample);
    // A first line that names no sample of the panel is the header.
    if (first && it == sample_index.end()) {
      first = false;
      continue;
    }
    first = false;
    if (it == sample_index.end()) continue;
    size_t s = it->second;
    if (!label[s].empty() && label[s] != population)
      throw InputError(path + ":" + std::to_string(line_number) + ": column 2: sample " + input_value(sample) +
                       " already has another population on line " + std::to_string(label_line[s]) +
                       "; expected one population per sample");
    label[s] = population;
    label_line[s] = line_number;
  }
  if (in.bad()) throw InputError("cannot read population file " + path + " to its end");

  SamplePopulations out;
  for (size_t s = 0; s < samples.size(); ++s) {
    if (label[s].empty())
      throw InputError(path + ": sample index " + std::to_string(s) + " (VCF column " + std::to_string(10 + s) + ", " +
                       input_value(samples[s]) + ") has no line; expected a population for every sample of the panel");
    out.names.push_back(label[s]);
  }
  std::sort(out.names.begin(), out.names.end());
  out.names.erase(std::unique(out.names.begin(), out.names.end()), out.names.end());
  out.of_sample.resize(samples.size());
  for (size_t s = 0; s < samples.size(); ++s)
    out.of_sample[s] = static_cast<int32_t>(std::lower_bound(out.names.begin(), out.names.end(), label[s]) -
                                            out.names.begin());
  return out;
}

}  // namespace sc
