#include "stages/fit/genome_fit.hpp"

#include <algorithm>
#include <filesystem>
#include <cmath>
#include <sstream>
#include <unordered_set>

#include "pipeline/error.hpp"
#include "pipeline/genome_holdout.hpp"
#include "pipeline/progress.hpp"
#include "pipeline/sha256.hpp"
#include "pipeline/string_table.hpp"
#include "stages/fit/allele_age_file.hpp"
#include "stages/fit/genome_fit_search.hpp"
#include "stages/ingest/genome_store.hpp"

namespace sc {

po::options_description genome_generator_options() {
  po::options_description options("Genome generator ([genome], fit and sample)");
  options.add_options()
      ("genome.rho", po::value<std::string>()->default_value(""),
       "recombination scaling rho: one number, or POP:value,... per population (default: HAPNEST's posterior mean per population, EUR's for others)")
      ("genome.ne", po::value<std::string>()->default_value(""),
       "effective population size Ne: one number, or POP:value,... (default: HAPNEST's posterior mean per population, EUR's for others)")
      ("genome.estimate_ne", po::value<bool>()->default_value(false),
       "fit searches Ne per population, matching the donors' relatedness and LD decay (docs/genome-generator.md); rho stays as given")
      ("genome.estimate_individuals", po::value<int64_t>()->default_value(1000),
       "synthetic individuals made per step of the Ne search")
      ("genome.individuals", po::value<int64_t>()->default_value(1000), "synthetic diploid individuals to sample (0 = no genomes)")
      ("genome.population_weights", po::value<std::string>()->default_value(""),
       "share of synthetic individuals per population, POP:weight,... (default: as the donor individuals)")
      ("genome.mutation_rate", po::value<double>()->default_value(0.0),
       "probability that a copied allele is flipped (0 to 0.5; 0 = exact copies)")
      ("genome.allele_ages", po::value<std::string>()->default_value(""),
       "per-variant allele ages (Atlas of Variant Age CSV, generations) for HAPNEST's allele-age rule; \"\" = off (docs/genome-generator.md)")
      ("genome.max_segment_cm", po::value<double>()->default_value(0.0), "longest piece (cM) copied from one donor at once (0 = no cap)")
      ("genome.max_donor_cm", po::value<double>()->default_value(0.0),
       "most cM one synthetic haplotype copies from any single donor haplotype in all (0 = no cap)")
      // cpu by default: on an H200 node 16 cores copied windows faster than the GPU, whose time is
      // the PCIe copy of the synthetic rows (docs/benchmarks.md).
      ("genome.backend", po::value<std::string>()->default_value("cpu"),
       "mosaic kernel: cpu, cuda, or auto (cuda where a GPU answers on every rank); the output bits are the same")
      ("genome.individuals_per_segment_shard", po::value<int64_t>()->default_value(10000),
       "synthetic individuals per shard of segment provenance (genomes/segments)")
      ("genome.split_segment_draw", po::value<bool>()->default_value(false),
       "each rank draws the segment lists of 1/ranks of the haplotypes, joined by MPI all-gathers (same bits; CPU backend)");
  return options;
}

namespace {

struct HapnestDefaults {
  const char* name;
  double rho, ne;
};
// HAPNEST's posterior means (Wharrie et al. 2023, Bioinformatics 39:btad535), by 1000 Genomes /
// HGDP super-population; SAS is 1000 Genomes' name for CSA.
constexpr HapnestDefaults kDefaults[] = {{"AFR", 0.77, 11900}, {"AMR", 0.80, 10400}, {"EAS", 0.58, 11700},
                                         {"EUR", 0.68, 11700}, {"CSA", 0.73, 11500}, {"SAS", 0.73, 11500},
                                         {"MID", 0.65, 8100}};
constexpr const char* kUnlabelled = "unlabelled";

HapnestDefaults defaults_for(const std::string& population) {
  for (const auto& d : kDefaults)
    if (population == d.name) return d;
  return kDefaults[3];  // EUR: no label, or a population HAPNEST did not fit
}

std::vector<std::string> sorted_windows(const StageReader& ingest) {
  std::vector<std::string> windows = ingest.shards("genomes/reference");
  std::sort(windows.begin(), windows.end());
  return windows;
}

// The age of every panel variant's derived allele from genome.allele_ages: every rank reads the
// file (so a bad one stops every rank alike, before anything is written), keeping the rows of the
// panel's sites only.
void date_variants(const StageReader& ingest, const std::vector<std::string>& windows,
                   const std::vector<std::string>& contig_names, GenomeModel& model) {
  std::vector<GenomeWindow> tables;
  std::unordered_set<std::string> sites;
  for (size_t w = 0; w < windows.size(); ++w) {
    const h5::File file = h5::File::open_read(ingest.path(windows[w]));
    GenomeWindow t;
    t.position = file.read<int64_t>("/variants/position");
    t.contig = file.read<int32_t>("/variants/contig");
    t.ref = read_strings(file, "/variants/ref");
    t.alt = read_strings(file, "/variants/alt");
    for (size_t v = 0; v < t.position.size(); ++v)
      sites.insert(allele_age_site_key(contig_names[static_cast<size_t>(t.contig[v])], t.position[v]));
    tables.push_back(std::move(t));
  }
  const AlleleAgeRows rows = read_allele_age_file(model.allele_age_file, sites);
  model.allele_age_sha256 = sha256_file(model.allele_age_file);
  for (const auto& t : tables) {
    std::vector<double> ages;
    std::vector<uint8_t> alt_ancestral;
    for (size_t v = 0; v < t.position.size(); ++v) {
      const VariantAlleleAge a = match_allele_age(rows, contig_names[static_cast<size_t>(t.contig[v])], t.position[v], t.ref[v], t.alt[v]);
      ages.push_back(a.generations);
      alt_ancestral.push_back(a.alt_ancestral ? 1 : 0);
      model.variants_with_age += std::isfinite(a.generations) ? 1 : 0;
    }
    model.window_allele_age.push_back(std::move(ages));
    model.window_alt_ancestral.push_back(std::move(alt_ancestral));
  }
}

}  // namespace

std::map<std::string, double> population_values(const Config& config, const std::string& key,
                                                const std::vector<std::string>& populations, bool allow_zero) {
  std::map<std::string, double> out;
  const std::string text = config.text(key);
  if (text.empty()) return out;
  const std::string expected = std::string("a number ") + (allow_zero ? ">= 0" : "> 0") +
                               ", or POP:value,... naming populations of the panel (" +
                               (populations.empty() ? std::string("none") : "") + [&] {
                                 std::string s;
                                 for (const auto& p : populations) s += (s.empty() ? "" : ", ") + p;
                                 return s;
                               }() + ")";
  auto number = [&](const std::string& s) {
    size_t used = 0;
    double v = 0;
    try {
      v = std::stod(s, &used);
    } catch (const std::exception&) {
      config.reject(key, expected);
    }
    if (used != s.size() || !std::isfinite(v) || v < 0 || (!allow_zero && v == 0)) config.reject(key, expected);
    return v;
  };
  if (text.find(':') == std::string::npos) {
    const double v = number(text);
    for (const auto& p : populations) out[p] = v;
    return out;
  }
  std::stringstream items(text);
  std::string item;
  while (std::getline(items, item, ',')) {
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    const size_t colon = item.find(':');
    if (colon == std::string::npos) config.reject(key, expected);
    const std::string name = item.substr(0, colon);
    if (std::find(populations.begin(), populations.end(), name) == populations.end() || out.count(name))
      config.reject(key, expected + "; '" + name + "' is not one of them or is given twice");
    out[name] = number(item.substr(colon + 1));
  }
  return out;
}

bool has_genome_reference(const StageReader& ingest) { return !ingest.shards("genomes/reference").empty(); }

nlohmann::json GenomeModel::to_json() const {
  nlohmann::json j;
  j["reference_individuals"] = reference_individuals;
  j["held_out"] = held_out;
  j["window_variants"] = window_variants;
  for (const auto& p : populations)
    j["populations"].push_back({{"name", p.name}, {"rho", p.rho}, {"ne", p.ne}, {"individuals", p.individuals},
                                {"donor_haplotypes", p.donors.size()}, {"ne_search", p.ne_search}});
  if (!allele_age_file.empty())
    j["allele_ages"] = {{"file", std::filesystem::path(allele_age_file).filename().string()},
                        {"sha256", allele_age_sha256},
                        {"variants_with_age", variants_with_age}};
  for (const auto& c : contigs)
    j["contigs"].push_back({{"name", c.name}, {"first_cm", c.first_cm}, {"last_cm", c.last_cm},
                            {"first_variant", c.first_variant}, {"variants", c.variants}});
  return j;
}

GenomeModel plan_genome_fit(const StageContext& context, const StageReader& ingest) {
  const Config& config = context.config;
  const std::vector<std::string> windows = sorted_windows(ingest);
  const std::string samples_path = ingest.path(genome_samples_shard("genomes/reference"));
  const GenomeSamples samples = read_genome_samples(h5::File::open_read(samples_path));
  const int64_t individuals = static_cast<int64_t>(samples.names.size());
  const int64_t holdout = config.integer("genome.holdout_samples");
  if (holdout < 0 || holdout > individuals - 1)
    config.reject("genome.holdout_samples", "0 to " + std::to_string(individuals - 1) +
                                                " (the panel has " + std::to_string(individuals) + " individuals)");
  const std::vector<bool> held = genome_holdout(static_cast<uint64_t>(config.integer("run.seed")), individuals, holdout);

  GenomeModel model;
  model.reference_individuals = individuals;
  model.held_out = holdout;
  // Populations: the panel's labels, plus one for individuals without a label (all of them when
  // the panel has no population file).
  std::vector<std::string> names = samples.populations;
  const bool any_unlabelled = std::any_of(samples.population.begin(), samples.population.end(), [](int32_t p) { return p < 0; });
  if (any_unlabelled) names.push_back(kUnlabelled);
  const auto rho = population_values(config, "genome.rho", names, false);
  const auto ne = population_values(config, "genome.ne", names, false);
  for (size_t p = 0; p < names.size(); ++p) {
    GenomePopulationModel population;
    population.name = names[p];
    const HapnestDefaults d = defaults_for(names[p]);
    population.rho = rho.count(names[p]) ? rho.at(names[p]) : d.rho;
    population.ne = ne.count(names[p]) ? ne.at(names[p]) : d.ne;
    for (int64_t i = 0; i < individuals; ++i) {
      const int32_t label = samples.population[static_cast<size_t>(i)];
      const bool member = label < 0 ? names[p] == kUnlabelled : static_cast<size_t>(label) == p;
      if (!member || held[static_cast<size_t>(i)]) continue;
      ++population.individuals;
      population.donors.push_back(static_cast<int32_t>(2 * i));
      population.donors.push_back(static_cast<int32_t>(2 * i + 1));
    }
    if (population.individuals > 0) model.populations.push_back(std::move(population));
  }

  // Contig spans from every window's variant table (small reads; every rank needs them all).
  model.contigs.resize(samples.contigs.size());
  for (size_t c = 0; c < samples.contigs.size(); ++c) model.contigs[c].name = samples.contigs[c];
  int64_t global = 0;
  for (const auto& name : windows) {
    const h5::File file = h5::File::open_read(ingest.path(name));
    const std::vector<double> cm = file.read<double>("/variants/cm");
    const std::vector<int32_t> contig = file.read<int32_t>("/variants/contig");
    SC_EXPECTS(cm.size() == contig.size(), IoError, ingest.path(name) + ": /variants/cm and /variants/contig differ in length");
    for (size_t v = 0; v < cm.size(); ++v) {
      SC_EXPECTS(contig[v] >= 0 && static_cast<size_t>(contig[v]) < model.contigs.size(), IoError,
                 ingest.path(name) + ": a variant names a contig the sample table does not list");
      GenomeContigModel& c = model.contigs[static_cast<size_t>(contig[v])];
      if (c.variants == 0) {
        c.first_variant = global + static_cast<int64_t>(v);
        c.first_cm = cm[v];
      }
      SC_EXPECTS(c.first_variant + c.variants == global + static_cast<int64_t>(v) && cm[v] >= c.last_cm, InputError,
                 ingest.path(name) + ": contig " + c.name +
                     " is not one sorted run of variants with non-decreasing cM; the mosaic needs a sorted panel");
      c.last_cm = cm[v];
      ++c.variants;
    }
    model.window_variants.push_back(static_cast<int64_t>(cm.size()));
    global += static_cast<int64_t>(cm.size());
  }
  model.allele_age_file = config.path("genome.allele_ages");
  if (!model.allele_age_file.empty()) date_variants(ingest, windows, samples.contigs, model);
  if (config.flag("genome.estimate_ne")) {
    NeSearchOptions options;
    options.seed = static_cast<uint64_t>(config.integer("run.seed"));
    options.synthetic_individuals = config.integer("genome.estimate_individuals");
    if (options.synthetic_individuals < 1 || options.synthetic_individuals > 100000)
      config.reject("genome.estimate_individuals", "a number of individuals from 1 to 100000");
    options.ld = read_ld_curve_options(config);  // the LD decay curve evaluate scores
    std::vector<std::string> paths;
    for (const auto& name : windows) paths.push_back(ingest.path(name));
    for (size_t p = 0; p < model.populations.size(); ++p) {
      if (model.populations[p].individuals < 2) continue;  // no pair to measure relatedness on
      const NeSearchResult found = search_ne(model, p, paths, options);
      auto curve = [](const std::vector<double>& ld) {
        nlohmann::json out = nlohmann::json::array();
        for (double r2 : ld) out.push_back(std::isfinite(r2) ? nlohmann::json(r2) : nlohmann::json());
        return out;
      };
      model.populations[p].ne_search = {{"start", model.populations[p].ne},
                                        {"panel_median_kinship", found.panel.median_kinship},
                                        {"synthetic_median_kinship", found.synthetic.median_kinship},
                                        {"kinship_excess", found.kinship_excess},
                                        {"panel_ld", curve(found.panel.ld)},
                                        {"synthetic_ld", curve(found.synthetic.ld)},
                                        {"ld_shortfall", std::isfinite(found.ld_shortfall) ? nlohmann::json(found.ld_shortfall) : nlohmann::json()},
                                        {"ld_bin_cm", options.ld.bin_cm},
                                        {"ld_maf_min", options.ld.maf_min},
                                        {"steps", found.steps}};
      model.populations[p].ne = found.ne;
    }
  }
  return model;
}

namespace {

// Window w's allele ages beside its ALT counts: /allele_age (generations of the derived allele,
// +inf where undated) and /alt_ancestral (1 where ALT is the ancestral allele).
void write_allele_ages(const GenomeModel& model, int64_t w, StageWriter& writer) {
  const std::string shard = shard_name("genome/allele_ages", w);
  if (writer.committed(shard)) return;
  ShardFile file = writer.begin(shard);
  file.write("/allele_age", model.window_allele_age[static_cast<size_t>(w)]);
  file.write("/alt_ancestral", model.window_alt_ancestral[static_cast<size_t>(w)]);
  writer.commit(file);
}

}  // namespace

nlohmann::json fit_genomes(const StageContext& context, const StageReader& ingest, const GenomeModel& model,
                           StageWriter& writer, std::vector<std::string>& expected) {
  const Communicator& comm = context.comm;
  const std::vector<std::string> windows = sorted_windows(ingest);
  const int64_t individuals = model.reference_individuals, holdout = model.held_out;

  // The model shard (rank 0) and the donors' ALT counts per window (windows dealt round-robin).
  const std::string model_shard = shard_name("genome/model", 0);
  expected.push_back(model_shard);
  if (comm.is_root() && !writer.committed(model_shard)) {
    const std::string text = model.to_json().dump();
    std::vector<int32_t> donors;
    std::vector<int64_t> offsets = {0};
    for (const auto& p : model.populations) {
      donors.insert(donors.end(), p.donors.begin(), p.donors.end());
      offsets.push_back(static_cast<int64_t>(donors.size()));
    }
    ShardFile file = writer.begin(model_shard);
    file.write("/model_json", std::vector<uint8_t>(text.begin(), text.end()));
    file.write("/donors", donors);
    file.write("/population_donor_offsets", offsets);
    writer.commit(file);
  }
  std::vector<uint8_t> donor_row(static_cast<size_t>(2 * individuals), 0);
  for (const auto& p : model.populations)
    for (int32_t d : p.donors) donor_row[static_cast<size_t>(d)] = 1;
  Progress progress(comm, "fit", "genome windows", static_cast<int64_t>(windows.size()), "variants");
  for (size_t w = 0; w < windows.size(); ++w) {
    const std::string shard = shard_name("genome/frequencies", static_cast<int64_t>(w));
    expected.push_back(shard);
    const bool mine = static_cast<int>(w % static_cast<size_t>(comm.size())) == comm.rank();
    if (!model.allele_age_file.empty()) {
      expected.push_back(shard_name("genome/allele_ages", static_cast<int64_t>(w)));
      if (mine) write_allele_ages(model, static_cast<int64_t>(w), writer);
    }
    if (!mine || writer.committed(shard)) continue;
    const GenomeWindow window = read_genome_window(h5::File::open_read(ingest.path(windows[w])), static_cast<int64_t>(w));
    SC_EXPECTS(window.haplotypes == 2 * individuals, IoError,
               ingest.path(windows[w]) + " has " + std::to_string(window.haplotypes) + " haplotypes, the sample table " +
                   std::to_string(2 * individuals));
    std::vector<int64_t> alt(static_cast<size_t>(window.variants()), 0);
    const int64_t words = window.words_per_haplotype();
    for (int64_t h = 0; h < window.haplotypes; ++h) {
      if (!donor_row[static_cast<size_t>(h)]) continue;
      const uint64_t* row = window.bits.data() + h * words;
      for (int64_t v = 0; v < window.variants(); ++v) alt[static_cast<size_t>(v)] += static_cast<int64_t>((row[v / 64] >> (v % 64)) & 1u);
    }
    ShardFile file = writer.begin(shard);
    file.write("/alt_count", alt);
    file.write("/donor_haplotypes", std::vector<int64_t>{2 * (individuals - holdout)});
    writer.commit(file);
    progress.shard_done(window.variants());
  }
  nlohmann::json summary = model.to_json();
  summary.erase("window_variants");
  return summary;
}

GenomeModel read_genome_model(const StageReader& fit) {
  const std::string path = fit.path(shard_name("genome/model", 0));
  const h5::File file = h5::File::open_read(path);
  const std::vector<uint8_t> text = file.read<uint8_t>("/model_json");
  const nlohmann::json j = nlohmann::json::parse(text.begin(), text.end());
  const std::vector<int32_t> donors = file.read<int32_t>("/donors");
  const std::vector<int64_t> offsets = file.read<int64_t>("/population_donor_offsets");
  GenomeModel model;
  model.reference_individuals = j.at("reference_individuals").get<int64_t>();
  model.held_out = j.at("held_out").get<int64_t>();
  model.window_variants = j.at("window_variants").get<std::vector<int64_t>>();
  if (j.contains("allele_ages")) {
    model.allele_age_file = j.at("allele_ages").at("file").get<std::string>();
    model.allele_age_sha256 = j.at("allele_ages").at("sha256").get<std::string>();
    model.variants_with_age = j.at("allele_ages").at("variants_with_age").get<int64_t>();
  }
  SC_EXPECTS(offsets.size() == j.at("populations").size() + 1 && offsets.back() == static_cast<int64_t>(donors.size()),
             IoError, path + ": donor lists do not match the populations of the model");
  size_t p = 0;
  for (const auto& jp : j.at("populations")) {
    GenomePopulationModel population;
    population.name = jp.at("name").get<std::string>();
    population.rho = jp.at("rho").get<double>();
    population.ne = jp.at("ne").get<double>();
    population.individuals = jp.at("individuals").get<int64_t>();
    population.donors.assign(donors.begin() + offsets[p], donors.begin() + offsets[p + 1]);
    model.populations.push_back(std::move(population));
    ++p;
  }
  for (const auto& jc : j.at("contigs"))
    model.contigs.push_back({jc.at("name").get<std::string>(), jc.at("first_cm").get<double>(), jc.at("last_cm").get<double>(),
                             jc.at("first_variant").get<int64_t>(), jc.at("variants").get<int64_t>()});
  return model;
}

}  // namespace sc
