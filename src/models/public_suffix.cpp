#include "models/public_suffix.hpp"

#include <libpsl.h>

#include <memory>
#include <string>

namespace httpx::detail {

namespace {

struct PslFree {
    void operator()(psl_ctx_t* psl) const noexcept { psl_free(psl); }
};

// Loaded once, on first use; read-only afterwards (libpsl's lookups are thread-safe).
const psl_ctx_t* public_suffix_list() {
    static const std::unique_ptr<psl_ctx_t, PslFree> latest(psl_latest(nullptr));
    return latest ? latest.get() : psl_builtin();
}

}  // namespace

bool is_public_suffix(std::string_view domain) {
    const psl_ctx_t* psl = public_suffix_list();
    if (!psl) return false;          // a libpsl without any list: nothing to refuse
    const std::string name(domain);  // libpsl wants a C string
    return psl_is_public_suffix(psl, name.c_str()) != 0;
}

}  // namespace httpx::detail
