// mxscan-tls-floor: what OpenSSL alone costs per STARTTLS session, for scripts/bench tls-floor.
//   mxscan-tls-floor --chain PEM --ca-file PEM [--count N]
// Runs COUNT TLS handshakes between a client set up as the scanner's
// (TlsClientContext: security level 0, verdict cache, verify log) and a server set up
// as the bench's test server, over an in-memory BIO pair: no sockets, no Asio, no
// SMTP. Then the server says one line and the client reads it, so the client also
// processes the server's session tickets, as in a scan. Prints the CPU time each
// side spent inside OpenSSL per handshake, and the cost of parsing one certificate
// (d2i_X509 of the leaf) in the default library context and in the client's
// own (tls_library_context.hpp), which OpenSSL 3.0 spends mostly in building key decoders.
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <cstdio>
#include <ctime>
#include <memory>
#include <stdexcept>
#include <string>

#include "mxscan/scanner/tls/tls_client.hpp"
#include "test_smtp_server.hpp"

namespace {

double thread_cpu_seconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) / 1e9;
}

struct SslFree {
  void operator()(SSL* ssl) const noexcept { SSL_free(ssl); }
};
using SslPtr = std::unique_ptr<SSL, SslFree>;

// Adds the CPU time of the calls made while it lives to `total`.
class CpuMeter {
 public:
  explicit CpuMeter(double& total) : total_(total), start_(thread_cpu_seconds()) {}
  ~CpuMeter() { total_ += thread_cpu_seconds() - start_; }
  CpuMeter(const CpuMeter&) = delete;
  CpuMeter& operator=(const CpuMeter&) = delete;

 private:
  double& total_;
  double start_;
};

mxscan::SslCtxPtr server_context(const std::string& chain) {
  mxscan::SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) throw std::runtime_error("SSL_CTX_new failed");
  mxscan::test::configure_tls_server(ctx.get());  // the bench's test server, exactly
  if (SSL_CTX_use_certificate_chain_file(ctx.get(), chain.c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx.get(), chain.c_str(), SSL_FILETYPE_PEM) != 1)
    throw std::runtime_error("cannot load the chain and key from " + chain);
  return ctx;
}

mxscan::X509Ptr read_leaf(const std::string& chain) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(chain.c_str(), "r"), &BIO_free);
  mxscan::X509Ptr leaf(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!leaf) throw std::runtime_error("no certificate in " + chain);
  return leaf;
}

}  // namespace

int main(int argc, char** argv) {
  std::string chain, ca_file;
  long count = 5000;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--chain")
      chain = v;
    else if (a == "--ca-file")
      ca_file = v;
    else if (a == "--count")
      count = std::stol(v);
    else {
      std::fprintf(stderr, "usage: %s --chain PEM --ca-file PEM [--count N]\n", argv[0]);
      return 2;
    }
  }
  try {
    if (chain.empty() || ca_file.empty() || count <= 0)
      throw std::runtime_error("--chain and --ca-file are required");
    mxscan::TlsClientSettings settings;
    settings.ca_file = ca_file;
    const mxscan::TlsClientContext client_ctx(settings);
    const mxscan::SslCtxPtr server_ctx = server_context(chain);

    double client_s = 0, server_s = 0;
    std::size_t trusted = 0;
    char buffer[512];
    for (long i = 0; i < count; ++i) {
      mxscan::VerifyLog log;
      SslPtr client, server;
      {
        CpuMeter m(client_s);
        client.reset(SSL_new(client_ctx.get()));
        mxscan::attach_verify_log(client.get(), &log);
      }
      {
        CpuMeter m(server_s);
        server.reset(SSL_new(server_ctx.get()));
      }
      if (!client || !server) throw std::runtime_error("SSL_new failed");
      BIO* client_end = nullptr;
      BIO* server_end = nullptr;
      if (BIO_new_bio_pair(&client_end, 0, &server_end, 0) != 1)
        throw std::runtime_error("BIO pair");
      SSL_set_bio(client.get(), client_end, client_end);  // each SSL owns its end
      SSL_set_bio(server.get(), server_end, server_end);
      SSL_set_connect_state(client.get());
      SSL_set_accept_state(server.get());
      // Each side runs until it waits for the other, as on a socket.
      bool client_done = false, server_done = false;
      for (int round = 0; (!client_done || !server_done) && round < 20; ++round) {
        if (!client_done) {
          CpuMeter m(client_s);
          client_done = SSL_do_handshake(client.get()) == 1;
        }
        if (!server_done) {
          CpuMeter m(server_s);
          server_done = SSL_do_handshake(server.get()) == 1;
        }
      }
      if (!client_done || !server_done) throw std::runtime_error("handshake did not complete");
      {
        CpuMeter m(server_s);
        SSL_write(server.get(), "250 ok\r\n", 8);
      }
      int got = 0;
      {
        CpuMeter m(client_s);
        got = SSL_read(client.get(), buffer, sizeof buffer);
        if (SSL_get_verify_result(client.get()) == X509_V_OK && log.errors.empty()) ++trusted;
        client.reset();
      }
      {
        CpuMeter m(server_s);
        server.reset();
      }
      if (got != 8) throw std::runtime_error("the client did not read the server's line");
    }

    // Parsing one certificate, as libssl does for each one a server sends: in
    // OpenSSL's default library context, and in the scanner client's own one
    // (tls_library_context.hpp), where libssl parses them.
    const mxscan::X509Ptr leaf = read_leaf(chain);
    unsigned char* der = nullptr;
    const int der_len = i2d_X509(leaf.get(), &der);
    const long parses = count;
    auto time_parses = [&](OSSL_LIB_CTX* libctx) {
      double parse_s = 0;
      {
        CpuMeter m(parse_s);  // adds to parse_s when it goes out of scope
        for (long i = 0; i < parses; ++i) {
          const unsigned char* p = der;
          mxscan::X509Ptr parsed(X509_new_ex(libctx, nullptr));
          X509* out = parsed.get();
          if (!out || !d2i_X509(&out, &p, der_len)) {
            (void)parsed.release();  // a failed d2i has freed the object it was given
            throw std::runtime_error("d2i_X509 failed");
          }
        }
      }
      return parse_s;
    };
    const double default_parse_s = time_parses(nullptr);
    const double client_parse_s = time_parses(client_ctx.library_context());
    OPENSSL_free(der);

    const double n = static_cast<double>(count);
    std::printf(
        "tls handshakes=%ld trusted=%zu client_us=%.1f server_us=%.1f d2i_x509_us=%.1f "
        "client_d2i_x509_us=%.1f version=%s\n",
        count, trusted, client_s * 1e6 / n, server_s * 1e6 / n,
        default_parse_s * 1e6 / static_cast<double>(parses),
        client_parse_s * 1e6 / static_cast<double>(parses), OpenSSL_version(OPENSSL_VERSION));
    return trusted == static_cast<std::size_t>(count) ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mxscan-tls-floor: %s\n", e.what());
    ERR_print_errors_fp(stderr);
    return 1;
  }
}
