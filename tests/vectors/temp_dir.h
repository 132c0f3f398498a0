// A fresh temporary directory for one test, removed with its contents.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

namespace teep::test {

class TempDir {
 public:
  TempDir() {
    std::string pattern =
        std::filesystem::temp_directory_path().string() + "/teep_test.XXXXXX";
    // mkdtemp creates it with mode 0700.
    if (::mkdtemp(pattern.data()) == nullptr) {
      ADD_FAILURE() << "mkdtemp failed";
      return;
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }
  // Writes `content` to a file in the directory; returns its path.
  std::string Write(const std::string& name, const std::string& content) const {
    const std::string file = *this / name;
    std::ofstream(file) << content;
    return file;
  }

 private:
  std::string path_;
};

}  // namespace teep::test
