// RFC 6265 §5.1.1 (cookie-date) and §5.2 (the Set-Cookie field), step by step.
#include "models/set_cookie.hpp"

#include "httpx/headers.hpp"  // iequals

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdio>
#include <limits>

namespace httpx::detail {

namespace {

constexpr std::string_view kWhitespace = " \t";

std::string_view trim(std::string_view s) noexcept {
    const auto first = s.find_first_not_of(kWhitespace);
    if (first == std::string_view::npos) return {};
    return s.substr(first, s.find_last_not_of(kWhitespace) - first + 1);
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return out;
}

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

std::size_t leading_digits(std::string_view s) noexcept {
    std::size_t n = 0;
    while (n < s.size() && is_digit(s[n])) ++n;
    return n;
}

int to_int(std::string_view digits) noexcept {
    int value = 0;
    std::from_chars(digits.data(), digits.data() + digits.size(), value);
    return value;
}

// delimiter = %x09 / %x20-2F / %x3B-40 / %x5B-60 / %x7B-7E
bool is_date_delimiter(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return u == 0x09 || (u >= 0x20 && u <= 0x2F) || (u >= 0x3B && u <= 0x40) ||
           (u >= 0x5B && u <= 0x60) || (u >= 0x7B && u <= 0x7E);
}

constexpr std::array<std::string_view, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                      "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
constexpr std::array<std::string_view, 7> kWeekdays = {"Sun", "Mon", "Tue", "Wed",
                                                       "Thu", "Fri", "Sat"};

// time = hms-time ( non-digit *OCTET ); hms-time = time-field ":" time-field ":" time-field;
// time-field = 1*2DIGIT.
std::optional<std::array<int, 3>> parse_hms(std::string_view token) {
    std::array<int, 3> parts{};
    for (std::size_t k = 0; k < 3; ++k) {
        const auto n = leading_digits(token);
        if (n == 0 || n > 2) return std::nullopt;
        parts[k] = to_int(token.substr(0, n));
        token.remove_prefix(n);
        if (k < 2) {
            if (token.empty() || token.front() != ':') return std::nullopt;
            token.remove_prefix(1);
        }
    }
    return parts;
}

// Max-Age: "-"? 1*DIGIT, else the attribute is ignored. Saturates far beyond any real date.
std::optional<std::int64_t> parse_max_age(std::string_view value) {
    const bool negative = !value.empty() && value.front() == '-';
    const std::string_view digits = negative ? value.substr(1) : value;
    if (digits.empty() || leading_digits(digits) != digits.size()) return std::nullopt;
    constexpr std::int64_t kLimit = std::int64_t{1} << 40;  // 35,000 years
    std::int64_t seconds = 0;
    const auto [end, error] =
        std::from_chars(digits.data(), digits.data() + digits.size(), seconds);
    if (error == std::errc::result_out_of_range || seconds > kLimit) seconds = kLimit;
    return negative ? -seconds : seconds;
}

SameSite parse_same_site(std::string_view value) noexcept {
    if (iequals(value, "strict")) return SameSite::strict;
    if (iequals(value, "lax")) return SameSite::lax;
    if (iequals(value, "none")) return SameSite::none;
    return SameSite::unspecified;
}

}  // namespace

std::optional<std::chrono::sys_seconds> parse_cookie_date(std::string_view text) {
    std::optional<std::array<int, 3>> time;
    std::optional<int> day, month, year;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && is_date_delimiter(text[i])) ++i;
        const auto start = i;
        while (i < text.size() && !is_date_delimiter(text[i])) ++i;
        const std::string_view token = text.substr(start, i - start);
        if (token.empty()) continue;
        // leading_digits counts every digit, so "1 or 2 digits" also means "then a non-digit".
        const auto digits = leading_digits(token);

        if (!time && (time = parse_hms(token))) continue;
        if (!day && digits >= 1 && digits <= 2) {
            day = to_int(token.substr(0, digits));
            continue;
        }
        if (!month && token.size() >= 3) {
            const auto it = std::find_if(kMonths.begin(), kMonths.end(), [&](std::string_view m) {
                return iequals(m, token.substr(0, 3));
            });
            if (it != kMonths.end()) {
                month = static_cast<int>(it - kMonths.begin()) + 1;
                continue;
            }
        }
        if (!year && digits >= 2 && digits <= 4) year = to_int(token.substr(0, digits));
    }
    if (!time || !day || !month || !year) return std::nullopt;
    if (*year >= 70 && *year <= 99) *year += 1900;
    if (*year >= 0 && *year <= 69) *year += 2000;
    const auto [hour, minute, second] = *time;
    if (*year < 1601 || hour > 23 || minute > 59 || second > 59) return std::nullopt;
    const std::chrono::year_month_day date{std::chrono::year(*year),
                                           std::chrono::month(static_cast<unsigned>(*month)),
                                           std::chrono::day(static_cast<unsigned>(*day))};
    if (!date.ok()) return std::nullopt;  // also day 0, and 31 April: "no such date"
    return std::chrono::sys_days(date) + std::chrono::hours(hour) + std::chrono::minutes(minute) +
           std::chrono::seconds(second);
}

std::string format_cookie_date(std::chrono::sys_seconds when) {
    const auto days = std::chrono::floor<std::chrono::days>(when);
    const std::chrono::year_month_day date(days);
    const std::chrono::hh_mm_ss time(when - days);
    const std::chrono::weekday weekday(days);
    char out[40];
    std::snprintf(out, sizeof out, "%s, %02u %s %04d %02d:%02d:%02d GMT",
                  kWeekdays[weekday.c_encoding()].data(), static_cast<unsigned>(date.day()),
                  kMonths[static_cast<unsigned>(date.month()) - 1].data(),
                  static_cast<int>(date.year()), static_cast<int>(time.hours().count()),
                  static_cast<int>(time.minutes().count()),
                  static_cast<int>(time.seconds().count()));
    return out;
}

std::optional<SetCookie> parse_set_cookie(std::string_view field) {
    // RFC 6265bis §5.6 step 1 (RFC 6265 says nothing): a control character other than HTAB
    // voids the field. Such a cookie would make every later Cookie header invalid.
    const bool has_control = std::any_of(field.begin(), field.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return (u < 0x20 && u != 0x09) || u == 0x7F;
    });
    if (has_control) return std::nullopt;
    // Steps 1-5: the name-value pair up to the first ';', split at its first '='.
    const auto semi = field.find(';');
    const std::string_view pair = field.substr(0, semi);
    const auto eq = pair.find('=');
    if (eq == std::string_view::npos) return std::nullopt;
    SetCookie cookie;
    cookie.name = trim(pair.substr(0, eq));
    cookie.value = trim(pair.substr(eq + 1));
    if (cookie.name.empty()) return std::nullopt;

    // §5.2.1-5.2.6, each attribute in order: a later one of the same name replaces an earlier.
    std::string_view rest =
        semi == std::string_view::npos ? std::string_view() : field.substr(semi);
    while (!rest.empty()) {
        rest.remove_prefix(1);  // the ';'
        const auto next = rest.find(';');
        const std::string_view attribute = rest.substr(0, next);
        rest = next == std::string_view::npos ? std::string_view() : rest.substr(next);
        const auto aeq = attribute.find('=');
        const std::string_view key = trim(attribute.substr(0, aeq));
        const std::string_view value =
            aeq == std::string_view::npos ? std::string_view() : trim(attribute.substr(aeq + 1));

        if (iequals(key, "expires")) {
            if (auto when = parse_cookie_date(value)) cookie.expires = when;
        } else if (iequals(key, "max-age")) {
            if (auto seconds = parse_max_age(value)) cookie.max_age = seconds;
        } else if (iequals(key, "domain")) {
            // An empty Domain is ignored (the RFC leaves it to the user agent; browsers and
            // curl ignore it); a leading dot is dropped.
            std::string_view domain = value;
            if (!domain.empty() && domain.front() == '.') domain.remove_prefix(1);
            if (!domain.empty()) cookie.domain = to_lower(domain);
        } else if (iequals(key, "path")) {
            // Not starting with '/': the default-path, which only the jar knows.
            if (!value.empty() && value.front() == '/')
                cookie.path = std::string(value);
            else
                cookie.path.reset();
        } else if (iequals(key, "secure")) {
            cookie.secure = true;
        } else if (iequals(key, "httponly")) {
            cookie.http_only = true;
        } else if (iequals(key, "samesite")) {
            cookie.same_site = parse_same_site(value);
        }
    }
    return cookie;
}

}  // namespace httpx::detail
