#include "line_protocol.h"

#include <charconv>
#include <iostream>
#include <utility>

namespace teep::oracle {

void CommandTable::Add(std::string name, std::string usage, Handler handler) {
  commands_[std::move(name)] = Entry{std::move(usage), std::move(handler)};
}

std::string CommandTable::Handle(std::string_view line) const {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  Args words;
  size_t pos = 0;
  while (pos < line.size()) {
    size_t end = line.find(' ', pos);
    if (end == std::string_view::npos) end = line.size();
    if (end > pos) words.push_back(line.substr(pos, end - pos));
    pos = end + 1;
  }
  if (words.empty()) return Err("empty request");
  auto it = commands_.find(words.front());
  if (it == commands_.end()) {
    std::string known;
    for (const auto& [name, entry] : commands_) {
      if (!known.empty()) known += ", ";
      known += entry.usage;
    }
    return Err("unknown command '" + std::string(words.front()) + "'; known: " + known);
  }
  Args args(words.begin() + 1, words.end());
  return it->second.handler(args);
}

int CommandTable::Serve(std::istream& in, std::ostream& out) const {
  std::string line;
  while (std::getline(in, line)) {
    std::string response = Handle(line);
    if (!response.empty()) out << response << '\n';  // empty: zero lines
    // The client pipelines requests; flushing per response keeps it from
    // waiting on a buffer that only fills at end of input.
    out.flush();
  }
  return 0;
}

std::string Err(std::string_view message) {
  std::string out = "err ";
  for (char c : message) out += (c == '\n' || c == '\r') ? ' ' : c;
  return out;
}

bool ParseHexArg(const Args& args, Bytes* out) {
  if (args.empty()) {
    out->clear();
    return true;
  }
  if (args.size() != 1) return false;
  auto bytes = HexDecode(args[0]);
  if (!bytes) return false;
  *out = std::move(*bytes);
  return true;
}

bool ParseUintArg(const Args& args, size_t index, uint64_t* out) {
  if (index >= args.size()) return false;
  std::string_view s = args[index];
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace teep::oracle
