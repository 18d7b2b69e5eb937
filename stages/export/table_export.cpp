#include "stages/export/table_export.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>

#include "pipeline/error.hpp"
#include "pipeline/table_store.hpp"
#include "stages/ingest/value_parsing.hpp"

namespace sc {
namespace {

void append_quoted(std::string& out, const std::string& text, const CsvFormat& format) {
  out += format.quote;
  for (char c : text) {
    if (c == format.quote) out += format.quote;
    out += c;
  }
  out += format.quote;
}

void append_value(std::string& out, const TableMeta& meta, size_t c, const ColumnValues& column, size_t r,
                  const CsvFormat& format) {
  if (column.missing[r]) {
    out += format.missing;
    return;
  }
  ColumnType type = meta.types[c];
  char buffer[64];
  if (stored_as_code(type)) {
    append_quoted(out, meta.dictionaries.at(meta.columns[c]).at(static_cast<size_t>(column.codes[r])), format);
  } else if (stored_as_double(type)) {
    // Shortest text that reads back as the same double: the input's own digits where it had them.
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, column.f64[r]);
    out.append(buffer, end);
  } else if (type == ColumnType::date) {
    int64_t y;
    unsigned m, d;
    civil_from_days(column.i64[r], y, m, d);
    std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02u", static_cast<long long>(y), m, d);
    out += buffer;
  } else {
    auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, column.i64[r]);
    out.append(buffer, end);
  }
}

std::string format_shard(const TableMeta& meta, const TableShard& shard, const CsvFormat& format) {
  std::string out;
  out.reserve(static_cast<size_t>(shard.rows()) * meta.columns.size() * 8);
  for (int64_t r = 0; r < shard.rows(); ++r) {
    for (size_t c = 0; c < meta.columns.size(); ++c) {
      if (c) out += format.delimiter;
      append_value(out, meta, c, shard.columns[c], static_cast<size_t>(r), format);
    }
    out += '\n';
  }
  return out;
}

void write_at(int fd, const std::string& text, int64_t offset, const std::string& path) {
  size_t done = 0;
  while (done < text.size()) {
    ssize_t n = ::pwrite(fd, text.data() + done, text.size() - done, static_cast<off_t>(offset + done));
    if (n < 0) {
      if (errno == EINTR) continue;
      throw IoError("cannot write " + path + ": " + std::strerror(errno));
    }
    done += static_cast<size_t>(n);
  }
}

}  // namespace

int64_t export_table_csv(const Communicator& comm, const StageReader& stage, const std::string& table,
                         const CsvFormat& format, const std::string& out_path) {
  TableMeta meta = read_table_meta(stage, table);
  std::vector<std::string> shards = stage.shards(table_group(table));
  std::string header;
  for (size_t c = 0; c < meta.columns.size(); ++c) {
    if (c) header += format.delimiter;
    append_quoted(header, meta.columns[c], format);
  }
  header += '\n';
  // Format this rank's shards; share every shard's size so each knows where its text goes.
  std::vector<int64_t> sizes(shards.size(), 0);
  std::vector<std::pair<size_t, std::string>> texts;
  int64_t rows = 0;
  for (size_t s = static_cast<size_t>(comm.rank()); s < shards.size(); s += static_cast<size_t>(comm.size())) {
    TableShard shard = read_table_shard(stage, shards[s], meta);
    rows += shard.rows();
    texts.emplace_back(s, format_shard(meta, shard, format));
    sizes[s] = static_cast<int64_t>(texts.back().second.size());
  }
  comm.allreduce_sum_inplace(sizes);
  rows = comm.allreduce_sum<int64_t>(rows);
  std::string temp = out_path + ".tmp";
  std::string problem;
  if (comm.is_root()) {
    std::filesystem::create_directories(std::filesystem::path(out_path).parent_path());
    int fd = ::open(temp.c_str(), O_CREAT | O_TRUNC | O_WRONLY, 0644);
    if (fd < 0) problem = "cannot create " + temp + ": " + std::strerror(errno);
    else ::close(fd);
  }
  comm.agree_on_error(problem, ExitCode::io);
  try {
    int fd = ::open(temp.c_str(), O_WRONLY);
    if (fd < 0) throw IoError("cannot open " + temp + ": " + std::strerror(errno));
    if (comm.is_root()) write_at(fd, header, 0, temp);
    for (const auto& [s, text] : texts) {
      int64_t offset = static_cast<int64_t>(header.size());
      for (size_t k = 0; k < s; ++k) offset += sizes[k];
      write_at(fd, text, offset, temp);
    }
    if (::fsync(fd) != 0) throw IoError("cannot sync " + temp + ": " + std::strerror(errno));
    ::close(fd);
  } catch (const Error& e) {
    problem = e.what();
  }
  comm.agree_on_error(problem, ExitCode::io);
  if (comm.is_root() && std::rename(temp.c_str(), out_path.c_str()) != 0)
    problem = "cannot rename " + temp + " to " + out_path + ": " + std::strerror(errno);
  comm.agree_on_error(problem, ExitCode::io);
  return rows;
}

}  // namespace sc
