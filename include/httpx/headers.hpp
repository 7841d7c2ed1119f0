// httpx::Headers: HTTP header fields, as HTTPX's `Headers`.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace httpx {

namespace detail {
struct HeadersAccess;  // the library's in-place access to the fields
}

/// An ordered, case-insensitive multi-map of header fields that keeps each name's original
/// case for the wire. Lookups ignore case; iteration yields every (name, value) pair in order.
///
/// Fields hold bytes, as received or to be sent. The lookups (`get`, `get_list`, `operator[]`,
/// `setdefault`) return text, decoded as HTTPX decodes header bytes: with one encoding for the
/// whole set (`encoding()`), ASCII, else UTF-8 when every name and value is valid UTF-8, else
/// ISO-8859-1, each byte its own character, returned as UTF-8. Iteration and `multi_items()`
/// give the bytes unchanged (HTTPX's `headers.raw`).
class Headers {
public:
    using value_type = std::pair<std::string, std::string>;
    using const_iterator = std::vector<value_type>::const_iterator;

    Headers() = default;
    Headers(std::initializer_list<value_type> items);
    explicit Headers(std::vector<value_type> items);

    /// All values of `key` joined with ", " (as HTTPX does), decoded (see above), or nullopt
    /// when absent.
    std::optional<std::string> get(std::string_view key) const;
    /// Every value of `key` in order, decoded; with `split_commas`, comma-separated values are
    /// split too.
    std::vector<std::string> get_list(std::string_view key, bool split_commas = false) const;
    bool contains(std::string_view key) const;
    /// The joined value of `key`. Throws `std::out_of_range` when the header is absent.
    std::string operator[](std::string_view key) const;

    /// Replaces every field named `key` by one with `value`, at the first one's position
    /// (appended when absent).
    void set(std::string_view key, std::string value);
    /// Appends a field, keeping any existing ones of the same name.
    void add(std::string key, std::string value);
    /// Sets `key` only when absent. Returns the (joined) value now stored, decoded.
    std::string setdefault(std::string_view key, std::string value);
    /// Removes every field named `key`; returns how many were removed.
    std::size_t erase(std::string_view key);
    /// For each name in `other`: removes the fields of that name here, then appends other's.
    void update(const Headers& other);
    void clear() noexcept { items_.clear(); }

    /// The number of (name, value) fields, which is what iteration visits.
    std::size_t size() const noexcept { return items_.size(); }
    bool empty() const noexcept { return items_.empty(); }
    const_iterator begin() const noexcept { return items_.begin(); }
    const_iterator end() const noexcept { return items_.end(); }
    /// Every (name, value) pair, in order, names in their original case.
    const std::vector<value_type>& multi_items() const noexcept { return items_; }
    /// The distinct names, lower-cased, in order of first appearance.
    std::vector<std::string> keys() const;
    /// How the lookups decode the bytes (HTTPX's `Headers.encoding`): "ascii" when every byte
    /// of every field is ASCII, else "utf-8" when every field is valid UTF-8, else "iso-8859-1".
    std::string encoding() const;

    /// Equal when both hold the same fields, names compared case-insensitively, in any order.
    friend bool operator==(const Headers& a, const Headers& b);
    /// Prints `Headers({'name': 'value', ...})`, with Authorization values masked as [secure].
    friend std::ostream& operator<<(std::ostream& os, const Headers& headers);

private:
    friend struct detail::HeadersAccess;
    std::vector<value_type> items_;
};

/// ASCII case-insensitive equality, as header names compare.
bool iequals(std::string_view a, std::string_view b) noexcept;

}  // namespace httpx
