#include "apps/operations_options.hpp"

namespace sc {

po::options_description slurm_options() {
  po::options_description options("Slurm submission ([slurm], read by slurm/submit)");
  options.add_options()
      ("slurm.partition", po::value<std::string>()->default_value(""), "partition of every job (empty: the cluster's default)")
      ("slurm.account", po::value<std::string>()->default_value(""), "account charged (empty: the user's default)")
      ("slurm.max_ranks", po::value<int64_t>()->default_value(0),
       "most ranks of one stage (0: as many as the partition's CPUs allow at slurm.cpus_per_rank each)")
      ("slurm.cpus_per_rank", po::value<int64_t>()->default_value(1), "CPUs (TBB threads) per rank")
      ("slurm.time_factor", po::value<double>()->default_value(3.0),
       "time limit = this factor x the wall time estimated from the measured throughputs (at least slurm.min_time_minutes)")
      ("slurm.min_time_minutes", po::value<int64_t>()->default_value(10), "shortest time limit requested");
  return options;
}

po::options_description refresh_options() {
  po::options_description options("Scheduled refresh ([refresh], read by slurm/refresh)");
  options.add_options()
      ("refresh.releases_dir", po::value<std::string>()->default_value("releases"),
       "directory of the versioned releases and the `latest` link")
      ("refresh.keep", po::value<int64_t>()->default_value(3), "complete releases kept (the oldest beyond are removed)")
      ("refresh.extract_dir", po::value<std::string>()->default_value(""),
       "directory of the new extract: every input file is taken from it by its base name (empty: the paths as configured)")
      ("refresh.thresholds", po::value<std::string>()->default_value(""),
       "comma-separated `metric OP value` (OP: >=, <=, >, <; metric: a dotted path into metrics.json) that must hold to publish");
  return options;
}

}  // namespace sc
