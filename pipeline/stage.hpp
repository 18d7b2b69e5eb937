// What every stage receives and returns. A stage is a function from store to store: it reads the
// stages before it through the store, takes the communicator and the config, and reports a summary
// (recorded in the provenance manifest and printed as the stage's one-line summary) and the input
// files it read (their SHA-256 goes into the manifest).
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "pipeline/config.hpp"
#include "pipeline/mpi_comm.hpp"

namespace sc {

struct StageContext {
  const Communicator& comm;
  const Config& config;
  std::string run_dir;    // run.dir
  std::string store_dir;  // run.dir/store
  int threads = 0;        // TBB threads per rank (0 = all cores)
};

struct StageResult {
  std::string summary_line;                 // one line for the operator
  nlohmann::json summary = nlohmann::json::object();
  std::map<std::string, std::string> inputs;  // input path -> SHA-256
};

using StageFunction = std::function<StageResult(const StageContext&)>;

// The fingerprint that decides whether a partial or complete stage may be reused: the config keys
// under `prefixes`, the inputs' digests and the code version.
std::string stage_fingerprint(const Config& config, const std::string& stage, const std::vector<std::string>& prefixes,
                              const std::map<std::string, std::string>& inputs);

// True when `stage` is already complete in the store with this fingerprint; `result` then says
// so ("already complete for this config and <basis>; nothing to do") and the stage returns it.
bool already_complete(const StageContext& context, const std::string& stage, const std::string& fingerprint,
                      const std::string& basis, StageResult& result);

// Prints on rank 0 only, prefixed with the stage name.
void log_root(const Communicator& comm, const std::string& stage, const std::string& message);

}  // namespace sc
