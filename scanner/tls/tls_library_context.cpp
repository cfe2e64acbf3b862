#include "mxscan/scanner/tls/tls_library_context.hpp"

#include <openssl/core_dispatch.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/provider.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstring>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mxscan {
namespace {

constexpr const char* kProviderName = "mxscan-tls-client";
constexpr const char* kKeptDecoders = "structure=SubjectPublicKeyInfo";

// The ciphers libssl 3.0 can use (ssl/ssl_ciph.c: ssl_cipher_table_cipher, and the
// stitched AES-CBC-HMAC ones it fetches by name) that the default provider has;
// DES, RC4, RC2, IDEA and SEED live in the legacy provider, GOST in none of
// Debian's. AES-ECB and AES-CTR stay for the random generator. The test "... offer
// the same cipher suites" compares every suite with the default context's.
constexpr std::string_view kKeptCiphers[] = {
    "NULL",
    "AES-128-CBC",
    "AES-256-CBC",
    "AES-128-GCM",
    "AES-256-GCM",
    "AES-128-CCM",
    "AES-256-CCM",
    "AES-128-CBC-HMAC-SHA1",
    "AES-256-CBC-HMAC-SHA1",
    "AES-128-CBC-HMAC-SHA256",
    "AES-256-CBC-HMAC-SHA256",
    "ARIA-128-GCM",
    "ARIA-256-GCM",
    "CAMELLIA-128-CBC",
    "CAMELLIA-256-CBC",
    "DES-EDE3-CBC",
    "ChaCha20-Poly1305",
    "AES-128-ECB",
    "AES-256-ECB",
    "AES-128-CTR",
    "AES-256-CTR",
};

std::string openssl_error(const char* what) {
  const unsigned long e = ERR_get_error();
  char buf[256] = "unknown OpenSSL error";
  if (e != 0) ERR_error_string_n(e, buf, sizeof buf);
  ERR_clear_error();
  return std::string(what) + ": " + buf;
}

// An algorithm's first name: "AES-128-CBC" of "AES-128-CBC:AES128:2.16.840.1.101.3.4.1.2".
std::string_view first_name(const char* names) {
  const std::string_view all(names);
  return all.substr(0, all.find(':'));
}

// Algorithms of other operations that a TLS client never asks for. libssl 3.0
// derives its keys with the TLS13-KDF, TLS1-PRF and HKDF KDFs and computes record
// MACs with HMAC (an EVP_MAC, or an HMAC key with the HMAC signature for CBC
// suites); the other KDFs and MACs, and those also offered as keys (key managers,
// key exchanges and signatures named TLS1-PRF, HKDF, SCRYPT, SIPHASH, POLY1305,
// CMAC), serve applications, X9.42 DH (DHX) keys appear in no TLS certificate
// or key exchange, and SM2 keys have no signature scheme in libssl 3.0 (a
// certificate with one parses without its key, as in the X25519 case below).
// Dropped by name, so that an algorithm a later
// OpenSSL adds stays available. Each one dropped makes every certificate cheaper
// to parse (see the design note).
constexpr std::string_view kDroppedKeyManagers[] = {"TLS1-PRF", "HKDF",     "SCRYPT", "SIPHASH",
                                                    "SM2",      "POLY1305", "CMAC",   "DHX"};
constexpr std::string_view kDroppedKeyExchanges[] = {"TLS1-PRF", "HKDF", "SCRYPT"};
constexpr std::string_view kDroppedSignatures[] = {"SIPHASH", "POLY1305", "CMAC"};
constexpr std::string_view kDroppedMacs[] = {"BLAKE2BMAC", "BLAKE2SMAC", "CMAC",    "GMAC",
                                             "KMAC-128",   "KMAC-256",   "SIPHASH", "POLY1305"};
constexpr std::string_view kDroppedKdfs[] = {"SSKDF",   "PBKDF2", "PKCS12KDF",    "SSHKDF",
                                             "X963KDF", "KBKDF",  "X942KDF-ASN1", "X942KDF-CONCAT",
                                             "SCRYPT",  "KRB5KDF"};

bool keep_cipher(const OSSL_ALGORITHM& a) {
  return std::find(std::begin(kKeptCiphers), std::end(kKeptCiphers),
                   first_name(a.algorithm_names)) != std::end(kKeptCiphers);
}

template <std::size_t N>
auto all_but(const std::string_view (&dropped)[N]) {
  return [&dropped](const OSSL_ALGORITHM& a) {
    return std::find(std::begin(dropped), std::end(dropped), first_name(a.algorithm_names)) ==
           std::end(dropped);
  };
}

// Key types no certificate a TLS server can use carries: X25519 and X448 keys
// only agree on secrets and cannot sign the handshake, and static DH needs cipher
// suites OpenSSL does not have. Their key managers stay (key shares, DHE); a
// certificate with such a key still parses, without its public key, and its
// handshake fails as it does in the default context.
constexpr std::string_view kDroppedDecoders[] = {"X25519", "X448", "DH"};

// A decoder is named after the key type it makes: none for a key type left out.
bool keep_decoder(const OSSL_ALGORITHM& a) {
  return a.property_definition && std::strstr(a.property_definition, kKeptDecoders) &&
         all_but(kDroppedKeyManagers)(a) && all_but(kDroppedDecoders)(a);
}

// Reusing the client's X25519 key share (see the design note): the default
// provider's X25519 key-manager functions the replacement `gen` calls.
struct X25519Functions {
  OSSL_FUNC_keymgmt_gen_fn* gen = nullptr;
  OSSL_FUNC_keymgmt_dup_fn* dup = nullptr;
  OSSL_FUNC_keymgmt_free_fn* free = nullptr;
};

void* reused_x25519_gen(void* genctx, OSSL_CALLBACK* cb, void* cbarg);  // below DefaultProvider

template <typename F>
F* find_function(const OSSL_DISPATCH* table, int id) {
  for (; table->function_id != 0; ++table)
    if (table->function_id == id) return reinterpret_cast<F*>(table->function);
  return nullptr;
}

// The X25519 key manager's dispatch table with `gen` replaced, and in `found`
// the functions it replaces or needs; empty when the default provider's table
// lacks one of them (then the key manager is passed through unchanged and every
// handshake makes a fresh key).
std::vector<OSSL_DISPATCH> x25519_reusing_dispatch(const OSSL_DISPATCH* table,
                                                   X25519Functions& found) {
  found.gen = find_function<OSSL_FUNC_keymgmt_gen_fn>(table, OSSL_FUNC_KEYMGMT_GEN);
  found.dup = find_function<OSSL_FUNC_keymgmt_dup_fn>(table, OSSL_FUNC_KEYMGMT_DUP);
  found.free = find_function<OSSL_FUNC_keymgmt_free_fn>(table, OSSL_FUNC_KEYMGMT_FREE);
  if (!found.gen || !found.dup || !found.free) return {};
  std::vector<OSSL_DISPATCH> out;
  for (; table->function_id != 0; ++table) {
    out.push_back(*table);
    if (table->function_id == OSSL_FUNC_KEYMGMT_GEN)
      out.back().function = reinterpret_cast<void (*)()>(&reused_x25519_gen);
  }
  out.push_back(OSSL_DISPATCH{0, nullptr});
  return out;
}

// The algorithms of `operation` that `keep` accepts, ending with an all-null entry.
template <typename Keep>
std::vector<OSSL_ALGORITHM> filtered(OSSL_PROVIDER* provider, int operation, Keep keep) {
  std::vector<OSSL_ALGORITHM> out;
  int no_cache = 0;
  for (const OSSL_ALGORITHM* a = OSSL_PROVIDER_query_operation(provider, operation, &no_cache);
       a && a->algorithm_names; ++a) {
    if (keep(*a)) out.push_back(*a);
  }
  if (out.empty()) {
    throw std::runtime_error(
        "OpenSSL's default provider lacks what a TLS client needs (operation " +
        std::to_string(operation) + ")");
  }
  out.push_back(OSSL_ALGORITHM{nullptr, nullptr, nullptr, nullptr});
  return out;
}

// The default provider in a library context of its own, and the parts of its
// algorithm lists the client keeps. Built once per process and never freed: the
// pass-through providers of every TlsLibraryContext run its code with its
// provider context, possibly on worker threads until the process ends.
struct DefaultProvider {
  OSSL_LIB_CTX* libctx = nullptr;
  OSSL_PROVIDER* provider = nullptr;
  std::vector<std::pair<int, std::vector<OSSL_ALGORITHM>>> own_lists;
  std::vector<OSSL_DISPATCH> x25519_dispatch;
  X25519Functions x25519;

  DefaultProvider() {
    libctx = OSSL_LIB_CTX_new();
    if (!libctx) throw std::runtime_error(openssl_error("OSSL_LIB_CTX_new"));
    provider = OSSL_PROVIDER_load(libctx, "default");
    if (!provider) throw std::runtime_error(openssl_error("loading OpenSSL's default provider"));
    own_lists.emplace_back(OSSL_OP_DECODER, filtered(provider, OSSL_OP_DECODER, keep_decoder));
    own_lists.emplace_back(OSSL_OP_CIPHER, filtered(provider, OSSL_OP_CIPHER, keep_cipher));
    auto key_managers = filtered(provider, OSSL_OP_KEYMGMT, all_but(kDroppedKeyManagers));
    for (OSSL_ALGORITHM& a : key_managers) {
      if (!a.algorithm_names || first_name(a.algorithm_names) != "X25519") continue;
      x25519_dispatch = x25519_reusing_dispatch(a.implementation, x25519);
      if (!x25519_dispatch.empty()) a.implementation = x25519_dispatch.data();
    }
    own_lists.emplace_back(OSSL_OP_KEYMGMT, std::move(key_managers));
    own_lists.emplace_back(OSSL_OP_KEYEXCH,
                           filtered(provider, OSSL_OP_KEYEXCH, all_but(kDroppedKeyExchanges)));
    own_lists.emplace_back(OSSL_OP_SIGNATURE,
                           filtered(provider, OSSL_OP_SIGNATURE, all_but(kDroppedSignatures)));
    own_lists.emplace_back(OSSL_OP_MAC, filtered(provider, OSSL_OP_MAC, all_but(kDroppedMacs)));
    own_lists.emplace_back(OSSL_OP_KDF, filtered(provider, OSSL_OP_KDF, all_but(kDroppedKdfs)));
  }

  // The filtered list of `operation`, or nullptr for the ones passed through whole.
  const OSSL_ALGORITHM* own_list(int operation) const {
    for (const auto& [op, list] : own_lists)
      if (op == operation) return list.data();
    return nullptr;
  }
};

const DefaultProvider& default_provider() {
  static const DefaultProvider* const instance = new DefaultProvider();  // see DefaultProvider
  return *instance;
}

constexpr TlsLibraryContext::KeyShareReuse kDefaultReuse;
std::atomic<int> reuse_uses{kDefaultReuse.uses};
std::atomic<std::chrono::milliseconds::rep> reuse_lifetime_ms{kDefaultReuse.lifetime.count()};

// One key pair per thread (no lock on the handshake path), replaced after the
// bounded number of handshakes or time, whichever comes first.
struct ThreadKeyShare {
  void* key = nullptr;
  int uses = 0;
  std::chrono::steady_clock::time_point born;

  ~ThreadKeyShare() {
    if (key) default_provider().x25519.free(key);
  }
};

void* reused_x25519_gen(void* genctx, OSSL_CALLBACK* cb, void* cbarg) {
  const X25519Functions& x25519 = default_provider().x25519;
  thread_local ThreadKeyShare share;
  const auto now = std::chrono::steady_clock::now();
  const std::chrono::milliseconds lifetime{reuse_lifetime_ms.load(std::memory_order_relaxed)};
  if (!share.key || share.uses >= reuse_uses.load(std::memory_order_relaxed) ||
      now - share.born >= lifetime) {
    void* fresh = x25519.gen(genctx, cb, cbarg);
    if (!fresh) return nullptr;
    if (share.key) x25519.free(share.key);
    share.key = fresh;
    share.uses = 0;
    share.born = now;
  }
  ++share.uses;
  // Each handshake owns (and frees) its own copy of the key pair.
  return x25519.dup(share.key, OSSL_KEYMGMT_SELECT_ALL);
}

// The pass-through provider. Its provider context is the default provider's, so
// the algorithms it lists find the context they were written for.
const OSSL_ALGORITHM* query_operation(void* /*provctx*/, int operation, int* no_cache) {
  const DefaultProvider& d = default_provider();
  if (const OSSL_ALGORITHM* own = d.own_list(operation)) {
    *no_cache = 0;
    return own;
  }
  return OSSL_PROVIDER_query_operation(d.provider, operation, no_cache);
}

void unquery_operation(void* /*provctx*/, int operation, const OSSL_ALGORITHM* algorithms) {
  if (!default_provider().own_list(operation))
    OSSL_PROVIDER_unquery_operation(default_provider().provider, operation, algorithms);
}

// libssl builds its list of TLS groups (key shares) from this capability.
int get_capabilities(void* /*provctx*/, const char* capability, OSSL_CALLBACK* callback,
                     void* arg) {
  return OSSL_PROVIDER_get_capabilities(default_provider().provider, capability, callback, arg);
}

const OSSL_PARAM* gettable_params(void* /*provctx*/) {
  return OSSL_PROVIDER_gettable_params(default_provider().provider);
}

int get_params(void* /*provctx*/, OSSL_PARAM params[]) {
  return OSSL_PROVIDER_get_params(default_provider().provider, params);
}

void teardown(void* /*provctx*/) {}  // the default provider stays loaded (see DefaultProvider)

// OSSL_DISPATCH stores every function as void (*)(void); the core casts back.
template <typename F>
OSSL_DISPATCH entry(int id, F* function) {
  return OSSL_DISPATCH{id, reinterpret_cast<void (*)()>(function)};
}

int provider_init(const OSSL_CORE_HANDLE* /*handle*/, const OSSL_DISPATCH* /*core*/,
                  const OSSL_DISPATCH** out, void** provctx) {
  static const OSSL_DISPATCH table[] = {
      entry(OSSL_FUNC_PROVIDER_TEARDOWN, &teardown),
      entry(OSSL_FUNC_PROVIDER_QUERY_OPERATION, &query_operation),
      entry(OSSL_FUNC_PROVIDER_UNQUERY_OPERATION, &unquery_operation),
      entry(OSSL_FUNC_PROVIDER_GET_CAPABILITIES, &get_capabilities),
      entry(OSSL_FUNC_PROVIDER_GETTABLE_PARAMS, &gettable_params),
      entry(OSSL_FUNC_PROVIDER_GET_PARAMS, &get_params),
      OSSL_DISPATCH{0, nullptr},
  };
  *out = table;
  *provctx = OSSL_PROVIDER_get0_provider_ctx(default_provider().provider);
  return 1;
}

void count_decoder(OSSL_DECODER* /*decoder*/, void* arg) { ++*static_cast<int*>(arg); }

}  // namespace

void TlsLibraryContext::LibCtxFree::operator()(ossl_lib_ctx_st* ctx) const noexcept {
  OSSL_LIB_CTX_free(ctx);
}
void TlsLibraryContext::ProviderUnload::operator()(ossl_provider_st* provider) const noexcept {
  OSSL_PROVIDER_unload(provider);
}

TlsLibraryContext::TlsLibraryContext() {
  default_provider();  // its errors surface here, not inside OpenSSL's provider loading
  libctx_.reset(OSSL_LIB_CTX_new());
  if (!libctx_) throw std::runtime_error(openssl_error("OSSL_LIB_CTX_new"));
  if (OSSL_PROVIDER_add_builtin(libctx_.get(), kProviderName, provider_init) != 1)
    throw std::runtime_error(openssl_error("OSSL_PROVIDER_add_builtin"));
  provider_.reset(OSSL_PROVIDER_load(libctx_.get(), kProviderName));
  if (!provider_) throw std::runtime_error(openssl_error("loading the TLS client provider"));
}

TlsLibraryContext::~TlsLibraryContext() = default;

void TlsLibraryContext::set_key_share_reuse(KeyShareReuse bounds) noexcept {
  reuse_uses.store(std::max(bounds.uses, 1), std::memory_order_relaxed);
  reuse_lifetime_ms.store(bounds.lifetime.count(), std::memory_order_relaxed);
}

TlsLibraryContext::KeyShareReuse TlsLibraryContext::key_share_reuse() noexcept {
  return {reuse_uses.load(std::memory_order_relaxed),
          std::chrono::milliseconds{reuse_lifetime_ms.load(std::memory_order_relaxed)}};
}

int TlsLibraryContext::decoder_count(ossl_lib_ctx_st* libctx) noexcept {
  int n = 0;
  OSSL_DECODER_do_all_provided(libctx, count_decoder, &n);
  return n;
}

}  // namespace mxscan
