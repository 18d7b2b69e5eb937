#include "stages/report/verdicts.hpp"

#include <cmath>

namespace sc::report {

po::options_description verdict_options() {
  po::options_description options("Report verdicts ([report])");
  options.add_options()
      ("report.trust_score", po::value<double>()->default_value(0.9),
       "a column, pair, table or relation score at or above this is 'trust'")
      ("report.caution_score", po::value<double>()->default_value(0.75),
       "a score at or above this (and below report.trust_score) is 'use with care'; below it, 'do not trust'")
      ("report.min_overfitting_protection", po::value<double>()->default_value(0.9),
       "DCROverfittingProtection score a release needs to pass")
      ("report.max_exact_match_share", po::value<double>()->default_value(0.01),
       "largest share of synthetic rows equal to a training row that passes")
      ("report.min_allele_frequency_rsquared", po::value<double>()->default_value(0.95),
       "genomes: smallest r^2 of allele frequencies that passes")
      ("report.max_share_closer_than_holdout", po::value<double>()->default_value(0.05),
       "genomes: largest share of synthetic individuals closer in kinship than a held-out real one that passes")
      ("report.aats_tolerance", po::value<double>()->default_value(0.1),
       "genomes: largest |AATS - 0.5| that passes");
  return options;
}

VerdictThresholds read_verdict_thresholds(const Config& config) {
  auto share = [&](const std::string& key) {
    double value = config.real(key);
    if (!(value >= 0.0 && value <= 1.0)) config.reject(key, "a number from 0 to 1");
    return value;
  };
  VerdictThresholds t;
  t.trust_score = share("report.trust_score");
  t.caution_score = share("report.caution_score");
  if (t.caution_score > t.trust_score) config.reject("report.caution_score", "a number not above report.trust_score");
  t.min_overfitting_protection = share("report.min_overfitting_protection");
  t.max_exact_match_share = share("report.max_exact_match_share");
  t.min_allele_frequency_rsquared = share("report.min_allele_frequency_rsquared");
  t.max_share_closer_than_holdout = share("report.max_share_closer_than_holdout");
  t.aats_tolerance = share("report.aats_tolerance");
  return t;
}

namespace {

using nlohmann::json;

// A number from metrics.json, or NaN where it is null or absent.
double number_at(const json& object, const std::string& key) {
  auto it = object.find(key);
  return it != object.end() && it->is_number() ? it->get<double>() : std::nan("");
}

json number_or_null(double value) { return std::isfinite(value) ? json(value) : json(nullptr); }

std::string utility_verdict(double score, const VerdictThresholds& t) {
  if (!std::isfinite(score)) return "not scored";
  if (score >= t.trust_score) return "trust";
  if (score >= t.caution_score) return "use with care";
  return "do not trust";
}

// A privacy or genome check: passes when `value` is on the right side of `threshold`.
json check(const std::string& subject, const std::string& measure, double value, double threshold, bool at_least) {
  std::string verdict = !std::isfinite(value) ? "not measured"
                        : (at_least ? value >= threshold : value <= threshold) ? "pass"
                                                                                : "review";
  return {{"subject", subject}, {"measure", measure}, {"value", number_or_null(value)},
          {"threshold", threshold}, {"rule", at_least ? "at least" : "at most"}, {"verdict", verdict}};
}

}  // namespace

json judge(const json& metrics, const VerdictThresholds& t) {
  json out = {{"thresholds",
               {{"trust_score", t.trust_score}, {"caution_score", t.caution_score},
                {"min_overfitting_protection", t.min_overfitting_protection},
                {"max_exact_match_share", t.max_exact_match_share},
                {"min_allele_frequency_rsquared", t.min_allele_frequency_rsquared},
                {"max_share_closer_than_holdout", t.max_share_closer_than_holdout},
                {"aats_tolerance", t.aats_tolerance}}},
              {"tables", json::array()}, {"columns", json::array()}, {"pairs", json::array()},
              {"relations", json::array()}, {"privacy", json::array()}, {"genomes", json::array()}};
  const json tables = metrics.value("tables", json::object());
  for (const auto& [table, m] : tables.items()) {
    double quality = number_at(m, "quality_score_sdmetrics_0_27");
    out["tables"].push_back({{"table", table}, {"measure", "quality_score_sdmetrics_0_27"},
                             {"score", number_or_null(quality)}, {"verdict", utility_verdict(quality, t)}});
    for (const auto& c : m.value("columns", json::array())) {
      double score = number_at(c, "score");
      out["columns"].push_back({{"table", table}, {"column", c.value("column", "")}, {"metric", c.value("metric", "")},
                                {"score", number_or_null(score)}, {"verdict", utility_verdict(score, t)}});
    }
    for (const auto& p : m.value("pairs", json::array())) {
      double score = number_at(p, "score");
      out["pairs"].push_back({{"table", table}, {"columns", p.value("columns", json::array())},
                              {"metric", p.value("metric", "")}, {"score", number_or_null(score)},
                              {"meets_threshold", p.value("meets_threshold", false)},
                              {"verdict", utility_verdict(score, t)}});
    }
    if (m.contains("relation")) {
      double cardinality = number_at(m["relation"], "cardinality_shape_similarity");
      out["relations"].push_back({{"table", table}, {"measure", "cardinality_shape_similarity"},
                                  {"label", "children per parent (cardinality shape)"},
                                  {"score", number_or_null(cardinality)}, {"verdict", utility_verdict(cardinality, t)}});
      // Siblings in time: the gaps between them and which category follows which.
      const json& relation = m["relation"];
      if (relation.contains("gap_shape")) {
        double gaps = number_at(relation["gap_shape"], "score");
        out["relations"].push_back({{"table", table}, {"measure", "gap_shape"},
                                    {"label", "gaps between successive children (" + relation["gap_shape"].value("column", "") + ")"},
                                    {"score", number_or_null(gaps)}, {"verdict", utility_verdict(gaps, t)}});
      }
      for (const auto& x : relation.value("sibling_transitions", json::array())) {
        double score = number_at(x, "score");
        out["relations"].push_back({{"table", table}, {"measure", "sibling_transitions"},
                                    {"label", x.value("column", "") + " after the previous sibling's"},
                                    {"score", number_or_null(score)}, {"verdict", utility_verdict(score, t)}});
      }
    }
    if (m.contains("privacy")) {
      const json& privacy = m["privacy"];
      if (privacy.contains("dcr_overfitting_protection"))
        out["privacy"].push_back(check(table, "dcr_overfitting_protection",
                                       number_at(privacy["dcr_overfitting_protection"], "score"),
                                       t.min_overfitting_protection, true));
      if (privacy.contains("dcr_to_training"))
        out["privacy"].push_back(check(table, "exact_match_share",
                                       number_at(privacy["dcr_to_training"], "exact_match_share"),
                                       t.max_exact_match_share, false));
    }
  }
  if (metrics.contains("genomes")) {
    const json& g = metrics["genomes"];
    if (g.contains("allele_frequency"))
      out["genomes"].push_back(check("genomes", "allele_frequency_r2", number_at(g["allele_frequency"], "r2"),
                                     t.min_allele_frequency_rsquared, true));
    if (g.contains("kinship"))
      out["genomes"].push_back(check("genomes", "kinship_share_closer_than_holdout",
                                     number_at(g["kinship"], "share_closer_than_holdout"),
                                     t.max_share_closer_than_holdout, false));
    if (g.contains("aats")) {
      double aats = number_at(g["aats"], "aats");
      json c = check("genomes", "aats_distance_from_0.5", std::fabs(aats - 0.5), t.aats_tolerance, false);
      c["aats"] = number_or_null(aats);
      out["genomes"].push_back(c);
    }
  }
  return out;
}

}  // namespace sc::report
