#include "mxscan/scanner/run/observation_logs.hpp"

#include "mxscan/common/observation_jsonl_writer.hpp"

namespace mxscan {

ObservationLogs::ObservationLogs(const std::filesystem::path& dir, RecordLog::Mode mode,
                                 std::function<void()> on_error)
    : domains_((dir / "domains.jsonl").string(), mode),
      hosts_((dir / "hosts.jsonl").string(), mode),
      on_error_(std::move(on_error)) {}

template <typename Write>
void ObservationLogs::guarded(Write write) {
  try {
    write();
  } catch (const RecordLogError& e) {
    {
      std::lock_guard lock(error_mutex_);
      if (error_.empty()) error_ = e.what();
    }
    if (!failed_.exchange(true)) on_error_();
  }
}

void ObservationLogs::add(const DomainObs& obs) {
  std::lock_guard lock(domains_mutex_);
  if (failed_.load()) return;
  domain_text_.clear();
  append_jsonl(domain_text_, obs);
  guarded([&] { domains_.append_lines(domain_text_); });
}

void ObservationLogs::add(const HostObs& obs) {
  std::lock_guard lock(hosts_mutex_);
  if (failed_.load()) return;
  host_text_.clear();
  append_jsonl(host_text_, obs);
  guarded([&] { hosts_.append_lines(host_text_); });
}

void ObservationLogs::flush() {
  {
    std::lock_guard lock(domains_mutex_);
    if (!failed_.load()) guarded([&] { domains_.flush(); });
  }
  std::lock_guard lock(hosts_mutex_);
  if (!failed_.load()) guarded([&] { hosts_.flush(); });
}

std::uint64_t ObservationLogs::truncated_bytes() const {
  return domains_.truncated_bytes() + hosts_.truncated_bytes();
}

std::string ObservationLogs::error() const {
  std::lock_guard lock(error_mutex_);
  return error_;
}

}  // namespace mxscan
