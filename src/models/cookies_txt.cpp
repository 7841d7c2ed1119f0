// Netscape cookies.txt, as curl writes it (lib/cookie.c, get_netscape_format) and reads it:
//   [#HttpOnly_]domain <TAB> TRUE|FALSE <TAB> path <TAB> TRUE|FALSE <TAB> expiry <TAB> name <TAB>
//   value
// The first TRUE/FALSE says whether subdomains match (curl then writes the domain with a
// leading dot), the second whether the cookie is Secure; expiry 0 is a session cookie.
#include "models/cookies_txt.hpp"

#include <charconv>
#include <stdexcept>

namespace httpx::detail {

namespace {

constexpr std::string_view kHttpOnlyPrefix = "#HttpOnly_";

std::vector<std::string_view> split_tabs(std::string_view line) {
    std::vector<std::string_view> fields;
    for (;;) {
        const auto tab = line.find('\t');
        fields.push_back(line.substr(0, tab));
        if (tab == std::string_view::npos) return fields;
        line.remove_prefix(tab + 1);
    }
}

std::optional<bool> parse_flag(std::string_view field) {
    if (field == "TRUE") return true;
    if (field == "FALSE") return false;
    return std::nullopt;
}

[[noreturn]] void malformed(std::size_t line_number, std::string_view why) {
    throw std::runtime_error("Malformed cookie file, line " + std::to_string(line_number) + ": " +
                             std::string(why));
}

}  // namespace

std::vector<Cookie> parse_cookies_txt(std::string_view text, std::int64_t now) {
    std::vector<Cookie> cookies;
    std::size_t line_number = 0;
    while (!text.empty()) {
        const auto newline = text.find('\n');
        std::string_view line = text.substr(0, newline);
        text = newline == std::string_view::npos ? std::string_view() : text.substr(newline + 1);
        ++line_number;
        if (line.ends_with('\r')) line.remove_suffix(1);

        Cookie cookie;
        if (line.starts_with(kHttpOnlyPrefix)) {
            cookie.http_only = true;
            line.remove_prefix(kHttpOnlyPrefix.size());
        } else if (line.empty() || line.front() == '#' ||
                   line.find_first_not_of(" \t") == std::string_view::npos) {
            continue;
        }
        const auto fields = split_tabs(line);
        // curl writes an empty value as a trailing tab, some tools leave the field out.
        if (fields.size() != 6 && fields.size() != 7) malformed(line_number, "not 7 fields");
        const auto subdomains = parse_flag(fields[1]);
        const auto secure = parse_flag(fields[3]);
        if (!subdomains || !secure) malformed(line_number, "a flag is neither TRUE nor FALSE");
        std::int64_t expires = 0;
        const auto [end, error] =
            std::from_chars(fields[4].data(), fields[4].data() + fields[4].size(), expires);
        if (error != std::errc() || end != fields[4].data() + fields[4].size())
            malformed(line_number, "the expiry is not a number");
        if (expires != 0 && expires <= now) continue;  // expired: as curl, not loaded

        std::string_view domain = fields[0];
        if (domain.starts_with('.')) domain.remove_prefix(1);
        if (domain.empty() || fields[5].empty()) malformed(line_number, "no domain or no name");
        cookie.domain = std::string(domain);
        cookie.host_only = !*subdomains;
        cookie.path = fields[2].empty() ? "/" : std::string(fields[2]);
        cookie.secure = *secure;
        if (expires != 0) cookie.expires = expires;
        cookie.name = std::string(fields[5]);
        if (fields.size() == 7) cookie.value = std::string(fields[6]);
        cookies.push_back(std::move(cookie));
    }
    return cookies;
}

std::string format_cookies_txt(const std::vector<Cookie>& cookies, std::int64_t now) {
    // curl's header: tools (Python's MozillaCookieJar) look for the first line.
    std::string out =
        "# Netscape HTTP Cookie File\n"
        "# https://curl.se/docs/http-cookies.html\n"
        "# Written by httpxx.\n\n";
    for (const auto& c : cookies) {
        if (c.domain.empty() || (c.expires && *c.expires <= now)) continue;
        if (c.http_only) out += kHttpOnlyPrefix;
        if (!c.host_only) out += '.';
        out += c.domain;
        out += c.host_only ? "\tFALSE\t" : "\tTRUE\t";
        out += c.path;
        out += c.secure ? "\tTRUE\t" : "\tFALSE\t";
        out += std::to_string(c.expires.value_or(0));
        out += '\t';
        out += c.name;
        out += '\t';
        out += c.value;
        out += '\n';
    }
    return out;
}

}  // namespace httpx::detail
