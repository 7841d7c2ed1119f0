// httpx::codes: HTTP status codes and reason phrases, as HTTPX's `httpx.codes`.
#pragma once

#include <string_view>

namespace httpx {

/// A status code of `httpx::codes` (a member of HTTPX's `codes` IntEnum): it converts to, and
/// compares as, its number (`codes::NOT_FOUND == 404`, `case codes::OK:`, an `int` parameter),
/// and knows its reason phrase (`codes::NOT_FOUND.phrase()` is "Not Found", as HTTPX's
/// `codes.NOT_FOUND.phrase`). `StatusCode(r.status_code()).phrase()` works for any number.
class StatusCode {
public:
    constexpr explicit StatusCode(int code) noexcept : code_(code) {}
    constexpr operator int() const noexcept { return code_; }
    /// The standard reason phrase ("Not Found"), or "" for a code HTTPX does not name.
    std::string_view phrase() const noexcept;

private:
    int code_;
};

namespace codes {

// The names of HTTPX's `codes`, each with its lower-case alias (`codes.not_found`, kept by HTTPX
// for `requests` compatibility); `continue` is a keyword in C++, hence `continue_` (as `delete_`).
inline constexpr StatusCode CONTINUE{100}, continue_{CONTINUE};
inline constexpr StatusCode SWITCHING_PROTOCOLS{101}, switching_protocols{SWITCHING_PROTOCOLS};
inline constexpr StatusCode PROCESSING{102}, processing{PROCESSING};
inline constexpr StatusCode EARLY_HINTS{103}, early_hints{EARLY_HINTS};
inline constexpr StatusCode OK{200}, ok{OK};
inline constexpr StatusCode CREATED{201}, created{CREATED};
inline constexpr StatusCode ACCEPTED{202}, accepted{ACCEPTED};
inline constexpr StatusCode NON_AUTHORITATIVE_INFORMATION{203},
    non_authoritative_information{NON_AUTHORITATIVE_INFORMATION};
inline constexpr StatusCode NO_CONTENT{204}, no_content{NO_CONTENT};
inline constexpr StatusCode RESET_CONTENT{205}, reset_content{RESET_CONTENT};
inline constexpr StatusCode PARTIAL_CONTENT{206}, partial_content{PARTIAL_CONTENT};
inline constexpr StatusCode MULTI_STATUS{207}, multi_status{MULTI_STATUS};
inline constexpr StatusCode ALREADY_REPORTED{208}, already_reported{ALREADY_REPORTED};
inline constexpr StatusCode IM_USED{226}, im_used{IM_USED};
inline constexpr StatusCode MULTIPLE_CHOICES{300}, multiple_choices{MULTIPLE_CHOICES};
inline constexpr StatusCode MOVED_PERMANENTLY{301}, moved_permanently{MOVED_PERMANENTLY};
inline constexpr StatusCode FOUND{302}, found{FOUND};
inline constexpr StatusCode SEE_OTHER{303}, see_other{SEE_OTHER};
inline constexpr StatusCode NOT_MODIFIED{304}, not_modified{NOT_MODIFIED};
inline constexpr StatusCode USE_PROXY{305}, use_proxy{USE_PROXY};
inline constexpr StatusCode TEMPORARY_REDIRECT{307}, temporary_redirect{TEMPORARY_REDIRECT};
inline constexpr StatusCode PERMANENT_REDIRECT{308}, permanent_redirect{PERMANENT_REDIRECT};
inline constexpr StatusCode BAD_REQUEST{400}, bad_request{BAD_REQUEST};
inline constexpr StatusCode UNAUTHORIZED{401}, unauthorized{UNAUTHORIZED};
inline constexpr StatusCode PAYMENT_REQUIRED{402}, payment_required{PAYMENT_REQUIRED};
inline constexpr StatusCode FORBIDDEN{403}, forbidden{FORBIDDEN};
inline constexpr StatusCode NOT_FOUND{404}, not_found{NOT_FOUND};
inline constexpr StatusCode METHOD_NOT_ALLOWED{405}, method_not_allowed{METHOD_NOT_ALLOWED};
inline constexpr StatusCode NOT_ACCEPTABLE{406}, not_acceptable{NOT_ACCEPTABLE};
inline constexpr StatusCode PROXY_AUTHENTICATION_REQUIRED{407},
    proxy_authentication_required{PROXY_AUTHENTICATION_REQUIRED};
inline constexpr StatusCode REQUEST_TIMEOUT{408}, request_timeout{REQUEST_TIMEOUT};
inline constexpr StatusCode CONFLICT{409}, conflict{CONFLICT};
inline constexpr StatusCode GONE{410}, gone{GONE};
inline constexpr StatusCode LENGTH_REQUIRED{411}, length_required{LENGTH_REQUIRED};
inline constexpr StatusCode PRECONDITION_FAILED{412}, precondition_failed{PRECONDITION_FAILED};
inline constexpr StatusCode REQUEST_ENTITY_TOO_LARGE{413},
    request_entity_too_large{REQUEST_ENTITY_TOO_LARGE};
inline constexpr StatusCode REQUEST_URI_TOO_LONG{414}, request_uri_too_long{REQUEST_URI_TOO_LONG};
inline constexpr StatusCode UNSUPPORTED_MEDIA_TYPE{415},
    unsupported_media_type{UNSUPPORTED_MEDIA_TYPE};
inline constexpr StatusCode REQUESTED_RANGE_NOT_SATISFIABLE{416},
    requested_range_not_satisfiable{REQUESTED_RANGE_NOT_SATISFIABLE};
inline constexpr StatusCode EXPECTATION_FAILED{417}, expectation_failed{EXPECTATION_FAILED};
inline constexpr StatusCode IM_A_TEAPOT{418}, im_a_teapot{IM_A_TEAPOT};
inline constexpr StatusCode MISDIRECTED_REQUEST{421}, misdirected_request{MISDIRECTED_REQUEST};
inline constexpr StatusCode UNPROCESSABLE_ENTITY{422}, unprocessable_entity{UNPROCESSABLE_ENTITY};
inline constexpr StatusCode LOCKED{423}, locked{LOCKED};
inline constexpr StatusCode FAILED_DEPENDENCY{424}, failed_dependency{FAILED_DEPENDENCY};
inline constexpr StatusCode TOO_EARLY{425}, too_early{TOO_EARLY};
inline constexpr StatusCode UPGRADE_REQUIRED{426}, upgrade_required{UPGRADE_REQUIRED};
inline constexpr StatusCode PRECONDITION_REQUIRED{428},
    precondition_required{PRECONDITION_REQUIRED};
inline constexpr StatusCode TOO_MANY_REQUESTS{429}, too_many_requests{TOO_MANY_REQUESTS};
inline constexpr StatusCode REQUEST_HEADER_FIELDS_TOO_LARGE{431},
    request_header_fields_too_large{REQUEST_HEADER_FIELDS_TOO_LARGE};
inline constexpr StatusCode UNAVAILABLE_FOR_LEGAL_REASONS{451},
    unavailable_for_legal_reasons{UNAVAILABLE_FOR_LEGAL_REASONS};
inline constexpr StatusCode INTERNAL_SERVER_ERROR{500},
    internal_server_error{INTERNAL_SERVER_ERROR};
inline constexpr StatusCode NOT_IMPLEMENTED{501}, not_implemented{NOT_IMPLEMENTED};
inline constexpr StatusCode BAD_GATEWAY{502}, bad_gateway{BAD_GATEWAY};
inline constexpr StatusCode SERVICE_UNAVAILABLE{503}, service_unavailable{SERVICE_UNAVAILABLE};
inline constexpr StatusCode GATEWAY_TIMEOUT{504}, gateway_timeout{GATEWAY_TIMEOUT};
inline constexpr StatusCode HTTP_VERSION_NOT_SUPPORTED{505},
    http_version_not_supported{HTTP_VERSION_NOT_SUPPORTED};
inline constexpr StatusCode VARIANT_ALSO_NEGOTIATES{506},
    variant_also_negotiates{VARIANT_ALSO_NEGOTIATES};
inline constexpr StatusCode INSUFFICIENT_STORAGE{507}, insufficient_storage{INSUFFICIENT_STORAGE};
inline constexpr StatusCode LOOP_DETECTED{508}, loop_detected{LOOP_DETECTED};
inline constexpr StatusCode NOT_EXTENDED{510}, not_extended{NOT_EXTENDED};
inline constexpr StatusCode NETWORK_AUTHENTICATION_REQUIRED{511},
    network_authentication_required{NETWORK_AUTHENTICATION_REQUIRED};

/// The standard reason phrase of `code` ("Not Found"), or "" for an unknown code.
std::string_view get_reason_phrase(int code) noexcept;

constexpr bool is_informational(int code) noexcept {
    return code >= 100 && code <= 199;
}
constexpr bool is_success(int code) noexcept {
    return code >= 200 && code <= 299;
}
constexpr bool is_redirect(int code) noexcept {
    return code >= 300 && code <= 399;
}
constexpr bool is_client_error(int code) noexcept {
    return code >= 400 && code <= 499;
}
constexpr bool is_server_error(int code) noexcept {
    return code >= 500 && code <= 599;
}
constexpr bool is_error(int code) noexcept {
    return code >= 400 && code <= 599;
}

}  // namespace codes

}  // namespace httpx
