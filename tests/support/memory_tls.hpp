// For tests that run both ends of a TLS handshake in memory: a server context
// with a fresh self-signed P-256 certificate, and moving bytes in and out of a
// TlsLink as a socket would.
#pragma once

#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "mxscan/scanner/tls/tls_link.hpp"

namespace mxscan::test {

using SslCtxPtr = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;

inline SslCtxPtr self_signed_server_context(const std::string& common_name) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()), &SSL_CTX_free);
  const std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"),
                                                                &EVP_PKEY_free);
  const std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), &X509_free);
  if (!ctx || !key || !cert) throw std::runtime_error("self_signed_server_context: out of memory");
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>(common_name.c_str()), -1, -1,
                             0);
  X509_set_issuer_name(cert.get(), name);
  X509_set_pubkey(cert.get(), key.get());
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) <= 0 ||
      SSL_CTX_use_certificate(ctx.get(), cert.get()) != 1 ||
      SSL_CTX_use_PrivateKey(ctx.get(), key.get()) != 1) {
    throw std::runtime_error("self_signed_server_context: cannot make the certificate");
  }
  return ctx;
}

// Hands `bytes` to the link as the socket would: at most its input space at a time.
inline void deliver(TlsLink& link, std::string_view bytes, std::size_t piece = 4096) {
  while (!bytes.empty()) {
    const std::size_t n = std::min({piece, bytes.size(), link.input_space().size()});
    std::memcpy(link.input_space().data(), bytes.data(), n);
    link.received(n);
    bytes.remove_prefix(n);
  }
}

// What the link wrote, taken out as the socket would send it.
inline std::string take_output(TlsLink& link) {
  std::string bytes(link.pending_output());
  link.output_sent();
  return bytes;
}

}  // namespace mxscan::test
