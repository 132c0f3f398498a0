#include "host/tam_server/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <filesystem>
#include <set>
#include <utility>

#include "core/base/strings.h"
#include "host/store/pg_db.h"

namespace teep::host {
namespace {

// Reads one TOML table, refusing keys it does not know.
class Table {
 public:
  Table(const toml::table* table, std::string name, std::string file)
      : table_(table), name_(std::move(name)), file_(std::move(file)) {}

  Status Text(std::string_view key, std::string* out) { return Get<std::string>(key, "a string", out); }
  Status Bool(std::string_view key, bool* out) { return Get<bool>(key, "true or false", out); }
  Status Int(std::string_view key, int64_t min, int64_t max, int64_t* out) {
    TEEP_RETURN_IF_ERROR(Get<int64_t>(key, "an integer", out));
    if (*out < min || *out > max) return Bad(key, Cat("must be ", min, "..", max, ", got ", *out));
    return OkStatus();
  }
  Status Texts(std::string_view key, std::vector<std::string>* out) {
    seen_.insert(std::string(key));
    if (table_ == nullptr) return OkStatus();
    const toml::node* node = table_->get(key);
    if (node == nullptr) return OkStatus();
    const toml::array* array = node->as_array();
    if (array == nullptr) return Bad(key, "expected an array of strings");
    out->clear();
    for (size_t i = 0; i < array->size(); ++i) {
      auto text = (*array)[i].value<std::string>();
      if (!text) return Bad(key, Cat("element ", i, " is not a string"));
      out->push_back(*text);
    }
    return OkStatus();
  }
  bool Has(std::string_view key) const { return table_ != nullptr && table_->get(key) != nullptr; }
  // Every key present was asked for.
  Status NoOthers() {
    if (table_ == nullptr) return OkStatus();
    for (const auto& [key, value] : *table_) {
      if (!seen_.count(std::string(key.str()))) return Bad(key.str(), "unknown key");
    }
    return OkStatus();
  }

 private:
  template <typename T>
  Status Get(std::string_view key, std::string_view what, T* out) {
    seen_.insert(std::string(key));
    if (table_ == nullptr) return OkStatus();
    const toml::node* node = table_->get(key);
    if (node == nullptr) return OkStatus();  // the default stays
    auto value = node->value<T>();
    if (!value) return Bad(key, Cat("expected ", what));
    *out = *value;
    return OkStatus();
  }
  Status Bad(std::string_view key, std::string_view why) const {
    return Status(StatusCode::kInvalidArgument, Cat(file_, ": ", name_, ".", key, ": ", why));
  }

  const toml::table* table_;
  std::string name_;
  std::string file_;
  std::set<std::string> seen_;
};

std::string Resolve(const std::filesystem::path& dir, const std::string& path) {
  if (path.empty() || std::filesystem::path(path).is_absolute()) return path;
  return (dir / path).string();
}

Status ParseListen(const std::string& file, const std::string& listen, TamServerConfig* c) {
  const size_t colon = listen.rfind(':');
  if (colon == std::string::npos || colon == 0) {
    return Status(StatusCode::kInvalidArgument,
                  Cat(file, ": server.listen: expected \"address:port\", got \"", listen, "\""));
  }
  c->address = listen.substr(0, colon);
  const std::string port = listen.substr(colon + 1);
  char* end = nullptr;
  const long value = std::strtol(port.c_str(), &end, 10);
  if (port.empty() || *end != '\0' || value < 0 || value > 65535) {
    return Status(StatusCode::kInvalidArgument,
                  Cat(file, ": server.listen: port must be 0..65535, got \"", port, "\""));
  }
  c->port = static_cast<uint16_t>(value);
  return OkStatus();
}

}  // namespace

Result<TamServerConfig> LoadTamConfig(const std::string& path) {
  toml::table root;
  try {
    root = toml::parse_file(path);  // Debian's toml++ is built to throw
  } catch (const toml::parse_error& error) {
    return Status(StatusCode::kInvalidArgument,
                  Cat(path, ":", error.source().begin.line, ": ", error.description()));
  }
  static const std::set<std::string> kTables = {"server", "tls", "database", "keys",
                                                "repository", "attestation", "policy"};
  for (const auto& [key, value] : root) {
    if (!kTables.count(std::string(key.str())) || !value.is_table()) {
      return Status(StatusCode::kInvalidArgument, Cat(path, ": ", key.str(), ": unknown table"));
    }
  }
  auto table = [&](const char* name) { return Table(root[name].as_table(), name, path); };
  TamServerConfig c;
  c.file = path;
  const auto dir = std::filesystem::path(path).parent_path();

  Table server = table("server");
  std::string listen = Cat(c.address, ":", c.port);
  int64_t workers = c.workers;
  TEEP_RETURN_IF_ERROR(server.Text("listen", &listen));
  TEEP_RETURN_IF_ERROR(ParseListen(path, listen, &c));
  TEEP_RETURN_IF_ERROR(server.Text("path", &c.path));
  if (c.path.empty() || c.path[0] != '/') {
    return Status(StatusCode::kInvalidArgument, Cat(path, ": server.path: must start with '/'"));
  }
  TEEP_RETURN_IF_ERROR(server.Int("workers", 1, 64, &workers));
  c.workers = static_cast<unsigned>(workers);
  TEEP_RETURN_IF_ERROR(server.NoOthers());

  Table tls = table("tls");
  TEEP_RETURN_IF_ERROR(tls.Text("cert", &c.tls_cert));
  TEEP_RETURN_IF_ERROR(tls.Text("key", &c.tls_key));
  TEEP_RETURN_IF_ERROR(tls.NoOthers());
  if (c.tls_cert.empty() != c.tls_key.empty()) {
    return Status(StatusCode::kInvalidArgument, Cat(path, ": tls: give both cert and key, or neither"));
  }

  Table database = table("database");
  std::string database_path = "tam.db";
  std::string database_url;
  TEEP_RETURN_IF_ERROR(database.Text("path", &database_path));
  TEEP_RETURN_IF_ERROR(database.Text("url", &database_url));
  TEEP_RETURN_IF_ERROR(database.NoOthers());
  if (!database_url.empty()) {
    if (database.Has("path")) {
      return Status(StatusCode::kInvalidArgument, Cat(path, ": database: give path or url, not both"));
    }
    if (!pg::IsPostgresUrl(database_url)) {
      return Status(StatusCode::kInvalidArgument,
                    Cat(path, ": database.url: must start with postgresql:// (", RedactedDatabase(database_url), ")"));
    }
  }

  Table keys = table("keys");
  TEEP_RETURN_IF_ERROR(keys.Text("p256", &c.p256_key));
  TEEP_RETURN_IF_ERROR(keys.Text("ed25519", &c.ed25519_key));
  TEEP_RETURN_IF_ERROR(keys.NoOthers());
  if (c.p256_key.empty() || c.ed25519_key.empty()) {
    return Status(StatusCode::kInvalidArgument,
                  Cat(path, ": keys: p256 and ed25519 are both required (a TAM supports both suites)"));
  }

  Table repository = table("repository");
  TEEP_RETURN_IF_ERROR(repository.Texts("signers", &c.signers));
  TEEP_RETURN_IF_ERROR(repository.NoOthers());

  Table attestation = table("attestation");
  std::vector<std::string> hwmodels;
  TEEP_RETURN_IF_ERROR(attestation.Bool("required", &c.attestation_required));
  TEEP_RETURN_IF_ERROR(attestation.Texts("fleet_keys", &c.fleet_keys));
  TEEP_RETURN_IF_ERROR(attestation.Texts("hwmodels", &hwmodels));
  TEEP_RETURN_IF_ERROR(attestation.Texts("hwversions", &c.reference.hwversions));
  TEEP_RETURN_IF_ERROR(attestation.Bool("require_debug_disabled", &c.reference.require_debug_disabled));
  TEEP_RETURN_IF_ERROR(attestation.NoOthers());
  for (const std::string& hex : hwmodels) {
    auto model = HexDecode(hex);
    if (!model || model->empty()) {
      return Status(StatusCode::kInvalidArgument,
                    Cat(path, ": attestation.hwmodels: \"", hex, "\" is not hex"));
    }
    c.reference.hwmodels.push_back(std::move(*model));
  }

  Table policy = table("policy");
  TEEP_RETURN_IF_ERROR(policy.Int("token_lifetime", 60, 7 * 24 * 3600, &c.policy.token_lifetime));
  TEEP_RETURN_IF_ERROR(policy.Bool("install_requested", &c.policy.install_requested));
  TEEP_RETURN_IF_ERROR(policy.Bool("remove_unneeded", &c.policy.remove_unneeded));
  TEEP_RETURN_IF_ERROR(policy.Bool("update_installed", &c.policy.update_installed));
  TEEP_RETURN_IF_ERROR(policy.NoOthers());
  if (!c.attestation_required) c.policy.data_items &= ~uint64_t{msg::kDataItemAttestation};

  for (std::string* p : {&c.tls_cert, &c.tls_key, &c.p256_key, &c.ed25519_key}) {
    *p = Resolve(dir, *p);
  }
  c.database = database_url.empty() ? Resolve(dir, database_path) : database_url;
  for (auto* list : {&c.signers, &c.fleet_keys}) {
    for (std::string& p : *list) p = Resolve(dir, p);
  }
  return c;
}

std::string RedactedDatabase(std::string_view database) {
  if (!pg::IsPostgresUrl(database)) return std::string(database);
  std::string out(database);
  // scheme://[user[:password]@]host...: the password ends at the last '@'
  // before the path.
  const size_t authority = out.find("://") + 3;
  const size_t path = std::min(out.find('/', authority), out.find('?', authority));
  const size_t at = out.substr(authority, path - authority).rfind('@');
  if (at != std::string::npos) {
    const size_t colon = out.substr(authority, at).find(':');
    if (colon != std::string::npos) out.replace(authority + colon + 1, at - colon - 1, "***");
  }
  // ...?password=secret&...
  for (size_t key = out.find("password=", authority); key != std::string::npos;
       key = out.find("password=", key + 1)) {
    const size_t value = key + 9;
    const size_t end = std::min(out.find('&', value), out.size());
    out.replace(value, end - value, "***");
  }
  return out;
}

std::string DefaultTamConfig(uint16_t port) {
  return Cat(R"(# teep TAM configuration (docs/cli.md "teep tam").
[server]
listen = "127.0.0.1:)", port, R"("
path = "/tam"
workers = 2

[database]
path = "tam.db"

[keys]
p256 = "tam-p256.pem"
ed25519 = "tam-ed25519.pem"

[repository]
# Public keys of the Trusted Component signers whose manifests `teep tam tc add` accepts.
signers = ["signer.pub.pem"]

[attestation]
required = true
fleet_keys = []

[policy]
token_lifetime = 21600
install_requested = true
remove_unneeded = true
update_installed = true
)");
}

}  // namespace teep::host
