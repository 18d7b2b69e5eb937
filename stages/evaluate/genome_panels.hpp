// The two genome panels an evaluation compares, as the genome metrics of the evaluate stage see
// them (genome_evaluation.cpp, genome_kinship_evaluation.cpp, genome_pca_evaluation.cpp): the
// real panel's individuals split into training and held-out ones (pipeline/genome_holdout.hpp),
// the synthetic individuals, and this rank's windows of both panels (window w belongs to rank
// w % ranks), read once and checked to hold the same variants.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/mpi_comm.hpp"
#include "pipeline/store.hpp"
#include "stages/evaluate/genome_evaluation.hpp"
#include "stages/evaluate/metrics/genome_bits.hpp"
#include "stages/evaluate/metrics/genome_relatedness.hpp"
#include "stages/ingest/genome_store.hpp"

namespace sc {

using metrics::GenomeRole;

metrics::HaplotypeBits bits_of(const GenomeWindow& window);
// A metric value for metrics.json: NaN and infinities become null.
nlohmann::json finite_or_null(double value);

// The two panels, their individuals' roles, and this rank's windows held in memory.
struct Panels {
  Panels(const StageReader& real_stage, const StageReader& synthetic_stage, const GenomeEvaluationOptions& o)
      : real_reader(real_stage), synthetic_reader(synthetic_stage), options(o) {}
  const StageReader& real_reader;
  const StageReader& synthetic_reader;
  const GenomeEvaluationOptions& options;
  std::vector<std::string> real_windows, synthetic_windows;
  int64_t panel = 0, synthetic = 0;     // individuals
  std::vector<bool> training, holdout;  // per panel individual
  std::vector<bool> everyone;           // per synthetic individual
  int64_t training_count = 0, holdout_count = 0;
  std::vector<GenomeRole> roles;        // panel individuals, then synthetic ones
  std::vector<int64_t> own;             // this rank's window indices
  std::vector<GenomeWindow> real, synth;  // this rank's windows, parallel to `own`

  int64_t windows() const { return static_cast<int64_t>(real_windows.size()); }
  GenomeWindow read_real(int64_t w) const {
    return read_genome_window(h5::File::open_read(real_reader.path(real_windows[static_cast<size_t>(w)])), w);
  }
  GenomeWindow read_synthetic(int64_t w) const {
    return read_genome_window(h5::File::open_read(synthetic_reader.path(synthetic_windows[static_cast<size_t>(w)])), w);
  }
  // Position of window w among this rank's windows.
  size_t slot(int64_t w) const { return static_cast<size_t>(std::find(own.begin(), own.end(), w) - own.begin()); }
};

// Reads both panels' sample tables and this rank's windows. Collective: a problem on any rank
// (windows that differ, a hold-out larger than the panel) stops every rank with its exit code.
Panels load_panels(const Communicator& comm, const StageReader& real, const StageReader& synthetic,
                   const GenomeEvaluationOptions& options);

struct WindowCounts {
  std::vector<int64_t> training, holdout, synthetic;  // ALT counts per variant
};
WindowCounts counts_of(const Panels& p, const GenomeWindow& real, const GenomeWindow& synth);

}  // namespace sc
