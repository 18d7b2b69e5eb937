#include "pipeline/string_table.hpp"

namespace sc {

void write_strings(ShardFile& shard, const std::string& path, const std::vector<std::string>& values) {
  std::vector<int64_t> offsets;
  offsets.reserve(values.size() + 1);
  std::vector<uint8_t> bytes;
  offsets.push_back(0);
  for (const auto& v : values) {
    bytes.insert(bytes.end(), v.begin(), v.end());
    offsets.push_back(static_cast<int64_t>(bytes.size()));
  }
  shard.write(path + "/bytes", bytes);
  shard.write(path + "/offsets", offsets);
}

std::vector<std::string> read_strings(const h5::File& file, const std::string& path) {
  std::vector<uint8_t> bytes = file.read<uint8_t>(path + "/bytes");
  std::vector<int64_t> offsets = file.read<int64_t>(path + "/offsets");
  std::vector<std::string> values;
  if (offsets.empty()) return values;
  values.reserve(offsets.size() - 1);
  for (size_t i = 0; i + 1 < offsets.size(); ++i) {
    if (offsets[i] < 0 || offsets[i + 1] < offsets[i] || static_cast<size_t>(offsets[i + 1]) > bytes.size())
      throw IoError("store file " + file.path() + ": " + path + "/offsets is inconsistent with its bytes");
    values.emplace_back(reinterpret_cast<const char*>(bytes.data()) + offsets[i],
                        static_cast<size_t>(offsets[i + 1] - offsets[i]));
  }
  return values;
}

}  // namespace sc
