#include "models/link_header.hpp"

namespace httpx::detail {

// HTTPX's _parse_header_links.
std::vector<std::map<std::string, std::string>> parse_header_links(std::string_view value) {
    constexpr std::string_view strip_chars = " '\"";
    auto strip = [](std::string_view s, std::string_view chars) {
        auto begin = s.find_first_not_of(chars);
        if (begin == std::string_view::npos) return std::string_view();
        auto end = s.find_last_not_of(chars);
        return s.substr(begin, end - begin + 1);
    };
    std::vector<std::map<std::string, std::string>> links;
    value = strip(value, strip_chars);
    if (value.empty()) return links;
    // Split on ", *<" (the '<' stays with the next link; it is stripped below anyway).
    std::vector<std::string_view> parts;
    std::size_t start = 0;
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] != ',') continue;
        std::size_t j = i + 1;
        while (j < value.size() && value[j] == ' ') ++j;
        if (j < value.size() && value[j] == '<') {
            parts.push_back(value.substr(start, i - start));
            start = j + 1;
            i = j;
        }
    }
    parts.push_back(value.substr(start));
    for (std::string_view part : parts) {
        std::map<std::string, std::string> link;
        auto semicolon = part.find(';');
        std::string_view url = part.substr(0, semicolon);
        std::string_view params =
            semicolon == std::string_view::npos ? std::string_view() : part.substr(semicolon + 1);
        link["url"] = std::string(strip(url, "<> '\""));
        while (!params.empty()) {
            auto next = params.find(';');
            std::string_view param = params.substr(0, next);
            params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
            auto eq = param.find('=');
            if (eq == std::string_view::npos || param.find('=', eq + 1) != std::string_view::npos)
                break;
            link[std::string(strip(param.substr(0, eq), strip_chars))] =
                std::string(strip(param.substr(eq + 1), strip_chars));
        }
        links.push_back(std::move(link));
    }
    return links;
}

std::map<std::string, std::map<std::string, std::string>> links_by_rel(std::string_view value) {
    std::map<std::string, std::map<std::string, std::string>> out;
    for (auto& link : parse_header_links(value)) {
        auto rel = link.find("rel");
        std::string key = rel != link.end() && !rel->second.empty() ? rel->second : link["url"];
        out[key] = std::move(link);
    }
    return out;
}

}  // namespace httpx::detail
