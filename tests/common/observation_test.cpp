#include "mxscan/common/observation.hpp"

#include <catch2/catch.hpp>

using namespace mxscan;

TEST_CASE("status names round-trip through text") {
  for (int i = 0; i <= static_cast<int>(DnsStatus::not_queried); ++i) {
    auto s = static_cast<DnsStatus>(i);
    CHECK(parse_dns_status(to_string(s)) == s);
  }
  for (int i = 0; i <= static_cast<int>(SmtpStatus::not_contacted); ++i) {
    auto s = static_cast<SmtpStatus>(i);
    CHECK(parse_smtp_status(to_string(s)) == s);
  }
  for (int i = 0; i <= static_cast<int>(SmtpPhase::done); ++i) {
    auto p = static_cast<SmtpPhase>(i);
    CHECK(parse_smtp_phase(to_string(p)) == p);
  }
}

TEST_CASE("SMTP statuses use the documented hyphenated names") {
  CHECK(to_string(SmtpStatus::connect_timeout) == "connect-timeout");
  CHECK(to_string(SmtpStatus::greeting_4xx) == "greeting-4xx");
  CHECK_FALSE(parse_smtp_status("connect_timeout").has_value());
  CHECK_FALSE(parse_dns_status("").has_value());
}

TEST_CASE("reset() gives every field its default value and keeps the lists' buffers") {
  DomainObs d;
  d.domain = "a-domain-name-longer-than-the-small-string-buffer.example";
  d.line = 4;
  d.mx_status = DnsStatus::servfail;
  d.mx_capped = true;
  d.cnames = {"alias.example"};
  d.mx.resize(3);
  d.error = "failure";
  const auto* cnames_buffer = d.cnames.data();
  d.reset();
  CHECK(d == DomainObs{});
  CHECK(d.cnames.capacity() >= 1);
  CHECK(d.cnames.data() == cnames_buffer);
  CHECK(d.mx.capacity() >= 3);

  HostObs h;
  h.address = "192.0.2.1";
  h.port = 587;
  h.asn = 64496;
  h.status = SmtpStatus::success;
  h.phase = SmtpPhase::done;
  h.starttls_offered = true;
  h.plaintext_after_starttls = 3;
  h.tls.emplace().leaf.sans = {"mx.example"};
  h.duration_ms = 1.5;
  h.reset();
  CHECK(h == HostObs{});

  TlsObs tls;
  tls.version = "TLSv1.3";
  tls.chain_der = {"der"};
  tls.leaf.sans = {"mx.example", "mx2.example"};
  tls.trusted = true;
  tls.chain_truncated = true;
  tls.reset();
  CHECK(tls == TlsObs{});
  CHECK(tls.chain_der.capacity() >= 1);
  CHECK(tls.leaf.sans.capacity() >= 2);

  MxRecord mx{"mx.example", 10, DnsStatus::ok, {"alias.example"}, {"192.0.2.1"}};
  mx.reset();
  CHECK(mx == MxRecord{});
  CHECK(mx.addresses.capacity() >= 1);
}
