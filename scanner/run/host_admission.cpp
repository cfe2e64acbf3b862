#include "host_admission.hpp"

namespace mxscan {

void HostAdmission::submit(const std::string& address, const std::string& exchange) {
  if (!seen_.insert(address).second) return;
  if (dry_ != nullptr) {
    dry_->add(address);
    return;
  }
  counters_.smtp_started();
  if (smtp_->submit(address, exchange) == SubmitResult::closed) counters_.smtp_withdrawn();
}

}  // namespace mxscan
