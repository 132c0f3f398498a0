// Text that came (partly) from a device, made storable everywhere: audit
// details quote what a device sent (an Error's err-msg, a refused Evidence),
// and PostgreSQL's TEXT holds neither NUL nor invalid UTF-8. Both stores
// pass such text through StorableText, so the audit log reads the same on
// SQLite and PostgreSQL and a device cannot make the TAM fail to record it.
#pragma once

#include <string>
#include <string_view>

namespace teep::host {

// `text` with each NUL byte and each byte of an invalid UTF-8 sequence
// replaced by U+FFFD; valid UTF-8 without NUL is returned unchanged.
std::string StorableText(std::string_view text);

}  // namespace teep::host
