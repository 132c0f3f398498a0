// String building for error messages: Cat("a", 1, "b") -> "a1b".
#pragma once

#include <string>
#include <string_view>
#include <type_traits>

namespace teep {

// Concatenation by appending: GCC 12 at -O3 reports a false -Wrestrict
// (PR 105651) for `"literal" + std::string` chains.
inline void Append(std::string& s, std::string_view part) { s.append(part); }
inline void Append(std::string& s, const char* part) { s.append(part); }
inline void Append(std::string& s, const std::string& part) { s.append(part); }
template <typename T>
  requires std::is_integral_v<T>
void Append(std::string& s, T value) {
  s.append(std::to_string(value));
}
template <typename... Parts>
std::string Cat(const Parts&... parts) {
  std::string s;
  (Append(s, parts), ...);
  return s;
}

}  // namespace teep
