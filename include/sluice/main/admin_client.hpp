#pragma once
// `sluice health|reset|clock|peek`: a small client for the admin surface of a running
// sluice, so scripts and container health checks need no curl.
#include <string>
#include <vector>

namespace sluice {

// True when `args` starts with a client subcommand.
bool is_admin_command(const std::vector<std::string>& args);
// Runs the subcommand; returns the process exit code. A non-empty `admin_token` is sent
// as "Authorization: Bearer TOKEN".
int run_admin_command(const std::vector<std::string>& args, const std::string& default_host,
                      int default_port, const std::string& admin_token = "");

}  // namespace sluice
