// main() of the MPI gtest programs: MPI is initialised once for all tests, and only rank 0 prints
// gtest's report (the other ranks' failures still fail the program through its exit code).
#include <gtest/gtest.h>

#include "pipeline/mpi_comm.hpp"

int main(int argc, char** argv) {
  ::testing::InitGoogleTest(&argc, argv);
  sc::MpiEnvironment mpi(&argc, &argv);
  sc::Communicator world = sc::Communicator::world();
  if (!world.is_root()) {
    auto& listeners = ::testing::UnitTest::GetInstance()->listeners();
    delete listeners.Release(listeners.default_result_printer());
  }
  int failed = RUN_ALL_TESTS() != 0;
  int any_failed = world.allreduce_max<int32_t>(failed);
  if (failed) std::fprintf(stderr, "rank %d: tests failed\n", world.rank());
  return any_failed;
}
