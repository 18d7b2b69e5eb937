// The ingest stage: reads the registry tables described by the schema ([table.NAME] sections; CSV,
// plain or gzip) and the reference genomes ([genome]: VCF/BCF with a genetic map) into the
// `ingest` stage of the store, cut into shards whose size is fixed by the config (rows per shard,
// variants per window), never by the rank count. Bad input stops the stage before any shard of
// the affected table is written, with the file, line, column and what was expected.
#pragma once

#include "pipeline/config.hpp"
#include "pipeline/stage.hpp"

namespace sc {

po::options_description ingest_options();
StageResult run_ingest(const StageContext& context);

}  // namespace sc
