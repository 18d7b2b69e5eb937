// A barrier whose waiting ranks sleep instead of spinning. Open MPI's collectives busy-poll their
// shared-memory queues, so a rank that reaches one long before the others (ingest: every rank
// waits while rank 0 digests the input files; ranks finish parsing and writing their shards at
// different times) takes a core from the ranks still working when ranks share cores: at 2 ranks
// on 2 loaded cores the waiting rank burned a third of the job's CPU time in `mca_btl_vader`
// (docs/benchmarks.md, "Ingest of registry tables"). Calling this before such a collective makes
// the wait sleep; the collective that follows then finds every rank present.
#pragma once

#include "pipeline/mpi_comm.hpp"

namespace sc {

// Collective: returns once every rank has called it. Ranks other than 0 tell rank 0 and wait for
// its answer; rank 0 waits for all of them; every wait probes and sleeps (recv_bytes_sleeping).
void sleep_until_every_rank_arrives(const Communicator& comm);

}  // namespace sc
