#include "mxscan/scanner/tls/tls_link.hpp"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ssl/error.hpp>
#include <new>

namespace mxscan {

void TlsLink::SslFree::operator()(ssl_st* ssl) const noexcept { SSL_free(ssl); }

TlsLink::TlsLink(ssl_ctx_st* ctx, Role role) : ssl_(SSL_new(ctx)) {
  if (!ssl_) throw std::bad_alloc();
  in_ = BIO_new(BIO_s_mem());
  out_ = BIO_new(BIO_s_mem());
  if (!in_ || !out_) {
    BIO_free(in_);
    BIO_free(out_);
    throw std::bad_alloc();
  }
  BIO_set_mem_eof_return(in_, -1);  // empty means "wait for more" until the peer closes
  SSL_set_bio(ssl_.get(), in_, out_);
  if (role == Role::server) {
    SSL_set_accept_state(ssl_.get());
  } else {
    SSL_set_connect_state(ssl_.get());
  }
}

TlsLink::~TlsLink() = default;

void TlsLink::clear_errors() noexcept { ERR_clear_error(); }

TlsLink::Step TlsLink::classify(int result) {
  const int err = result > 0 ? SSL_ERROR_NONE : SSL_get_error(ssl_.get(), result);
  if (err == SSL_ERROR_NONE) return Step::done;
  if (err == SSL_ERROR_WANT_READ && !peer_closed_) return Step::want_input;
  namespace asio = boost::asio;
  if (err == SSL_ERROR_ZERO_RETURN) {
    error_ = asio::error::eof;  // the peer's close_notify
  } else if (peer_closed_) {
    error_ = asio::ssl::error::stream_truncated;
  } else {
    error_ = boost::system::error_code(static_cast<int>(ERR_get_error()),
                                       asio::error::get_ssl_category());
  }
  return Step::failed;
}

std::string_view TlsLink::pending_output() const noexcept {
  char* data = nullptr;
  const long size = BIO_get_mem_data(out_, &data);
  return size > 0 ? std::string_view(data, static_cast<std::size_t>(size)) : std::string_view();
}

void TlsLink::output_sent() noexcept { (void)BIO_reset(out_); }

void TlsLink::received(std::size_t n) {
  if (n > input_.size()) n = input_.size();
  if (n > 0 && BIO_write(in_, input_.data(), static_cast<int>(n)) != static_cast<int>(n))
    throw std::bad_alloc();
}

void TlsLink::peer_closed() noexcept {
  peer_closed_ = true;
  BIO_set_mem_eof_return(in_, 0);
}

}  // namespace mxscan
