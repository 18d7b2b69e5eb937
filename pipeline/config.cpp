#include "pipeline/config.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "pipeline/error.hpp"

namespace sc {
namespace {

std::string known_keys_of_section(const po::options_description& options, const std::string& section) {
  std::string list;
  for (const auto& option : options.options()) {
    const std::string& name = option->long_name();
    if (name.rfind(section + ".", 0) == 0) list += (list.empty() ? "" : ", ") + name;
  }
  return list;
}

// Throws unless `key` belongs to one of the user-named section families.
void check_dynamic_key(const std::string& key, const std::vector<DynamicSection>& dynamic,
                       const po::options_description& options, const std::string& where) {
  for (const auto& family : dynamic) {
    if (key.rfind(family.prefix + ".", 0) != 0) continue;
    std::string rest = key.substr(family.prefix.size() + 1);
    size_t dot = rest.rfind('.');
    if (dot == std::string::npos || dot == 0)
      throw ConfigError(where + ": key '" + key + "' must be written [" + family.prefix +
                        ".NAME] with keys inside the section");
    std::string leaf = rest.substr(dot + 1);
    if (family.keys.count(leaf)) return;
    std::string allowed;
    for (const auto& [name, help] : family.keys) allowed += (allowed.empty() ? "" : ", ") + name;
    throw ConfigError(where + ": unknown key '" + key + "' (a [" + family.prefix + ".NAME] section takes: " +
                      allowed + ")");
  }
  std::string section = key.substr(0, key.find('.'));
  std::string known = known_keys_of_section(options, section);
  throw ConfigError(where + ": unknown key '" + key + "'" +
                    (known.empty() ? " (no section [" + section + "] exists; see synthcohort --help)"
                                   : " (section [" + section + "] takes: " + known + ")"));
}

std::string describe_po_error(const po::error& e) { return e.what(); }

}  // namespace

Config Config::load(const std::vector<std::string>& args, const po::options_description& options,
                    const std::vector<DynamicSection>& dynamic) {
  Config config;
  po::options_description all;
  all.add(options);
  all.add_options()("config", po::value<std::string>(), "INI file with the run's configuration");

  // Command line first: in a variables_map the first stored value of a key wins.
  po::parsed_options cli(&all);
  try {
    cli = po::command_line_parser(args).options(all).allow_unregistered().run();
  } catch (const po::error& e) {
    throw ConfigError("command line: " + describe_po_error(e));
  }
  // Keys Boost does not know (user-named sections) arrive as `--key` followed by a positional
  // word holding the value, unless written `--key=value`.
  for (size_t i = 0; i < cli.options.size(); ++i) {
    const auto& option = cli.options[i];
    if (!option.unregistered) continue;
    if (option.position_key >= 0)
      throw ConfigError("command line: unexpected word '" + option.original_tokens.front() +
                        "' (options are written --section.key value)");
    std::string key = option.string_key;
    check_dynamic_key(key, dynamic, options, "command line");
    std::string value;
    if (!option.value.empty()) {
      value = option.value.front();
    } else if (i + 1 < cli.options.size() && cli.options[i + 1].position_key >= 0) {
      value = cli.options[i + 1].original_tokens.front();
      ++i;
    } else {
      throw ConfigError("command line: key '" + key + "' needs a value");
    }
    config.dynamic_[key] = value;
    config.sources_[key] = "command line";
  }
  // Remove the consumed positional words before Boost stores the registered options.
  cli.options.erase(std::remove_if(cli.options.begin(), cli.options.end(),
                                   [](const po::option& o) { return o.unregistered; }),
                    cli.options.end());
  try {
    po::store(cli, config.values_);
  } catch (const po::error& e) {
    throw ConfigError("command line: " + describe_po_error(e));
  }
  for (const auto& option : cli.options)
    if (!option.unregistered) config.sources_[option.string_key] = "command line";

  if (config.values_.count("config")) {
    config.file_ = config.values_["config"].as<std::string>();
    std::ifstream in(config.file_);
    if (!in) throw ConfigError("config file " + config.file_ + " cannot be opened (does it exist?)");
    config.file_dir_ = std::filesystem::path(config.file_).parent_path().string();
    po::parsed_options parsed(&all);
    try {
      parsed = po::parse_config_file(in, all, true);
    } catch (const po::error& e) {
      throw ConfigError(config.file_ + ": " + describe_po_error(e));
    }
    for (const auto& option : parsed.options) {
      const std::string& key = option.string_key;
      if (option.unregistered) {
        check_dynamic_key(key, dynamic, options, config.file_);
        if (config.sources_.count(key) && config.sources_[key] == config.file_)
          throw ConfigError(config.file_ + ": key '" + key + "' is set twice");
        if (!config.dynamic_.count(key)) {
          config.dynamic_[key] = option.value.empty() ? "" : option.value.front();
          config.sources_[key] = config.file_;
        }
      } else if (!config.sources_.count(key)) {
        config.sources_[key] = config.file_;
      }
    }
    try {
      po::store(parsed, config.values_);
    } catch (const po::error& e) {
      throw ConfigError(config.file_ + ": " + describe_po_error(e));
    }
  }
  try {
    po::notify(config.values_);
  } catch (const po::error& e) {
    throw ConfigError((config.file_.empty() ? "command line" : config.file_) + ": " + describe_po_error(e));
  }
  return config;
}

bool Config::has(const std::string& key) const {
  return dynamic_.count(key) || (values_.count(key) && !values_[key].empty());
}

std::string Config::source(const std::string& key) const {
  auto it = sources_.find(key);
  return it == sources_.end() ? "default" : it->second;
}

void Config::reject(const std::string& key, const std::string& expected) const {
  std::string where = source(key);
  if (where == "default") where = file_.empty() ? "command line" : file_;
  throw ConfigError(where + ": key '" + key + "': expected " + expected);
}

std::string Config::text(const std::string& key) const {
  if (auto it = dynamic_.find(key); it != dynamic_.end()) return it->second;
  if (!values_.count(key) || values_[key].empty())
    throw ConfigError((file_.empty() ? "command line" : file_) + ": key '" + key + "' is required but not set");
  const boost::any& value = values_[key].value();
  if (const auto* s = boost::any_cast<std::string>(&value)) return *s;
  if (const auto* i = boost::any_cast<int64_t>(&value)) return std::to_string(*i);
  if (const auto* d = boost::any_cast<double>(&value)) {
    std::ostringstream out;
    out.precision(17);
    out << *d;
    return out.str();
  }
  if (const auto* b = boost::any_cast<bool>(&value)) return *b ? "true" : "false";
  throw InternalError("config key '" + key + "' has a type text() cannot show");
}

int64_t Config::integer(const std::string& key) const {
  if (values_.count(key) && !values_[key].empty()) {
    if (const auto* i = boost::any_cast<int64_t>(&values_[key].value())) return *i;
  }
  std::string value = text(key);
  try {
    size_t used = 0;
    int64_t parsed = std::stoll(value, &used);
    if (used == value.size()) return parsed;
  } catch (const std::exception&) {
  }
  reject(key, "an integer");
}

double Config::real(const std::string& key) const {
  if (values_.count(key) && !values_[key].empty()) {
    if (const auto* d = boost::any_cast<double>(&values_[key].value())) return *d;
  }
  std::string value = text(key);
  try {
    size_t used = 0;
    double parsed = std::stod(value, &used);
    if (used == value.size()) return parsed;
  } catch (const std::exception&) {
  }
  reject(key, "a number");
}

bool Config::flag(const std::string& key) const {
  if (values_.count(key) && !values_[key].empty()) {
    if (const auto* b = boost::any_cast<bool>(&values_[key].value())) return *b;
  }
  std::string value = text(key);
  if (value == "true" || value == "yes" || value == "on" || value == "1") return true;
  if (value == "false" || value == "no" || value == "off" || value == "0") return false;
  reject(key, "true or false");
}

std::string Config::path(const std::string& key) const {
  std::string value = text(key);
  std::filesystem::path p(value);
  if (p.is_absolute() || source(key) != file_ || file_dir_.empty()) return value;
  return (std::filesystem::path(file_dir_) / p).lexically_normal().string();
}

std::vector<std::string> Config::section_names(const std::string& prefix) const {
  std::set<std::string> names;
  for (const auto& [key, value] : dynamic_) {
    if (key.rfind(prefix + ".", 0) != 0) continue;
    std::string rest = key.substr(prefix.size() + 1);
    names.insert(rest.substr(0, rest.rfind('.')));
  }
  return {names.begin(), names.end()};
}

std::map<std::string, std::string> Config::section(const std::string& name) const {
  std::map<std::string, std::string> out;
  for (const auto& [key, value] : dynamic_)
    if (key.rfind(name + ".", 0) == 0 && key.find('.', name.size() + 1) == std::string::npos)
      out[key.substr(name.size() + 1)] = value;
  return out;
}

nlohmann::json Config::to_json() const {
  nlohmann::json out = nlohmann::json::object();
  for (const auto& [key, value] : values_) {
    if (key == "config" || value.empty()) continue;
    out[key] = text(key);
  }
  for (const auto& [key, value] : dynamic_) out[key] = value;
  return out;
}

}  // namespace sc
