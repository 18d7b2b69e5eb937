// Vega, inlined into the reports so that they open offline. Debian's libjs-vega ships Vega as one
// UMD file per module (vega-util, vega-scale, ...) whose browser branch would make every module
// overwrite the global `vega`; we load each file through its CommonJS branch instead, inside a
// function that gives it `module`, `exports` and a `require` that returns the modules loaded
// before it, then assemble the two entry points the page uses (vega.parse, vega.View) and
// register the transforms, as Vega's own bundle does (vega/src/transforms.js).
#pragma once

#include <string>

namespace sc::report {

// The script text (no <script> tags) that defines `vega` from the module files in `vega_dir`
// (e.g. /usr/share/javascript/vega). Throws InputError naming the missing file.
std::string vega_bundle_script(const std::string& vega_dir);

}  // namespace sc::report
