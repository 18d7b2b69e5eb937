// The report stage: reads <run.dir>/report/metrics.json (written by evaluate) and the real and
// synthetic stores it names, adds what the charts need that the metrics lack (histograms,
// category counts, children per parent: computed per shard and reduced across ranks, identical
// for any rank count) as the `charts` section and the steward's verdicts as `verdicts`, and
// writes two self-contained HTML reports from metrics.json alone: the steward's (real and
// synthetic views; stays in the secure zone) and the public one (scores, verdicts and
// synthetic-only views; travels with the release). docs/report.md describes both.
#pragma once

#include "pipeline/config.hpp"
#include "pipeline/stage.hpp"

namespace sc {

po::options_description report_options();
StageResult run_report(const StageContext& context);

}  // namespace sc
