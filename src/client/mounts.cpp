#include "client/mounts.hpp"

#include <algorithm>

namespace httpx::detail {

Mounts::Mounts(const std::map<std::string, std::shared_ptr<AsyncBaseTransport>>& mounts) {
    for (const auto& [pattern, mounted] : mounts)
        entries_.emplace_back(URLPattern(pattern), mounted);
    std::stable_sort(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
        return a.first.priority() < b.first.priority();
    });
}

std::shared_ptr<AsyncBaseTransport> Mounts::transport_for(
    const URL& url, const std::shared_ptr<AsyncBaseTransport>& fallback) const {
    for (const auto& [pattern, mounted] : entries_)
        if (pattern.matches(url)) return mounted ? mounted : fallback;
    return fallback;
}

std::vector<std::shared_ptr<AsyncBaseTransport>> Mounts::transports() const {
    std::vector<std::shared_ptr<AsyncBaseTransport>> out;
    for (const auto& [pattern, mounted] : entries_)
        if (mounted) out.push_back(mounted);
    return out;
}

}  // namespace httpx::detail
