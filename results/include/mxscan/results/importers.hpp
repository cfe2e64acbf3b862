// Importers of other tools' data (`mxscan infer --from KIND FILE`, docs/import.md):
// ZDNS MXLOOKUP lines become DomainObs, ZGrab2 smtp and Censys-style port-25
// records become HostObs, so the inference that reads them is the very code
// that reads a native scan.
//
// Design note. Each format is a per-line parser (line text in, record or
// reason out) plus one file driver shared by all three; a malformed line is a
// ReadProblem (file:line, reason) handed to the handler and never stops the
// import, exactly as the native reader does. Only what the observation model
// can hold is taken; what the other tool does not say is left at the model's
// "unknown" value and documented (ZDNS does not say why an exchange has no
// address: such exchanges read as nodata; ZGrab2 sends no EHLO after TLS).
// An ASN source, when given, fills the AS of hosts whose record carries none.
#pragma once

#include "mxscan/common/asn/asn_source.hpp"
#include "mxscan/common/observation_jsonl_reader.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace mxscan {

enum class ImportFormat : std::uint8_t { zdns, zgrab2, censys };

std::optional<ImportFormat> parse_import_format(std::string_view text) noexcept;
std::string_view to_string(ImportFormat format) noexcept;

// One line of each format; `line_no` becomes DomainObs::line for ZDNS (the
// record's line in its file: ZDNS output carries no input rank).
ParsedLine import_zdns_line(std::string_view line, std::uint64_t line_no);
ParsedLine import_zgrab2_line(std::string_view line);
ParsedLine import_censys_line(std::string_view line);

// Reads `path` line by line into `handler` (blank lines skipped). `asn` may be
// null. Throws std::runtime_error only when the file cannot be read.
ReadCounts import_file(ImportFormat format, const std::string& path, ObservationHandler& handler,
                       const AsnSource* asn);

namespace import_detail {
// SMTP reply text as the scanner stores it: lines joined by '\n', CR LF removed.
std::string reply_text(std::string_view raw);
// True when an EHLO reply lists the STARTTLS extension.
bool lists_starttls(std::string_view ehlo);
}  // namespace import_detail

}  // namespace mxscan
