// Access to the published vectors in ../shared/spec (TEEP_SPEC_DIR).
#pragma once

#include <string>
#include <vector>

#include "core/base/bytes.h"

namespace teep::test {

// Every "*.hex" file under spec/*/vectors (recursively), as paths relative
// to the spec directory, sorted.
std::vector<std::string> AllHexVectors();

// The bytes of spec/<relative_path> (a .hex file is decoded from hex).
Bytes ReadVector(const std::string& relative_path);

// The text of spec/<relative_path> (PEM keys, diagnostic notation).
std::string ReadSpecText(const std::string& relative_path);

}  // namespace teep::test
