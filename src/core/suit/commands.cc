#include "core/suit/commands.h"

#include <string_view>

namespace teep::suit {

namespace {

struct CommandInfo {
  int64_t code;
  std::string_view name;
  bool condition;
};

constexpr CommandInfo kCommands[] = {
    {kCondVendorIdentifier, "condition-vendor-identifier", true},
    {kCondClassIdentifier, "condition-class-identifier", true},
    {kCondImageMatch, "condition-image-match", true},
    {kCondUseBefore, "condition-use-before", true},
    {kCondComponentSlot, "condition-component-slot", true},
    {kCondCheckContent, "condition-check-content", true},
    {kCondDependencyIntegrity, "condition-dependency-integrity", true},
    {kCondIsDependency, "condition-is-dependency", true},
    {kDirProcessDependency, "directive-process-dependency", false},
    {kDirSetComponentIndex, "directive-set-component-index", false},
    {kCondAbort, "condition-abort", true},
    {kDirTryEach, "directive-try-each", false},
    {kDirWrite, "directive-write", false},
    {kDirSetParameters, "directive-set-parameters", false},
    {kDirOverrideParameters, "directive-override-parameters", false},
    {kDirFetch, "directive-fetch", false},
    {kDirCopy, "directive-copy", false},
    {kDirInvoke, "directive-invoke", false},
    {kCondDeviceIdentifier, "condition-device-identifier", true},
    {kCondImageNotMatch, "condition-image-not-match", true},
    {kCondMinimumBattery, "condition-minimum-battery", true},
    {kCondUpdateAuthorized, "condition-update-authorized", true},
    {kCondVersion, "condition-version", true},
    {kDirWait, "directive-wait", false},
    {kDirSwap, "directive-swap", false},
    {kDirRunSequence, "directive-run-sequence", false},
    {kDirUnlink, "directive-unlink", false},
    {kDirOverrideMultiple, "directive-override-multiple", false},
    {kDirCopyParams, "directive-copy-params", false},
};

const CommandInfo* Find(int64_t code) {
  for (const auto& c : kCommands) {
    if (c.code == code) return &c;
  }
  return nullptr;
}

}  // namespace

bool IsCondition(int64_t code) {
  const CommandInfo* c = Find(code);
  return c != nullptr && c->condition;
}

bool IsDirective(int64_t code) {
  const CommandInfo* c = Find(code);
  return c != nullptr && !c->condition;
}

std::string CommandName(int64_t code) {
  const CommandInfo* c = Find(code);
  std::string name = c ? std::string(c->name) : "unknown command";
  return name + " (" + std::to_string(code) + ")";
}

}  // namespace teep::suit
