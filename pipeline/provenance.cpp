#include "pipeline/provenance.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "pipeline/store.hpp"
#include "pipeline/version.hpp"

namespace sc {

int64_t peak_resident_bytes() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<int64_t>(usage.ru_maxrss) * 1024;  // Linux reports KiB
}

double process_cpu_seconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) { return static_cast<double>(t.tv_sec) + 1e-6 * static_cast<double>(t.tv_usec); };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

namespace {
std::string utc_now() {
  std::time_t now = std::time(nullptr);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&now));
  return text;
}
}  // namespace

void record_stage_provenance(const StageContext& context, const std::string& stage, const StageResult& result,
                             double wall_seconds, double cpu_seconds) {
  const Communicator& comm = context.comm;
  std::vector<int64_t> peaks = comm.allgather<int64_t>(peak_resident_bytes());
  // Microseconds, so that the gather is of integers.
  std::vector<int64_t> cpu_us = comm.allgather<int64_t>(static_cast<int64_t>(std::llround(cpu_seconds * 1e6)));
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  std::string host_name(host);
  auto hosts = comm.gather_bytes(std::vector<uint8_t>(host_name.begin(), host_name.end()));
  if (!comm.is_root()) return;

  std::string path = context.run_dir + "/provenance.json";
  nlohmann::json manifest = nlohmann::json::object();
  if (std::filesystem::exists(path)) {
    std::ifstream in(path);
    try {
      manifest = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception&) {
      manifest = nlohmann::json::object();  // a damaged manifest is replaced, not trusted
    }
  }
  manifest["format"] = "synthcohort-provenance/1";
  manifest["code_version"] = code_version();
  manifest["config"] = context.config.to_json();
  manifest["config_file"] = context.config.file();
  manifest["seed"] = context.config.integer("run.seed");
  for (const auto& [input, digest] : result.inputs) manifest["inputs"][input] = {{"sha256", digest}};
  nlohmann::json ranks = nlohmann::json::array();
  int64_t peak_max = 0, cpu_total_us = 0;
  for (size_t r = 0; r < peaks.size(); ++r) {
    ranks.push_back({{"rank", r}, {"host", std::string(hosts[r].begin(), hosts[r].end())},
                     {"peak_resident_bytes", peaks[r]}});
    if (cpu_seconds >= 0) ranks.back()["cpu_seconds"] = static_cast<double>(cpu_us[r]) * 1e-6;
    peak_max = std::max(peak_max, peaks[r]);
    cpu_total_us += cpu_us[r];
  }
  manifest["stages"][stage] = {{"finished_utc", utc_now()}, {"wall_seconds", wall_seconds},
                               {"ranks", comm.size()}, {"threads_per_rank", context.threads},
                               {"peak_resident_bytes_max", peak_max}, {"per_rank", ranks},
                               {"summary", result.summary}};
  // CPU seconds of all ranks together: on a shared machine the stage's cost, which the wall time
  // (the other jobs' share of the cores included) is not.
  if (cpu_seconds >= 0) manifest["stages"][stage]["cpu_seconds"] = static_cast<double>(cpu_total_us) * 1e-6;
  write_file_atomically(path, manifest.dump(1));
}

}  // namespace sc
