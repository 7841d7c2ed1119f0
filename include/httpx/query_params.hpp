// httpx::QueryParams: an immutable, ordered multi-map of query parameters, as HTTPX's.
#pragma once

#include <concepts>
#include <cstddef>
#include <initializer_list>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace httpx {

/// A query or form value (HTTPX's primitive data): a string as is, or a number, a bool or
/// nullopt written as HTTPX's `primitive_value_to_str` writes them: `true` -> "true", `false` ->
/// "false", `std::nullopt` -> "", integers in decimal, floating-point numbers as Python prints
/// them (`1.0` -> "1.0", `0.1` -> "0.1", `1e-5` -> "1e-05", `1e16` -> "1e+16").
/// A `char` is refused at compile time (a number or a one-letter string? say which).
class PrimitiveValue {
public:
    PrimitiveValue(std::string value) noexcept : str_(std::move(value)) {}
    PrimitiveValue(std::string_view value) : str_(value) {}
    PrimitiveValue(const char* value) : str_(value) {}
    PrimitiveValue(bool value) : str_(value ? "true" : "false") {}
    PrimitiveValue(std::nullopt_t) noexcept {}
    template <std::integral I>
    requires(!std::same_as<I, bool>) PrimitiveValue(I value) : str_(std::to_string(value)) {}
    template <std::floating_point F>
    PrimitiveValue(F value) : str_(python_float_str(static_cast<double>(value))) {}
    PrimitiveValue(char) = delete;
    PrimitiveValue(char8_t) = delete;
    PrimitiveValue(char16_t) = delete;
    PrimitiveValue(char32_t) = delete;
    PrimitiveValue(wchar_t) = delete;

    const std::string& str() const& noexcept { return str_; }
    std::string str() && noexcept { return std::move(str_); }
    operator const std::string&() const& noexcept { return str_; }

private:
    static std::string python_float_str(double value);
    std::string str_;
};

/// Query parameters. Immutable as in HTTPX: `set/add/remove/merge` return a new instance.
/// As in HTTPX (a dict of key -> values), the pairs of one key are kept together, in the order
/// each key first appeared: `QueryParams("a=1&b=2&a=3").str()` is "a=1&a=3&b=2".
/// Unlike Python's `len()`, `size()` counts (key, value) pairs, not distinct keys.
class QueryParams {
public:
    using value_type = std::pair<std::string, std::string>;
    using const_iterator = std::vector<value_type>::const_iterator;

    QueryParams() = default;
    /// `{{"q", "word"}, {"page", 2}, {"exact", true}}`: values as `PrimitiveValue` writes them.
    QueryParams(std::initializer_list<std::pair<std::string, PrimitiveValue>> items);
    explicit QueryParams(std::vector<value_type> items);
    /// Parses a query string (`a=1&b=2`, with or without a leading `?`): `+` is a space and
    /// percent-escapes are decoded; blank values are kept.
    QueryParams(std::string_view query);
    QueryParams(const char* query) : QueryParams(std::string_view(query)) {}
    QueryParams(const std::string& query) : QueryParams(std::string_view(query)) {}

    /// The first value of `key`, or nullopt.
    std::optional<std::string> get(std::string_view key) const;
    std::vector<std::string> get_list(std::string_view key) const;
    bool contains(std::string_view key) const;
    std::size_t size() const noexcept { return items_.size(); }
    bool empty() const noexcept { return items_.empty(); }
    const_iterator begin() const noexcept { return items_.begin(); }
    const_iterator end() const noexcept { return items_.end(); }
    const std::vector<value_type>& multi_items() const noexcept { return items_; }
    /// The distinct keys in order of first appearance.
    std::vector<std::string> keys() const;

    /// A copy where `key` has the single value `value` (at the first occurrence's position).
    QueryParams set(std::string_view key, PrimitiveValue value) const;
    /// A copy with (key, value) appended.
    QueryParams add(std::string key, PrimitiveValue value) const;
    /// A copy without any `key`.
    QueryParams remove(std::string_view key) const;
    /// A copy where every key of `other` replaces this one's values (HTTPX's `merge`).
    QueryParams merge(const QueryParams& other) const;

    /// Form-style urlencoding as HTTPX's `str(params)`: space as `+`, `/` as `%2F`.
    std::string str() const;

    /// Equal when both hold the same (key, value) pairs in any order.
    friend bool operator==(const QueryParams& a, const QueryParams& b);
    friend std::ostream& operator<<(std::ostream& os, const QueryParams& params);

private:
    std::vector<value_type> items_;
};

}  // namespace httpx
