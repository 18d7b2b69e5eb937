#include "stages/report/report_stage.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "pipeline/error.hpp"
#include "pipeline/store.hpp"
#include "pipeline/table_store.hpp"
#include "stages/report/chart_list.hpp"
#include "stages/report/report_page.hpp"
#include "stages/report/vega_bundle.hpp"
#include "stages/report/verdicts.hpp"

namespace sc {

po::options_description report_options() {
  po::options_description options("Report ([report])");
  options.add_options()
      ("report.metrics", po::value<std::string>()->default_value(""),
       "metrics file to read and complete (default: evaluate.output, else <run.dir>/report/metrics.json)")
      ("report.dir", po::value<std::string>()->default_value(""),
       "directory of steward.html and public.html (default: the metrics file's directory)")
      ("report.from_metrics", po::value<bool>()->default_value(false),
       "make the pages from the charts already in the metrics file, without reading the stores")
      ("report.vega_dir", po::value<std::string>()->default_value("/usr/share/javascript/vega"),
       "directory of Vega's module files (Debian libjs-vega), inlined into the reports")
      ("report.histogram_bins", po::value<int64_t>()->default_value(20), "bins of numeric and date column histograms")
      ("report.max_categories", po::value<int64_t>()->default_value(30),
       "categories charted one by one per column; the rest are summed as '(other)'")
      ("report.public_min_count", po::value<int64_t>()->default_value(10),
       "smallest synthetic bin or category count the public report shows (smaller cells are suppressed)");
  options.add(report::verdict_options());
  return options;
}

namespace {

using nlohmann::json;

report::ChartSettings read_chart_settings(const Config& config) {
  report::ChartSettings settings;
  int64_t bins = config.integer("report.histogram_bins");
  if (bins < 1 || bins > 1000) config.reject("report.histogram_bins", "a whole number from 1 to 1000");
  int64_t categories = config.integer("report.max_categories");
  if (categories < 1 || categories > 1000) config.reject("report.max_categories", "a whole number from 1 to 1000");
  int64_t min_count = config.integer("report.public_min_count");
  if (min_count < 1) config.reject("report.public_min_count", "a whole number of rows, at least 1");
  settings.histogram_bins = static_cast<int>(bins);
  settings.max_categories = static_cast<int>(categories);
  settings.public_min_count = min_count;
  return settings;
}

std::string metrics_path(const StageContext& context) {
  const Config& config = context.config;
  if (!config.text("report.metrics").empty()) return config.path("report.metrics");
  if (config.has("evaluate.output") && !config.text("evaluate.output").empty()) return config.path("evaluate.output");
  return context.run_dir + "/report/metrics.json";
}

// Rank 0 reads the file, every rank parses the same text.
json read_metrics(const Communicator& comm, const std::string& path) {
  std::string text, problem;
  if (comm.is_root()) {
    std::ifstream in(path, std::ios::binary);
    if (!in) problem = "cannot read " + path + " (expected the metrics that evaluate writes; run evaluate first)";
    else {
      std::ostringstream buffer;
      buffer << in.rdbuf();
      text = buffer.str();
    }
  }
  comm.agree_on_error(problem, ExitCode::input);
  comm.broadcast(text);
  json metrics;
  try {
    metrics = json::parse(text);
  } catch (const json::parse_error& e) {
    throw InputError(path + ": not JSON (" + e.what() + ")");
  }
  for (const char* key : {"real", "synthetic", "tables"})
    SC_EXPECTS(metrics.contains(key) && metrics[key].is_object(), InputError,
               path + ": no '" + key + "' object (expected the metrics that evaluate writes)");
  for (const char* side : {"real", "synthetic"})
    for (const char* key : {"store", "stage"})
      SC_EXPECTS(metrics[side].contains(key) && metrics[side][key].is_string(), InputError,
                 path + ": '" + side + "." + key + "' is not a string");
  return metrics;
}

// The `charts` section: store data (histograms, category and children counts) read per table,
// parents first, then the chart list from them and from the metrics.
json chart_section(const Communicator& comm, const json& metrics, const report::ChartSettings& settings,
                   report::ShardTally& tally) {
  StageReader real(metrics["real"]["store"].get<std::string>(), metrics["real"]["stage"].get<std::string>());
  StageReader synthetic(metrics["synthetic"]["store"].get<std::string>(), metrics["synthetic"]["stage"].get<std::string>());
  std::vector<report::TableChartData> tables;
  for (const std::string& table : stage_tables(real)) {  // parents first, as ingest wrote them
    if (!metrics["tables"].contains(table)) continue;
    log_root(comm, "report", "table " + table + ": distributions of the real and synthetic rows");
    report::TableChartData data;
    data.table = table;
    data.columns = report::column_distributions(comm, real, synthetic, table, settings.histogram_bins,
                                                settings.public_min_count, tally);
    data.parent = read_table_meta(real, table).parent;
    if (!data.parent.empty()) data.children = report::children_per_parent(comm, real, synthetic, table, tally);
    tables.push_back(std::move(data));
  }
  return {{"format", "synthcohort-charts/1"},
          {"settings", {{"histogram_bins", settings.histogram_bins},
                        {"max_categories", settings.max_categories},
                        {"public_min_count", settings.public_min_count}}},
          {"list", report::chart_list(metrics, tables, settings)}};
}

}  // namespace

StageResult run_report(const StageContext& context) {
  const Config& config = context.config;
  report::ChartSettings settings = read_chart_settings(config);
  report::VerdictThresholds thresholds = report::read_verdict_thresholds(config);
  std::string path = metrics_path(context);
  json metrics = read_metrics(context.comm, path);
  std::string vega_script = report::vega_bundle_script(config.path("report.vega_dir"));

  report::ShardTally tally;
  bool reuse = config.flag("report.from_metrics");
  if (reuse) {
    SC_EXPECTS(metrics.contains("charts") && metrics["charts"].contains("list") && metrics["charts"]["list"].is_array(),
               InputError, path + ": no 'charts.list' to make the pages from (report.from_metrics needs a metrics "
                                  "file the report stage completed before)");
    log_root(context.comm, "report", "pages from the charts in " + path + "; the stores are not read");
  } else {
    metrics["charts"] = chart_section(context.comm, metrics, settings, tally);
  }
  metrics["verdicts"] = report::judge(metrics, thresholds);

  std::string dir = config.text("report.dir").empty() ? std::filesystem::path(path).parent_path().string()
                                                      : config.path("report.dir");
  if (dir.empty()) dir = ".";
  std::string steward_path = dir + "/steward.html", public_path = dir + "/public.html";
  // Every rank builds the pages (a bad chart fails on all of them alike); rank 0 writes.
  std::string steward_page = report::report_page(metrics, "steward", vega_script);
  std::string public_page = report::report_page(metrics, "public", vega_script);
  std::string problem;
  if (context.comm.is_root()) {
    try {
      std::filesystem::create_directories(dir);
      write_file_atomically(path, metrics.dump(1));
      write_file_atomically(steward_path, steward_page);
      write_file_atomically(public_path, public_page);
    } catch (const std::exception& e) {
      problem = std::string("cannot write the report: ") + e.what();
    }
  }
  context.comm.agree_on_error(problem, ExitCode::io);

  int64_t steward_charts = 0, public_charts = 0;
  for (const auto& chart : metrics["charts"]["list"]) {
    steward_charts += report::shown_in(chart["edition"], "steward");
    public_charts += report::shown_in(chart["edition"], "public");
  }
  int64_t untrusted = 0;
  for (const char* kind : {"columns", "pairs"})
    for (const auto& v : metrics["verdicts"][kind]) untrusted += v["verdict"] == "do not trust";
  StageResult result;
  result.summary = {{"metrics", path}, {"steward_report", steward_path}, {"public_report", public_path},
                    {"charts_steward", steward_charts}, {"charts_public", public_charts},
                    {"shards_read_per_rank", context.comm.allgather(tally.shards_read)}};
  result.summary_line = std::to_string(steward_charts) + " charts in " + steward_path + ", " +
                        std::to_string(public_charts) + " in " + public_path + "; " + std::to_string(untrusted) +
                        " columns or pairs not to trust";
  return result;
}

}  // namespace sc
