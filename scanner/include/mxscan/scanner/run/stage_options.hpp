// From the scan configuration (configs/mxscan.toml + command line) to the
// options each stage takes. One place, so a setting means the same everywhere.
#pragma once

#include "mxscan/common/scan_config.hpp"
#include "mxscan/scanner/dns/dns_options.hpp"
#include "mxscan/scanner/smtp/smtp_options.hpp"

namespace mxscan {

DnsOptions dns_options(const ScanConfig& config);
SmtpOptions smtp_options(const ScanConfig& config);

}  // namespace mxscan
