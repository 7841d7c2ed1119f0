// A .netrc parser with the rules of Python's `netrc` module (3.11), which HTTPX's NetRCAuth uses.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace httpx::detail {

struct NetrcEntry {
    std::string login{};
    std::string account{};
    std::string password{};
};

struct NetrcFile {
    /// Entries by machine name; a machine listed twice keeps its last entry (as Python).
    std::map<std::string, NetrcEntry, std::less<>> hosts{};
    /// The `default` entry, used for machines without one of their own.
    std::optional<NetrcEntry> default_entry{};
    /// `macdef` bodies (lines with their '\n'), kept only because Python keeps them.
    std::map<std::string, std::vector<std::string>, std::less<>> macros{};

    /// The entry for `host`, else the default entry, else nullopt (Python's `authenticators`).
    std::optional<NetrcEntry> authenticators(std::string_view host) const;
};

/// Parses .netrc text: whitespace-separated tokens, `"quoted tokens"`, backslash escapes,
/// `#` comments to the end of the line; top-level `machine NAME`, `default`, `macdef NAME`
/// (body up to an empty line); entry keys `login` (or `user`), `account`, `password`. Throws
/// `std::runtime_error` ("bad toplevel token 'x' (file, line N)", as Python) on a syntax error.
/// `filename` only appears in messages.
NetrcFile parse_netrc(std::string_view text, std::string_view filename = {});

/// The file NetRCAuth reads when none is given: $NETRC when set and not empty, else ~/.netrc.
std::filesystem::path default_netrc_path();

/// Reads and parses `path`. Throws `std::filesystem::filesystem_error` when it cannot be read.
/// With `check_permissions` (the ~/.netrc fallback, as Python's check), also throws
/// `std::runtime_error` when the file is not owned by the current user or is accessible by
/// group or others, unless every entry's login is "anonymous".
NetrcFile load_netrc(const std::filesystem::path& path, bool check_permissions = false);

}  // namespace httpx::detail
