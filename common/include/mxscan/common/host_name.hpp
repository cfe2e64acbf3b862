// Host name syntax (RFC 1123 LDH labels) shared by the domain list reader and the
// DNS stage, which applies it to MX exchanges.
//
// Design note. The check runs on normalised A-label text (lower case, no trailing
// dot) and says why a name is rejected, so an invalid record in the results carries
// a reason a person can act on. Underscores are rejected: they appear in service
// labels, never in host names a mail exchange or a registered domain can have.
#pragma once

#include <optional>
#include <string_view>

namespace mxscan {

// Reason the normalised text is not a host name, or nullopt when it is one.
// Rejects: empty name or label, label > 63, name > 253 octets, characters
// outside [a-z0-9-], labels starting or ending with '-', an all-numeric last
// label, URLs and IP address literals.
std::optional<std::string_view> host_name_problem(std::string_view name) noexcept;

}  // namespace mxscan
