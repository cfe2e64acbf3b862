#include "mxscan/scanner/dns/resolver_probe.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fmt/format.h>

#include <exception>
#include <optional>

#include "mxscan/common/host_name.hpp"
#include "mxscan/common/names.hpp"
#include "mxscan/scanner/dns/dns_message.hpp"
#include "mxscan/scanner/dns/dns_resolver.hpp"

namespace mxscan {
namespace {

constexpr const char* kSystemResolvers = "the resolvers of /etc/resolv.conf";

// The name as the resolver asks it: "" is the root (c-ares sends "." then).
std::string query_name(const std::string& name) {
  if (name == "." || name.empty()) return {};
  return normalise_name(name);
}

std::string outcome_text(const ResolverProbeResult& r) {
  switch (r.status) {
    case DnsStatus::timeout:
      return "no answer (timed out on every try)";
    case DnsStatus::refused:
      return "answered REFUSED";
    case DnsStatus::servfail:
      return "answered SERVFAIL";
    case DnsStatus::error:
      return r.detail.empty() ? std::string("error") : r.detail;
    default:
      return std::string("answered ") + std::string(to_string(r.status));
  }
}

// Where one probe's outcome lands once its coroutine ends.
struct StoreResult {
  std::optional<ResolverProbeResult>* slot;
  std::exception_ptr* error;
  void operator()(const std::exception_ptr& e, ResolverProbeResult r) const {
    if (e) {
      if (!*error) *error = e;
      return;
    }
    *slot = std::move(r);
  }
};

}  // namespace

std::size_t ResolverProbeReport::answering() const noexcept {
  std::size_t n = 0;
  for (const auto& r : results) n += r.answered() ? 1 : 0;
  return n;
}

std::string ResolverProbeReport::what_was_asked() const {
  return fmt::format("SOA of \"{}\" (timeout {} ms, doubled on each of {} tr{})", name,
                     timeout.count(), tries, tries == 1 ? "y" : "ies");
}

std::string ResolverProbeReport::silent_list() const {
  std::string out;
  for (const auto& r : results) {
    if (r.answered()) continue;
    if (!out.empty()) out += "; ";
    out += r.resolver + ": " + outcome_text(r);
  }
  return out;
}

std::string probe_name_problem(const std::string& name) {
  const std::string q = query_name(name);
  if (q.empty()) return {};
  if (auto problem = host_name_problem(q)) {
    return "dns.probe_name '" + name + "' is not a host name (" + std::string(*problem) +
           "); use \".\" for the root";
  }
  return {};
}

boost::asio::awaitable<ResolverProbeResult> probe_resolver(boost::asio::io_context& io,
                                                           DnsOptions options, std::string name) {
  ResolverProbeResult result;
  result.resolver = options.resolvers.empty() ? kSystemResolvers : options.resolvers.front();
  if (options.resolvers.size() > 1) options.resolvers.resize(1);
  // One question: one channel, no rate limit, nobody counting it as scan traffic.
  options.channels = 1;
  options.threads = 1;
  options.max_in_flight = 1;
  options.qps = 0;
  options.progress = nullptr;
  Resolver resolver(io, options);
  dns::Answer answer = co_await resolver.query(query_name(name), dns::RrType::soa);
  resolver.close();
  result.status = answer.status;
  result.detail = answer.error;
  co_return result;
}

ResolverProbeReport probe_resolvers(const DnsOptions& options, const std::string& name) {
  if (std::string problem = check_dns_options(options); !problem.empty()) {
    throw std::invalid_argument(problem);
  }
  if (std::string problem = probe_name_problem(name); !problem.empty()) {
    throw std::invalid_argument(problem);
  }
  ResolverProbeReport report;
  report.name = name.empty() ? "." : name;
  report.timeout = options.timeout;
  report.tries = options.retries + 1;
  std::vector<DnsOptions> each;
  if (options.resolvers.empty()) {
    each.push_back(options);
  } else {
    for (const auto& r : options.resolvers) {
      DnsOptions one = options;
      one.resolvers = {r};
      each.push_back(std::move(one));
    }
  }
  boost::asio::io_context io(1);
  std::vector<std::optional<ResolverProbeResult>> slots(each.size());
  std::exception_ptr error;
  for (std::size_t i = 0; i < each.size(); ++i) {
    boost::asio::co_spawn(io, probe_resolver(io, each[i], name), StoreResult{&slots[i], &error});
  }
  io.run();
  if (error) std::rethrow_exception(error);
  for (auto& slot : slots) report.results.push_back(slot.value_or(ResolverProbeResult{}));
  return report;
}

std::string require_answering_resolver(const DnsOptions& options, const std::string& name,
                                       const std::string& on_resume) {
  ResolverProbeReport report;
  try {
    report = probe_resolvers(options, name);
  } catch (const std::invalid_argument& e) {
    throw ResolverProbeError(e.what());
  }
  if (report.answering() == report.results.size()) return {};
  if (report.answering() == 0) {
    const std::string what_now = on_resume.empty()
                                     ? "Nothing was contacted and no results folder was created."
                                     : "Nothing was contacted; " + on_resume +
                                           " is unchanged: continue with mxscan --resume " +
                                           on_resume + " once the resolver answers.";
    throw ResolverProbeError(fmt::format(
        "no DNS resolver answers: asked {}; {}. Check --resolver (or /etc/resolv.conf when none "
        "is given), --dns-timeout, or --probe-name for resolvers that do not serve the root. {}",
        report.what_was_asked(), report.silent_list(), what_now));
  }
  return fmt::format(
      "{} of {} DNS resolvers do not answer ({}); asked {}; continuing: c-ares moves a query "
      "that one of them leaves unanswered on to the next",
      report.results.size() - report.answering(), report.results.size(), report.silent_list(),
      report.what_was_asked());
}

}  // namespace mxscan
