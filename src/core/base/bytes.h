// Byte containers shared by every layer.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace teep {

using ByteView = std::span<const uint8_t>;
using Bytes = std::vector<uint8_t>;

inline ByteView AsBytes(std::string_view s) {
  return ByteView(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
inline std::string_view AsChars(ByteView b) {
  return std::string_view(reinterpret_cast<const char*>(b.data()), b.size());
}
inline Bytes ToBytes(ByteView b) { return Bytes(b.begin(), b.end()); }

// Lower-case hex, two characters a byte.
std::string HexEncode(ByteView bytes);

// Accepts upper or lower case; whitespace (including newlines) between byte
// pairs is ignored so that published vectors with line breaks can be read.
// Returns nullopt on an odd digit count or a non-hex character.
std::optional<Bytes> HexDecode(std::string_view text);

}  // namespace teep
