#include "pipeline/stage.hpp"

#include <cstdio>

#include "pipeline/sha256.hpp"
#include "pipeline/store.hpp"
#include "pipeline/version.hpp"

namespace sc {

std::string stage_fingerprint(const Config& config, const std::string& stage, const std::vector<std::string>& prefixes,
                              const std::map<std::string, std::string>& inputs) {
  nlohmann::json keys = nlohmann::json::object();
  const nlohmann::json all = config.to_json();  // kept alive: items() only views it
  for (auto& [key, value] : all.items())
    for (const auto& prefix : prefixes)
      if (key.rfind(prefix, 0) == 0) keys[key] = value;
  nlohmann::json fingerprint = {{"stage", stage}, {"config", keys}, {"code_version", code_version()}};
  nlohmann::json digests = nlohmann::json::object();
  for (const auto& [path, digest] : inputs) digests[path] = digest;
  fingerprint["inputs"] = digests;
  return sha256_hex(fingerprint.dump().data(), fingerprint.dump().size());
}

void log_root(const Communicator& comm, const std::string& stage, const std::string& message) {
  if (!comm.is_root()) return;
  std::fprintf(stdout, "[%s] %s\n", stage.c_str(), message.c_str());
  std::fflush(stdout);
}

bool already_complete(const StageContext& context, const std::string& stage, const std::string& fingerprint,
                      const std::string& basis, StageResult& result) {
  if (!StageWriter::already_complete(context.store_dir, stage, fingerprint)) return false;
  result.summary_line = "already complete for this config and " + basis + "; nothing to do";
  result.summary = {{"already_complete", true}};
  return true;
}

}  // namespace sc
