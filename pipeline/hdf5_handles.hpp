// HDF5 through small RAII handles. Every shard of the store is an HDF5 file written by one rank
// (serial access, the sec2 driver) under a temporary name; files that several ranks write together
// (the per-rank accounting table of a stage) are opened through MPI-IO and written with collective
// transfers that are checked to have really been collective. Every HDF5 call is checked and a
// failure names the call, the file and HDF5's own reason.
#pragma once

#include <hdf5.h>

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/error.hpp"
#include "pipeline/mpi_comm.hpp"

namespace sc::h5 {

[[noreturn]] void throw_hdf5_error(const char* call, const std::string& context);

#define SC_H5_CHECK(call, context)                                        \
  ([&]() {                                                                \
    auto sc_h5_rc_ = (call);                                              \
    if (sc_h5_rc_ < 0) ::sc::h5::throw_hdf5_error(#call, (context));      \
    return sc_h5_rc_;                                                     \
  }())

// Silences HDF5's own printing of its error stack; we read the stack into our messages instead.
void quiet_library_errors();

// One owned hid_t, closed with the function that matches its kind.
class Handle {
 public:
  Handle() = default;
  explicit Handle(hid_t id) : id_(id) {}
  Handle(Handle&& other) noexcept : id_(other.id_) { other.id_ = H5I_INVALID_HID; }
  Handle& operator=(Handle&& other) noexcept;
  Handle(const Handle&) = delete;
  Handle& operator=(const Handle&) = delete;
  ~Handle() { close(); }
  hid_t get() const { return id_; }
  bool valid() const { return id_ >= 0; }
  void close();

 private:
  hid_t id_ = H5I_INVALID_HID;
};

template <class T> hid_t native_type();
template <> inline hid_t native_type<uint8_t>() { return H5T_NATIVE_UINT8; }
template <> inline hid_t native_type<int32_t>() { return H5T_NATIVE_INT32; }
template <> inline hid_t native_type<uint32_t>() { return H5T_NATIVE_UINT32; }
template <> inline hid_t native_type<int64_t>() { return H5T_NATIVE_INT64; }
template <> inline hid_t native_type<uint64_t>() { return H5T_NATIVE_UINT64; }
template <> inline hid_t native_type<double>() { return H5T_NATIVE_DOUBLE; }
template <> inline hid_t native_type<char>() { return H5T_NATIVE_CHAR; }

// File-type (on disk) little-endian equivalents, so that stores are identical on every host.
template <class T> hid_t file_type();
template <> inline hid_t file_type<uint8_t>() { return H5T_STD_U8LE; }
template <> inline hid_t file_type<int32_t>() { return H5T_STD_I32LE; }
template <> inline hid_t file_type<uint32_t>() { return H5T_STD_U32LE; }
template <> inline hid_t file_type<int64_t>() { return H5T_STD_I64LE; }
template <> inline hid_t file_type<uint64_t>() { return H5T_STD_U64LE; }
template <> inline hid_t file_type<double>() { return H5T_IEEE_F64LE; }
template <> inline hid_t file_type<char>() { return H5T_STD_I8LE; }

class File {
 public:
  // A new file for one writer; fails if it exists.
  static File create(const std::string& path);
  static File open_read(const std::string& path);
  static File open_write(const std::string& path);
  // A new file that all ranks of `comm` create and write together through MPI-IO.
  static File create_parallel(const std::string& path, const Communicator& comm);
  static File open_parallel_read(const std::string& path, const Communicator& comm);

  hid_t id() const { return handle_.get(); }
  const std::string& path() const { return path_; }
  void flush();
  void close() { handle_.close(); }

  // A dataset of `dims` elements of T, intermediate groups created. `deflate` 0 = no compression.
  template <class T>
  void write(const std::string& name, const T* data, const std::vector<hsize_t>& dims, int deflate = 0) {
    write_raw(name, native_type<T>(), file_type<T>(), data, dims, deflate);
  }
  template <class T>
  void write(const std::string& name, const std::vector<T>& data, int deflate = 0) {
    write<T>(name, data.data(), {static_cast<hsize_t>(data.size())}, deflate);
  }
  template <class T> std::vector<T> read(const std::string& name) const {
    std::vector<T> out;
    read_raw(name, native_type<T>(), [](void* client, size_t n) -> void* {
      auto* vector = static_cast<std::vector<T>*>(client);
      vector->resize(n);
      return vector->data();
    }, &out);
    return out;
  }
  // Rows [first, first+count) of a 2-D dataset (or elements of a 1-D one): a hyperslab read.
  template <class T> std::vector<T> read_rows(const std::string& name, hsize_t first, hsize_t count) const {
    std::vector<hsize_t> dims = dimensions(name);
    hsize_t row = 1;
    for (size_t i = 1; i < dims.size(); ++i) row *= dims[i];
    std::vector<T> out(count * row);
    read_rows_raw(name, native_type<T>(), first, count, out.data());
    return out;
  }
  std::vector<hsize_t> dimensions(const std::string& name) const;
  size_t element_count(const std::string& name) const;
  bool exists(const std::string& name) const;

  void set_attribute(const std::string& object, const std::string& key, const std::string& value);
  std::string attribute(const std::string& object, const std::string& key) const;
  bool has_attribute(const std::string& object, const std::string& key) const;

  // Every dataset in the file, as absolute paths in name order.
  std::vector<std::string> list_datasets() const;
  // The raw little-endian bytes of a dataset (what `h5dump -b LE` writes), for digests.
  std::vector<uint8_t> raw_bytes(const std::string& name) const;

  // Collective write of this rank's rows [first_row, first_row + rows) of a 2-D dataset of
  // `total_rows` x `columns` that every rank of `comm` creates together. Ranks with no rows take
  // part with an empty selection. Throws if HDF5 did not perform the transfer collectively.
  void write_rows_collective(const std::string& name, const int64_t* data, hsize_t first_row,
                             hsize_t rows, hsize_t total_rows, hsize_t columns);

 private:
  File(Handle handle, std::string path) : handle_(std::move(handle)), path_(std::move(path)) {}
  void write_raw(const std::string& name, hid_t mem_type, hid_t disk_type, const void* data,
                 const std::vector<hsize_t>& dims, int deflate);
  // Opens the dataset once, asks `allocate(client, elements)` for where its elements go and reads
  // them there (opening it once per question cost a third of reading a table's small schema).
  void read_raw(const std::string& name, hid_t mem_type, void* (*allocate)(void* client, size_t elements),
                void* client) const;
  void read_rows_raw(const std::string& name, hid_t mem_type, hsize_t first, hsize_t count, void* out) const;
  std::string where(const std::string& name) const { return path_ + ":" + name; }

  Handle handle_;
  std::string path_;
};

}  // namespace sc::h5
