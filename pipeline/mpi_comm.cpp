#include "pipeline/mpi_comm.hpp"

#include <thread>
#include <utility>

namespace sc {

void throw_mpi_error(int code, const char* call, const char* file, int line) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(code, text, &length);
  throw IoError(std::string("MPI call failed: ") + call + " at " + file + ":" + std::to_string(line) +
                ": " + std::string(text, static_cast<size_t>(length)));
}

MpiEnvironment::MpiEnvironment(int* argc, char*** argv) {
  int provided = 0;
  SC_MPI_CHECK(MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided));
  // Errors come back as codes so that SC_MPI_CHECK can name the call.
  MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
}

MpiEnvironment::~MpiEnvironment() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (!finalized) MPI_Finalize();
}

Communicator::Communicator(MPI_Comm comm, bool owned) : comm_(comm), owned_(owned) {
  SC_MPI_CHECK(MPI_Comm_rank(comm_, &rank_));
  SC_MPI_CHECK(MPI_Comm_size(comm_, &size_));
}

Communicator Communicator::world() { return Communicator(MPI_COMM_WORLD, false); }

Communicator Communicator::duplicate(MPI_Comm comm) {
  MPI_Comm copy = MPI_COMM_NULL;
  SC_MPI_CHECK(MPI_Comm_dup(comm, &copy));
  MPI_Comm_set_errhandler(copy, MPI_ERRORS_RETURN);
  return Communicator(copy, true);
}

Communicator::Communicator(Communicator&& other) noexcept
    : comm_(std::exchange(other.comm_, MPI_COMM_NULL)), owned_(std::exchange(other.owned_, false)),
      rank_(other.rank_), size_(other.size_) {}

Communicator& Communicator::operator=(Communicator&& other) noexcept {
  if (this != &other) {
    if (owned_ && comm_ != MPI_COMM_NULL) MPI_Comm_free(&comm_);
    comm_ = std::exchange(other.comm_, MPI_COMM_NULL);
    owned_ = std::exchange(other.owned_, false);
    rank_ = other.rank_;
    size_ = other.size_;
  }
  return *this;
}

Communicator::~Communicator() {
  int finalized = 0;
  MPI_Finalized(&finalized);
  if (owned_ && comm_ != MPI_COMM_NULL && !finalized) MPI_Comm_free(&comm_);
}

void Communicator::barrier() const { SC_MPI_CHECK(MPI_Barrier(comm_)); }

std::vector<std::vector<uint8_t>> Communicator::gather_bytes(const std::vector<uint8_t>& mine) const {
  int count = static_cast<int>(mine.size());
  std::vector<int> counts(is_root() ? static_cast<size_t>(size_) : 0);
  SC_MPI_CHECK(MPI_Gather(&count, 1, MPI_INT, counts.data(), 1, MPI_INT, 0, comm_));
  std::vector<int> displs(counts.size(), 0);
  int total = 0;
  for (size_t r = 0; r < counts.size(); ++r) { displs[r] = total; total += counts[r]; }
  std::vector<uint8_t> all(static_cast<size_t>(total));
  SC_MPI_CHECK(MPI_Gatherv(mine.data(), count, MPI_UINT8_T, all.data(), counts.data(),
                           displs.data(), MPI_UINT8_T, 0, comm_));
  std::vector<std::vector<uint8_t>> out;
  for (size_t r = 0; r < counts.size(); ++r)
    out.emplace_back(all.begin() + displs[r], all.begin() + displs[r] + counts[r]);
  return out;
}

std::vector<std::vector<uint8_t>> Communicator::allgather_bytes(const std::vector<uint8_t>& mine) const {
  std::vector<int> counts = allgather<int>(static_cast<int>(mine.size()));
  std::vector<int> displs(counts.size(), 0);
  int total = 0;
  for (size_t r = 0; r < counts.size(); ++r) { displs[r] = total; total += counts[r]; }
  std::vector<uint8_t> all(static_cast<size_t>(total));
  SC_MPI_CHECK(MPI_Allgatherv(mine.data(), static_cast<int>(mine.size()), MPI_UINT8_T, all.data(),
                              counts.data(), displs.data(), MPI_UINT8_T, comm_));
  std::vector<std::vector<uint8_t>> out;
  for (size_t r = 0; r < counts.size(); ++r)
    out.emplace_back(all.begin() + displs[r], all.begin() + displs[r] + counts[r]);
  return out;
}

void Communicator::broadcast(std::string& text, int root) const {
  std::vector<char> buffer(text.begin(), text.end());
  broadcast(buffer, root);
  text.assign(buffer.begin(), buffer.end());
}

void Communicator::send_bytes(const std::vector<uint8_t>& bytes, int dest, int tag) const {
  uint64_t n = bytes.size();
  SC_MPI_CHECK(MPI_Send(&n, 1, MPI_UINT64_T, dest, tag, comm_));
  // Large buffers go in chunks because MPI counts are int.
  constexpr uint64_t chunk = 1u << 30;
  for (uint64_t off = 0; off < n; off += chunk) {
    int len = static_cast<int>(std::min(chunk, n - off));
    SC_MPI_CHECK(MPI_Send(bytes.data() + off, len, MPI_UINT8_T, dest, tag, comm_));
  }
}

std::vector<uint8_t> Communicator::recv_bytes(int source, int tag) const {
  uint64_t n = 0;
  SC_MPI_CHECK(MPI_Recv(&n, 1, MPI_UINT64_T, source, tag, comm_, MPI_STATUS_IGNORE));
  std::vector<uint8_t> bytes(n);
  constexpr uint64_t chunk = 1u << 30;
  for (uint64_t off = 0; off < n; off += chunk) {
    int len = static_cast<int>(std::min(chunk, n - off));
    SC_MPI_CHECK(MPI_Recv(bytes.data() + off, len, MPI_UINT8_T, source, tag, comm_, MPI_STATUS_IGNORE));
  }
  return bytes;
}

std::vector<uint8_t> Communicator::recv_bytes_sleeping(int source, int tag, std::chrono::microseconds poll) const {
  for (;;) {
    int arrived = 0;
    SC_MPI_CHECK(MPI_Iprobe(source, tag, comm_, &arrived, MPI_STATUS_IGNORE));
    if (arrived) return recv_bytes(source, tag);
    std::this_thread::sleep_for(poll);
  }
}

void Communicator::isend_bytes(const std::vector<uint8_t>& bytes, int dest, int tag, PendingSend& pending) const {
  pending.wait();
  pending.size_ = bytes.size();
  pending.requests_.emplace_back();
  SC_MPI_CHECK(MPI_Isend(&pending.size_, 1, MPI_UINT64_T, dest, tag, comm_, &pending.requests_.back()));
  // In pieces, as send_bytes: MPI counts are int.
  constexpr uint64_t chunk = 1u << 30;
  for (uint64_t off = 0; off < bytes.size(); off += chunk) {
    pending.requests_.emplace_back();
    SC_MPI_CHECK(MPI_Isend(bytes.data() + off, static_cast<int>(std::min<uint64_t>(chunk, bytes.size() - off)),
                           MPI_UINT8_T, dest, tag, comm_, &pending.requests_.back()));
  }
}

void Communicator::PendingSend::wait(std::chrono::microseconds poll) {
  while (!requests_.empty()) {
    int done = 0;
    SC_MPI_CHECK(MPI_Testall(static_cast<int>(requests_.size()), requests_.data(), &done, MPI_STATUSES_IGNORE));
    if (done) {
      requests_.clear();
      return;
    }
    std::this_thread::sleep_for(poll);
  }
}

Communicator::PendingSend::~PendingSend() {
  try {
    wait();
  } catch (...) {  // MPI itself failed: the job is ending anyway, and a destructor must not throw
  }
}

void Communicator::agree_on_error(const std::string& local_message, ExitCode local_code) const {
  // The lowest rank with an error wins, so every rank throws the same message.
  int mine = local_message.empty() ? size_ : rank_;
  int first = allreduce_min<int32_t>(mine);
  if (first == size_) return;
  std::string message = local_message;
  int32_t code = static_cast<int32_t>(local_code);
  broadcast(message, first);
  broadcast_value(code, first);
  Error error(static_cast<ExitCode>(code),
              code == int(ExitCode::config) ? "config error"
              : code == int(ExitCode::input) ? "input error"
              : code == int(ExitCode::resume) ? "resume error"
                                               : "I/O error",
              message);
  error.mark_agreed();
  throw error;
}

void Communicator::abort(int code) const {
  MPI_Abort(comm_, code);
  std::abort();
}

}  // namespace sc
