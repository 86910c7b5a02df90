#include "sluice/services/lambda_target.hpp"

#include <vector>

#include "sluice/common/encoding.hpp"

namespace sluice::services {

std::string lambda_invoke_url(const std::string& base, const std::string& function,
                              std::string qualifier) {
  std::string name = function;
  if (name.rfind("arn:", 0) == 0) {
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (std::size_t colon; (colon = name.find(':', start)) != std::string::npos; start = colon + 1)
      parts.push_back(name.substr(start, colon - start));
    parts.push_back(name.substr(start));
    if (parts.size() >= 7 && parts[2] == "lambda" && parts[5] == "function") {
      if (qualifier.empty() && parts.size() >= 8) qualifier = parts[7];
      name = parts[6];
    }
  }
  std::string url = base;
  while (!url.empty() && url.back() == '/')
    url.pop_back();
  url += "/2015-03-31/functions/" + url_encode(name) + "/invocations";
  if (!qualifier.empty()) url += "?Qualifier=" + url_encode(qualifier);
  return url;
}

}  // namespace sluice::services
