// The typed errors of synthcohort. Every failure the pipeline can meet is one of these, so that the
// driver can map it to an exit code and print it once, prefixed by the rank. Messages name where
// (file, line, column, key) and what was expected; they never carry data values unless the
// operator asked for them (logs leave the secure zone; see input_value()).
#pragma once

#include <stdexcept>
#include <string>

namespace sc {

// Exit codes are part of the interface (Slurm scripts and tests read them).
enum class ExitCode : int {
  ok = 0,
  internal = 1,
  config = 2,
  input = 3,
  io = 4,
  cuda = 5,
  resume = 6,
};

class Error : public std::runtime_error {
 public:
  Error(ExitCode code, const std::string& kind, const std::string& what)
      : std::runtime_error(what), code_(code), kind_(kind) {}
  ExitCode code() const { return code_; }
  const std::string& kind() const { return kind_; }
  // Set when every rank raised this same error together (Communicator::agree_on_error): then
  // rank 0 alone prints it and the ranks end normally with its exit code instead of aborting.
  bool agreed() const { return agreed_; }
  void mark_agreed() { agreed_ = true; }

 private:
  ExitCode code_;
  std::string kind_;
  bool agreed_ = false;
};

// A bad configuration: unknown key, bad value, inconsistent schema.
struct ConfigError : Error {
  explicit ConfigError(const std::string& what) : Error(ExitCode::config, "config error", what) {}
};
// Bad input data: malformed CSV, unphased VCF, a value that does not parse.
struct InputError : Error {
  explicit InputError(const std::string& what) : Error(ExitCode::input, "input error", what) {}
};
// The file system or a library refused: missing file, full disk, HDF5 or MPI failure.
struct IoError : Error {
  explicit IoError(const std::string& what) : Error(ExitCode::io, "I/O error", what) {}
};
// A resume that cannot continue safely (e.g. the config changed since the crash).
struct ResumeError : Error {
  explicit ResumeError(const std::string& what) : Error(ExitCode::resume, "resume error", what) {}
};
struct InternalError : Error {
  explicit InternalError(const std::string& what) : Error(ExitCode::internal, "internal error", what) {}
};

// Whether error messages may quote offending data values; off unless the operator sets
// `log.show_values = true` (the driver sets it once at start-up).
void set_show_values(bool show);
bool show_values();
// The offending value quoted for the message when allowed, else a placeholder that says how to see it.
std::string input_value(const std::string& value);

}  // namespace sc

// Checks that build their message only on failure (the message expression is not evaluated otherwise).
#define SC_EXPECTS(cond, ErrorType, message)  \
  do {                                        \
    if (!(cond)) throw ErrorType(message);    \
  } while (0)
