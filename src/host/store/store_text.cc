#include "host/store/store_text.h"

#include "core/base/bytes.h"
#include "core/cbor/utf8.h"

namespace teep::host {

std::string StorableText(std::string_view text) {
  constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD
  std::string out;
  out.reserve(text.size());
  while (!text.empty()) {
    long bad = cbor::FindInvalidUtf8(AsBytes(text));
    const size_t nul = text.find('\0');
    size_t stop = bad < 0 ? text.size() : static_cast<size_t>(bad);
    if (nul < stop) stop = nul;
    out.append(text.substr(0, stop));
    if (stop == text.size()) break;
    out.append(kReplacement);
    text.remove_prefix(stop + 1);
  }
  return out;
}

}  // namespace teep::host
