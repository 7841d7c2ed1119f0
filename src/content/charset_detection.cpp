// httpx::autodetect_encoding: charset detection with uchardet, for `default_encoding`.
#include "httpx/text_encoding.hpp"

#include "content/text_decoder.hpp"

#include <uchardet/uchardet.h>

#include <memory>

namespace httpx {

std::string autodetect_encoding(std::string_view body) {
    if (body.empty()) return {};
    const std::unique_ptr<uchardet, decltype(&uchardet_delete)> detector(uchardet_new(),
                                                                         &uchardet_delete);
    if (!detector) return {};
    // Non-zero: uchardet ran out of memory; no guess is better than a wrong one.
    if (uchardet_handle_data(detector.get(), body.data(), body.size()) != 0) return {};
    uchardet_data_end(detector.get());
    const char* charset = uchardet_get_charset(detector.get());
    std::string name = charset ? charset : "";
    for (char& c : name)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    // uchardet knows a few charsets iconv does not (e.g. "x-iso-10646-ucs-4-3412"): those are
    // no answer rather than a name that text() would refuse.
    if (!content::is_known_encoding(name)) return {};
    return name;
}

}  // namespace httpx
