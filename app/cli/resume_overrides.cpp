#include "resume_overrides.hpp"

#include <fmt/format.h>

#include <functional>
#include <string_view>

namespace mxscan {
namespace {

struct Changeable {
  std::string_view option;
  std::string_view key;
  std::function<std::string(const ScanConfig&)> value;
};

template <typename T>
std::string text(const T& v) {
  return fmt::format("{}", v);
}

const std::vector<Changeable>& changeable() {
  static const std::vector<Changeable> table = {
      {"--rate", "smtp.rate", [](const ScanConfig& c) { return text(c.smtp.rate); }},
      {"--dns-rate", "dns.rate", [](const ScanConfig& c) { return text(c.dns.rate); }},
      {"--dns-in-flight", "dns.max_in_flight",
       [](const ScanConfig& c) { return text(c.dns.max_in_flight); }},
      {"--concurrency", "smtp.concurrency",
       [](const ScanConfig& c) { return text(c.smtp.concurrency); }},
      {"--per-24", "smtp.per24_in_flight",
       [](const ScanConfig& c) { return text(c.smtp.per24_in_flight); }},
      {"--per-24-rate", "smtp.per24_rate",
       [](const ScanConfig& c) { return text(c.smtp.per24_rate); }},
      {"--threads", "smtp.threads", [](const ScanConfig& c) { return text(c.smtp.threads); }},
      {"--dns-threads", "dns.threads", [](const ScanConfig& c) { return text(c.dns.threads); }},
      {"--retries", "smtp.connect_retries",
       [](const ScanConfig& c) { return text(c.smtp.connect_retries); }},
      {"--dns-timeout", "dns.timeout_ms",
       [](const ScanConfig& c) { return text(c.dns.timeout_ms); }},
      {"--connect-timeout", "smtp.connect_timeout_ms",
       [](const ScanConfig& c) { return text(c.smtp.connect_timeout_ms); }},
      {"--greeting-timeout", "smtp.greeting_timeout_ms",
       [](const ScanConfig& c) { return text(c.smtp.greeting_timeout_ms); }},
      {"--reply-timeout", "smtp.reply_timeout_ms",
       [](const ScanConfig& c) { return text(c.smtp.reply_timeout_ms); }},
      {"--tls-timeout", "smtp.tls_timeout_ms",
       [](const ScanConfig& c) { return text(c.smtp.tls_timeout_ms); }},
      {"--session-timeout", "smtp.session_timeout_ms",
       [](const ScanConfig& c) { return text(c.smtp.session_timeout_ms); }},
  };
  return table;
}

const Changeable* find(const std::string& option) {
  for (const auto& c : changeable()) {
    if (c.option == option) return &c;
  }
  return nullptr;
}

}  // namespace

bool resume_may_change(const std::string& option) { return find(option) != nullptr; }

SettingText setting_text(const std::string& option, const ScanConfig& config) {
  const Changeable* c = find(option);
  if (c == nullptr) return {};
  return {std::string(c->key), c->value(config)};
}

std::string resume_changeable_options() {
  std::string out;
  for (const auto& c : changeable()) out += (out.empty() ? "" : ", ") + std::string(c.option);
  return out;
}

}  // namespace mxscan
