// Keys read by the operations scripts in slurm/ (the chained submission and the scheduled
// refresh), not by any stage. They live in the same INI file as the pipeline's keys so that an
// operator keeps one config per sandbox; the binary declares them only so that they are checked
// and documented like every other key (no stage fingerprint includes them: changing a threshold
// or a partition never invalidates resumable work).
#pragma once

#include "pipeline/config.hpp"

namespace sc {

po::options_description slurm_options();
po::options_description refresh_options();

}  // namespace sc
