// A TamStore in memory: for unit tests, benchmarks and fuzzing of the TAM
// core without a database. Not thread-safe, not durable.
#pragma once

#include <map>
#include <utility>
#include <vector>

#include "core/tam/store.h"

namespace teep::tam {

class MemoryTamStore final : public TamStore {
 public:
  // Restores a copy of everything if `step` fails.
  Status Atomically(const std::function<Status()>& step) override;
  Status PutToken(const TokenRecord& token) override;
  Result<std::optional<TokenRecord>> TakeToken(ByteView token, int64_t now) override;
  Result<uint64_t> ExpireTokens(int64_t now) override;
  Result<uint64_t> CountTokens() override { return tokens_.size(); }

  Status PutDevice(const DeviceRecord& device) override;
  Status PutDevices(std::span<const DeviceRecord> devices) override;
  Result<std::optional<DeviceRecord>> FindDevice(ByteView device_id) override;
  Result<std::vector<DeviceRecord>> ListDevices() override;
  Result<uint64_t> CountDevices() override { return devices_.size(); }

  Status SetInstalled(ByteView device_id, const InstalledRecord& installed) override;
  Status RemoveInstalled(ByteView device_id, ByteView manifest_id) override;
  Result<std::vector<InstalledRecord>> ListInstalled(ByteView device_id) override;

  Status PutTc(const TcRecord& tc) override;
  Result<std::optional<TcRecord>> LatestTc(ByteView manifest_id) override;
  Result<std::optional<TcRecord>> FindTcByComponent(ByteView id) override;
  Result<std::vector<TcRecord>> ListLatestTcs() override;

  Status PutPolicy(const PolicyRecord& policy) override;
  Status RemovePolicy(const std::string& target, ByteView manifest_id) override;
  Result<std::vector<PolicyRecord>> ListPolicies() override;

  Status Audit(const AuditRecord& record) override;
  Result<std::vector<AuditRecord>> RecentAudit(size_t limit) override;

 private:
  bool in_transaction_ = false;
  std::map<Bytes, TokenRecord> tokens_;
  std::map<Bytes, DeviceRecord> devices_;
  std::map<std::pair<Bytes, Bytes>, InstalledRecord> installed_;  // (device, manifest)
  std::map<std::pair<Bytes, uint64_t>, TcRecord> tcs_;            // (manifest, sequence)
  std::map<std::pair<std::string, Bytes>, PolicyRecord> policies_;
  std::vector<AuditRecord> audit_;
};

}  // namespace teep::tam
