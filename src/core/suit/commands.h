// SUIT command codes (draft-ietf-suit-manifest-37 §11.4; trust-domains-12
// §9.3; update-management-14 §7.3): conditions and directives.
#pragma once

#include <cstdint>
#include <string>

namespace teep::suit {

enum CommandCode : int64_t {
  kCondVendorIdentifier = 1,
  kCondClassIdentifier = 2,
  kCondImageMatch = 3,
  kCondUseBefore = 4,            // update-management
  kCondComponentSlot = 5,
  kCondCheckContent = 6,
  kCondDependencyIntegrity = 7,  // trust-domains
  kCondIsDependency = 8,         // trust-domains
  kDirProcessDependency = 11,    // trust-domains
  kDirSetComponentIndex = 12,
  kCondAbort = 14,
  kDirTryEach = 15,
  kDirWrite = 18,
  kDirSetParameters = 19,        // trust-domains
  kDirOverrideParameters = 20,
  kDirFetch = 21,
  kDirCopy = 22,
  kDirInvoke = 23,
  kCondDeviceIdentifier = 24,
  kCondImageNotMatch = 25,       // update-management
  kCondMinimumBattery = 26,      // update-management
  kCondUpdateAuthorized = 27,    // update-management
  kCondVersion = 28,             // update-management
  kDirWait = 29,                 // update-management
  kDirSwap = 31,
  kDirRunSequence = 32,
  kDirUnlink = 33,               // trust-domains
  kDirOverrideMultiple = 34,     // update-management
  kDirCopyParams = 35,           // update-management
};

bool IsCondition(int64_t code);
bool IsDirective(int64_t code);

// "condition-image-match (3)"; "unknown command (9)" for anything else.
std::string CommandName(int64_t code);

}  // namespace teep::suit
