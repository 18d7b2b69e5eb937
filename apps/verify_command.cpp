#include "apps/verify_command.hpp"

#include "pipeline/error.hpp"
#include "pipeline/store.hpp"

namespace sc {

po::options_description verify_options() {
  po::options_description options("Verify ([verify])");
  options.add_options()("verify.stage", po::value<std::string>()->default_value("ingest"),
                        "completed stage whose digests to recompute");
  return options;
}

StageResult run_verify(const StageContext& context) {
  std::string stage = context.config.text("verify.stage");
  std::vector<std::string> problems;
  std::string message;
  if (context.comm.is_root()) {
    problems = verify_stage(context.store_dir, stage);
    for (size_t i = 0; i < problems.size() && i < 20; ++i) message += "\n  " + problems[i];
  }
  if (!message.empty())
    message = std::to_string(problems.size()) + " dataset(s) of stage '" + stage +
              "' do not match their recorded digests:" + message;
  context.comm.agree_on_error(message, ExitCode::io);
  StageResult result;
  result.summary = {{"stage", stage}, {"mismatches", 0}};
  result.summary_line = "every dataset of stage '" + stage + "' matches its digest";
  return result;
}

}  // namespace sc
