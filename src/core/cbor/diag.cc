#include "core/cbor/diag.h"

#include <cmath>
#include <charconv>
#include <cstdio>
#include <cstdlib>

#include "core/cbor/float_encoding.h"
#include "core/cbor/head.h"
#include "core/cbor/reader.h"

namespace teep::cbor {
namespace {

using internal::Head;

// Nesting (arrays, maps, tags and embedded byte strings together) beyond which
// embedded CBOR is shown as plain bytes.
constexpr int kMaxEmbeddedNesting = 64;

// Shortest text that reads back to the same double, laid out like RFC 8949
// Appendix A: fixed notation for 1e-6 <= |v| < 1e21, otherwise "1.0e+300";
// always with a decimal point so that it cannot be read as an integer.
std::string FormatDouble(double v) {
  double magnitude = std::fabs(v);
  bool fixed = magnitude == 0 || (magnitude >= 1e-6 && magnitude < 1e21);
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v,
                           fixed ? std::chars_format::fixed : std::chars_format::scientific);
  std::string text(buf, res.ptr);
  size_t e = text.find('e');
  std::string mantissa = text.substr(0, e);
  if (mantissa.find('.') == std::string::npos) mantissa += ".0";
  if (e == std::string::npos) return mantissa;
  std::string exponent = text.substr(e + 1);  // "+300", "-08"
  char sign = exponent[0];
  size_t digits = exponent.find_first_not_of('0', 1);
  return mantissa + "e" + sign + exponent.substr(digits == std::string::npos ? exponent.size() - 1 : digits);
}

// A byte string is shown as embedded CBOR only when it is one well-formed
// structured item (array, map or tag): h'01' is far more likely a byte than
// the integer 1.
bool LooksLikeEmbeddedCbor(ByteView b) {
  if (b.size() < 2) return false;
  uint8_t major = b[0] >> 5;
  if (major != 4 && major != 5 && major != 6) return false;
  return !Check(b, RelaxedOptions()).has_value();
}

class Printer {
 public:
  Printer(ByteView data, const DiagOptions& options) : data_(data), options_(options) {}

  std::string Run() {
    Item(0);
    return std::move(out_);
  }

 private:
  void Newline(int depth) {
    if (options_.indent <= 0) return;
    out_ += '\n';
    out_.append(static_cast<size_t>(depth * options_.indent), ' ');
  }

  // RFC 8949 §8.1: _0.._3 mark a head that is longer than necessary.
  void EncodingIndicator(const Head& h) {
    if (h.type == MajorType::kSimple || internal::HasPreferredArgument(h) || h.ai < 24) return;
    out_ += '_';
    out_ += static_cast<char>('0' + (h.ai - 24));
  }

  void Item(int depth) {
    Head h{};
    ErrorKind why;
    if (!internal::DecodeHead(data_, pos_, &h, &why)) return;  // unreachable: input was checked
    pos_ += h.size;
    switch (h.type) {
      case MajorType::kUnsigned:
        out_ += std::to_string(h.arg);
        EncodingIndicator(h);
        return;
      case MajorType::kNegative:
        if (h.arg == UINT64_MAX) {
          out_ += "-18446744073709551616";
        } else {
          out_ += '-';
          out_ += std::to_string(h.arg + 1);
        }
        EncodingIndicator(h);
        return;
      case MajorType::kBytes: {
        ByteView b = data_.subspan(pos_, h.arg);
        pos_ += h.arg;
        // Each embedded level re-checks its bytes and recurses: bound the
        // levels so that a file of nested bstrs cannot exhaust the stack.
        if (options_.show_embedded_cbor && indent_base_ + depth < kMaxEmbeddedNesting &&
            LooksLikeEmbeddedCbor(b)) {
          out_ += "<<";
          Printer inner(b, options_);
          inner.indent_base_ = indent_base_ + depth;
          out_ += inner.Run();
          out_ += ">>";
          return;
        }
        out_ += "h'";
        out_ += HexEncode(b);
        out_ += '\'';
        EncodingIndicator(h);
        return;
      }
      case MajorType::kText:
        Text(AsChars(data_.subspan(pos_, h.arg)));
        pos_ += h.arg;
        EncodingIndicator(h);
        return;
      case MajorType::kArray:
        Container('[', ']', h, depth, false);
        return;
      case MajorType::kMap:
        Container('{', '}', h, depth, true);
        return;
      case MajorType::kTag:
        out_ += std::to_string(h.arg);
        EncodingIndicator(h);
        out_ += '(';
        Item(depth);
        out_ += ')';
        return;
      case MajorType::kSimple:
        Simple(h);
        return;
    }
  }

  void Container(char open, char close, const Head& h, int depth, bool is_map) {
    out_ += open;
    if (!internal::HasPreferredArgument(h) && h.ai >= 24) {
      EncodingIndicator(h);
      out_ += ' ';
    }
    uint64_t items = is_map ? 2 * h.arg : h.arg;
    const int abs_depth = indent_base_ + depth + 1;
    for (uint64_t i = 0; i < items; ++i) {
      bool is_value = is_map && (i % 2 == 1);
      if (is_value) {
        out_ += ": ";
      } else {
        if (i > 0) out_ += options_.indent > 0 ? "," : ", ";
        Newline(abs_depth);
      }
      Item(depth + 1);
    }
    if (items > 0) Newline(abs_depth - 1);
    out_ += close;
  }

  void Text(std::string_view s) {
    out_ += '"';
    for (unsigned char c : s) {
      switch (c) {
        case '"': out_ += "\\\""; break;
        case '\\': out_ += "\\\\"; break;
        case '\n': out_ += "\\n"; break;
        case '\r': out_ += "\\r"; break;
        case '\t': out_ += "\\t"; break;
        default:
          if (c < 0x20 || c == 0x7f) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out_ += buf;
          } else {
            out_ += static_cast<char>(c);
          }
      }
    }
    out_ += '"';
  }

  void Simple(const Head& h) {
    if (h.ai < 25) {
      switch (h.arg) {
        case 20: out_ += "false"; return;
        case 21: out_ += "true"; return;
        case 22: out_ += "null"; return;
        case 23: out_ += "undefined"; return;
        default: out_ += "simple(" + std::to_string(h.arg) + ")"; return;
      }
    }
    double v = internal::FloatValue(h);
    if (std::isnan(v)) {
      out_ += "NaN";
    } else if (std::isinf(v)) {
      out_ += v > 0 ? "Infinity" : "-Infinity";
    } else {
      out_ += FormatDouble(v);
    }
    uint16_t half;
    uint32_t single;
    bool shortest = h.ai == 25 || (h.ai == 26 && !DoubleToHalfExact(v, &half)) ||
                    (h.ai == 27 && !DoubleToSingleExact(v, &single));
    if (!shortest) {
      out_ += '_';
      out_ += static_cast<char>('0' + (h.ai - 24));
    }
  }

  ByteView data_;
  const DiagOptions& options_;
  size_t pos_ = 0;
  int indent_base_ = 0;
  std::string out_;
};

}  // namespace

Result<std::string> ToDiagnostic(ByteView data, const DiagOptions& options,
                                 const DecodeOptions& decode) {
  if (auto err = Check(data, decode)) return ToStatus(*err);
  return Printer(data, options).Run();
}

}  // namespace teep::cbor
