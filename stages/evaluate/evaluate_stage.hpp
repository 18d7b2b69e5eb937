// The evaluate stage: measures the synthetic release against the real data it came from and
// writes `<run.dir>/report/metrics.json`. Tables: SDMetrics-compatible quality per table and, for
// root tables, distance-to-closest-record privacy against training and hold-out persons. Every
// number is computed from per-shard pieces merged in shard order: the same on any rank count.
// docs/metrics.md gives every formula.
#pragma once

#include "pipeline/config.hpp"
#include "pipeline/stage.hpp"

namespace sc {

po::options_description evaluate_options();
StageResult run_evaluate(const StageContext& context);

}  // namespace sc
