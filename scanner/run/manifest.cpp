#include "mxscan/scanner/run/manifest.hpp"

#include <simdjson.h>
#include <toml++/toml.h>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "mxscan/scanner/run/build_info.hpp"

namespace mxscan {
namespace {

toml::table counts_table(const ScanSnapshot& s) {
  toml::table domains;
  for (std::size_t i = 0; i < kDnsStatusCount; ++i) {
    if (s.domains_by_status[i] > 0) {
      domains.insert(to_string(static_cast<DnsStatus>(i)),
                     static_cast<std::int64_t>(s.domains_by_status[i]));
    }
  }
  toml::table hosts;
  for (std::size_t i = 0; i < kSmtpStatusCount; ++i) {
    if (s.hosts_by_status[i] > 0) {
      hosts.insert(to_string(static_cast<SmtpStatus>(i)),
                   static_cast<std::int64_t>(s.hosts_by_status[i]));
    }
  }
  toml::table t;
  t.insert("domains_done", static_cast<std::int64_t>(s.domains_done));
  t.insert("domains_invalid", static_cast<std::int64_t>(s.domains_invalid));
  t.insert("dns_queries", static_cast<std::int64_t>(s.dns_queries));
  t.insert("smtp_sessions", static_cast<std::int64_t>(s.smtp_started));
  t.insert("domains_by_dns_status", std::move(domains));
  t.insert("hosts_by_smtp_status", std::move(hosts));
  return t;
}

}  // namespace

std::string_view to_string(ScanState s) noexcept {
  switch (s) {
    case ScanState::running:
      return "running";
    case ScanState::complete:
      return "complete";
    case ScanState::interrupted:
      return "interrupted";
    case ScanState::failed:
      return "failed";
  }
  return "running";
}

std::optional<ScanState> parse_scan_state(std::string_view text) noexcept {
  for (auto s :
       {ScanState::running, ScanState::complete, ScanState::interrupted, ScanState::failed}) {
    if (to_string(s) == text) return s;
  }
  return std::nullopt;
}

std::string_view to_string(ScanPhase p) noexcept {
  switch (p) {
    case ScanPhase::scan:
      return "scan";
    case ScanPhase::resolve:
      return "resolve";
    case ScanPhase::probe:
      return "probe";
  }
  return "scan";
}

std::optional<ScanPhase> parse_scan_phase(std::string_view text) noexcept {
  for (auto p : {ScanPhase::scan, ScanPhase::resolve, ScanPhase::probe}) {
    if (to_string(p) == text) return p;
  }
  return std::nullopt;
}

std::string utc_now_iso8601() {
  auto now = std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", now);
}

std::string manifest_json(const Manifest& m) {
  toml::table root;
  root.insert("schema", "mxscan/manifest/1");
  toml::table versions;
  for (const auto& [name, version] : build_info(m.config.inference.psl_file)) {
    versions.insert(name, version);
  }
  root.insert("versions", std::move(versions));
  root.insert("state", to_string(m.state));
  root.insert("command_line", m.command_line);
  root.insert("started", m.started);
  root.insert("ended", m.ended);
  root.insert("resumes", static_cast<std::int64_t>(m.resumes));
  root.insert("domains_file", m.domains_file);
  root.insert("shard", m.shard);
  root.insert("phase", to_string(m.phase));
  if (m.phase == ScanPhase::probe) {
    toml::array inputs;
    for (const auto& in : m.resolve_inputs) {
      inputs.push_back(toml::table{{"path", in.path},
                                   {"shard", in.shard},
                                   {"state", in.state},
                                   {"addresses_sha256", in.addresses_sha256}});
    }
    root.insert("resolve_inputs", std::move(inputs));
    root.insert("rate", toml::table{{"campaign", m.campaign_rate}, {"share", m.config.smtp.rate}});
  }
  root.insert("dry_run", m.dry_run);
  root.insert("ehlo_name", m.ehlo_name);
  root.insert("configuration", toml::parse(to_toml(m.config)));
  toml::table digests;
  for (const auto& [path, digest] : m.file_digests) digests.insert(path, digest);
  root.insert("file_sha256", std::move(digests));
  toml::table input;
  for (const auto& [key, value] : m.input_counts) {
    input.insert(key, static_cast<std::int64_t>(value));
  }
  root.insert("input", std::move(input));
  root.insert("counts", counts_table(m.counts));
  toml::array overrides;
  for (const auto& o : m.resume_overrides) {
    overrides.push_back(toml::table{{"resume", static_cast<std::int64_t>(o.resume)},
                                    {"option", o.option},
                                    {"setting", o.setting},
                                    {"old", o.old_value},
                                    {"new", o.new_value}});
  }
  root.insert("resume_overrides", std::move(overrides));
  toml::array notes;
  for (const auto& n : m.notes) notes.push_back(n);
  root.insert("notes", std::move(notes));
  std::ostringstream os;
  os << toml::json_formatter{root} << "\n";
  return os.str();
}

namespace {

// Write-then-rename: a kill or a full disk leaves either the old file or the
// new one, never an empty or partial one (--resume reads both files back).
void replace_file(const std::filesystem::path& path, const std::string& text) {
  auto tmp_path = path;
  tmp_path += ".tmp";
  {
    std::ofstream out(tmp_path, std::ios::trunc);
    out << text;
    out.flush();
    if (!out) throw std::runtime_error("cannot write " + tmp_path.string());
  }
  std::error_code ec;
  std::filesystem::rename(tmp_path, path, ec);
  if (ec) throw std::runtime_error("cannot write " + path.string() + ": " + ec.message());
}

}  // namespace

void write_manifest(const std::string& dir, const Manifest& m) {
  // config.toml first: a manifest never names settings that are not on disk.
  replace_file(std::filesystem::path(dir) / "config.toml",
               "# Effective configuration of this scan (read back by --resume).\n" +
                   to_toml(m.config) + "\n");
  replace_file(std::filesystem::path(dir) / "manifest.json", manifest_json(m));
}

void finish_manifest(const std::string& dir, Manifest& m, ScanState state,
                     const ScanSnapshot& counts) {
  m.state = state;
  m.ended = utc_now_iso8601();
  m.counts = counts;
  write_manifest(dir, m);
}

Manifest read_manifest(const std::string& dir) {
  auto path = (std::filesystem::path(dir) / "manifest.json").string();
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (auto err = parser.load(path).get(doc); err) {
    throw std::runtime_error("cannot read " + path + " (" + simdjson::error_message(err) +
                             "): is " + dir + " an mxscan results folder?");
  }
  Manifest m;
  auto text = [&](const char* key) -> std::string {
    std::string_view v;
    if (doc[key].get(v) != simdjson::SUCCESS) {
      throw std::runtime_error(path + ": missing or bad field '" + key + "'");
    }
    return std::string(v);
  };
  const std::string state = text("state");
  if (const auto known = parse_scan_state(state)) {
    m.state = *known;
  } else {
    throw std::runtime_error(path + ": unknown state '" + state +
                             "' (running, interrupted, complete or failed): not a results "
                             "folder this mxscan can continue");
  }
  m.command_line = text("command_line");
  m.started = text("started");
  m.domains_file = text("domains_file");
  m.shard = text("shard");
  std::string_view phase = "scan";  // folders written before phases existed
  if (doc["phase"].get(phase) == simdjson::SUCCESS ||
      doc["phase"].error() == simdjson::NO_SUCH_FIELD) {
    const auto known = parse_scan_phase(phase);
    if (!known) throw std::runtime_error(path + ": unknown phase '" + std::string(phase) + "'");
    m.phase = *known;
  } else {
    throw std::runtime_error(path + ": bad field 'phase'");
  }
  simdjson::dom::array inputs;
  if (doc["resolve_inputs"].get(inputs) == simdjson::SUCCESS) {
    for (simdjson::dom::element in : inputs) {
      std::string_view p, shard, in_state, digest;
      if (in["path"].get(p) != simdjson::SUCCESS || in["shard"].get(shard) != simdjson::SUCCESS ||
          in["state"].get(in_state) != simdjson::SUCCESS ||
          in["addresses_sha256"].get(digest) != simdjson::SUCCESS) {
        throw std::runtime_error(path + ": bad entry in 'resolve_inputs'");
      }
      m.resolve_inputs.push_back(
          {std::string(p), std::string(shard), std::string(in_state), std::string(digest)});
    }
  }
  simdjson::dom::object input;
  if (doc["input"].get(input) == simdjson::SUCCESS) {
    for (auto field : input) {
      std::uint64_t value = 0;
      if (field.value.get(value) == simdjson::SUCCESS)
        m.input_counts[std::string(field.key)] = value;
    }
  }
  double campaign_rate = 0;
  if (doc["rate"]["campaign"].get(campaign_rate) == simdjson::SUCCESS)
    m.campaign_rate = campaign_rate;
  m.ehlo_name = text("ehlo_name");
  bool dry = false;
  if (doc["dry_run"].get(dry) == simdjson::SUCCESS) m.dry_run = dry;
  std::int64_t resumes = 0;
  if (doc["resumes"].get(resumes) == simdjson::SUCCESS && resumes >= 0) {
    m.resumes = static_cast<std::uint32_t>(resumes);
  }
  simdjson::dom::array overrides;
  if (doc["resume_overrides"].get(overrides) == simdjson::SUCCESS) {
    for (simdjson::dom::element o : overrides) {
      ResumeOverride r;
      std::int64_t resume = 0;
      std::string_view option, setting, old_value, new_value;
      if (o["resume"].get(resume) != simdjson::SUCCESS ||
          o["option"].get(option) != simdjson::SUCCESS ||
          o["setting"].get(setting) != simdjson::SUCCESS ||
          o["old"].get(old_value) != simdjson::SUCCESS ||
          o["new"].get(new_value) != simdjson::SUCCESS || resume < 0) {
        throw std::runtime_error(path + ": bad entry in 'resume_overrides'");
      }
      m.resume_overrides.push_back({static_cast<std::uint32_t>(resume), std::string(option),
                                    std::string(setting), std::string(old_value),
                                    std::string(new_value)});
    }
  }
  m.config = load_scan_config((std::filesystem::path(dir) / "config.toml").string());
  return m;
}

}  // namespace mxscan
