// OpenSSL for measurement: the client contexts, verification bookkeeping
// and what the scanner records from a server's certificate chain.
//
// Design note. A scanner must complete handshakes that a mail client would
// refuse (old protocol versions, weak keys, untrusted chains) and still say why
// a chain is untrusted. Hence client SSL_CTXs at security level 0 from TLS 1.0 up,
// legacy renegotiation allowed, no session cache or tickets (each session is an
// independent observation), and a verify callback that records every (depth,
// error) pair and always continues: SSL_get_verify_result keeps only the last.
// No hostname is checked: mail exchanges rarely match, the inference reads names.
// Verification verdicts are cached per chain (SHA-256 over the DER certificates
// as sent) for ten minutes: a provider's thousands of exchanges present the same
// chain, and verifying it again would only repeat the same answer.
// The context lives in its own OpenSSL library context (tls_library_context.hpp).
// No Asio here; the session wraps SSL objects created from this context.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "mxscan/common/observation.hpp"
#include "mxscan/common/x509.hpp"
#include "mxscan/scanner/tls/tls_library_context.hpp"

struct ssl_ctx_st;
struct ssl_st;
struct x509_st;
struct x509_store_ctx_st;

namespace mxscan {

struct SslCtxFree {
  void operator()(ssl_ctx_st* ctx) const noexcept;
};
using SslCtxPtr = std::unique_ptr<ssl_ctx_st, SslCtxFree>;

struct TlsClientSettings {
  std::string ca_file;  // PEM bundle replacing the system store; "" = system store
  std::size_t max_chain_bytes = 102'400;  // largest certificate message accepted
  bool cache_verdicts = true;             // reuse the verdict for a chain already verified
};

struct VerifyCache;

// A client context. Thread-safe to create SSL objects from; the SMTP stage still
// gives each worker thread its own, so that OpenSSL's internal locks (one set per
// library context) are not shared between cores, while the verdict cache is.
class TlsClientContext {
 public:
  // Throws std::runtime_error (e.g. naming an unreadable CA file).
  explicit TlsClientContext(const TlsClientSettings& settings);
  // The same, sharing `other`'s verdict cache (and its counters).
  TlsClientContext(const TlsClientSettings& settings, const TlsClientContext& other);
  ~TlsClientContext();
  TlsClientContext(const TlsClientContext&) = delete;
  TlsClientContext& operator=(const TlsClientContext&) = delete;
  ssl_ctx_st* get() const noexcept { return ctx_.get(); }
  ossl_lib_ctx_st* library_context() const noexcept { return libctx_.get(); }
  const std::string& trust_store() const noexcept { return trust_store_; }
  // Chains verified, and verdicts answered from the cache.
  std::size_t verifications() const noexcept;
  std::size_t cache_hits() const noexcept;

 private:
  TlsClientContext(const TlsClientSettings& settings, std::shared_ptr<VerifyCache> cache);
  std::shared_ptr<VerifyCache> cache_;  // outlives ctx_ (declared first, destroyed last)
  TlsLibraryContext libctx_;            // outlives ctx_ too
  SslCtxPtr ctx_;
  std::string trust_store_;  // "system" or the CA file path
};

// One certificate of the chain the server sent, with its DER and the SHA-256 of
// that, worked out once per session: the verdict cache keys on the digests and
// the observation records the DER and the leaf's digest.
struct SentCertificate {
  x509_st* cert = nullptr;  // owned by the connection
  std::string der;
  Sha256 sha256{};
};

// Verification outcomes gathered during one handshake.
struct VerifyLog {
  std::vector<std::pair<int, int>> errors;  // (depth, X509_V_ERR_*) in callback order
  std::vector<SentCertificate> chain;       // as sent, leaf first; empty until verification
};

// Makes `ssl` record verification into `log` (which must outlive the handshake)
// without ever failing the handshake on an untrusted chain.
void attach_verify_log(ssl_st* ssl, VerifyLog* log) noexcept;

// Sends `name` as SNI in the ClientHello.
void set_sni(ssl_st* ssl, const std::string& name) noexcept;

// Fills a TlsObs from an established connection: version, cipher, the chain as
// sent (leaf first, at most `max_certs` kept; `truncated` set when more came),
// leaf fields and the trust verdict. Call after a successful handshake.
TlsObs collect_tls_obs(ssl_st* ssl, const VerifyLog& log, std::size_t max_certs, bool& truncated);

// Leaf fields (x509.hpp) of a certificate of the chain as sent, its digest
// already worked out.
inline CertificateInfo certificate_info(x509_st* cert, const SentCertificate& sent) {
  return certificate_info(cert, sent.der.empty() ? nullptr : &sent.sha256);
}

}  // namespace mxscan
