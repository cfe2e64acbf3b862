// Fuzz harness: certificate name extraction (the leaf a server presents, DER):
// subject CN and dNSName SANs, digest and validity, as the inference reads them.
#include "fuzz_harness.hpp"

#include <algorithm>

#include "mxscan/common/x509.hpp"

namespace mxscan::fuzz {
namespace {

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// "2026-01-01T00:00:00Z" or empty.
bool is_iso_time(std::string_view t) {
  if (t.empty()) return true;
  if (t.size() != 20 || t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' ||
      t[16] != ':' || t[19] != 'Z') {
    return false;
  }
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18}) {
    if (t[i] < '0' || t[i] > '9') return false;
  }
  return true;
}

}  // namespace

int fuzz_cert_names(const std::uint8_t* data, std::size_t size) {
  X509Ptr cert = parse_der_certificate(as_text(data, size));
  if (!cert) return 0;
  const CertificateInfo info = certificate_info(cert.get());
  // A NUL inside a name is the null-prefix spoof: such names are never kept.
  MXSCAN_FUZZ_CHECK(info.subject_cn.find('\0') == std::string::npos);
  for (const auto& san : info.sans) MXSCAN_FUZZ_CHECK(san.find('\0') == std::string::npos);
  MXSCAN_FUZZ_CHECK(info.sha256.empty() || (info.sha256.size() == 64 && is_hex(info.sha256)));
  MXSCAN_FUZZ_CHECK(is_iso_time(info.not_before) && is_iso_time(info.not_after));
  // What is recorded (the DER re-encoded) parses again to the same names.
  const std::string der = der_of(cert.get());
  if (der.empty()) return 0;
  X509Ptr again = parse_der_certificate(der);
  MXSCAN_FUZZ_CHECK(again != nullptr);
  const CertificateInfo info2 = certificate_info(again.get());
  MXSCAN_FUZZ_CHECK(info2.subject_cn == info.subject_cn && info2.sans == info.sans);
  MXSCAN_FUZZ_CHECK(info2.sha256 == info.sha256);
  return 0;
}

}  // namespace mxscan::fuzz
