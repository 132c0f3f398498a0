#include "core/tam/memory_store.h"

#include <algorithm>

namespace teep::tam {

Status MemoryTamStore::Atomically(const std::function<Status()>& step) {
  if (in_transaction_) return Status(StatusCode::kInternal, "memory store: nested transaction");
  auto tokens = tokens_;
  auto devices = devices_;
  auto installed = installed_;
  auto tcs = tcs_;
  auto policies = policies_;
  const size_t audit_size = audit_.size();
  in_transaction_ = true;
  Status status = step();
  in_transaction_ = false;
  if (!status.ok()) {
    tokens_ = std::move(tokens);
    devices_ = std::move(devices);
    installed_ = std::move(installed);
    tcs_ = std::move(tcs);
    policies_ = std::move(policies);
    audit_.resize(audit_size);
  }
  return status;
}

Status MemoryTamStore::PutToken(const TokenRecord& token) {
  tokens_[token.token] = token;
  return OkStatus();
}

Result<std::optional<TokenRecord>> MemoryTamStore::TakeToken(ByteView token, int64_t now) {
  auto it = tokens_.find(ToBytes(token));
  if (it == tokens_.end()) return std::optional<TokenRecord>();
  TokenRecord record = std::move(it->second);
  tokens_.erase(it);
  if (record.expires < now) return std::optional<TokenRecord>();
  return std::optional<TokenRecord>(std::move(record));
}

Result<uint64_t> MemoryTamStore::ExpireTokens(int64_t now) {
  return static_cast<uint64_t>(
      std::erase_if(tokens_, [&](const auto& entry) { return entry.second.expires < now; }));
}

Status MemoryTamStore::PutDevice(const DeviceRecord& device) {
  devices_[device.device_id] = device;
  return OkStatus();
}

Status MemoryTamStore::PutDevices(std::span<const DeviceRecord> devices) {
  for (const DeviceRecord& device : devices) devices_[device.device_id] = device;
  return OkStatus();
}

Result<std::optional<DeviceRecord>> MemoryTamStore::FindDevice(ByteView device_id) {
  auto it = devices_.find(ToBytes(device_id));
  if (it == devices_.end()) return std::optional<DeviceRecord>();
  return std::optional<DeviceRecord>(it->second);
}

Result<std::vector<DeviceRecord>> MemoryTamStore::ListDevices() {
  std::vector<DeviceRecord> out;
  for (const auto& [id, device] : devices_) out.push_back(device);
  return out;
}

Status MemoryTamStore::SetInstalled(ByteView device_id, const InstalledRecord& installed) {
  installed_[{ToBytes(device_id), installed.manifest_id}] = installed;
  return OkStatus();
}

Status MemoryTamStore::RemoveInstalled(ByteView device_id, ByteView manifest_id) {
  installed_.erase({ToBytes(device_id), ToBytes(manifest_id)});
  return OkStatus();
}

Result<std::vector<InstalledRecord>> MemoryTamStore::ListInstalled(ByteView device_id) {
  std::vector<InstalledRecord> out;
  const Bytes device = ToBytes(device_id);
  for (const auto& [key, record] : installed_) {
    if (key.first == device) out.push_back(record);
  }
  return out;
}

Status MemoryTamStore::PutTc(const TcRecord& tc) {
  if (!tcs_.emplace(std::make_pair(tc.manifest_id, tc.sequence_number), tc).second) {
    return Status(StatusCode::kInvalidArgument, "this manifest id and sequence number are already stored");
  }
  return OkStatus();
}

Result<std::optional<TcRecord>> MemoryTamStore::LatestTc(ByteView manifest_id) {
  std::optional<TcRecord> latest;
  const Bytes id = ToBytes(manifest_id);
  for (const auto& [key, tc] : tcs_) {
    if (key.first == id) latest = tc;  // ascending sequence within a manifest id
  }
  return latest;
}

Result<std::optional<TcRecord>> MemoryTamStore::FindTcByComponent(ByteView id) {
  std::optional<TcRecord> latest;
  const Bytes wanted = ToBytes(id);
  for (const auto& [key, tc] : tcs_) {
    if ((tc.manifest_id == wanted || tc.component_id == wanted) &&
        (!latest || tc.sequence_number > latest->sequence_number)) {
      latest = tc;
    }
  }
  return latest;
}

Result<std::vector<TcRecord>> MemoryTamStore::ListLatestTcs() {
  std::vector<TcRecord> out;
  for (const auto& [key, tc] : tcs_) {
    if (!out.empty() && out.back().manifest_id == tc.manifest_id) {
      out.back() = tc;  // ascending sequence within a manifest id
    } else {
      out.push_back(tc);
    }
  }
  return out;
}

Status MemoryTamStore::PutPolicy(const PolicyRecord& policy) {
  policies_[{policy.target, policy.manifest_id}] = policy;
  return OkStatus();
}

Status MemoryTamStore::RemovePolicy(const std::string& target, ByteView manifest_id) {
  policies_.erase({target, ToBytes(manifest_id)});
  return OkStatus();
}

Result<std::vector<PolicyRecord>> MemoryTamStore::ListPolicies() {
  std::vector<PolicyRecord> out;
  for (const auto& [key, policy] : policies_) out.push_back(policy);
  return out;
}

Status MemoryTamStore::Audit(const AuditRecord& record) {
  audit_.push_back(record);
  return OkStatus();
}

Result<std::vector<AuditRecord>> MemoryTamStore::RecentAudit(size_t limit) {
  std::vector<AuditRecord> out(audit_.rbegin(), audit_.rbegin() + std::min(limit, audit_.size()));
  return out;
}

}  // namespace teep::tam
