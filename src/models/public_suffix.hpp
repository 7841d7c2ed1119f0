// The Public Suffix List (publicsuffix.org) through libpsl: which domains no cookie may name.
#pragma once

#include <string_view>

namespace httpx::detail {

/// True when `domain` (lower-case, ASCII/punycode, no leading dot) is a public suffix such as
/// "com", "co.uk" or "github.io", by the newest list on the system (Debian's `publicsuffix`
/// package, /usr/share/publicsuffix) or else the one built into libpsl. Unlisted top-level
/// names count as public suffixes (the list's implicit "*" rule, as libpsl and curl use it).
bool is_public_suffix(std::string_view domain);

}  // namespace httpx::detail
