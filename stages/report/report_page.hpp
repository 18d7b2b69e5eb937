// The self-contained HTML of one edition of the report: the score card (verdicts and the
// thresholds that define them), the charts of that edition from metrics.json's `charts` list as
// Vega views, and Vega itself inlined, so the file opens offline. After every view has rendered,
// the page writes into <pre id="render-status"> a JSON object {done, errors, marks: {chart id:
// rendered mark items}}, which the headless-browser test reads (tests/cli/report_browser.sh).
#pragma once

#include <nlohmann/json.hpp>

#include <string>

namespace sc::report {

// `edition`: "steward" or "public". `metrics` holds `charts` and `verdicts`.
std::string report_page(const nlohmann::json& metrics, const std::string& edition, const std::string& vega_script);

}  // namespace sc::report
