#include "mxscan/scanner/tls/tls_library_context.hpp"

#include <openssl/bio.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

using mxscan::TlsLibraryContext;

namespace {

using Pkey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using PkeyCtx = std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)>;
using Cert = std::unique_ptr<X509, decltype(&X509_free)>;
using SslCtx = std::unique_ptr<SSL_CTX, decltype(&SSL_CTX_free)>;

// A key of `type` made in the default context ("EC:P-384" names a curve, "RSA:1024" a size).
Pkey make_key(const std::string& spec) {
  const auto colon = spec.find(':');
  const std::string type = spec.substr(0, colon),
                    arg = colon == std::string::npos ? "" : spec.substr(colon + 1);
  EVP_PKEY* params = nullptr;
  if (type == "DSA") {  // DSA keys need domain parameters first
    PkeyCtx pctx(EVP_PKEY_CTX_new_from_name(nullptr, "DSA", nullptr), &EVP_PKEY_CTX_free);
    REQUIRE(EVP_PKEY_paramgen_init(pctx.get()) == 1);
    REQUIRE(EVP_PKEY_CTX_set_dsa_paramgen_bits(pctx.get(), 1024) == 1);
    REQUIRE(EVP_PKEY_paramgen(pctx.get(), &params) == 1);
  }
  const Pkey owned_params(params, &EVP_PKEY_free);
  PkeyCtx ctx(params ? EVP_PKEY_CTX_new_from_pkey(nullptr, params, nullptr)
                     : EVP_PKEY_CTX_new_from_name(nullptr, type.c_str(), nullptr),
              &EVP_PKEY_CTX_free);
  REQUIRE(ctx);
  REQUIRE(EVP_PKEY_keygen_init(ctx.get()) == 1);
  if (type == "EC") REQUIRE(EVP_PKEY_CTX_set_group_name(ctx.get(), arg.c_str()) == 1);
  if (type == "RSA" || type == "RSA-PSS")
    REQUIRE(EVP_PKEY_CTX_set_rsa_keygen_bits(ctx.get(), std::stoi(arg)) == 1);
  EVP_PKEY* key = nullptr;
  REQUIRE(EVP_PKEY_keygen(ctx.get(), &key) == 1);
  return Pkey(key, &EVP_PKEY_free);
}

// A certificate for `key` signed by `signer`, as DER.
std::vector<unsigned char> issued_der(EVP_PKEY* key, EVP_PKEY* signer) {
  Cert cert(X509_new(), &X509_free);
  REQUIRE(cert);
  X509_set_version(cert.get(), X509_VERSION_3);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 7);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 3600);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("mx.test"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  REQUIRE(X509_set_pubkey(cert.get(), key) == 1);
  // Ed25519 and Ed448 sign the message itself: no digest.
  const bool pure = EVP_PKEY_is_a(signer, "ED25519") || EVP_PKEY_is_a(signer, "ED448");
  REQUIRE(X509_sign(cert.get(), signer, pure ? nullptr : EVP_sha256()) > 0);
  unsigned char* der = nullptr;
  const int len = i2d_X509(cert.get(), &der);
  REQUIRE(len > 0);
  std::vector<unsigned char> out(der, der + len);
  OPENSSL_free(der);
  return out;
}

std::vector<unsigned char> self_signed_der(EVP_PKEY* key) { return issued_der(key, key); }

Cert parse_in(OSSL_LIB_CTX* libctx, const std::vector<unsigned char>& der) {
  Cert cert(X509_new_ex(libctx, nullptr), &X509_free);
  REQUIRE(cert);
  const unsigned char* p = der.data();
  X509* out = cert.get();
  if (!d2i_X509(&out, &p, static_cast<long>(der.size()))) {
    static_cast<void>(cert.release());  // a failed d2i has freed the object it was given
    return Cert(nullptr, &X509_free);
  }
  return cert;
}

void count_spki_decoder(OSSL_DECODER* decoder, void* arg) {
  auto* counts = static_cast<std::pair<int, int>*>(arg);
  ++counts->first;
  const std::string props = OSSL_DECODER_get0_properties(decoder);
  if (props.find("structure=SubjectPublicKeyInfo") != std::string::npos) ++counts->second;
}

}  // namespace

TEST_CASE("tls library context: only the SubjectPublicKeyInfo decoders, one per key type") {
  const TlsLibraryContext ctx;
  std::pair<int, int> counts{0, 0};  // (all, SubjectPublicKeyInfo)
  OSSL_DECODER_do_all_provided(ctx.get(), count_spki_decoder, &counts);
  CHECK(counts.first == counts.second);
  CHECK(counts.first >= 6);  // RSA, RSA-PSS, EC, ED25519, ED448, DSA, ...
  CHECK(TlsLibraryContext::decoder_count(ctx.get()) == counts.first);
  // The default context has the rest: private keys, MSBLOB, PVK, PEM, encrypted keys.
  CHECK(TlsLibraryContext::decoder_count(nullptr) > counts.first);
}

TEST_CASE("tls library context: certificates of every signing key type parse and verify in it") {
  const TlsLibraryContext ctx;
  for (const char* spec : {"RSA:1024", "RSA-PSS:1024", "EC:P-256", "EC:P-384", "EC:P-521",
                           "ED25519", "ED448", "DSA"}) {
    INFO(spec);
    const Pkey key = make_key(spec);
    const auto der = self_signed_der(key.get());
    const Cert cert = parse_in(ctx.get(), der);
    REQUIRE(cert);
    EVP_PKEY* pub = X509_get0_pubkey(cert.get());
    REQUIRE(pub);
    CHECK(EVP_PKEY_eq(pub, key.get()) == 1);
    CHECK(X509_verify(cert.get(), pub) == 1);  // the signature checks out inside the context
  }
}

// X25519, X448 and DH keys cannot sign; SM2 keys can, but libssl 3.0 has no SM2
// signature scheme.
TEST_CASE(
    "tls library context: certificates with keys no TLS handshake uses parse without their key") {
  const TlsLibraryContext ctx;
  const Pkey issuer = make_key("EC:P-256");
  for (const char* spec : {"X25519", "X448", "DH", "SM2"}) {
    INFO(spec);
    const Pkey key = [&] {
      if (std::string(spec) != "DH") return make_key(spec);
      // DH keys need domain parameters: the RFC 7919 group is enough here.
      PkeyCtx pctx(EVP_PKEY_CTX_new_from_name(nullptr, "DH", nullptr), &EVP_PKEY_CTX_free);
      REQUIRE(EVP_PKEY_keygen_init(pctx.get()) == 1);
      REQUIRE(EVP_PKEY_CTX_set_group_name(pctx.get(), "ffdhe2048") == 1);
      EVP_PKEY* made = nullptr;
      REQUIRE(EVP_PKEY_keygen(pctx.get(), &made) == 1);
      return Pkey(made, &EVP_PKEY_free);
    }();
    const auto der = issued_der(key.get(), issuer.get());
    const Cert in_default = parse_in(nullptr, der);
    REQUIRE(X509_get0_pubkey(in_default.get()) != nullptr);  // OpenSSL itself knows these keys
    const Cert in_ctx = parse_in(ctx.get(), der);
    REQUIRE(in_ctx);  // the certificate, its names and its DER are all there
    CHECK(X509_cmp(in_ctx.get(), in_default.get()) == 0);
    CHECK(X509_get0_pubkey(in_ctx.get()) == nullptr);     // the key is not decoded
    CHECK(X509_verify(in_ctx.get(), issuer.get()) == 1);  // the issuer's signature still checks
  }
}

TEST_CASE("tls library context: a damaged public key fails as in the default context") {
  const TlsLibraryContext ctx;
  const Pkey key = make_key("EC:P-256");
  auto der = self_signed_der(key.get());
  // The uncompressed point starts with 0x04 right after the BIT STRING's unused-bits
  // byte; 0x05 is no point encoding at all (0x06 and 0x07 are hybrid ones).
  const unsigned char prefix[] = {0x03, 0x42, 0x00, 0x04};
  const auto at = std::search(der.begin(), der.end(), std::begin(prefix), std::end(prefix));
  REQUIRE(at != der.end());
  *(at + 3) = 0x05;
  const Cert in_ctx = parse_in(ctx.get(), der);
  const Cert in_default = parse_in(nullptr, der);
  REQUIRE(static_cast<bool>(in_ctx) == static_cast<bool>(in_default));
  if (in_ctx) {
    CHECK(X509_get0_pubkey(in_ctx.get()) == nullptr);
    CHECK(X509_get0_pubkey(in_default.get()) == nullptr);
  }
}

// The names of the cipher suites a client at security level 0 offers, TLS 1.0 to 1.3.
std::vector<std::string> offered_suites(OSSL_LIB_CTX* libctx) {
  const SslCtx ctx(SSL_CTX_new_ex(libctx, nullptr, TLS_client_method()), &SSL_CTX_free);
  REQUIRE(ctx);
  SSL_CTX_set_security_level(ctx.get(), 0);
  SSL_CTX_set_min_proto_version(ctx.get(), TLS1_VERSION);
  REQUIRE(SSL_CTX_set_cipher_list(ctx.get(), "ALL:COMPLEMENTOFALL:@SECLEVEL=0") == 1);
  const std::unique_ptr<SSL, decltype(&SSL_free)> ssl(SSL_new(ctx.get()), &SSL_free);
  REQUIRE(ssl);
  STACK_OF(SSL_CIPHER)* suites = SSL_get1_supported_ciphers(ssl.get());
  std::vector<std::string> names;
  names.reserve(static_cast<std::size_t>(sk_SSL_CIPHER_num(suites)));
  for (int i = 0; i < sk_SSL_CIPHER_num(suites); ++i)
    names.emplace_back(SSL_CIPHER_get_name(sk_SSL_CIPHER_value(suites, i)));
  sk_SSL_CIPHER_free(suites);
  return names;
}

TEST_CASE("tls library context: TLS clients made in it offer the same cipher suites") {
  const TlsLibraryContext ctx;
  const auto ours = offered_suites(ctx.get());
  CHECK(ours.size() >
        80);  // 92 with Debian 12: with SHA-1, CBC, CCM, ARIA, Camellia, 3DES, NULL, anonymous
  CHECK(ours == offered_suites(nullptr));
}

TEST_CASE("tls library context: TLS clients made in it offer every key-exchange group") {
  const TlsLibraryContext ctx;
  const SslCtx ssl(SSL_CTX_new_ex(ctx.get(), nullptr, TLS_client_method()), &SSL_CTX_free);
  REQUIRE(ssl);
  // libssl learns the groups from the provider's TLS-GROUP capability (passed through).
  CHECK(SSL_CTX_set1_groups_list(ssl.get(), "X25519:X448:P-256:P-384:P-521:ffdhe2048:ffdhe8192") ==
        1);
  CHECK(SSL_CTX_set_cipher_list(ssl.get(), "ALL:@SECLEVEL=0") == 1);
  CHECK(SSL_CTX_set_ciphersuites(ssl.get(),
                                 "TLS_AES_128_GCM_SHA256:TLS_CHACHA20_POLY1305_SHA256") == 1);
}

// Whether `fetch` finds `name` in `libctx` (the object fetched is released at once).
template <typename Method>
bool found(Method* (*fetch)(OSSL_LIB_CTX*, const char*, const char*), void (*release)(Method*),
           OSSL_LIB_CTX* libctx, const char* name) {
  Method* method = fetch(libctx, name, nullptr);
  release(method);
  return method != nullptr;
}

// Fetchable in `libctx`: the key manager, key exchange, signature, MAC or KDF `name`.
bool fetchable(OSSL_LIB_CTX* libctx, const std::string& kind, const char* name) {
  if (kind == "keymgmt") return found(&EVP_KEYMGMT_fetch, &EVP_KEYMGMT_free, libctx, name);
  if (kind == "keyexch") return found(&EVP_KEYEXCH_fetch, &EVP_KEYEXCH_free, libctx, name);
  if (kind == "signature") return found(&EVP_SIGNATURE_fetch, &EVP_SIGNATURE_free, libctx, name);
  if (kind == "mac") return found(&EVP_MAC_fetch, &EVP_MAC_free, libctx, name);
  return found(&EVP_KDF_fetch, &EVP_KDF_free, libctx, name);
}

TEST_CASE("tls library context: leaves out only algorithms a TLS client never uses") {
  const TlsLibraryContext ctx;
  ERR_set_mark();  // failed fetches queue errors; they are expected here
  const std::vector<std::pair<std::string, const char*>> dropped = {
      {"keymgmt", "HKDF"},      {"keymgmt", "TLS1-PRF"},   {"keymgmt", "SCRYPT"},
      {"keymgmt", "SIPHASH"},   {"keymgmt", "POLY1305"},   {"keymgmt", "CMAC"},
      {"keymgmt", "DHX"},       {"keymgmt", "SM2"},        {"keyexch", "HKDF"},
      {"keyexch", "TLS1-PRF"},  {"keyexch", "SCRYPT"},     {"signature", "CMAC"},
      {"signature", "SIPHASH"}, {"signature", "POLY1305"}, {"mac", "CMAC"},
      {"mac", "GMAC"},          {"mac", "KMAC-128"},       {"mac", "BLAKE2BMAC"},
      {"mac", "SIPHASH"},       {"mac", "POLY1305"},       {"kdf", "PBKDF2"},
      {"kdf", "SSKDF"},         {"kdf", "X963KDF"},        {"kdf", "SCRYPT"},
      {"kdf", "KBKDF"},         {"kdf", "X942KDF-ASN1"},   {"kdf", "SSHKDF"},
      {"kdf", "PKCS12KDF"},     {"kdf", "KRB5KDF"},
  };
  for (const auto& [kind, name] : dropped) {
    INFO(kind << " " << name);
    CHECK(fetchable(nullptr, kind, name));          // the default context has it...
    CHECK_FALSE(fetchable(ctx.get(), kind, name));  // ...the client's does not
  }
  const std::vector<std::pair<std::string, const char*>> kept = {
      {"keymgmt", "RSA"},    {"keymgmt", "RSA-PSS"}, {"keymgmt", "EC"},      {"keymgmt", "DH"},
      {"keymgmt", "DSA"},    {"keymgmt", "X25519"},  {"keymgmt", "X448"},    {"keymgmt", "ED25519"},
      {"keymgmt", "ED448"},  {"keymgmt", "HMAC"},    {"keyexch", "ECDH"},    {"keyexch", "DH"},
      {"keyexch", "X25519"}, {"signature", "RSA"},   {"signature", "ECDSA"}, {"signature", "HMAC"},
      {"signature", "DSA"},  {"mac", "HMAC"},        {"kdf", "TLS13-KDF"},   {"kdf", "TLS1-PRF"},
      {"kdf", "HKDF"},
  };
  for (const auto& [kind, name] : kept) {
    INFO(kind << " " << name);
    CHECK(fetchable(ctx.get(), kind, name));
  }
  ERR_pop_to_mark();
}

// One TLS connection over a BIO pair: a client made in `client_libctx` against a
// server in the default context, both at security level 0, limited to `version` and
// to one cipher suite and one group. Returns the suite negotiated after one record
// each way, or what failed.
std::string handshake(OSSL_LIB_CTX* client_libctx, EVP_PKEY* key,
                      const std::vector<unsigned char>& cert_der, int version, const char* suite,
                      const char* group) {
  const SslCtx sctx(SSL_CTX_new_ex(nullptr, nullptr, TLS_server_method()), &SSL_CTX_free);
  const SslCtx cctx(SSL_CTX_new_ex(client_libctx, nullptr, TLS_client_method()), &SSL_CTX_free);
  REQUIRE(sctx);
  REQUIRE(cctx);
  for (SSL_CTX* c : {sctx.get(), cctx.get()}) {
    SSL_CTX_set_security_level(c, 0);
    SSL_CTX_set_min_proto_version(c, version);
    SSL_CTX_set_max_proto_version(c, version);
    if (version == TLS1_3_VERSION) {
      REQUIRE(SSL_CTX_set_ciphersuites(c, suite) == 1);
    } else {
      REQUIRE(SSL_CTX_set_cipher_list(c, (std::string(suite) + ":@SECLEVEL=0").c_str()) == 1);
    }
    REQUIRE(SSL_CTX_set1_groups_list(c, group) == 1);
  }
  const Cert cert = parse_in(nullptr, cert_der);
  REQUIRE(cert);
  REQUIRE(SSL_CTX_use_certificate(sctx.get(), cert.get()) == 1);
  REQUIRE(SSL_CTX_use_PrivateKey(sctx.get(), key) == 1);
  SSL_CTX_set_dh_auto(sctx.get(), 1);
  using Ssl = std::unique_ptr<SSL, decltype(&SSL_free)>;
  const Ssl server(SSL_new(sctx.get()), &SSL_free), client(SSL_new(cctx.get()), &SSL_free);
  BIO *server_end = nullptr, *client_end = nullptr;
  REQUIRE(BIO_new_bio_pair(&server_end, 0, &client_end, 0) == 1);
  SSL_set_bio(server.get(), server_end, server_end);
  SSL_set_bio(client.get(), client_end, client_end);
  SSL_set_accept_state(server.get());
  SSL_set_connect_state(client.get());
  // One handshake step of a side not done yet: false when it failed.
  const auto step = [](SSL* ssl, bool& done) {
    if (done) return true;
    const int r = SSL_do_handshake(ssl);
    done = r == 1;
    return done || SSL_get_error(ssl, r) == SSL_ERROR_WANT_READ;
  };
  bool client_done = false, server_done = false;
  for (int round = 0; round < 20 && !(client_done && server_done); ++round) {
    if (!step(client.get(), client_done)) return "client handshake failed";
    if (!step(server.get(), server_done)) return "server handshake failed";
  }
  if (!client_done || !server_done) return "handshake did not finish";
  // One record each way: the record layer's cipher and MAC in both directions.
  char byte = 0;
  if (SSL_write(client.get(), "c", 1) != 1 || SSL_read(server.get(), &byte, 1) != 1 || byte != 'c')
    return "client to server record failed";
  if (SSL_write(server.get(), "s", 1) != 1 || SSL_read(client.get(), &byte, 1) != 1 || byte != 's')
    return "server to client record failed";
  return SSL_CIPHER_get_name(SSL_get_current_cipher(client.get()));
}

TEST_CASE("tls library context: handshakes of every kind complete in it") {
  const TlsLibraryContext ctx;
  const Pkey ec_key = make_key("EC:P-256"), rsa_key = make_key("RSA:1024");
  const auto ec_cert = self_signed_der(ec_key.get()), rsa_cert = self_signed_der(rsa_key.get());
  struct Case {
    int version;
    const char* suite;
    bool rsa;
    const char* group;
  };
  const Case cases[] = {
      // TLS 1.3: every suite, every kind of group.
      {TLS1_3_VERSION, "TLS_AES_128_GCM_SHA256", false, "X25519"},
      {TLS1_3_VERSION, "TLS_AES_256_GCM_SHA384", false, "X448"},
      {TLS1_3_VERSION, "TLS_CHACHA20_POLY1305_SHA256", false, "P-256"},
      {TLS1_3_VERSION, "TLS_AES_128_CCM_SHA256", false, "P-384"},
      {TLS1_3_VERSION, "TLS_AES_128_CCM_8_SHA256", true, "P-521"},
      {TLS1_3_VERSION, "TLS_AES_256_GCM_SHA384", true, "ffdhe2048"},
      // TLS 1.2: AEAD, CBC with HMAC (an HMAC key and signature), RSA key transport,
      // finite-field DHE, and the rarer ciphers (no 3DES: Debian builds without it).
      // An ECDSA certificate's curve must be among the client's groups.
      {TLS1_2_VERSION, "ECDHE-ECDSA-AES128-GCM-SHA256", false, "X25519:P-256"},
      {TLS1_2_VERSION, "ECDHE-ECDSA-AES256-SHA384", false, "P-256"},
      {TLS1_2_VERSION, "ECDHE-RSA-AES128-SHA", true, "P-256"},
      {TLS1_2_VERSION, "ECDHE-RSA-CHACHA20-POLY1305", true, "X25519"},
      {TLS1_2_VERSION, "DHE-RSA-AES256-GCM-SHA384", true, "ffdhe2048"},
      {TLS1_2_VERSION, "AES128-SHA256", true, "X25519"},
      {TLS1_2_VERSION, "ECDHE-ECDSA-ARIA128-GCM-SHA256", false, "P-256"},
      {TLS1_2_VERSION, "ECDHE-ECDSA-CAMELLIA256-SHA384", false, "P-256"},
      {TLS1_2_VERSION, "ECDHE-ECDSA-AES128-CCM8", false, "P-256"},
      // TLS 1.0 and 1.1: the MD5+SHA-1 PRF.
      {TLS1_1_VERSION, "ECDHE-RSA-AES256-SHA", true, "P-256"},
      {TLS1_VERSION, "DHE-RSA-AES128-SHA", true, "ffdhe2048"},
      {TLS1_VERSION, "AES256-SHA", true, "X25519"},
  };
  for (const Case& c : cases) {
    INFO(c.suite << " with " << c.group << (c.rsa ? ", RSA certificate" : ", EC certificate"));
    EVP_PKEY* key = c.rsa ? rsa_key.get() : ec_key.get();
    const auto& cert = c.rsa ? rsa_cert : ec_cert;
    const std::string in_default = handshake(nullptr, key, cert, c.version, c.suite, c.group);
    CHECK(in_default == handshake(ctx.get(), key, cert, c.version, c.suite, c.group));
    CHECK(in_default.find("failed") == std::string::npos);
    ERR_clear_error();
  }
}

namespace {

// The raw public half of an X25519 key share generated in `libctx`, as libssl makes one.
std::vector<unsigned char> x25519_share(OSSL_LIB_CTX* libctx) {
  PkeyCtx ctx(EVP_PKEY_CTX_new_from_name(libctx, "X25519", nullptr), &EVP_PKEY_CTX_free);
  REQUIRE(ctx);
  REQUIRE(EVP_PKEY_keygen_init(ctx.get()) == 1);
  EVP_PKEY* key = nullptr;
  REQUIRE(EVP_PKEY_keygen(ctx.get(), &key) == 1);
  const Pkey owned(key, &EVP_PKEY_free);
  std::vector<unsigned char> out(32);
  std::size_t len = out.size();
  REQUIRE(EVP_PKEY_get_raw_public_key(key, out.data(), &len) == 1);
  REQUIRE(len == 32);
  return out;
}

// The shares a new thread (no key pair held yet) generates, `n` in a row.
std::vector<std::vector<unsigned char>> shares_on_new_thread(OSSL_LIB_CTX* libctx, int n,
                                                             std::chrono::milliseconds pause = {}) {
  std::vector<std::vector<unsigned char>> out;
  std::thread worker([&] {
    for (int i = 0; i < n; ++i) {
      if (i > 0) std::this_thread::sleep_for(pause);
      out.push_back(x25519_share(libctx));
    }
  });
  worker.join();
  return out;
}

// Restores the process-wide bounds when a test ends, passed or failed.
struct ReuseBoundsGuard {
  TlsLibraryContext::KeyShareReuse saved = TlsLibraryContext::key_share_reuse();
  ~ReuseBoundsGuard() { TlsLibraryContext::set_key_share_reuse(saved); }
};

}  // namespace

TEST_CASE(
    "tls library context: a thread's X25519 key share serves a bounded number of handshakes") {
  const TlsLibraryContext ctx;
  const ReuseBoundsGuard guard;
  TlsLibraryContext::set_key_share_reuse({.uses = 5, .lifetime = std::chrono::minutes(1)});
  const auto shares = shares_on_new_thread(ctx.get(), 11);
  for (int i = 1; i < 5; ++i) CHECK(shares[i] == shares[0]);
  CHECK(shares[5] != shares[0]);
  for (int i = 6; i < 10; ++i) CHECK(shares[i] == shares[5]);
  CHECK(shares[10] != shares[5]);

  SECTION("each thread has its own") { CHECK(shares_on_new_thread(ctx.get(), 1)[0] != shares[0]); }
  SECTION("one use means a fresh share every time") {
    TlsLibraryContext::set_key_share_reuse({.uses = 1, .lifetime = std::chrono::minutes(1)});
    const auto fresh = shares_on_new_thread(ctx.get(), 3);
    CHECK(fresh[0] != fresh[1]);
    CHECK(fresh[1] != fresh[2]);
  }
  SECTION("the default context makes a fresh share every time") {
    CHECK(x25519_share(nullptr) != x25519_share(nullptr));
  }
}

TEST_CASE("tls library context: a thread's X25519 key share is replaced when it gets old") {
  const TlsLibraryContext ctx;
  const ReuseBoundsGuard guard;
  TlsLibraryContext::set_key_share_reuse({.uses = 1000, .lifetime = std::chrono::milliseconds(50)});
  const auto shares = shares_on_new_thread(ctx.get(), 2, std::chrono::milliseconds(80));
  CHECK(shares[0] != shares[1]);
  TlsLibraryContext::set_key_share_reuse({.uses = 1000, .lifetime = std::chrono::minutes(1)});
  const auto kept = shares_on_new_thread(ctx.get(), 2, std::chrono::milliseconds(80));
  CHECK(kept[0] == kept[1]);
}

TEST_CASE("tls library context: the defaults bound key share reuse to 1,000 handshakes and 10 s") {
  const auto bounds = TlsLibraryContext::key_share_reuse();
  CHECK(bounds.uses == 1000);
  CHECK(bounds.lifetime == std::chrono::seconds(10));
}
