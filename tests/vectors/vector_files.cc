#include "vector_files.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace teep::test {

namespace fs = std::filesystem;

std::vector<std::string> AllHexVectors() {
  std::vector<std::string> out;
  const fs::path root(TEEP_SPEC_DIR);
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    if (entry.is_regular_file() && entry.path().extension() == ".hex" &&
        entry.path().string().find("/vectors/") != std::string::npos) {
      out.push_back(fs::relative(entry.path(), root).string());
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string ReadSpecText(const std::string& relative_path) {
  std::ifstream in(fs::path(TEEP_SPEC_DIR) / relative_path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read spec file " + relative_path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Bytes ReadVector(const std::string& relative_path) {
  std::string text = ReadSpecText(relative_path);
  if (relative_path.size() > 4 && relative_path.substr(relative_path.size() - 4) == ".hex") {
    auto bytes = HexDecode(text);
    if (!bytes) throw std::runtime_error("not hex: " + relative_path);
    return *bytes;
  }
  return Bytes(text.begin(), text.end());
}

}  // namespace teep::test
