#pragma once
// Generic wire codecs driven by shapes (see shape.hpp). No sockets, no engines.
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "sluice/common/result.hpp"
#include "sluice/protocol/shape.hpp"

namespace sluice::protocol {

using Json = nlohmann::json;
// Form parameters in name order (AWS Query). Duplicate names: the last one wins.
using FormParams = std::map<std::string, std::string>;

// Decodes an application/x-www-form-urlencoded string. Malformed percent escapes and
// invalid UTF-8 fail with the Query error AWS returns for them.
Result<FormParams> decode_form(std::string_view body);

// AWS Query: form parameters -> neutral JSON for `shape` (a structure). Type errors
// (a non-numeric integer, a bad boolean) fail with the given service's Query error.
Result<Json> query_to_json(const FormParams& params, const Shape& shape);

// AWS JSON: checks that `value` fits `shape` (types, nesting) and drops members the
// shape does not know. Mismatches fail with SerializationException.
Result<Json> json_conform(const Json& value, const Shape& shape);
// The same on `value` itself (no copy): what the dispatcher uses.
Status json_conform_in_place(Json& value, const Shape& shape);

// Required members missing anywhere in `value`: returns the dotted path of the first
// one, or an empty string when all are present. `query_names` selects the Query wire
// names for the path (for the MissingParameter message).
std::string first_missing_required(const Json& value, const Shape& shape, bool query_names);

// Appends the XML for a structure's members (not the enclosing element).
void json_to_xml(const Json& value, const Shape& shape, std::string& out);

// XML text escaping: & < > " ' as entities, CR as "&#xD;" (so parsers do not turn it
// into LF). What XML 1.0 cannot carry at all (other C0 controls, U+FFFE/U+FFFF,
// invalid UTF-8) becomes U+FFFD, so the document always parses.
void xml_escape(std::string_view in, std::string& out);

}  // namespace sluice::protocol
