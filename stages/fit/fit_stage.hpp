// The fit stage: learns from the ingested registry tables one network per table (children counts
// in the parent's network, the parent's states as context of the child's), holding out the
// persons that evaluate will use as unseen real data, and writes the models to `store/fit/` as
// one shard per table. Identical models for any rank count: only exact integer reductions.
#pragma once

#include "pipeline/config.hpp"
#include "pipeline/stage.hpp"

namespace sc {

po::options_description fit_options();
StageResult run_fit(const StageContext& context);

}  // namespace sc
