#include "mxscan/scanner/smtp/smtp_options.hpp"

#include <sys/resource.h>

#include <catch2/catch.hpp>

using mxscan::is_fqdn;
using mxscan::SmtpOptions;

TEST_CASE("FQDN check for the EHLO name") {
  CHECK(is_fqdn("scanner.example.edu"));
  CHECK(is_fqdn("scan-01.lab.example.org."));
  CHECK_FALSE(is_fqdn("localhost"));
  CHECK_FALSE(is_fqdn(""));
  CHECK_FALSE(is_fqdn("192.0.2.1"));
  CHECK_FALSE(is_fqdn("-bad.example.com"));
  CHECK_FALSE(is_fqdn("bad_.example.com"));
  CHECK_FALSE(is_fqdn("a..example.com"));
  CHECK_FALSE(is_fqdn(std::string(64, 'a') + ".example.com"));
}

TEST_CASE("resolve_ehlo_name: explicit name, or a clear error") {
  CHECK(mxscan::resolve_ehlo_name("scanner.example.edu") == "scanner.example.edu");
  CHECK_THROWS_WITH(mxscan::resolve_ehlo_name("scanner"), Catch::Contains("--ehlo-name"));
  // The host name path either yields a FQDN or explains what to pass.
  std::string name, error;
  try {
    name = mxscan::resolve_ehlo_name("");
  } catch (const std::runtime_error& e) {
    error = e.what();
  }
  if (error.empty()) {
    CHECK(is_fqdn(name));
  } else {
    CHECK(error.find("--ehlo-name FQDN") != std::string::npos);
  }
}

TEST_CASE("option validation names the option at fault") {
  SmtpOptions o;
  CHECK_NOTHROW(o.validate());
  o.port = 0;
  CHECK_THROWS_WITH(o.validate(), Catch::Contains("--smtp-port"));
  o = SmtpOptions{};
  o.ehlo_name = "nodots";
  CHECK_THROWS_WITH(o.validate(), Catch::Contains("--ehlo-name"));
  o = SmtpOptions{};
  o.threads = 0;
  CHECK_THROWS(o.validate());
}

TEST_CASE("RLIMIT_NOFILE is checked against the concurrency") {
  rlimit lim{};
  REQUIRE(getrlimit(RLIMIT_NOFILE, &lim) == 0);
  CHECK_NOTHROW(mxscan::ensure_fd_limit(64));
  if (lim.rlim_max != RLIM_INFINITY) {
    // Far beyond what the kernel allows at all (fs.nr_open): always refused, with advice.
    CHECK_THROWS_WITH(mxscan::ensure_fd_limit(std::size_t{1} << 40), Catch::Contains("ulimit -n"));
  }
  SmtpOptions o;
  o.max_in_flight = 5000;
  CHECK(mxscan::fds_needed(o) > 5000);
}
