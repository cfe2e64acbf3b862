// The OpenSSL library context the scanner's TLS client runs in.
//
// Design note. OpenSSL 3.0 parses the public key of every certificate a server
// sends through its decoder framework, and for each key it builds a decoder
// context from every decoder the loaded providers offer: 40 in the default
// provider (private-key formats, MSBLOB, PVK, PEM, encrypted keys, ...), about
// 1.16 M instructions per certificate, a quarter of a client handshake.
// OpenSSL 3.1 caches these contexts; Debian 12 ships 3.0. A TLS client only
// ever decodes SubjectPublicKeyInfo (certificates sent by the server, trust
// anchors read from PEM files go through the same d2i code).
//
// Part of that cost grows with everything else the context has fetched: for each
// key, 3.0 lists every key manager by copying the context's whole method store,
// where a TLS client's holds the default provider's 124 ciphers.
//
// So the client's SSL_CTX lives in its own library context whose one provider
// passes the default provider through (digests, key exchange, signatures, every
// key type a certificate or key share can carry, the TLS group list) except for
// these lists: decoders, of which it keeps the SubjectPublicKeyInfo ones for key
// types a server certificate can carry (7 of 40: not X25519, X448, static DH or SM2); ciphers, of
// which it keeps the 21 libssl can use (the suites offered stay exactly the default context's; a
// test compares them); and MACs, KDFs and the key managers, key exchanges and signatures that only
// serve applications (CMAC, SipHash, Poly1305 and PBKDF2-like KDFs as keys, X9.42 DH; SM2, which no
// TLS signature scheme in libssl 3.0 uses), named in the source. A certificate then costs ~0.6 M
// instructions to parse in a TLS client instead of ~1.5 M (docs/performance.md, section smtp), and
// a test completes handshakes of every protocol version, key exchange and kind of cipher in it. The
// algorithms run with the default provider's own context, loaded once per process in a hidden
// library context, as in OpenSSL's own filtering test provider (test/filterprov.c).
//
// The provider also hands the client's X25519 key share out again: generating
// one costs ~0.59 M instructions (12 % of a client session), and the sessions
// of a scan carry nothing secret (EHLO, STARTTLS, QUIT: the server's replies and
// certificates are public) and name the scanner in EHLO, so neither the forward
// secrecy nor the unlinkability a fresh share buys protects anything here.
// RFC 8446 neither requires nor forbids it. Each thread keeps one key pair for at
// most 1,000 handshakes and 10 s (KeyShareReuse); every handshake gets its
// own copy; the secret each derives still depends on the server's fresh share.
//
// Only the scanner's TLS client uses this context: everything else in mxscan
// (offline certificate parsing, fingerprints) stays in the default context.
#pragma once

#include <chrono>
#include <memory>

struct ossl_lib_ctx_st;
struct ossl_provider_st;

namespace mxscan {

class TlsLibraryContext {
 public:
  // Throws std::runtime_error when OpenSSL cannot load the providers.
  TlsLibraryContext();
  ~TlsLibraryContext();
  TlsLibraryContext(const TlsLibraryContext&) = delete;
  TlsLibraryContext& operator=(const TlsLibraryContext&) = delete;

  ossl_lib_ctx_st* get() const noexcept { return libctx_.get(); }

  // Bounds on reusing a thread's X25519 key share (see the design note); one use
  // means a fresh share for every handshake.
  struct KeyShareReuse {
    int uses = 1000;
    std::chrono::milliseconds lifetime{10'000};
  };
  // The bounds every TLS client context in the process follows from now on (tests
  // shorten them); the key pair a thread already holds is judged by the new ones.
  static void set_key_share_reuse(KeyShareReuse bounds) noexcept;
  static KeyShareReuse key_share_reuse() noexcept;

  // How many decoders the context offers (8 with Debian 12's OpenSSL 3.0.x),
  // and how many the default provider has (40): for tests and docs.
  static int decoder_count(ossl_lib_ctx_st* libctx) noexcept;

 private:
  struct LibCtxFree {
    void operator()(ossl_lib_ctx_st* ctx) const noexcept;
  };
  struct ProviderUnload {
    void operator()(ossl_provider_st* provider) const noexcept;
  };
  // Declared first, destroyed last: the provider is unloaded before its context goes.
  std::unique_ptr<ossl_lib_ctx_st, LibCtxFree> libctx_;
  std::unique_ptr<ossl_provider_st, ProviderUnload> provider_;
};

}  // namespace mxscan
