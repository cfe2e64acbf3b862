// RFC 4180 fields for the CSV files of the report's export.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace mxscan {

// Quoted only when it holds a comma, quote, CR or LF; quotes doubled.
void append_csv_field(std::string& out, std::string_view field);
// The fields joined by commas, ended by "\n".
std::string csv_row(const std::vector<std::string>& fields);

}  // namespace mxscan
