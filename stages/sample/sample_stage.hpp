// The sample stage: draws a synthetic registry of `sample.persons` root rows (and their child
// rows, as many as the fitted children counts say) from the models in `store/fit/`, into
// `store/sample/` in the ingest layout, so that export and evaluate read it like real tables.
// Identical contents for any rank and thread count (counter-based draws, DESIGN.md decision 2).
#pragma once

#include "pipeline/config.hpp"
#include "pipeline/stage.hpp"

namespace sc {

po::options_description sample_options();
StageResult run_sample(const StageContext& context);

}  // namespace sc
