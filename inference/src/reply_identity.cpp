#include "mxscan/inference/reply_identity.hpp"

namespace mxscan {

ReplyIdentity identify_reply(std::string_view reply, const Catalog& catalog,
                             const PublicSuffixList& psl) {
  return identify_reply_with(reply, catalog,
                             [&](std::string_view fqdn) { return psl.registered_domain(fqdn); });
}

}  // namespace mxscan
