#include "mxscan/scanner/tls/tls_client.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

namespace mxscan {
namespace {

std::string openssl_error() {
  const unsigned long e = ERR_get_error();
  if (e == 0) return "unknown OpenSSL error";
  char buf[256];
  ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return buf;
}

int verify_log_index() {
  // One ex_data slot for the process, allocated on first use (thread-safe static).
  static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
  return index;
}

int record_verify(int preverify_ok, X509_STORE_CTX* store) {
  if (!preverify_ok) {
    auto* ssl =
        static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    auto* log = ssl ? static_cast<VerifyLog*>(SSL_get_ex_data(ssl, verify_log_index())) : nullptr;
    if (log && log->errors.size() < 64) {
      log->errors.emplace_back(X509_STORE_CTX_get_error_depth(store),
                               X509_STORE_CTX_get_error(store));
    }
  }
  return 1;  // measure, never refuse: the verdict is recorded, the handshake goes on
}

}  // namespace

struct VerifyCache {
  using Clock = std::chrono::steady_clock;
  static constexpr auto kTtl = std::chrono::minutes(10);
  static constexpr std::size_t kMaxEntries = 100'000;
  struct Entry {
    std::vector<std::pair<int, int>> errors;
    int result = X509_V_OK;
    Clock::time_point expires;
  };
  std::mutex mu;
  std::unordered_map<std::string, Entry> entries;
  std::atomic<std::size_t> verifications{0}, hits{0};
};

namespace {

// The chain the server sent (leaf first), each certificate's DER and digest
// worked out once: false when a certificate will not encode.
bool describe_chain(STACK_OF(X509) * sent, std::vector<SentCertificate>& out) {
  out.clear();
  for (int i = 0; sent && i < sk_X509_num(sent); ++i) {
    SentCertificate c;
    c.cert = sk_X509_value(sent, i);
    c.der = der_of(c.cert);
    if (c.der.empty() || !sha256_of(c.der, c.sha256)) return false;
    out.push_back(std::move(c));
  }
  return true;
}

// The verdict cache's key: the SHA-256 digests of the certificates as sent, in
// order (each covers one whole certificate, so equal keys mean equal chains).
std::string chain_key(const std::vector<SentCertificate>& chain) {
  std::string key;
  key.reserve(chain.size() * 32);
  for (const SentCertificate& c : chain)
    key.append(reinterpret_cast<const char*>(c.sha256.data()), c.sha256.size());
  return key;
}

// Replaces X509_verify_cert in the handshake: answers from the cache, or verifies
// (the verify callback logs every error) and remembers the verdict.
int cached_verify(X509_STORE_CTX* store, void* arg) {
  auto* cache = static_cast<VerifyCache*>(arg);
  auto* ssl =
      static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
  auto* log = ssl ? static_cast<VerifyLog*>(SSL_get_ex_data(ssl, verify_log_index())) : nullptr;
  // On the client the untrusted certificates are the chain as sent, leaf first.
  std::vector<SentCertificate> local;
  std::vector<SentCertificate>& chain = log ? log->chain : local;
  const std::string key = describe_chain(X509_STORE_CTX_get0_untrusted(store), chain)
                              ? chain_key(chain)
                              : std::string();
  const auto now = VerifyCache::Clock::now();
  if (!key.empty() && log) {
    std::lock_guard lock(cache->mu);
    const auto it = cache->entries.find(key);
    if (it != cache->entries.end() && it->second.expires > now) {
      ++cache->hits;
      log->errors.insert(log->errors.end(), it->second.errors.begin(), it->second.errors.end());
      X509_STORE_CTX_set_error(store, it->second.result);
      return 1;
    }
  }
  const std::size_t before = log ? log->errors.size() : 0;
  const int ok = X509_verify_cert(store);
  ++cache->verifications;
  if (!key.empty() && log && ok > 0) {
    VerifyCache::Entry entry;
    entry.errors.assign(log->errors.begin() + static_cast<std::ptrdiff_t>(before),
                        log->errors.end());
    entry.result = X509_STORE_CTX_get_error(store);
    entry.expires = now + VerifyCache::kTtl;
    std::lock_guard lock(cache->mu);
    if (cache->entries.size() >= VerifyCache::kMaxEntries) cache->entries.clear();
    cache->entries[key] = std::move(entry);
  }
  return ok;
}

// OpenSSL 3.0 computes a certificate's extension cache (key identifiers, flags) on
// first use, behind a check other threads read without the lock: two workers that
// verify against the same trusted root at once race on it (TSan saw it in a scan;
// tests/scanner/smtp/smtp_stage_test.cpp reproduces it). Computing the cache for every
// trusted certificate here, before any worker starts, leaves handshakes only reads.
void precompute_extension_caches(X509_STORE* store) {
  STACK_OF(X509_OBJECT)* objects = X509_STORE_get0_objects(store);
  for (int i = 0; i < sk_X509_OBJECT_num(objects); ++i) {
    if (X509* cert = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objects, i)))
      X509_get_extension_flags(cert);
  }
}

}  // namespace

void SslCtxFree::operator()(ssl_ctx_st* ctx) const noexcept { SSL_CTX_free(ctx); }

TlsClientContext::~TlsClientContext() = default;

std::size_t TlsClientContext::verifications() const noexcept {
  return cache_->verifications.load();
}
std::size_t TlsClientContext::cache_hits() const noexcept { return cache_->hits.load(); }

TlsClientContext::TlsClientContext(const TlsClientSettings& settings)
    : TlsClientContext(settings, std::make_shared<VerifyCache>()) {}

TlsClientContext::TlsClientContext(const TlsClientSettings& settings, const TlsClientContext& other)
    : TlsClientContext(settings, other.cache_) {}

TlsClientContext::TlsClientContext(const TlsClientSettings& settings,
                                   std::shared_ptr<VerifyCache> cache)
    : cache_(std::move(cache)) {
  ctx_.reset(SSL_CTX_new_ex(libctx_.get(), nullptr, TLS_client_method()));
  if (!ctx_) throw std::runtime_error("SSL_CTX_new: " + openssl_error());
  SSL_CTX* ctx = ctx_.get();
  // See everything servers offer: level 0, TLS 1.0 and up, legacy servers (no RFC 5746).
  SSL_CTX_set_security_level(ctx, 0);
  if (SSL_CTX_set_cipher_list(ctx, "ALL:@SECLEVEL=0") != 1)
    throw std::runtime_error("SSL_CTX_set_cipher_list: " + openssl_error());
  SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
  // TLS 1.3: OpenSSL's three default suites, AES-128-GCM first as in Go's crypto/tls
  // (ZGrab2). Servers that follow the client's order (OpenSSL's and Postfix's default)
  // then hash the transcript and run the key schedule with SHA-256, not SHA-384.
  if (SSL_CTX_set_ciphersuites(
          ctx, "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256:TLS_AES_256_GCM_SHA384") != 1)
    throw std::runtime_error("SSL_CTX_set_ciphersuites: " + openssl_error());
  // No renegotiation: a server's HelloRequest is declined (no_renegotiation alert). A
  // renegotiation ran the verify callback again mid-session and corrupted the heap
  // (tests/scanner/smtp/hostile_smtp_test.cpp, "a TLS renegotiation request").
  SSL_CTX_set_options(ctx,
                      SSL_OP_LEGACY_SERVER_CONNECT | SSL_OP_NO_TICKET | SSL_OP_NO_RENEGOTIATION);
  SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
  // Idle established connections then hold no record buffers.
  SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
  SSL_CTX_set_max_cert_list(ctx, static_cast<long>(settings.max_chain_bytes));
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, record_verify);
  if (settings.cache_verdicts) SSL_CTX_set_cert_verify_callback(ctx, cached_verify, cache_.get());
  if (settings.ca_file.empty()) {
    if (SSL_CTX_set_default_verify_paths(ctx) != 1)
      throw std::runtime_error("cannot load the system trust store: " + openssl_error());
    trust_store_ = "system";
  } else {
    if (SSL_CTX_load_verify_locations(ctx, settings.ca_file.c_str(), nullptr) != 1)
      throw std::runtime_error("--ca-file " + settings.ca_file + ": " + openssl_error());
    trust_store_ = settings.ca_file;
  }
  precompute_extension_caches(SSL_CTX_get_cert_store(ctx));
}

void attach_verify_log(ssl_st* ssl, VerifyLog* log) noexcept {
  SSL_set_ex_data(ssl, verify_log_index(), log);
  SSL_set_verify(ssl, SSL_VERIFY_PEER, record_verify);
}

void set_sni(ssl_st* ssl, const std::string& name) noexcept {
  // SSL_set_tlsext_host_name is a macro with a C cast; this is what it expands to.
  SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
           const_cast<char*>(name.c_str()));
}

TlsObs collect_tls_obs(ssl_st* ssl, const VerifyLog& log, std::size_t max_certs, bool& truncated) {
  TlsObs obs;
  obs.version = SSL_get_version(ssl);
  if (const SSL_CIPHER* cipher = SSL_get_current_cipher(ssl))
    obs.cipher = SSL_CIPHER_get_name(cipher);
  // On the client side the peer chain includes the leaf, as the server sent it.
  STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
  const int n = chain ? sk_X509_num(chain) : 0;
  truncated = n > 0 && static_cast<std::size_t>(n) > max_certs;
  // Verification already encoded and hashed this very chain, unless the
  // verdict cache is off.
  bool known = n > 0 && log.chain.size() == static_cast<std::size_t>(n);
  for (int i = 0; known && i < n; ++i) {
    known = log.chain[static_cast<std::size_t>(i)].cert == sk_X509_value(chain, i);
  }
  for (int i = 0; i < n && static_cast<std::size_t>(i) < max_certs; ++i) {
    obs.chain_der.push_back(known ? log.chain[static_cast<std::size_t>(i)].der
                                  : der_of(sk_X509_value(chain, i)));
  }
  if (X509* leaf = SSL_get0_peer_certificate(ssl)) {
    obs.leaf = known && leaf == log.chain.front().cert ? certificate_info(leaf, log.chain.front())
                                                       : certificate_info(leaf);
  }
  const long result = SSL_get_verify_result(ssl);
  obs.trusted = n > 0 && log.errors.empty() && result == X509_V_OK;
  if (n == 0) {
    obs.verify_error = "no certificate presented (anonymous cipher suite)";
  } else if (!obs.trusted) {
    obs.verify_error =
        X509_verify_cert_error_string(log.errors.empty() ? result : log.errors.front().second);
  }
  return obs;
}

}  // namespace mxscan
