#include "stages/ingest/ingest_stage.hpp"

#include <chrono>
#include <filesystem>
#include <future>
#include <optional>

#include "pipeline/error.hpp"
#include "pipeline/schema.hpp"
#include "pipeline/sha256.hpp"
#include "pipeline/store.hpp"
#include "stages/ingest/genome_ingest.hpp"
#include "stages/ingest/sleeping_rendezvous.hpp"
#include "stages/ingest/table_ingest.hpp"

namespace sc {
namespace {

// The problem with an input that is not there to read, or "" when it is.
std::string missing_input(const std::string& file) {
  return std::filesystem::is_regular_file(file) ? std::string()
                                                : "input file " + file + " does not exist or is not a regular file";
}

// SHA-256 of every input, computed in parallel (input i on rank i % size) and shared.
std::map<std::string, std::string> digest_inputs(const Communicator& comm, const std::vector<std::string>& files) {
  std::string mine, problem;
  for (size_t i = static_cast<size_t>(comm.rank()); i < files.size(); i += static_cast<size_t>(comm.size())) {
    try {
      if (const std::string missing = missing_input(files[i]); !missing.empty()) throw InputError(missing);
      mine += files[i] + '\n' + sha256_file(files[i]) + '\n';
    } catch (const Error& e) {
      problem = e.what();
      break;
    }
  }
  sleep_until_every_rank_arrives(comm);  // the ranks without inputs to digest wait asleep
  comm.agree_on_error(problem, ExitCode::input);
  std::map<std::string, std::string> digests;
  for (const auto& bytes : comm.allgather_bytes(std::vector<uint8_t>(mine.begin(), mine.end()))) {
    std::string text(bytes.begin(), bytes.end());
    size_t pos = 0;
    while (pos < text.size()) {
      size_t a = text.find('\n', pos), b = text.find('\n', a + 1);
      digests[text.substr(pos, a - pos)] = text.substr(a + 1, b - a - 1);
      pos = b + 1;
    }
  }
  return digests;
}

}  // namespace

StageResult run_ingest(const StageContext& context) {
  const Communicator& comm = context.comm;
  const Config& config = context.config;
  Schema schema = schema_from_config(config);
  std::vector<std::string> inputs;
  for (const auto& table : schema.tables) inputs.push_back(table.file);
  for (const auto& file : genome_input_files(config)) inputs.push_back(file);
  if (inputs.empty())
    throw ConfigError((config.file().empty() ? std::string("command line") : config.file()) +
                      ": nothing to ingest (expected [table.NAME] sections or genome.vcf)");
  if (config.integer("ingest.rows_per_shard") <= 0) config.reject("ingest.rows_per_shard", "a positive number of rows");
  if (config.integer("ingest.variants_per_window") <= 0)
    config.reject("ingest.variants_per_window", "a positive number of variants");
  int64_t deflate = config.integer("store.compression");
  if (deflate < 0 || deflate > 9) config.reject("store.compression", "a deflate level from 0 to 9");

  StageResult result;
  auto started = std::chrono::steady_clock::now();
  nlohmann::json seconds;
  auto fingerprint_of = [&config](const std::map<std::string, std::string>& digests) {
    return stage_fingerprint(config, "ingest", {"ingest.", "table.", "genome.", "store."}, digests);
  };
  // A job starting a fresh stage digests its inputs on a thread of rank 0 while every rank
  // ingests them: only the commits need the fingerprint (StageWriter's marker), and the digests
  // of a large file on one core while the others waited was 7% of a BCF panel's ingest at one
  // rank and 0.12 s of 1.75 at two (docs/benchmarks.md, "BCF ingest"). Otherwise the fingerprint
  // decides first whether the stage is done or may be resumed.
  double digest_seconds = 0;  // on the digesting thread (read once its future is ready)
  std::shared_future<std::map<std::string, std::string>> digests;
  std::optional<StageWriter> writer;
  int32_t fresh = comm.is_root() && StageWriter::fresh(context.store_dir, "ingest");
  comm.broadcast_value(fresh);
  if (fresh) {
    std::string missing;
    if (comm.is_root())
      for (const auto& file : inputs)
        if (missing.empty()) missing = missing_input(file);
    comm.agree_on_error(missing, ExitCode::input);
    std::shared_future<std::string> fingerprint;
    if (comm.is_root()) {
      digests = std::async(std::launch::async, [&inputs, &digest_seconds] {
                  const auto begun = std::chrono::steady_clock::now();
                  std::map<std::string, std::string> out;
                  for (const auto& file : inputs) out[file] = sha256_file(file);
                  digest_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begun).count();
                  return out;
                }).share();
      fingerprint = std::async(std::launch::deferred, [digests, fingerprint_of] { return fingerprint_of(digests.get()); }).share();
    }
    writer.emplace(context.store_dir, "ingest", std::move(fingerprint), comm);
  } else {
    result.inputs = digest_inputs(comm, inputs);
    seconds["input_digests"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    const std::string fingerprint = fingerprint_of(result.inputs);
    if (already_complete(context, "ingest", fingerprint, "these inputs", result)) return result;
    writer.emplace(context.store_dir, "ingest", fingerprint, config.flag("run.restart"), comm);
  }

  std::vector<std::string> expected;
  nlohmann::json tables = nlohmann::json::object();
  KeySets keys;
  std::string line;
  for (const auto& spec : schema.tables) {
    TableIngestOutcome outcome = ingest_table(context, *writer, spec, keys);
    expected.insert(expected.end(), outcome.shards.begin(), outcome.shards.end());
    tables[spec.name] = outcome.summary;
    seconds["table " + spec.name] = outcome.seconds;
    line += (line.empty() ? "" : "; ") + outcome.summary_line;
  }
  nlohmann::json genomes = nullptr;
  if (!genome_input_files(config).empty()) {
    GenomeIngestOutcome outcome = ingest_genomes(context, *writer);
    expected.insert(expected.end(), outcome.shards.begin(), outcome.shards.end());
    genomes = outcome.summary;
    line += (line.empty() ? "" : "; ") + outcome.summary_line;
  }
  nlohmann::json summary = {{"tables", tables}, {"genomes", genomes}};
  nlohmann::json index = writer->finish(expected, summary);
  if (digests.valid()) {  // the digests finish() waited for (rank 0, which writes the manifest)
    result.inputs = digests.get();
    seconds["input_digests_beside_ingest"] = digest_seconds;
  }
  int64_t skipped = index["shards_skipped"].get<int64_t>();
  int64_t committed = index["shards_committed"].get<int64_t>();
  summary["shards_committed"] = committed;
  summary["shards_skipped"] = skipped;
  summary["ranks"] = index["ranks"];
  result.summary = summary;
  result.summary["seconds_rank0"] = seconds;  // after finish(): timings stay out of the index
  result.summary_line = line + "; " + std::to_string(committed) + " shards committed" +
                        (skipped ? ", " + std::to_string(skipped) + " already committed (resumed)" : "");
  return result;
}

}  // namespace sc
