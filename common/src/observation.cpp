#include "mxscan/common/observation.hpp"

#include <array>
#include <tuple>
#include <utility>

namespace mxscan {
namespace {

template <typename Enum, std::size_t N>
using NameTable = std::array<std::pair<Enum, std::string_view>, N>;

constexpr NameTable<DnsStatus, 12> kDnsNames{{
    {DnsStatus::ok, "ok"},
    {DnsStatus::nodata, "nodata"},
    {DnsStatus::nxdomain, "nxdomain"},
    {DnsStatus::servfail, "servfail"},
    {DnsStatus::refused, "refused"},
    {DnsStatus::timeout, "timeout"},
    {DnsStatus::error, "error"},
    {DnsStatus::null_mx, "null_mx"},
    {DnsStatus::invalid_name, "invalid_name"},
    {DnsStatus::address_literal, "address_literal"},
    {DnsStatus::cname_loop, "cname_loop"},
    {DnsStatus::not_queried, "not_queried"},
}};

constexpr NameTable<SmtpPhase, 9> kPhaseNames{{
    {SmtpPhase::none, "none"},
    {SmtpPhase::connect, "connect"},
    {SmtpPhase::greeting, "greeting"},
    {SmtpPhase::ehlo, "ehlo"},
    {SmtpPhase::starttls, "starttls"},
    {SmtpPhase::tls_handshake, "tls_handshake"},
    {SmtpPhase::ehlo_tls, "ehlo_tls"},
    {SmtpPhase::quit, "quit"},
    {SmtpPhase::done, "done"},
}};

// Hyphenated names, as in ZGrab2's vocabulary, which users compare these statuses with.
constexpr NameTable<SmtpStatus, 16> kSmtpNames{{
    {SmtpStatus::success, "success"},
    {SmtpStatus::refused, "refused"},
    {SmtpStatus::connect_timeout, "connect-timeout"},
    {SmtpStatus::reset, "reset"},
    {SmtpStatus::closed, "closed"},
    {SmtpStatus::greeting_timeout, "greeting-timeout"},
    {SmtpStatus::not_smtp, "not-smtp"},
    {SmtpStatus::greeting_4xx, "greeting-4xx"},
    {SmtpStatus::greeting_5xx, "greeting-5xx"},
    {SmtpStatus::ehlo_failed, "ehlo-failed"},
    {SmtpStatus::starttls_refused, "starttls-refused"},
    {SmtpStatus::tls_failed, "tls-failed"},
    {SmtpStatus::io_timeout, "io-timeout"},
    {SmtpStatus::protocol_error, "protocol-error"},
    {SmtpStatus::blocked, "blocked"},
    {SmtpStatus::not_contacted, "not-contacted"},
}};

template <typename Enum, std::size_t N>
std::string_view name_of(const NameTable<Enum, N>& table, Enum value) noexcept {
  for (const auto& [e, name] : table) {
    if (e == value) return name;
  }
  return "unknown";
}

template <typename Enum, std::size_t N>
std::optional<Enum> value_of(const NameTable<Enum, N>& table, std::string_view text) noexcept {
  for (const auto& [e, name] : table) {
    if (name == text) return e;
  }
  return std::nullopt;
}

}  // namespace

std::string_view to_string(DnsStatus s) noexcept { return name_of(kDnsNames, s); }
std::string_view to_string(SmtpPhase p) noexcept { return name_of(kPhaseNames, p); }
std::string_view to_string(SmtpStatus s) noexcept { return name_of(kSmtpNames, s); }
std::optional<DnsStatus> parse_dns_status(std::string_view s) noexcept {
  return value_of(kDnsNames, s);
}
std::optional<SmtpPhase> parse_smtp_phase(std::string_view s) noexcept {
  return value_of(kPhaseNames, s);
}
std::optional<SmtpStatus> parse_smtp_status(std::string_view s) noexcept {
  return value_of(kSmtpNames, s);
}

namespace {

// Empties a part a record keeps across reset(), without freeing its buffers.
template <typename T>
void empty(std::vector<T>& list) noexcept {
  list.clear();
}
void empty(CertificateInfo& leaf) noexcept { leaf.reset(); }

// Assigns `record` a default-constructed value, then puts back the `kept`
// members (lists, nested records), emptied, so their buffers serve the next
// record. Strings need no such care: libstdc++ copies a short (here empty)
// string into the existing buffer instead of freeing it.
template <typename Record, typename... Kept>
void reset_keeping(Record& record, Kept&... kept) noexcept {
  std::tuple<Kept...> parked{std::move(kept)...};
  record = Record{};
  // `kept` is assigned before it is read again (the check sees only the capture).
  // NOLINTNEXTLINE(bugprone-use-after-move)
  std::apply([&](Kept&... back) { ((kept = std::move(back), empty(kept)), ...); }, parked);
}

}  // namespace

void MxRecord::reset() noexcept { reset_keeping(*this, cnames, addresses); }
// The MX records themselves are destroyed: a reader that wants their buffers parks them first.
void DomainObs::reset() noexcept { reset_keeping(*this, cnames, mx); }
void CertificateInfo::reset() noexcept { reset_keeping(*this, sans); }
void TlsObs::reset() noexcept { reset_keeping(*this, chain_der, leaf); }
// Likewise the TLS record: parked first by a reader that wants its buffers.
void HostObs::reset() noexcept { reset_keeping(*this); }

}  // namespace mxscan
