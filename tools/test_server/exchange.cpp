#include "exchange.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

namespace httpx::testing::detail {

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::optional<std::uint64_t> to_number(std::string_view text) {
    std::uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

void Request::set_target(std::string_view text) {
    target = std::string(text);
    // An absolute form (what a forwarding proxy passes on) routes by its path, as RFC 9112
    // (3.2.2) asks of servers.
    std::string_view local = target;
    if (const auto scheme_end = local.find("://");
        !local.starts_with('/') && scheme_end != std::string_view::npos) {
        const auto path_start = local.find('/', scheme_end + 3);
        local =
            path_start == std::string_view::npos ? std::string_view("/") : local.substr(path_start);
    }
    auto question = local.find('?');
    path = std::string(local.substr(0, question));
    query = question == std::string_view::npos ? std::string()
                                               : std::string(local.substr(question + 1));
}

std::optional<std::string> Request::header(std::string_view name) const {
    for (const auto& [field, value] : headers) {
        if (iequals(field, name)) return value;
    }
    return std::nullopt;
}

std::optional<std::string> Request::param(std::string_view name) const {
    std::string_view rest = query;
    while (!rest.empty()) {
        auto amp = rest.find('&');
        std::string_view item = rest.substr(0, amp);
        rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
        auto eq = item.find('=');
        if (item.substr(0, eq) == name) {
            return std::string(eq == std::string_view::npos ? std::string_view()
                                                            : item.substr(eq + 1));
        }
    }
    return std::nullopt;
}

std::uint64_t Request::number_param(std::string_view name, std::uint64_t fallback) const {
    auto text = param(name);
    if (!text) return fallback;
    auto value = to_number(*text);
    if (!value) throw BadRequest("bad query parameter");
    return *value;
}

std::optional<std::uint64_t> Exchange::request_content_length() const {
    auto text = request().header("Content-Length");
    return text ? to_number(*text) : std::nullopt;
}

boost::asio::awaitable<std::uint64_t> Exchange::drain() {
    std::uint64_t total = 0;
    std::string piece;
    while (co_await read_body(piece)) total += piece.size();
    co_return total;
}

boost::asio::awaitable<void> Exchange::sleep(std::chrono::milliseconds duration) {
    co_await sleep_until(std::chrono::steady_clock::now() + duration);
}

}  // namespace httpx::testing::detail
