// Which settings `--resume DIR` lets the user change, and how a change is
// recorded (docs/cli.md, "Resuming"; manifest.json `resume_overrides`).
//
// Design note. A resumed scan must give the results an uninterrupted one would
// have given: only settings that change how fast and how patiently the scan
// works (rates, caps, threads, timeouts, retries) may change, so that a scan
// can be slowed after a complaint. Everything that changes what is contacted,
// what is sent or how answers are read (resolvers, port, EHLO name, blocklists,
// allow ranges, opt-outs, IPv6, SNI, trust store, ASN and PSL data, catalog)
// stays as recorded.
#pragma once

#include <string>

#include "mxscan/common/scan_config.hpp"

namespace mxscan {

// True for an option (as CLI11 names it: "--rate") that --resume accepts.
bool resume_may_change(const std::string& option);

// The configuration key and the text of its value for an option that
// resume_may_change(); empty key for any other option.
struct SettingText {
  std::string key;
  std::string value;
};
SettingText setting_text(const std::string& option, const ScanConfig& config);

// The options resume_may_change(), for messages: "--rate, --dns-rate, ...".
std::string resume_changeable_options();

}  // namespace mxscan
