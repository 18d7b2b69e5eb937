// The stages the driver knows, in pipeline order, with the config keys each declares. A stage
// joins the pipeline by adding one entry here; `synthcohort run` runs the registered stages in
// this order.
#pragma once

#include <string>
#include <vector>

#include "pipeline/config.hpp"
#include "pipeline/stage.hpp"

namespace sc {

struct StageEntry {
  std::string name;
  std::string help;
  StageFunction run;
  bool in_pipeline;  // part of `synthcohort run`
};

const std::vector<StageEntry>& registered_stages();
// Every key of every stage plus the run-wide ones, with defaults and help.
po::options_description all_options();
std::vector<DynamicSection> dynamic_sections();

}  // namespace sc
