// The Link header (RFC 8288) as HTTPX's Response.links reads it.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace httpx::detail {

/// HTTPX's _parse_header_links: one map per link, its "url" and its parameters ("rel", ...).
std::vector<std::map<std::string, std::string>> parse_header_links(std::string_view value);

/// Response.links: the links of a Link header value keyed by their "rel", or by their URL for
/// one without.
std::map<std::string, std::map<std::string, std::string>> links_by_rel(std::string_view value);

}  // namespace httpx::detail
