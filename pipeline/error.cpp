#include "pipeline/error.hpp"

#include <atomic>

namespace sc {
namespace {
std::atomic<bool> g_show_values{false};
}

void set_show_values(bool show) { g_show_values.store(show); }
bool show_values() { return g_show_values.load(); }

std::string input_value(const std::string& value) {
  if (show_values()) return "'" + value + "'";
  return "(value hidden; set log.show_values = true to print it)";
}

}  // namespace sc
