// The code version (git describe at configure time) recorded in manifests and fingerprints.
#pragma once

#include <string>

namespace sc {
std::string code_version();
}
