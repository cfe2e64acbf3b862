// mxscan-smtp-probe: scans the addresses read from stdin (one per line) with the SMTP
// stage and prints one TSV line per HostObs, for the lab-driven tests:
//   address status phase starttls_offered tls trusted verify_error plaintext_after_starttls
//   chain_certs banner_first_line error
//   mxscan-smtp-probe --port N [--ca-file PEM] [--allow CIDR]... [--timeout-ms N]
// Conduct defaults apply (blocklist, per-/24 caps) unless overridden here.
#include <cstdio>
#include <iostream>
#include <string>

#include "mxscan/scanner/smtp/smtp_stage.hpp"

int main(int argc, char** argv) {
  mxscan::SmtpOptions o;
  o.ehlo_name = "probe.scanner.lab.example";
  o.default_blocklist = MXSCAN_SOURCE_DIR "/configs/blocklist.conf";
  o.retries = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i], v = argv[i + 1];
    if (a == "--port")
      o.port = static_cast<std::uint16_t>(std::stoi(v));
    else if (a == "--ca-file")
      o.ca_file = v;
    else if (a == "--allow")
      o.allow.push_back(v);
    else if (a == "--timeout-ms") {
      const std::chrono::milliseconds t(std::stol(v));
      o.timeouts.greeting = o.timeouts.reply = o.timeouts.tls_handshake = o.timeouts.connect = t;
    } else {
      std::fprintf(stderr, "unknown option %s\n", a.c_str());
      return 2;
    }
  }
  try {
    mxscan::SmtpStage stage(o, nullptr, [](mxscan::HostObs h) {
      auto clean = [](std::string s) {
        for (auto& c : s)
          if (c == '\t' || c == '\n' || c == '\r') c = ' ';
        return s;
      };
      const std::string banner = h.banner.substr(0, h.banner.find('\n'));
      std::printf("%s\t%s\t%s\t%d\t%d\t%d\t%s\t%u\t%zu\t%s\t%s\n", h.address.c_str(),
                  std::string(mxscan::to_string(h.status)).c_str(),
                  std::string(mxscan::to_string(h.phase)).c_str(), h.starttls_offered ? 1 : 0,
                  h.tls ? 1 : 0, h.tls && h.tls->trusted ? 1 : 0,
                  clean(h.tls ? h.tls->verify_error : "").c_str(), h.plaintext_after_starttls,
                  h.tls ? h.tls->chain_der.size() : 0, clean(banner).c_str(),
                  clean(h.error).c_str());
      std::fflush(stdout);
    });
    std::string line;
    while (std::getline(std::cin, line))
      if (!line.empty()) stage.submit(line);
    stage.close();
    stage.wait();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "mxscan-smtp-probe: %s\n", e.what());
    return 1;
  }
  return 0;
}
