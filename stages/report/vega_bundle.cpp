#include "stages/report/vega_bundle.hpp"

#include <array>
#include <cctype>
#include <fstream>
#include <sstream>

#include "pipeline/error.hpp"

namespace sc::report {
namespace {

// The modules a page needs, each after the ones it requires (their UMD headers name them). Geo,
// force, hierarchy, label, voronoi and wordcloud are left out: no chart uses them, and some need
// d3 modules that Debian ships separately.
constexpr std::array<const char*, 19> kModules = {
    "vega-util",      "vega-time",       "vega-format",     "vega-loader",          "vega-dataflow",
    "vega-statistics", "vega-scale",     "vega-canvas",     "vega-scenegraph",      "vega-expression",
    "vega-selection", "vega-event-selector", "vega-functions", "vega-runtime",      "vega-view",
    "vega-parser",    "vega-transforms", "vega-view-transforms", "vega-encode"};

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    throw InputError("cannot read " + path + " (expected the Vega modules of Debian's libjs-vega; set report.vega_dir)");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A script element ends at the first "</script" whatever the JavaScript around it means; "<\/"
// means the same as "</" inside JavaScript strings and regular expressions, where such text can be.
std::string guard_script_end(std::string code) {
  std::string lower = code;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  for (size_t at = lower.rfind("</script"); at != std::string::npos; at = at == 0 ? std::string::npos : lower.rfind("</script", at - 1))
    code.replace(at, 2, "<\\/");
  return code;
}

}  // namespace

std::string vega_bundle_script(const std::string& vega_dir) {
  // vega-functions asks for "vega-selections", the package's old name for vega-selection.
  std::string script =
      "var vegaModules = {};\n"
      "function vegaRequire(name) {\n"
      "  if (name === 'vega-selections') name = 'vega-selection';\n"
      "  var module = vegaModules[name];\n"
      "  if (!module) throw new Error('Vega module ' + name + ' is not inlined');\n"
      "  return module;\n"
      "}\n";
  for (const char* name : kModules) {
    script += "// ";
    script += name;
    script += " (libjs-vega, BSD-3-Clause)\n(function () { var module = {exports: {}}, exports = module.exports, "
              "require = vegaRequire;\n";
    script += guard_script_end(read_text(vega_dir + "/" + name + ".min.js"));
    script += "\n;vegaModules['";
    script += name;
    script += "'] = module.exports; })();\n";
  }
  script +=
      "var vega = (function (m) {\n"
      "  Object.assign(m['vega-dataflow'].transforms, m['vega-transforms'], m['vega-view-transforms'], m['vega-encode']);\n"
      "  return {parse: m['vega-parser'].parse, View: m['vega-view'].View};\n"
      "})(vegaModules);\n";
  return script;
}

}  // namespace sc::report
