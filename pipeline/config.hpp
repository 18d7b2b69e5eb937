// Run configuration: an INI file read with Boost.Program_options, every key overridable on the
// command line (`--section.key value`), unknown keys and bad values rejected with the file (or
// "command line"), the key and what was expected. Stages declare their keys (with defaults and
// help) in an options_description; sections whose names the schema chooses (`[table.NAME]`) are
// validated against the key list each section kind allows. docs/config.md lists every key.
#pragma once

#include <boost/program_options.hpp>
#include <nlohmann/json.hpp>

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace sc {

namespace po = boost::program_options;

// A family of sections named by the user, e.g. `[table.persons]`: prefix "table" and its keys.
struct DynamicSection {
  std::string prefix;
  std::map<std::string, std::string> keys;  // key -> help text
};

class Config {
 public:
  // `args` are the words after the stage name. `--config FILE` is among them (optional when every
  // needed key is given on the command line).
  static Config load(const std::vector<std::string>& args, const po::options_description& options,
                     const std::vector<DynamicSection>& dynamic);

  bool has(const std::string& key) const;
  std::string text(const std::string& key) const;
  int64_t integer(const std::string& key) const;
  double real(const std::string& key) const;
  bool flag(const std::string& key) const;
  // A file path, relative paths taken from the directory of the config file that set it.
  std::string path(const std::string& key) const;
  // Where a key was set: the config file's path, "command line", or "default".
  std::string source(const std::string& key) const;

  // Names of the user-named sections with this prefix, sorted: e.g. "table" -> {"labs", "persons"}.
  std::vector<std::string> section_names(const std::string& prefix) const;
  // The keys set in one user-named section, e.g. "table.persons" -> {file: ..., parent: ...}.
  std::map<std::string, std::string> section(const std::string& name) const;

  // An error about `key`, naming where it was set, for a value that is not what was expected.
  [[noreturn]] void reject(const std::string& key, const std::string& expected) const;

  // Every resolved key and value (defaults included), for the provenance manifest and for the
  // fingerprint that tells whether a partial stage may be resumed.
  nlohmann::json to_json() const;
  const std::string& file() const { return file_; }

 private:
  po::variables_map values_;
  std::map<std::string, std::string> dynamic_;          // full key -> value
  std::map<std::string, std::string> sources_;          // full key -> where it was set
  std::string file_;
  std::string file_dir_;
};

}  // namespace sc
