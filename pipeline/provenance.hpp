// The provenance manifest, `<run.dir>/provenance.json`, beside the store: the resolved config, the
// code version, the seed, the SHA-256 of every input, and for each stage its wall time, peak
// memory per rank, hosts and summary. It is the audit trail of a release; everything run-specific
// (timings, hosts, memory) lives here and never in the store's digests.
#pragma once

#include <string>

#include "pipeline/stage.hpp"

namespace sc {

// Collective: gathers each rank's peak resident memory, host name and CPU seconds (`cpu_seconds`:
// this rank's user + system time in the stage, all threads; negative: not measured); rank 0
// merges the stage's record into the manifest (created on first use) and rewrites it atomically.
void record_stage_provenance(const StageContext& context, const std::string& stage, const StageResult& result,
                             double wall_seconds, double cpu_seconds = -1.0);

// This process's peak resident set size in bytes.
int64_t peak_resident_bytes();
// This process's CPU time so far (user + system, all threads), in seconds.
double process_cpu_seconds();

}  // namespace sc
