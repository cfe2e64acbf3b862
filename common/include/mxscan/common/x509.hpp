// Certificate facts: what the method reads from an X.509 certificate (CN, DNS
// SANs, validity, SHA-256 of the DER), whether it came from a live handshake,
// a ZGrab2 or Censys record, or a PEM file.
//
// Design note. One place decides which names count: the last CN (the most
// specific), dNSName SANs only, and no name with an embedded NUL (a spoofing
// attempt that C-string comparisons would truncate). The scanner's TLS client
// and the importers both call this, so a certificate reads the same whatever
// brought it. Validity is printed with a zero-padded year: strftime's %Y does
// not pad, and GeneralizedTime allows years below 1000. OpenSSL's libcrypto
// only: no SSL object is involved.
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>

#include "mxscan/common/observation.hpp"

struct x509_st;

namespace mxscan {

struct X509Free {
  void operator()(x509_st* cert) const noexcept;
};
using X509Ptr = std::unique_ptr<x509_st, X509Free>;
using Sha256 = std::array<unsigned char, 32>;

// SHA-256 of `data`; false if OpenSSL could not compute it.
bool sha256_of(std::string_view data, Sha256& out);

// Leaf fields: CN (most specific), dNSName SANs (names with embedded NULs are
// dropped), SHA-256 of the DER, validity in ISO 8601 UTC.
CertificateInfo certificate_info(x509_st* cert);
// The same, with the DER's digest already at hand (null: none, sha256 stays empty).
CertificateInfo certificate_info(x509_st* cert, const Sha256* digest);

X509Ptr parse_der_certificate(std::string_view der);
X509Ptr read_pem_certificate(const std::string& path);  // null if unreadable or not PEM
std::string der_of(x509_st* cert);                      // "" on failure

}  // namespace mxscan
