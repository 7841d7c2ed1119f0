#include "httpx/headers.hpp"

#include "models/py_repr.hpp"

#include <algorithm>
#include <ostream>
#include <stdexcept>

namespace httpx {

namespace {

constexpr char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = ascii_lower(c);
    return out;
}

// Python's str.strip(): ASCII whitespace at both ends.
std::string_view strip(std::string_view s) noexcept {
    constexpr std::string_view ws = " \t\n\r\v\f";
    const auto first = s.find_first_not_of(ws);
    if (first == std::string_view::npos) return {};
    const auto last = s.find_last_not_of(ws);
    return s.substr(first, last - first + 1);
}

// HTTPX masks these in repr() so that credentials do not end up in logs.
bool is_sensitive(std::string_view name) noexcept {
    return iequals(name, "authorization") || iequals(name, "proxy-authorization");
}

// HTTPX's Headers.encoding auto-detection: ascii, else utf-8, else iso-8859-1.
detail::TextEncoding detect_encoding(const std::vector<Headers::value_type>& items) {
    bool ascii = true;
    for (const auto& [name, value] : items) {
        for (std::string_view s : {std::string_view(name), std::string_view(value)})
            for (char c : s)
                if (static_cast<unsigned char>(c) >= 0x80) ascii = false;
    }
    if (ascii) return detail::TextEncoding::ascii;
    for (const auto& [name, value] : items)
        if (!detail::is_valid_utf8(name) || !detail::is_valid_utf8(value))
            return detail::TextEncoding::latin1;
    return detail::TextEncoding::utf8;
}

// A value as text: unchanged unless the set's encoding is ISO-8859-1, then each byte becomes its
// character, in UTF-8. An ASCII value reads the same in all three, so the set is only looked at
// for a value with a byte >= 0x80.
std::string decode_value(std::string value, const std::vector<Headers::value_type>& items) {
    const auto high = [](char c) { return static_cast<unsigned char>(c) >= 0x80; };
    if (std::none_of(value.begin(), value.end(), high)) return value;
    if (detect_encoding(items) != detail::TextEncoding::latin1) return value;
    std::string text;
    text.reserve(value.size() * 2);
    for (char c : value) {
        const auto b = static_cast<unsigned char>(c);
        if (b < 0x80) {
            text += c;
        } else {
            text += static_cast<char>(0xC0 | (b >> 6));
            text += static_cast<char>(0x80 | (b & 0x3F));
        }
    }
    return text;
}

}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

Headers::Headers(std::initializer_list<value_type> items) : items_(items) {}

Headers::Headers(std::vector<value_type> items) : items_(std::move(items)) {}

std::optional<std::string> Headers::get(std::string_view key) const {
    // Scan without allocating; only a hit builds the result.
    auto it = std::find_if(items_.begin(), items_.end(),
                           [&](const value_type& item) { return iequals(item.first, key); });
    if (it == items_.end()) return std::nullopt;
    std::string joined = it->second;
    for (++it; it != items_.end(); ++it) {
        if (!iequals(it->first, key)) continue;
        joined += ", ";
        joined += it->second;
    }
    return decode_value(std::move(joined), items_);
}

std::vector<std::string> Headers::get_list(std::string_view key, bool split_commas) const {
    std::vector<std::string> values;
    for (const auto& [name, raw] : items_) {
        if (!iequals(name, key)) continue;
        std::string value = decode_value(raw, items_);
        if (!split_commas) {
            values.push_back(std::move(value));
            continue;
        }
        // As HTTPX: split on every comma and strip each piece (empty pieces are kept).
        std::string_view rest = value;
        while (true) {
            const auto comma = rest.find(',');
            values.emplace_back(strip(rest.substr(0, comma)));
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
    }
    return values;
}

bool Headers::contains(std::string_view key) const {
    return std::any_of(items_.begin(), items_.end(),
                       [&](const value_type& item) { return iequals(item.first, key); });
}

std::string Headers::operator[](std::string_view key) const {
    auto value = get(key);
    if (!value) throw std::out_of_range("Header not found: " + std::string(key));
    return std::move(*value);
}

void Headers::set(std::string_view key_view, std::string value) {
    const std::string key(key_view);  // `key_view` may point into a field that is removed below
    auto first = std::find_if(items_.begin(), items_.end(),
                              [&](const value_type& item) { return iequals(item.first, key); });
    if (first == items_.end()) {
        items_.emplace_back(std::string(key), std::move(value));
        return;
    }
    // As HTTPX: the first field takes the new name (its case) and value, later ones go.
    first->first = key;
    first->second = std::move(value);
    items_.erase(std::remove_if(std::next(first), items_.end(),
                                [&](const value_type& item) { return iequals(item.first, key); }),
                 items_.end());
}

void Headers::add(std::string key, std::string value) {
    items_.emplace_back(std::move(key), std::move(value));
}

std::string Headers::setdefault(std::string_view key, std::string value) {
    if (auto existing = get(key)) return std::move(*existing);
    items_.emplace_back(std::string(key), std::move(value));
    return decode_value(items_.back().second, items_);
}

std::size_t Headers::erase(std::string_view key_view) {
    const std::string key(key_view);  // `key_view` may point into a field that is removed below
    return std::erase_if(items_, [&](const value_type& item) { return iequals(item.first, key); });
}

void Headers::update(const Headers& other) {
    if (&other == this) return;  // every name would be removed and re-added unchanged
    for (const auto& [name, value] : other.items_) erase(name);
    items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

std::vector<std::string> Headers::keys() const {
    std::vector<std::string> names;
    for (const auto& item : items_) {
        std::string lower = to_lower(item.first);
        if (std::find(names.begin(), names.end(), lower) == names.end())
            names.push_back(std::move(lower));
    }
    return names;
}

std::string Headers::encoding() const {
    switch (detect_encoding(items_)) {
        case detail::TextEncoding::ascii:
            return "ascii";
        case detail::TextEncoding::utf8:
            return "utf-8";
        case detail::TextEncoding::latin1:
            break;
    }
    return "iso-8859-1";
}

bool operator==(const Headers& a, const Headers& b) {
    if (a.items_.size() != b.items_.size()) return false;
    // HTTPX compares the sorted lists of (lower-cased name, value) pairs.
    auto normalised = [](const Headers& h) {
        std::vector<Headers::value_type> items;
        items.reserve(h.items_.size());
        for (const auto& [name, value] : h.items_) items.emplace_back(to_lower(name), value);
        std::sort(items.begin(), items.end());
        return items;
    };
    return normalised(a) == normalised(b);
}

std::ostream& operator<<(std::ostream& os, const Headers& headers) {
    // HTTPX's repr: lower-cased names, a dict when no name repeats, else a list of pairs, and
    // the encoding when it is not plain ASCII.
    const auto encoding = detect_encoding(headers.items_);
    const auto names = headers.keys();
    const bool as_dict = names.size() == headers.items_.size();

    std::string out = "Headers(";
    out += as_dict ? '{' : '[';
    bool first = true;
    for (const auto& [name, value] : headers.items_) {
        if (!first) out += ", ";
        first = false;
        if (!as_dict) out += '(';
        out += detail::py_str_repr(to_lower(name), encoding);
        out += as_dict ? ": " : ", ";
        out +=
            is_sensitive(name) ? std::string("'[secure]'") : detail::py_str_repr(value, encoding);
        if (!as_dict) out += ')';
    }
    out += as_dict ? '}' : ']';
    if (encoding == detail::TextEncoding::utf8) out += ", encoding='utf-8'";
    if (encoding == detail::TextEncoding::latin1) out += ", encoding='iso-8859-1'";
    out += ')';
    return os << out;
}

}  // namespace httpx
