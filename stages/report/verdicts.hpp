// Verdicts a data steward can read: each score of metrics.json turned into "trust", "use with
// care" or "do not trust" (utility) and "pass" or "review" (privacy), by thresholds that are
// config keys (report.*, docs/config.md) and are written beside the verdicts, so that a reader
// sees what each word means. docs/report.md explains the defaults.
#pragma once

#include <nlohmann/json.hpp>

#include "pipeline/config.hpp"

namespace sc::report {

struct VerdictThresholds {
  double trust_score = 0.9;                     // scores >= this: trust
  double caution_score = 0.75;                  // scores >= this (below trust): use with care
  double min_overfitting_protection = 0.9;      // DCROverfittingProtection score
  double max_exact_match_share = 0.01;          // synthetic rows equal to a training row
  double min_allele_frequency_rsquared = 0.95;        // genomes: r^2 of allele frequencies
  double max_share_closer_than_holdout = 0.05;  // genomes: kinship closer than a held-out real one's
  double aats_tolerance = 0.1;                  // genomes: |AATS - 0.5|
};

po::options_description verdict_options();
// Reads and checks the report.* thresholds (ConfigError naming the key when out of range).
VerdictThresholds read_verdict_thresholds(const Config& config);

// The `verdicts` section of metrics.json: {thresholds, tables, columns, pairs, relations, privacy,
// genomes}; every entry names what it judges, the score, and the verdict.
nlohmann::json judge(const nlohmann::json& metrics, const VerdictThresholds& thresholds);

}  // namespace sc::report
