#include "stages/report/report_page.hpp"

#include <cmath>
#include <cstdio>

#include "stages/report/chart_list.hpp"
#include "stages/report/vega_specs.hpp"

namespace sc::report {
namespace {

using nlohmann::json;

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string format_number(const json& value) {
  if (!value.is_number()) return "–";
  char text[32];
  std::snprintf(text, sizeof text, "%.4f", value.get<double>());
  return text;
}

// JSON inside a <script>: "<" as \u003c, so that no string in it can end the script element.
std::string script_json(const json& value) {
  std::string text = value.dump();
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '<') out += "\\u003c";
    else out += c;
  }
  return out;
}

std::string verdict_cell(const std::string& verdict) {
  std::string css = verdict == "trust" || verdict == "pass" ? "good"
                    : verdict == "use with care"             ? "care"
                    : verdict == "do not trust" || verdict == "review" ? "bad"
                                                                       : "none";
  return "<td class=\"" + css + "\">" + escape(verdict) + "</td>";
}

std::string row(std::initializer_list<std::string> cells, const std::string& verdict) {
  std::string html = "<tr>";
  for (const auto& c : cells) html += "<td>" + escape(c) + "</td>";
  return html + verdict_cell(verdict) + "</tr>\n";
}

std::string table_of(const std::string& caption, const std::string& head, const std::string& rows) {
  if (rows.empty()) return "";
  return "<table><caption>" + escape(caption) + "</caption><thead><tr>" + head + "</tr></thead><tbody>\n" + rows +
         "</tbody></table>\n";
}

std::string head_cells(std::initializer_list<const char*> names) {
  std::string html;
  for (const char* n : names) html += std::string("<th>") + n + "</th>";
  return html;
}

std::string score_card(const json& verdicts) {
  std::string tables, relations, privacy, genomes, columns, pairs;
  for (const auto& v : verdicts["tables"])
    tables += row({v["table"], "SDMetrics 0.27 quality score", format_number(v["score"])}, v["verdict"]);
  for (const auto& v : verdicts["relations"])
    relations += row({v["table"], v.value("label", v.value("measure", "")), format_number(v["score"])}, v["verdict"]);
  for (const auto& v : verdicts["privacy"])
    privacy += row({v["subject"], v["measure"], format_number(v["value"]),
                    v["rule"].get<std::string>() + " " + format_number(v["threshold"])}, v["verdict"]);
  for (const auto& v : verdicts["genomes"])
    genomes += row({v["measure"], format_number(v["value"]),
                    v["rule"].get<std::string>() + " " + format_number(v["threshold"])}, v["verdict"]);
  for (const auto& v : verdicts["columns"])
    columns += row({v["table"], v["column"], v["metric"], format_number(v["score"])}, v["verdict"]);
  for (const auto& v : verdicts["pairs"]) {
    std::string names = v["columns"].size() == 2 ? v["columns"][0].get<std::string>() + " × " + v["columns"][1].get<std::string>() : "";
    pairs += row({v["table"], names, v["metric"], format_number(v["score"]),
                  v.value("meets_threshold", false) ? "yes" : "no"}, v["verdict"]);
  }
  const json& t = verdicts["thresholds"];
  std::string html = "<section id=\"score-card\"><h2>Score card</h2>\n<p class=\"rules\">Utility verdicts: <b>trust</b> "
                     "when a score is at least " + format_number(t["trust_score"]) + ", <b>use with care</b> from " +
                     format_number(t["caution_score"]) + ", <b>do not trust</b> below (report.trust_score, "
                     "report.caution_score). Scores run from 0 to 1, 1 meaning that the synthetic data reproduce the "
                     "real shape exactly. Privacy and genome checks <b>pass</b> or need <b>review</b> by the rule shown.</p>\n";
  html += table_of("Tables", head_cells({"table", "measure", "score", "verdict"}), tables + relations);
  html += table_of("Privacy", head_cells({"table", "measure", "value", "rule", "verdict"}), privacy);
  html += table_of("Genomes", head_cells({"measure", "value", "rule", "verdict"}), genomes);
  html += table_of("Columns: which to trust", head_cells({"table", "column", "metric", "score", "verdict"}), columns);
  html += table_of("Column pairs: which to trust (SDMetrics 0.27 scores only pairs with |r| > 0.5 or Cramér's V > 0.3: "
                   "'in 0.27 score')",
                   head_cells({"table", "columns", "metric", "score", "in 0.27 score", "verdict"}), pairs);
  return html + "</section>\n";
}

// The numbers behind the verdicts, as metrics.json holds them: per table the SDMetrics properties,
// our shared-bin variant and the DCR summaries; for genomes the agreement and privacy measures.
// All are aggregates over every row; the hold-out individuals' own kinship to the reference is a
// real-data distribution and stays in the steward's edition.
std::string measures(const json& metrics, bool steward) {
  std::string rows;
  auto add = [&](const std::string& subject, const std::string& label, const json& root, const char* pointer) {
    json::json_pointer at(pointer);
    if (root.contains(at) && root[at].is_number())
      rows += "<tr><td>" + escape(subject) + "</td><td>" + escape(label) + "</td><td>" + format_number(root[at]) + "</td></tr>\n";
  };
  for (const auto& [table, m] : metrics["tables"].items()) {
    add(table, "column shapes (SDMetrics)", m, "/column_shapes");
    add(table, "column pair trends (SDMetrics 0.27, thresholded)", m, "/column_pair_trends_thresholded");
    add(table, "column pair trends (all pairs)", m, "/column_pair_trends");
    add(table, "quality score, shared bins (ours)", m, "/ours_shared_bins/quality_score_thresholded");
    add(table, "median DCR to training rows", m, "/privacy/dcr_to_training/median_dcr");
    add(table, "median DCR to hold-out rows", m, "/privacy/dcr_to_holdout/median_dcr");
    add(table, "median nearest-neighbour distance ratio", m, "/privacy/dcr_to_training/nndr_median");
    add(table, "share of synthetic rows closer to training than hold-out", m, "/privacy/dcr_overfitting_protection/closer_to_training");
    add(table, "referential integrity (synthetic)", m, "/relation/referential_integrity/synthetic");
  }
  if (metrics.contains("genomes")) {
    const json& g = metrics["genomes"];
    add("genomes", "allele frequency r² (synthetic vs reference)", g, "/allele_frequency/r2");
    add("genomes", "allele frequency mean |p - q|", g, "/allele_frequency/mean_abs_diff");
    add("genomes", "allele frequency r² (synthetic vs hold-out)", g, "/allele_frequency/r2_holdout");
    add("genomes", "allele frequency r² (reference vs hold-out)", g, "/allele_frequency/r2_train_vs_holdout");
    add("genomes", "LD decay mean |r²(real) - r²(synthetic)|", g, "/ld_decay/mean_abs_diff");
    add("genomes", "AATS", g, "/aats/aats");
    add("genomes", "share of synthetic individuals closer in kinship than hold-out", g, "/kinship/share_closer_than_holdout");
    add("genomes", "kinship to closest reference, synthetic, median", g, "/kinship/synthetic_max/median");
    add("genomes", "kinship to closest reference, synthetic, 95th percentile", g, "/kinship/synthetic_max/p95");
    if (steward) {
      add("genomes", "kinship to closest reference, hold-out, median", g, "/kinship/holdout_max/median");
      add("genomes", "kinship to closest reference, hold-out, 95th percentile", g, "/kinship/holdout_max/p95");
    }
    add("genomes", "longest copied segment (cM)", g, "/longest_copied_segment_cm");
  }
  return table_of("Measures", head_cells({"subject", "measure", "value"}), rows);
}

const char* kStyle = R"(body{font-family:sans-serif;margin:1.5em;max-width:1100px;color:#222}
.banner{padding:.8em 1em;border-radius:4px;font-weight:bold}
.steward{background:#fde2e1;border:2px solid #c0392b}.public{background:#e3f1e4;border:2px solid #2e7d32}
table{border-collapse:collapse;margin:1em 0;font-size:.9em}caption{text-align:left;font-weight:bold;padding:.3em 0}
td,th{border:1px solid #ccc;padding:.2em .6em;text-align:left}.good{background:#d8efd9}.care{background:#fff2c6}
.bad{background:#f7d0cd}.none{background:#eee}.chart{display:inline-block;vertical-align:top;margin:.5em 1em .5em 0}
.chart h4{margin:.2em 0;font-size:.9em;max-width:460px}#render-status{display:none}.rules{max-width:900px})";

// Renders every chart, counts the mark items of each (axes, legends and titles aside) and
// records errors: the evidence the browser test reads.
const char* kRenderScript = R"(
(function () {
  var status = {done: false, errors: reportErrors, marks: {}};
  function show() { document.getElementById('render-status').textContent = JSON.stringify(status); }
  function markItems(mark) {
    var n = 0;
    if (mark.marktype !== 'group' && mark.role === 'mark') n += mark.items.length;
    (mark.items || []).forEach(function (item) { (item.items || []).forEach(function (m) { n += markItems(m); }); });
    return n;
  }
  var views = REPORT_CHARTS.map(function (chart, i) {
    try {
      var view = new vega.View(vega.parse(chart.spec), {renderer: 'svg', container: '#chart-' + i, hover: true});
      return view.runAsync().then(function (v) { status.marks[chart.id] = markItems(v.scenegraph().root); },
                                  function (e) { reportErrors.push(chart.id + ': ' + e); });
    } catch (e) {
      reportErrors.push(chart.id + ': ' + e);
      return Promise.resolve();
    }
  });
  Promise.all(views).then(function () { status.done = true; show(); });
  show();
})();
)";

const char* kErrorScript = R"(
var reportErrors = [];
window.addEventListener('error', function (e) { reportErrors.push('error: ' + e.message); });
window.addEventListener('unhandledrejection', function (e) { reportErrors.push('rejection: ' + e.reason); });
(function () {
  var original = console.error;
  console.error = function () { reportErrors.push('console.error: ' + Array.prototype.join.call(arguments, ' ')); original.apply(console, arguments); };
})();
)";

}  // namespace

std::string report_page(const json& metrics, const std::string& edition, const std::string& vega_script) {
  bool steward = edition == "steward";
  std::string title = steward ? "synthcohort: steward's report" : "synthcohort: public report";
  std::string html = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + title +
                     "</title>\n<style>" + kStyle + "</style>\n<script>" + kErrorScript + "</script>\n</head><body>\n";
  html += "<h1>" + title + "</h1>\n";
  html += steward ? "<p class=\"banner steward\">Steward's report: it shows real-data distributions, extremes and "
                    "small cells. Keep it inside the secure zone; it must not travel with the release.</p>\n"
                  : "<p class=\"banner public\">Public report: scores, verdicts and views of the synthetic data only. "
                    "It holds no real-data values and travels with the release.</p>\n";
  if (!steward) {
    const json& settings = metrics["charts"].value("settings", json::object());
    html += "<p>Synthetic bins, categories and children counts of fewer than " +
            std::to_string(settings.value("public_min_count", int64_t{0})) +
            " rows are not shown, and the thin tails of numeric columns are cut before binning.</p>\n";
  }
  html += "<p>Code version " + escape(metrics.value("code_version", std::string("?"))) + ", metrics format " +
          escape(metrics.value("format", std::string("?"))) + ".</p>\n";
  html += score_card(metrics["verdicts"]);
  html += measures(metrics, steward);

  json charts = json::array();
  std::string sections, current;
  for (const auto& chart : metrics["charts"]["list"]) {
    if (!shown_in(chart.value("edition", ""), edition)) continue;
    std::string table = chart.value("table", "");
    std::string section = table.empty() ? chart.value("section", "") : table + ": " + chart.value("section", "");
    if (section != current) {
      sections += "<h2>" + escape(section) + "</h2>\n";
      current = section;
    }
    sections += "<div class=\"chart\"><h4>" + escape(chart.value("title", "")) + "</h4><div id=\"chart-" +
                std::to_string(charts.size()) + "\"></div></div>\n";
    charts.push_back({{"id", chart["id"]}, {"spec", vega_spec(chart)}});
  }
  html += "<section id=\"charts\">\n" + sections + "</section>\n<pre id=\"render-status\"></pre>\n";
  html += "<script>\n" + vega_script + "</script>\n";
  html += "<script>\nvar REPORT_CHARTS = " + script_json(charts) + ";\n" + kRenderScript + "</script>\n";
  return html + "</body></html>\n";
}

}  // namespace sc::report
