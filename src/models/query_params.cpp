// httpx::QueryParams: HTTPX keeps a dict of key -> [values], so the pairs of one key stay
// together, in the order each key first appeared; items_ always has that grouped order.
#include <httpx/query_params.hpp>

#include "models/percent_encoding.hpp"
#include "models/py_repr.hpp"

#include <algorithm>
#include <ostream>

namespace httpx {
namespace {

using Items = std::vector<QueryParams::value_type>;

Items grouped_by_key(Items items) {
    Items grouped;
    grouped.reserve(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string& key = items[i].first;
        const bool seen = std::any_of(items.begin(), items.begin() + static_cast<long>(i),
                                      [&](const auto& item) { return item.first == key; });
        if (seen) continue;
        for (std::size_t j = i; j < items.size(); ++j) {
            if (items[j].first == key) grouped.push_back(items[j]);
        }
    }
    return grouped;
}

// Python's parse_qsl(query, keep_blank_values=True): '&'-separated, empty pieces skipped,
// a piece without '=' is a key with an empty value.
Items parse_query(std::string_view query) {
    Items items;
    std::size_t start = 0;
    while (start <= query.size()) {
        const std::size_t end = std::min(query.find('&', start), query.size());
        const std::string_view piece = query.substr(start, end - start);
        if (!piece.empty()) {
            const std::size_t equals = piece.find('=');
            const std::string_view key = piece.substr(0, equals);
            const std::string_view value =
                equals == std::string_view::npos ? std::string_view() : piece.substr(equals + 1);
            items.emplace_back(detail::form_unquote(key), detail::form_unquote(value));
        }
        start = end + 1;
    }
    return items;
}

}  // namespace

std::string PrimitiveValue::python_float_str(double value) {
    return detail::py_float_repr(value);  // Python's str(float) is its repr()
}

QueryParams::QueryParams(std::initializer_list<std::pair<std::string, PrimitiveValue>> items) {
    Items strings;
    strings.reserve(items.size());
    for (const auto& [key, value] : items) strings.emplace_back(key, value.str());
    items_ = grouped_by_key(std::move(strings));
}

QueryParams::QueryParams(std::vector<value_type> items)
    : items_(grouped_by_key(std::move(items))) {}

QueryParams::QueryParams(std::string_view query) {
    if (!query.empty() && query.front() == '?') query.remove_prefix(1);
    items_ = grouped_by_key(parse_query(query));
}

std::optional<std::string> QueryParams::get(std::string_view key) const {
    for (const auto& [name, value] : items_) {
        if (name == key) return value;
    }
    return std::nullopt;
}

std::vector<std::string> QueryParams::get_list(std::string_view key) const {
    std::vector<std::string> values;
    for (const auto& [name, value] : items_) {
        if (name == key) values.push_back(value);
    }
    return values;
}

bool QueryParams::contains(std::string_view key) const {
    return std::any_of(items_.begin(), items_.end(),
                       [&](const value_type& item) { return item.first == key; });
}

std::vector<std::string> QueryParams::keys() const {
    std::vector<std::string> names;
    for (const auto& item : items_) {
        if (names.empty() || names.back() != item.first) names.push_back(item.first);
    }
    return names;
}

QueryParams QueryParams::set(std::string_view key, PrimitiveValue primitive) const {
    std::string value = std::move(primitive).str();
    QueryParams result;
    bool placed = false;
    for (const auto& item : items_) {
        if (item.first != key) {
            result.items_.push_back(item);
        } else if (!placed) {
            result.items_.emplace_back(item.first, value);
            placed = true;
        }
    }
    if (!placed) result.items_.emplace_back(std::string(key), std::move(value));
    return result;
}

QueryParams QueryParams::add(std::string key, PrimitiveValue primitive) const {
    std::string value = std::move(primitive).str();
    QueryParams result = *this;
    // After the key's last value, to keep the pairs of one key together.
    auto last = std::find_if(result.items_.rbegin(), result.items_.rend(),
                             [&](const value_type& item) { return item.first == key; });
    auto position = last == result.items_.rend() ? result.items_.end() : last.base();
    result.items_.insert(position, value_type(std::move(key), std::move(value)));
    return result;
}

QueryParams QueryParams::remove(std::string_view key) const {
    QueryParams result = *this;
    std::erase_if(result.items_, [&](const value_type& item) { return item.first == key; });
    return result;
}

QueryParams QueryParams::merge(const QueryParams& other) const {
    // dict.update(): a key of `other` replaces this one's values where the key stood.
    QueryParams result;
    for (const std::string& key : keys()) {
        const QueryParams& source = other.contains(key) ? other : *this;
        for (const auto& item : source.items_) {
            if (item.first == key) result.items_.push_back(item);
        }
    }
    for (const auto& item : other.items_) {
        if (!contains(item.first)) result.items_.push_back(item);
    }
    return result;
}

std::string QueryParams::str() const {
    std::string out;
    for (const auto& [key, value] : items_) {
        if (!out.empty()) out += '&';
        out += detail::form_quote(key);
        out += '=';
        out += detail::form_quote(value);
    }
    return out;
}

bool operator==(const QueryParams& a, const QueryParams& b) {
    if (a.items_.size() != b.items_.size()) return false;
    std::vector<QueryParams::value_type> left = a.items_, right = b.items_;
    std::sort(left.begin(), left.end());
    std::sort(right.begin(), right.end());
    return left == right;
}

std::ostream& operator<<(std::ostream& os, const QueryParams& params) {
    return os << params.str();
}

}  // namespace httpx
