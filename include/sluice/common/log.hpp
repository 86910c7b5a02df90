#pragma once
// One named spdlog logger per module (STYLE.md). spdlog is header-light when fmt is
// external (Debian builds it with SPDLOG_FMT_EXTERNAL).
#include <memory>
#include <string>

#include <spdlog/spdlog.h>

namespace sluice {

// Returns (creating on first use) the logger named `module`.
std::shared_ptr<spdlog::logger> logger(const std::string& module);
// "trace", "debug", "info", "warn", "error", "off"; false if unknown.
bool set_log_level(const std::string& level);

}  // namespace sluice
