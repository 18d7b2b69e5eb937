// The export stage: writes the tables of a completed stage (by default the synthetic `sample`
// stage, else `ingest`) as CSV files with the input's column names, delimiter, quoting and
// missing-value token, and its genomes as bgzipped, indexed, phased VCF. Exports are
// byte-identical for any rank count: every shard's text is placed at an offset fixed by the
// sizes of the shards before it.
#pragma once

#include "pipeline/config.hpp"
#include "pipeline/stage.hpp"

namespace sc {

po::options_description export_options();
StageResult run_export(const StageContext& context);

}  // namespace sc
