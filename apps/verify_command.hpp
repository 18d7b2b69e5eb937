// `synthcohort verify`: recomputes the SHA-256 of every dataset of a completed stage and compares
// it with the digest recorded in the stage's index, so that an operator (or a test) can prove a
// store intact after copying it, or find the shard that changed.
#pragma once

#include "pipeline/config.hpp"
#include "pipeline/stage.hpp"

namespace sc {

po::options_description verify_options();
StageResult run_verify(const StageContext& context);

}  // namespace sc
