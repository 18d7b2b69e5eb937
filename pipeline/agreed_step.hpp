// One step that every rank runs, whose failure on any rank stops every rank together with the
// same message and exit code (Communicator::agree_on_error) instead of leaving the others waiting
// in a collective. Header-only so that the stages that use it do not pull it into every unit.
#pragma once

#include <exception>
#include <functional>
#include <string>

#include "pipeline/error.hpp"
#include "pipeline/mpi_comm.hpp"

namespace sc {

// Runs `step` on this rank, then agrees with every rank on the first problem seen. An Error keeps
// its exit code; any other exception gets `other_code`. Throws on every rank when any rank failed.
inline void run_agreed_step(const Communicator& comm, const std::function<void()>& step, ExitCode other_code) {
  std::string problem;
  ExitCode code = ExitCode::ok;
  try {
    step();
  } catch (const Error& e) {
    problem = e.what();
    code = e.code();
  } catch (const std::exception& e) {
    problem = e.what();
    code = other_code;
  }
  comm.agree_on_error(problem, code);
}

}  // namespace sc
