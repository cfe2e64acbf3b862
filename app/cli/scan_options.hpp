// The scan's settings as command-line options, shared by `mxscan --domains`,
// `mxscan resolve` and `mxscan probe` (docs/cli.md): each option overrides one
// setting of the configuration file (configs/mxscan.toml, or --config).
//
// Design note. Each option given records how it changes the configuration, so
// a command applies them in order over the file, and --resume can tell which
// of them a resumed run changes (resume_overrides.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "mxscan/common/scan_config.hpp"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace mxscan {

// Values of the scan options; each option given on the command line also
// records how it changes the configuration.
struct ScanOptions {
  std::string domains;
  std::string output;
  std::string config;
  std::string resume;
  std::string shard;
  bool dry_run = false;
  bool quiet = false;
  std::size_t top = 20;

  // Settings overridden on the command line, applied in order over the file.
  std::vector<std::pair<CLI::Option*, std::function<void(ScanConfig&)>>> overrides;

  // Scratch values the overrides read.
  std::vector<std::string> resolvers, allow, blocklists;
  std::string exclude, ehlo, ca_file, asn_db, pfx2as, providers, psl_file;
  std::string probe_name, signals;
  std::int64_t smtp_port = 0, concurrency = 0, per24 = 0, threads = 0, dns_threads = 0,
               dns_in_flight = 0, retries = 0;
  double rate = 0, dns_rate = 0;  // fractions allowed: 0.5 is one every 2 s
  double per24_rate = 0, connect_timeout = 0, greeting_timeout = 0, reply_timeout = 0,
         tls_timeout = 0, session_timeout = 0, dns_timeout = 0;
  bool ipv6 = false, sni = false, keep_flagged = false;
};

// A command line that cannot be run as given: exit code 2, nothing written or contacted.
struct ScanUsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Registers the setting options (resolver, conduct, rates and limits, data
// files) on `app`, writing into `o`.
void add_setting_options(CLI::App& app, ScanOptions& o);

// The configuration file (--config, or mxscan.toml found as config_search.hpp
// says) with the options given over it, file names made absolute; throws
// ScanUsageError when no file is found or no provider catalog is set.
ScanConfig config_from_options(const ScanOptions& o);

// The command line as a shell would read it back (quoted where needed).
std::string command_line(int argc, char** argv);

}  // namespace mxscan
