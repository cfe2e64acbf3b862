#include "mxscan/scanner/run/scan_preflight.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <filesystem>
#include <fstream>

#include "mxscan/common/asn/open_asn_source.hpp"
#include "mxscan/common/domain_list.hpp"
#include "mxscan/scanner/dns/dns_options.hpp"
#include "mxscan/scanner/run/stage_options.hpp"
#include "mxscan/scanner/smtp/smtp_options.hpp"
#include "mxscan/scanner/smtp/smtp_stage.hpp"

namespace mxscan {
namespace {

void check_readable_file(const std::string& option, const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) {
    throw ScanSetupError(option + " " + path + ": no such file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ScanSetupError(option + " " + path + ": cannot read it");
}

// A list is read only up to its first valid name: enough to tell an empty or
// wrong file from a list, whatever its size.
void check_has_a_domain(const std::string& path) {
  DomainListReader reader(path);
  while (auto record = reader.next()) {
    if (record->valid()) return;
  }
  const auto& s = reader.stats();
  throw ScanSetupError("no domains: " + path + " holds no valid domain name (" +
                       std::to_string(s.lines) + " lines, " + std::to_string(s.invalid) +
                       " invalid names); nothing to scan");
}

}  // namespace

std::size_t count_pem_certificates(const std::string& path) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(path.c_str(), "rb"), &BIO_free);
  if (!bio) {
    ERR_clear_error();
    throw std::runtime_error(path + ": cannot read it");
  }
  std::size_t count = 0;
  while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
    X509_free(cert);
    ++count;
  }
  ERR_clear_error();  // the end of the file reads as an error
  return count;
}

ScanPreflight preflight_scan(const ScanPlan& plan) {
  const ScanConfig& config = plan.config;
  ScanPreflight out;
  try {
    if (const std::string problem = check_dns_options(dns_options(config)); !problem.empty()) {
      throw ScanSetupError(problem);
    }
    if (!plan.resume && plan.phase != ScanPhase::probe && plan.domains_file != "-") {
      check_has_a_domain(plan.domains_file);
    }
    if (!config.conduct.exclude_domains.empty()) {
      check_readable_file("--exclude-domains", config.conduct.exclude_domains);
    }
    const SmtpOptions smtp = smtp_options(config);
    (void)build_blocklist(smtp);
    if (!plan.dry_run && plan.phase != ScanPhase::resolve) {  // no SMTP session otherwise
      smtp.validate();
      (void)resolve_ehlo_name(smtp.ehlo_name);
      ensure_fd_limit(fds_needed(smtp));
    }
    if (!config.smtp.ca_file.empty()) {
      check_readable_file("--ca-file", config.smtp.ca_file);
      if (count_pem_certificates(config.smtp.ca_file) == 0) {
        throw ScanSetupError("--ca-file " + config.smtp.ca_file +
                             ": no PEM certificate (-----BEGIN CERTIFICATE-----) in it");
      }
    }
    out.asn = open_asn_source(config.asn.mmdb, config.asn.pfx2as);
  } catch (const ScanSetupError&) {
    throw;
  } catch (const std::exception& e) {
    throw ScanSetupError(e.what());
  }
  return out;
}

}  // namespace mxscan
