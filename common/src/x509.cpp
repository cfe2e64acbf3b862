#include "mxscan/common/x509.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>

namespace mxscan {
namespace {

struct GeneralNamesFree {
  void operator()(GENERAL_NAMES* names) const noexcept { GENERAL_NAMES_free(names); }
};
struct BioFree {
  void operator()(BIO* bio) const noexcept { BIO_free(bio); }
};

std::string iso8601(const ASN1_TIME* t) {
  std::tm tm{};
  if (!t || ASN1_TIME_to_tm(t, &tm) != 1) return {};
  // strftime's %Y does not pad: GeneralizedTime year 0281 would print as "281".
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

std::string hex(const unsigned char* data, std::size_t n) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(n * 2, '0');
  for (std::size_t i = 0; i < n; ++i) {
    out[2 * i] = kDigits[data[i] >> 4];
    out[2 * i + 1] = kDigits[data[i] & 0xf];
  }
  return out;
}

}  // namespace

void X509Free::operator()(x509_st* cert) const noexcept { X509_free(cert); }

bool sha256_of(std::string_view data, Sha256& out) {
  unsigned int n = 0;
  return EVP_Digest(data.data(), data.size(), out.data(), &n, EVP_sha256(), nullptr) == 1 &&
         n == out.size();
}

CertificateInfo certificate_info(x509_st* cert) {
  Sha256 digest{};
  const bool hashed = sha256_of(der_of(cert), digest);
  return certificate_info(cert, hashed ? &digest : nullptr);
}

CertificateInfo certificate_info(x509_st* cert, const Sha256* digest) {
  CertificateInfo info;
  X509_NAME* subject = X509_get_subject_name(cert);
  for (int idx = -1;
       subject && (idx = X509_NAME_get_index_by_NID(subject, NID_commonName, idx)) >= 0;) {
    ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, idx));
    unsigned char* utf8 = nullptr;
    const int len = ASN1_STRING_to_UTF8(&utf8, data);
    if (len < 0) continue;
    std::string cn(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(len));
    OPENSSL_free(utf8);
    if (cn.find('\0') == std::string::npos)
      info.subject_cn = std::move(cn);  // last CN is the most specific
  }
  std::unique_ptr<GENERAL_NAMES, GeneralNamesFree> names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
  for (int i = 0; names && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_DNS) continue;
    const auto* data = reinterpret_cast<const char*>(ASN1_STRING_get0_data(name->d.dNSName));
    const auto len = static_cast<std::size_t>(ASN1_STRING_length(name->d.dNSName));
    if (!data || std::memchr(data, '\0', len)) continue;  // embedded NUL: a spoofing attempt
    info.sans.emplace_back(data, len);
  }
  if (digest) info.sha256 = hex(digest->data(), digest->size());
  info.not_before = iso8601(X509_get0_notBefore(cert));
  info.not_after = iso8601(X509_get0_notAfter(cert));
  return info;
}

X509Ptr parse_der_certificate(std::string_view der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  return X509Ptr(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
}

X509Ptr read_pem_certificate(const std::string& path) {
  std::unique_ptr<BIO, BioFree> bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) return nullptr;
  return X509Ptr(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
}

std::string der_of(x509_st* cert) {
  unsigned char* out = nullptr;
  const int len = i2d_X509(cert, &out);
  if (len <= 0) return {};
  std::string der(reinterpret_cast<const char*>(out), static_cast<std::size_t>(len));
  OPENSSL_free(out);
  return der;
}

}  // namespace mxscan
