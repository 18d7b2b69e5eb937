// The MPI layer: the only header that includes <mpi.h>. A move-only RAII communicator with typed
// collectives built on a type-to-MPI_Datatype trait, and SC_MPI_CHECK around every MPI call so
// that a failure names the call, the file and the line. Stages receive a Communicator and never
// call MPI directly; reductions of floating-point pieces are done by gathering in shard order
// (DESIGN.md, decision 3), so only exact (integer, min, max) reductions are offered here.
#pragma once

// Only the C API: the deprecated C++ bindings are not used.
#define OMPI_SKIP_MPICXX 1
#define MPICH_SKIP_MPICXX 1
#include <mpi.h>

#include <chrono>

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include "pipeline/error.hpp"

namespace sc {

[[noreturn]] void throw_mpi_error(int code, const char* call, const char* file, int line);

#define SC_MPI_CHECK(call)                                                   \
  do {                                                                       \
    int sc_mpi_rc_ = (call);                                                 \
    if (sc_mpi_rc_ != MPI_SUCCESS) ::sc::throw_mpi_error(sc_mpi_rc_, #call, __FILE__, __LINE__); \
  } while (0)

template <class T> MPI_Datatype mpi_type();
template <> inline MPI_Datatype mpi_type<int32_t>() { return MPI_INT32_T; }
template <> inline MPI_Datatype mpi_type<int64_t>() { return MPI_INT64_T; }
template <> inline MPI_Datatype mpi_type<uint8_t>() { return MPI_UINT8_T; }
template <> inline MPI_Datatype mpi_type<uint32_t>() { return MPI_UINT32_T; }
template <> inline MPI_Datatype mpi_type<uint64_t>() { return MPI_UINT64_T; }
template <> inline MPI_Datatype mpi_type<double>() { return MPI_DOUBLE; }
template <> inline MPI_Datatype mpi_type<char>() { return MPI_CHAR; }

// Initialises MPI (thread level FUNNELED: TBB threads compute, the main thread communicates) and
// finalises it at scope exit.
class MpiEnvironment {
 public:
  MpiEnvironment(int* argc, char*** argv);
  ~MpiEnvironment();
  MpiEnvironment(const MpiEnvironment&) = delete;
  MpiEnvironment& operator=(const MpiEnvironment&) = delete;
};

class Communicator {
 public:
  // Wraps MPI_COMM_WORLD without owning it.
  static Communicator world();
  // A duplicate of `comm` that this object owns and frees.
  static Communicator duplicate(MPI_Comm comm);

  Communicator(Communicator&& other) noexcept;
  Communicator& operator=(Communicator&& other) noexcept;
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;
  ~Communicator();

  int rank() const { return rank_; }
  int size() const { return size_; }
  bool is_root() const { return rank_ == 0; }
  MPI_Comm handle() const { return comm_; }

  void barrier() const;

  template <class T> T allreduce_sum(T value) const { return allreduce(value, MPI_SUM); }
  template <class T> T allreduce_max(T value) const { return allreduce(value, MPI_MAX); }
  template <class T> T allreduce_min(T value) const { return allreduce(value, MPI_MIN); }
  template <class T> void allreduce_sum_inplace(std::vector<T>& values) const {
    static_assert(std::is_integral_v<T>, "floating-point sums must be combined in shard order");
    if (values.empty()) return;
    SC_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()),
                               mpi_type<T>(), MPI_SUM, comm_));
  }
  // Sum over the ranks below this one (0 on rank 0).
  template <class T> T exscan_sum(T value) const {
    static_assert(std::is_integral_v<T>);
    T result{};
    SC_MPI_CHECK(MPI_Exscan(&value, &result, 1, mpi_type<T>(), MPI_SUM, comm_));
    return rank_ == 0 ? T{} : result;
  }
  // Logical AND/OR across ranks.
  bool all(bool value) const { return allreduce_min<int32_t>(value ? 1 : 0) == 1; }
  bool any(bool value) const { return allreduce_max<int32_t>(value ? 1 : 0) == 1; }

  template <class T> std::vector<T> allgather(T value) const {
    std::vector<T> out(static_cast<size_t>(size_));
    SC_MPI_CHECK(MPI_Allgather(&value, 1, mpi_type<T>(), out.data(), 1, mpi_type<T>(), comm_));
    return out;
  }
  // Concatenation of every rank's vector, in rank order, on every rank.
  template <class T> std::vector<T> allgatherv(const std::vector<T>& mine) const {
    std::vector<int> counts = allgather<int>(static_cast<int>(mine.size()));
    std::vector<int> displs(counts.size(), 0);
    int total = 0;
    for (size_t r = 0; r < counts.size(); ++r) { displs[r] = total; total += counts[r]; }
    std::vector<T> out(static_cast<size_t>(total));
    SC_MPI_CHECK(MPI_Allgatherv(mine.data(), static_cast<int>(mine.size()), mpi_type<T>(),
                                out.data(), counts.data(), displs.data(), mpi_type<T>(), comm_));
    return out;
  }
  // The same for records of any trivially copyable T, moved as their bytes (every rank runs the
  // same build, so the layout agrees): at most 2^31 - 1 records in all, which the caller checks.
  template <class T> std::vector<T> allgatherv_records(const std::vector<T>& mine) const {
    static_assert(std::is_trivially_copyable_v<T>);
    std::vector<int> counts = allgather<int>(static_cast<int>(mine.size()));
    std::vector<int> displs(counts.size(), 0);
    int total = 0;
    for (size_t r = 0; r < counts.size(); ++r) { displs[r] = total; total += counts[r]; }
    std::vector<T> out(static_cast<size_t>(total));
    MPI_Datatype record;
    SC_MPI_CHECK(MPI_Type_contiguous(static_cast<int>(sizeof(T)), MPI_BYTE, &record));
    SC_MPI_CHECK(MPI_Type_commit(&record));
    const int rc = MPI_Allgatherv(mine.data(), static_cast<int>(mine.size()), record, out.data(), counts.data(),
                                  displs.data(), record, comm_);
    SC_MPI_CHECK(MPI_Type_free(&record));
    SC_MPI_CHECK(rc);
    return out;
  }
  // Every rank's byte buffer, in rank order, on the root only (empty elsewhere).
  std::vector<std::vector<uint8_t>> gather_bytes(const std::vector<uint8_t>& mine) const;
  // Every rank's byte buffer on every rank.
  std::vector<std::vector<uint8_t>> allgather_bytes(const std::vector<uint8_t>& mine) const;
  template <class T> void broadcast(std::vector<T>& values, int root = 0) const {
    uint64_t n = values.size();
    SC_MPI_CHECK(MPI_Bcast(&n, 1, MPI_UINT64_T, root, comm_));
    values.resize(n);
    if (n) SC_MPI_CHECK(MPI_Bcast(values.data(), static_cast<int>(n), mpi_type<T>(), root, comm_));
  }
  void broadcast(std::string& text, int root = 0) const;
  template <class T> void broadcast_value(T& value, int root = 0) const {
    SC_MPI_CHECK(MPI_Bcast(&value, 1, mpi_type<T>(), root, comm_));
  }
  void send_bytes(const std::vector<uint8_t>& bytes, int dest, int tag) const;
  std::vector<uint8_t> recv_bytes(int source, int tag) const;
  // As recv_bytes, but waits for the message by probing and sleeping instead of inside MPI_Recv.
  // Open MPI's blocking receive spins on its shared-memory queues at full speed; a rank that waits
  // long for a producer (ingest's window owners wait on rank 0's decoder) would take the core
  // that producer needs when ranks share cores. The sleep adds at most `poll` to each message's
  // latency, which is small against messages that take tens of milliseconds to make.
  std::vector<uint8_t> recv_bytes_sleeping(int source, int tag,
                                           std::chrono::microseconds poll = std::chrono::microseconds(500)) const;

  // A send_bytes that proceeds in the background (MPI_Isend): a producer that hands a large
  // message to a busy receiver need not wait, spinning in MPI_Send, until the receive is posted
  // (genome ingest passes each region's cursor on this way). `bytes` must stay alive and
  // unchanged until wait() returns; the destructor waits too.
  class PendingSend {
   public:
    PendingSend() = default;
    PendingSend(PendingSend&&) = delete;  // MPI holds the addresses of its members
    ~PendingSend();
    // Waits for the send to complete, probing and sleeping (as recv_bytes_sleeping).
    void wait(std::chrono::microseconds poll = std::chrono::microseconds(500));

   private:
    friend class Communicator;
    uint64_t size_ = 0;
    std::vector<MPI_Request> requests_;
  };
  // Starts sending `bytes` into `pending`, which must be idle (waited for or new).
  void isend_bytes(const std::vector<uint8_t>& bytes, int dest, int tag, PendingSend& pending) const;

  // Broadcasts the first error raised on any rank so that every rank throws it together; a
  // collective error check at the points where ranks must agree (e.g. after validation).
  // Call with the local error message ("" = none) and the error's exit code.
  void agree_on_error(const std::string& local_message, ExitCode local_code) const;

  // Ends the whole job with `code` (MPI_Abort): the way out after an error on one rank only.
  [[noreturn]] void abort(int code) const;

 private:
  Communicator(MPI_Comm comm, bool owned);
  template <class T> T allreduce(T value, MPI_Op op) const {
    T result{};
    SC_MPI_CHECK(MPI_Allreduce(&value, &result, 1, mpi_type<T>(), op, comm_));
    return result;
  }

  MPI_Comm comm_ = MPI_COMM_NULL;
  bool owned_ = false;
  int rank_ = 0;
  int size_ = 1;
};

}  // namespace sc
