#include "pipeline/hdf5_handles.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "pipeline/direct_write.hpp"

namespace sc::h5 {
namespace {

// Uncompressed datasets this large are written around the page cache (direct_write.hpp), at
// file offsets that HDF5 aligns for them (H5Pset_alignment). 512 KiB takes in a table shard's
// columns (250,000 rows: 2 MB of int64 values, 1 MB of codes), whose page-cache copy was 36% of
// ingest's CPU samples on the 10 M-row CSV (docs/benchmarks.md, "Ingest of registry tables").
constexpr hsize_t kDirectWriteBytes = hsize_t{512} << 10;

herr_t collect_error(unsigned n, const H5E_error2_t* e, void* client) {
  auto* text = static_cast<std::string*>(client);
  if (n == 0 && e->desc) *text = e->desc;  // the innermost (first) entry says what really failed
  return 0;
}

}  // namespace

void throw_hdf5_error(const char* call, const std::string& context) {
  // The system's reason (a full disk, a read-only directory) says more than HDF5's own.
  int system_error = errno;
  std::string reason;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, collect_error, &reason);
  H5Eclear2(H5E_DEFAULT);
  throw IoError("HDF5 call failed: " + std::string(call) + " on " + context +
                (reason.empty() ? "" : ": " + reason) +
                (system_error ? " (" + std::string(std::strerror(system_error)) + ")" : ""));
}

void quiet_library_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

Handle& Handle::operator=(Handle&& other) noexcept {
  if (this != &other) {
    close();
    id_ = std::exchange(other.id_, H5I_INVALID_HID);
  }
  return *this;
}

void Handle::close() {
  if (id_ < 0) return;
  switch (H5Iget_type(id_)) {
    case H5I_FILE: H5Fclose(id_); break;
    case H5I_GROUP: H5Gclose(id_); break;
    case H5I_DATASET: H5Dclose(id_); break;
    case H5I_DATASPACE: H5Sclose(id_); break;
    case H5I_DATATYPE: H5Tclose(id_); break;
    case H5I_ATTR: H5Aclose(id_); break;
    case H5I_GENPROP_LST: H5Pclose(id_); break;
    default: break;
  }
  id_ = H5I_INVALID_HID;
}

File File::create(const std::string& path) {
  Handle fapl(SC_H5_CHECK(H5Pcreate(H5P_FILE_ACCESS), path));
  // The oldest format that has what we need keeps files readable by older tools, and drops the
  // per-object timestamps that would otherwise differ between identical runs.
  SC_H5_CHECK(H5Pset_libver_bounds(fapl.get(), H5F_LIBVER_V18, H5F_LIBVER_LATEST), path);
  SC_H5_CHECK(H5Pset_alignment(fapl.get(), kDirectWriteBytes, kDirectWriteAlignment), path);
  Handle fcpl(SC_H5_CHECK(H5Pcreate(H5P_FILE_CREATE), path));
  Handle id(SC_H5_CHECK(H5Fcreate(path.c_str(), H5F_ACC_EXCL, fcpl.get(), fapl.get()), path));
  return File(std::move(id), path);
}

File File::open_read(const std::string& path) {
  Handle id(SC_H5_CHECK(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), path));
  return File(std::move(id), path);
}

File File::open_write(const std::string& path) {
  Handle id(SC_H5_CHECK(H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), path));
  return File(std::move(id), path);
}

File File::create_parallel(const std::string& path, const Communicator& comm) {
  Handle fapl(SC_H5_CHECK(H5Pcreate(H5P_FILE_ACCESS), path));
  SC_H5_CHECK(H5Pset_fapl_mpio(fapl.get(), comm.handle(), MPI_INFO_NULL), path);
  SC_H5_CHECK(H5Pset_all_coll_metadata_ops(fapl.get(), true), path);
  SC_H5_CHECK(H5Pset_coll_metadata_write(fapl.get(), true), path);
  Handle id(SC_H5_CHECK(H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl.get()), path));
  return File(std::move(id), path);
}

File File::open_parallel_read(const std::string& path, const Communicator& comm) {
  Handle fapl(SC_H5_CHECK(H5Pcreate(H5P_FILE_ACCESS), path));
  SC_H5_CHECK(H5Pset_fapl_mpio(fapl.get(), comm.handle(), MPI_INFO_NULL), path);
  Handle id(SC_H5_CHECK(H5Fopen(path.c_str(), H5F_ACC_RDONLY, fapl.get()), path));
  return File(std::move(id), path);
}

void File::flush() { SC_H5_CHECK(H5Fflush(handle_.get(), H5F_SCOPE_GLOBAL), path_); }

void File::write_raw(const std::string& name, hid_t mem_type, hid_t disk_type, const void* data,
                     const std::vector<hsize_t>& dims, int deflate) {
  Handle space(SC_H5_CHECK(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), where(name)));
  Handle lcpl(SC_H5_CHECK(H5Pcreate(H5P_LINK_CREATE), where(name)));
  SC_H5_CHECK(H5Pset_create_intermediate_group(lcpl.get(), 1), where(name));
  Handle dcpl(SC_H5_CHECK(H5Pcreate(H5P_DATASET_CREATE), where(name)));
  hsize_t total = 1;
  for (hsize_t d : dims) total *= d;
  if (deflate > 0 && total > 0) {
    // Chunks of whole rows, about 1 MiB, so a window of a genome compresses in a few pieces.
    std::vector<hsize_t> chunk = dims;
    hsize_t row = 1;
    for (size_t i = 1; i < dims.size(); ++i) row *= dims[i];
    size_t element = H5Tget_size(disk_type);
    chunk[0] = std::max<hsize_t>(1, std::min<hsize_t>(dims[0], (1u << 20) / std::max<hsize_t>(1, row * element)));
    SC_H5_CHECK(H5Pset_chunk(dcpl.get(), static_cast<int>(chunk.size()), chunk.data()), where(name));
    SC_H5_CHECK(H5Pset_shuffle(dcpl.get()), where(name));
    SC_H5_CHECK(H5Pset_deflate(dcpl.get(), static_cast<unsigned>(deflate)), where(name));
  }
  // No timestamps: identical data give identical objects.
  SC_H5_CHECK(H5Pset_obj_track_times(dcpl.get(), false), where(name));
  // A large uncompressed dataset whose bytes in memory are its bytes on disk (x86: the native
  // integer and IEEE types are the little-endian file types) gets its file space, aligned, at
  // creation and no fill, and its bytes are written there around the page cache.
  const size_t bytes = static_cast<size_t>(total) * H5Tget_size(disk_type);
  const bool direct = deflate <= 0 && bytes >= kDirectWriteBytes && H5Tget_size(mem_type) == H5Tget_size(disk_type) &&
                      H5Tequal(mem_type, disk_type) > 0;
  if (direct) {
    SC_H5_CHECK(H5Pset_layout(dcpl.get(), H5D_CONTIGUOUS), where(name));
    SC_H5_CHECK(H5Pset_alloc_time(dcpl.get(), H5D_ALLOC_TIME_EARLY), where(name));
    SC_H5_CHECK(H5Pset_fill_time(dcpl.get(), H5D_FILL_TIME_NEVER), where(name));
  }
  Handle dset(SC_H5_CHECK(H5Dcreate2(handle_.get(), name.c_str(), disk_type, space.get(), lcpl.get(),
                                     dcpl.get(), H5P_DEFAULT), where(name)));
  if (total == 0) return;
  const haddr_t offset = direct ? H5Dget_offset(dset.get()) : HADDR_UNDEF;
  if (offset != HADDR_UNDEF && write_around_page_cache(path_, offset, data, bytes)) return;
  SC_H5_CHECK(H5Dwrite(dset.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), where(name));
}

namespace {

std::vector<hsize_t> dataset_dimensions(hid_t dset, const std::string& where) {
  Handle space(SC_H5_CHECK(H5Dget_space(dset), where));
  int rank = SC_H5_CHECK(H5Sget_simple_extent_ndims(space.get()), where);
  std::vector<hsize_t> dims(static_cast<size_t>(rank));
  SC_H5_CHECK(H5Sget_simple_extent_dims(space.get(), dims.data(), nullptr), where);
  return dims;
}

size_t dataset_elements(hid_t dset, const std::string& where) {
  size_t n = 1;
  for (hsize_t d : dataset_dimensions(dset, where)) n *= d;
  return n;
}

}  // namespace

std::vector<hsize_t> File::dimensions(const std::string& name) const {
  Handle dset(SC_H5_CHECK(H5Dopen2(handle_.get(), name.c_str(), H5P_DEFAULT), where(name)));
  return dataset_dimensions(dset.get(), where(name));
}

size_t File::element_count(const std::string& name) const {
  size_t n = 1;
  for (hsize_t d : dimensions(name)) n *= d;
  return n;
}

bool File::exists(const std::string& name) const {
  // Walk the path one link at a time: H5Lexists fails on a missing intermediate group.
  std::string partial;
  size_t pos = 0;
  while (pos != std::string::npos) {
    size_t next = name.find('/', pos + 1);
    partial = name.substr(0, next);
    if (!partial.empty() && partial != "/") {
      htri_t found = H5Lexists(handle_.get(), partial.c_str(), H5P_DEFAULT);
      if (found <= 0) return false;
    }
    pos = next;
  }
  return true;
}

void File::read_raw(const std::string& name, hid_t mem_type, void* (*allocate)(void* client, size_t elements),
                    void* client) const {
  Handle dset(SC_H5_CHECK(H5Dopen2(handle_.get(), name.c_str(), H5P_DEFAULT), where(name)));
  const size_t elements = dataset_elements(dset.get(), where(name));
  void* out = allocate(client, elements);
  if (elements == 0) return;
  SC_H5_CHECK(H5Dread(dset.get(), mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, out), where(name));
}

void File::read_rows_raw(const std::string& name, hid_t mem_type, hsize_t first, hsize_t count, void* out) const {
  if (count == 0) return;
  Handle dset(SC_H5_CHECK(H5Dopen2(handle_.get(), name.c_str(), H5P_DEFAULT), where(name)));
  Handle space(SC_H5_CHECK(H5Dget_space(dset.get()), where(name)));
  std::vector<hsize_t> dims = dataset_dimensions(dset.get(), where(name));
  std::vector<hsize_t> start(dims.size(), 0), extent = dims;
  start[0] = first;
  extent[0] = count;
  SC_H5_CHECK(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start.data(), nullptr, extent.data(), nullptr), where(name));
  Handle mem(SC_H5_CHECK(H5Screate_simple(static_cast<int>(extent.size()), extent.data(), nullptr), where(name)));
  SC_H5_CHECK(H5Dread(dset.get(), mem_type, mem.get(), space.get(), H5P_DEFAULT, out), where(name));
}

void File::set_attribute(const std::string& object, const std::string& key, const std::string& value) {
  Handle type(SC_H5_CHECK(H5Tcopy(H5T_C_S1), where(object)));
  SC_H5_CHECK(H5Tset_size(type.get(), std::max<size_t>(1, value.size())), where(object));
  Handle space(SC_H5_CHECK(H5Screate(H5S_SCALAR), where(object)));
  if (H5Aexists_by_name(handle_.get(), object.c_str(), key.c_str(), H5P_DEFAULT) > 0)
    SC_H5_CHECK(H5Adelete_by_name(handle_.get(), object.c_str(), key.c_str(), H5P_DEFAULT), where(object));
  Handle attr(SC_H5_CHECK(H5Acreate_by_name(handle_.get(), object.c_str(), key.c_str(), type.get(),
                                            space.get(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), where(object)));
  std::string padded = value.empty() ? std::string(1, '\0') : value;
  SC_H5_CHECK(H5Awrite(attr.get(), type.get(), padded.data()), where(object));
}

bool File::has_attribute(const std::string& object, const std::string& key) const {
  return H5Aexists_by_name(handle_.get(), object.c_str(), key.c_str(), H5P_DEFAULT) > 0;
}

std::string File::attribute(const std::string& object, const std::string& key) const {
  Handle attr(SC_H5_CHECK(H5Aopen_by_name(handle_.get(), object.c_str(), key.c_str(), H5P_DEFAULT, H5P_DEFAULT),
                          where(object) + "@" + key));
  Handle type(SC_H5_CHECK(H5Aget_type(attr.get()), where(object)));
  size_t size = H5Tget_size(type.get());
  std::string value(size, '\0');
  SC_H5_CHECK(H5Aread(attr.get(), type.get(), value.data()), where(object));
  value.erase(std::find(value.begin(), value.end(), '\0'), value.end());
  return value;
}

namespace {
herr_t visit_dataset(hid_t, const char* name, const H5O_info_t* info, void* client) {
  if (info->type == H5O_TYPE_DATASET) static_cast<std::vector<std::string>*>(client)->push_back(std::string("/") + name);
  return 0;
}
}  // namespace

std::vector<std::string> File::list_datasets() const {
  std::vector<std::string> names;
  SC_H5_CHECK(H5Ovisit2(handle_.get(), H5_INDEX_NAME, H5_ITER_INC, visit_dataset, &names, H5O_INFO_BASIC), path_);
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<uint8_t> File::raw_bytes(const std::string& name) const {
  Handle dset(SC_H5_CHECK(H5Dopen2(handle_.get(), name.c_str(), H5P_DEFAULT), where(name)));
  Handle type(SC_H5_CHECK(H5Dget_type(dset.get()), where(name)));
  // Read as the little-endian file type itself: the bytes are the data, independent of the host.
  Handle native(SC_H5_CHECK(H5Tcopy(type.get()), where(name)));
  size_t element = H5Tget_size(type.get());
  std::vector<uint8_t> bytes(dataset_elements(dset.get(), where(name)) * element);
  if (!bytes.empty())
    SC_H5_CHECK(H5Dread(dset.get(), native.get(), H5S_ALL, H5S_ALL, H5P_DEFAULT, bytes.data()), where(name));
  return bytes;
}

void File::write_rows_collective(const std::string& name, const int64_t* data, hsize_t first_row,
                                 hsize_t rows, hsize_t total_rows, hsize_t columns) {
  hsize_t dims[2] = {total_rows, columns};
  Handle space(SC_H5_CHECK(H5Screate_simple(2, dims, nullptr), where(name)));
  Handle dcpl(SC_H5_CHECK(H5Pcreate(H5P_DATASET_CREATE), where(name)));
  SC_H5_CHECK(H5Pset_obj_track_times(dcpl.get(), false), where(name));
  Handle dset(SC_H5_CHECK(H5Dcreate2(handle_.get(), name.c_str(), H5T_STD_I64LE, space.get(), H5P_DEFAULT,
                                     dcpl.get(), H5P_DEFAULT), where(name)));
  hsize_t start[2] = {first_row, 0}, count[2] = {rows, columns};
  Handle mem(SC_H5_CHECK(H5Screate_simple(2, count, nullptr), where(name)));
  if (rows == 0) {
    SC_H5_CHECK(H5Sselect_none(space.get()), where(name));
    SC_H5_CHECK(H5Sselect_none(mem.get()), where(name));
  } else {
    SC_H5_CHECK(H5Sselect_hyperslab(space.get(), H5S_SELECT_SET, start, nullptr, count, nullptr), where(name));
  }
  Handle dxpl(SC_H5_CHECK(H5Pcreate(H5P_DATASET_XFER), where(name)));
  SC_H5_CHECK(H5Pset_dxpl_mpio(dxpl.get(), H5FD_MPIO_COLLECTIVE), where(name));
  SC_H5_CHECK(H5Dwrite(dset.get(), H5T_NATIVE_INT64, mem.get(), space.get(), dxpl.get(), data), where(name));
  H5D_mpio_actual_io_mode_t mode;
  SC_H5_CHECK(H5Pget_mpio_actual_io_mode(dxpl.get(), &mode), where(name));
  uint32_t cause_local = 0, cause_global = 0;
  SC_H5_CHECK(H5Pget_mpio_no_collective_cause(dxpl.get(), &cause_local, &cause_global), where(name));
  if (cause_global != H5D_MPIO_COLLECTIVE)
    throw IoError("HDF5 did not write " + where(name) + " collectively (no-collective cause " +
                  std::to_string(cause_global) + ")");
}

}  // namespace sc::h5
