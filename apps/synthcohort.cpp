// synthcohort: the one binary of the pipeline. `synthcohort <stage> --config FILE [--key value ...]`
// runs one stage (or `run` for all of them in order) on however many MPI ranks it was started with.
// Errors are caught once here: the rank and the message are printed and the job ends with the
// error's exit code (every rank together when they agreed on the error, MPI_Abort otherwise).
#include <malloc.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>

#include "apps/stage_registry.hpp"
#include "pipeline/hdf5_handles.hpp"
#include "pipeline/provenance.hpp"
#include "pipeline/version.hpp"

namespace {

void print_help() {
  std::cout << "usage: synthcohort <stage> --config FILE [--section.key value ...]\n"
               "       mpirun -np N synthcohort <stage> ... (or srun) spreads the work over N ranks\n\n"
               "stages:\n";
  for (const auto& stage : sc::registered_stages())
    std::cout << "  " << stage.name << std::string(10 - std::min<size_t>(9, stage.name.size()), ' ') << stage.help << "\n";
  std::cout << "  run       every stage above, in order\n\n";
  std::cout << "Every key can be set in the INI file ([section] then key = value) or on the command line\n"
               "as --section.key value; the command line wins. Unknown keys are errors.\n\n";
  std::cout << sc::all_options() << "\n";
  for (const auto& family : sc::dynamic_sections()) {
    std::cout << "User-named sections [" << family.prefix << ".NAME]:\n";
    for (const auto& [key, help] : family.keys) std::cout << "  " << key << ": " << help << "\n";
  }
  std::cout << "\nExit codes: 0 ok, 1 internal error, 2 config error, 3 input error, 4 I/O error, 5 CUDA error,\n"
               "6 resume refused. docs/config.md documents every key.\n";
}

// Stages allocate and free column arrays of a few MB per shard, shard after shard. glibc serves
// them with fresh mmaps (or trims them back to the OS at the heap's top), so every shard pays for
// page faults and the kernel's zeroing again: 3.0 of 9.3 CPU s of a 26 M-row sample at one
// thread went to the system. Keeping arrays up to 32 MiB (glibc's maximum mmap threshold) on the
// heap and not trimming it lets the next shard reuse the same pages: 0.5 s of system time, same
// output, peak resident memory +1%. (docs/benchmarks.md, registry sample.)
void keep_freed_memory_for_reuse() {
  mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
  mallopt(M_TRIM_THRESHOLD, 1024 * 1024 * 1024);
}

// TBB's runtime starts with the process, before MPI_Init, instead of in the first stage's first
// parallel loop: its start (the worker threads, and the main thread's stack bounds, which glibc
// finds by reading /proc/self/maps) is process start-up like MPI's, and with fewer mappings to
// read before MPI_Init it costs 0.8 ms there against 1.2 ms after (1.2-1.5 ms of a small table's
// sample stage; docs/benchmarks.md). Workers beyond run.threads stay asleep.
void start_thread_pool() {
  tbb::parallel_for(0, 2, [](int) {});
}

int run_stage(const sc::StageEntry& stage, const sc::StageContext& context) {
  sc::log_root(context.comm, stage.name, "starting on " + std::to_string(context.comm.size()) + " rank(s)");
  auto start = std::chrono::steady_clock::now();
  const double cpu_start = sc::process_cpu_seconds();
  sc::StageResult result = stage.run(context);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  sc::record_stage_provenance(context, stage.name, result, seconds, sc::process_cpu_seconds() - cpu_start);
  char timing[64];
  std::snprintf(timing, sizeof timing, " (%.2f s)", seconds);
  sc::log_root(context.comm, stage.name, "done: " + result.summary_line + timing);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    print_help();
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "--pipeline-stages") {  // what `run` does, in order: slurm/submit chains one job per line
    for (const auto& stage : sc::registered_stages())
      if (stage.in_pipeline) std::cout << stage.name << "\n";
    return 0;
  }
  if (args[0] == "--version") {
    std::cout << "synthcohort " << sc::code_version() << "\n";
    return 0;
  }

  keep_freed_memory_for_reuse();
  start_thread_pool();
  sc::MpiEnvironment mpi(&argc, &argv);
  sc::Communicator world = sc::Communicator::world();
  sc::h5::quiet_library_errors();
  try {
    std::string stage_name = args[0];
    std::vector<const sc::StageEntry*> to_run;
    for (const auto& stage : sc::registered_stages())
      if (stage.name == stage_name || (stage_name == "run" && stage.in_pipeline)) to_run.push_back(&stage);
    if (to_run.empty()) {
      std::string known;
      for (const auto& stage : sc::registered_stages()) known += stage.name + ", ";
      sc::ConfigError error("unknown stage '" + stage_name + "' (stages: " + known + "run)");
      error.mark_agreed();
      throw error;
    }
    std::vector<std::string> options(args.begin() + 1, args.end());
    // Every rank reads the same files, so a config error is the same on every rank.
    sc::Config config = [&] {
      try {
        return sc::Config::load(options, sc::all_options(), sc::dynamic_sections());
      } catch (sc::Error& e) {
        e.mark_agreed();
        throw;
      }
    }();
    sc::set_show_values(config.flag("log.show_values"));
    int64_t threads = config.integer("run.threads");
    if (threads < 0) config.reject("run.threads", "0 (all cores) or a positive number of threads");
    std::unique_ptr<tbb::global_control> thread_limit;
    if (threads > 0)
      thread_limit = std::make_unique<tbb::global_control>(tbb::global_control::max_allowed_parallelism,
                                                           static_cast<size_t>(threads));
    std::string run_dir = config.text("run.dir");
    if (world.is_root()) {
      std::error_code ec;
      std::filesystem::create_directories(run_dir + "/store", ec);
      if (ec) throw sc::IoError("cannot create run directory " + run_dir + "/store: " + ec.message());
    }
    world.barrier();
    sc::StageContext context{world, config, run_dir, run_dir + "/store", static_cast<int>(threads)};
    for (const auto* stage : to_run) run_stage(*stage, context);
    return 0;
  } catch (const sc::Error& e) {
    if (!e.agreed() || world.is_root()) {
      std::fprintf(stderr, "synthcohort: rank %d: %s: %s\n", world.rank(), e.kind().c_str(), e.what());
      std::fflush(stderr);
    }
    if (e.agreed() || world.size() == 1) return static_cast<int>(e.code());
    world.abort(static_cast<int>(e.code()));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "synthcohort: rank %d: internal error: %s\n", world.rank(), e.what());
    std::fflush(stderr);
    if (world.size() == 1) return 1;
    world.abort(1);
  }
}
