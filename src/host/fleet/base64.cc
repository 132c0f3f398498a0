#include "host/fleet/base64.h"

#include <array>
#include <cstdint>

namespace teep::host::fleet {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// -1 for a character outside the alphabet.
constexpr std::array<int8_t, 256> MakeTable() {
  std::array<int8_t, 256> table{};
  for (auto& v : table) v = -1;
  for (size_t i = 0; i < kAlphabet.size(); ++i) table[static_cast<uint8_t>(kAlphabet[i])] = static_cast<int8_t>(i);
  return table;
}
constexpr std::array<int8_t, 256> kTable = MakeTable();

std::optional<Bytes> Refuse(std::string* why, std::string reason) {
  if (why != nullptr) *why = std::move(reason);
  return std::nullopt;
}

}  // namespace

std::string Base64Encode(ByteView data) {
  std::string out;
  out.reserve((data.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= data.size(); i += 3) {
    const uint32_t v = (uint32_t{data[i]} << 16) | (uint32_t{data[i + 1]} << 8) | data[i + 2];
    for (int shift = 18; shift >= 0; shift -= 6) out += kAlphabet[(v >> shift) & 63];
  }
  const size_t rest = data.size() - i;
  if (rest > 0) {
    uint32_t v = uint32_t{data[i]} << 16;
    if (rest == 2) v |= uint32_t{data[i + 1]} << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += rest == 2 ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<Bytes> Base64Decode(std::string_view text, std::string* why) {
  if (text.empty()) return Refuse(why, "empty");
  if (text.size() % 4 != 0) return Refuse(why, "length is not a multiple of 4");
  size_t padding = 0;
  if (text.back() == '=') padding = text[text.size() - 2] == '=' ? 2 : 1;
  Bytes out;
  out.reserve(text.size() / 4 * 3);
  uint32_t bits = 0;
  for (size_t i = 0; i < text.size() - padding; ++i) {
    const int8_t v = kTable[static_cast<uint8_t>(text[i])];
    if (v < 0) {
      return Refuse(why, text[i] == '='
                             ? "'=' before the end"
                             : "character " + std::to_string(i + 1) + " is not in the base64 alphabet");
    }
    bits = (bits << 6) | static_cast<uint32_t>(v);
    if (i % 4 == 3) {
      out.push_back(static_cast<uint8_t>(bits >> 16));
      out.push_back(static_cast<uint8_t>(bits >> 8));
      out.push_back(static_cast<uint8_t>(bits));
      bits = 0;
    }
  }
  // The last group: 3 characters (1 pad) carry 2 bytes + 2 zero bits; 2
  // characters (2 pads) carry 1 byte + 4 zero bits.
  if (padding == 1) {
    if ((bits & 0x3) != 0) return Refuse(why, "non-zero bits before the padding");
    out.push_back(static_cast<uint8_t>(bits >> 10));
    out.push_back(static_cast<uint8_t>(bits >> 2));
  } else if (padding == 2) {
    if ((bits & 0xf) != 0) return Refuse(why, "non-zero bits before the padding");
    out.push_back(static_cast<uint8_t>(bits >> 4));
  }
  return out;
}

}  // namespace teep::host::fleet
