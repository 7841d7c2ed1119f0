// HTTP Digest authentication, as HTTPX's DigestAuth (httpx/_auth.py), plus SHA-512-256 and
// RFC 7616 userhash, which HTTPX lacks.
#include "client/digest_auth.hpp"

#include "httpx/auth.hpp"
#include "httpx/cookies.hpp"
#include "httpx/exceptions.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <array>
#include <exception>
#include <map>
#include <mutex>
#include <stdexcept>
#include <utility>
#include <vector>

namespace httpx {

namespace detail {

namespace {

constexpr std::string_view kMalformed = "Malformed Digest WWW-Authenticate header";

char ascii_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
char ascii_upper(char c) {
    return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
    return out;
}

std::string to_upper(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), ascii_upper);
    return out;
}

bool is_space(char c) {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
    return s;
}

bool ends_with_sess(std::string_view algorithm) {
    return to_lower(algorithm).ends_with("-sess");
}

// urllib's parse_http_list: split on commas outside quotes; a backslash inside quotes escapes
// (and is dropped from) the next character; the quotes themselves are kept.
std::vector<std::string> parse_http_list(std::string_view s) {
    std::vector<std::string> parts;
    std::string part;
    bool escape = false;
    bool quote = false;
    for (char c : s) {
        if (escape) {
            part += c;
            escape = false;
        } else if (quote) {
            if (c == '\\') {
                escape = true;
                continue;
            }
            if (c == '"') quote = false;
            part += c;
        } else if (c == ',') {
            parts.emplace_back(trim(part));
            part.clear();
        } else {
            if (c == '"') quote = true;
            part += c;
        }
    }
    if (!part.empty()) parts.emplace_back(trim(part));
    return parts;
}

// HTTPX's unquote: strips one pair of surrounding double quotes.
std::string unquote(std::string_view value) {
    if (!value.empty() && value.front() == '"' && value.back() == '"') {
        return value.size() >= 2 ? std::string(value.substr(1, value.size() - 2)) : std::string();
    }
    return std::string(value);
}

const EVP_MD* hash_function(std::string_view algorithm) {
    std::string name = to_upper(algorithm);
    if (name.ends_with("-SESS")) name.resize(name.size() - 5);
    if (name == "MD5") return EVP_md5();
    if (name == "SHA") return EVP_sha1();
    if (name == "SHA-256") return EVP_sha256();
    if (name == "SHA-512") return EVP_sha512();
    if (name == "SHA-512-256") return EVP_sha512_256();
    return nullptr;
}

std::string quoted_string(std::string_view value) {
    std::string out = "\"";
    for (char c : value) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    out += '"';
    return out;
}

// The ':'-separated strings that Digest hashes.
std::string join(std::initializer_list<std::string_view> parts) {
    std::string out;
    bool first = true;
    for (std::string_view part : parts) {
        if (!first) out += ':';
        out += part;
        first = false;
    }
    return out;
}

}  // namespace

DigestChallenge parse_digest_challenge(std::string_view header) {
    const std::size_t space = header.find(' ');
    const std::string_view scheme = header.substr(0, space);
    if (to_lower(scheme) != "digest") throw ProtocolError(std::string(kMalformed));
    const std::string_view fields =
        space == std::string_view::npos ? std::string_view() : header.substr(space + 1);

    std::map<std::string, std::string, std::less<>> params;
    for (const std::string& field : parse_http_list(fields)) {
        if (field.empty()) continue;  // "a=1,,b=2": empty list elements are allowed
        const std::size_t eq = field.find('=');
        if (eq == std::string::npos) throw ProtocolError(std::string(kMalformed));
        // Later duplicates win, as in HTTPX's dict (and curl).
        params[to_lower(trim(std::string_view(field).substr(0, eq)))] =
            unquote(trim(std::string_view(field).substr(eq + 1)));
    }

    const auto realm = params.find("realm");
    const auto nonce = params.find("nonce");
    if (realm == params.end() || nonce == params.end()) {
        throw ProtocolError(std::string(kMalformed));
    }
    DigestChallenge challenge;
    challenge.realm = realm->second;
    challenge.nonce = nonce->second;
    if (auto it = params.find("algorithm"); it != params.end()) challenge.algorithm = it->second;
    if (auto it = params.find("opaque"); it != params.end()) challenge.opaque = it->second;
    if (auto it = params.find("qop"); it != params.end()) challenge.qop = it->second;
    if (auto it = params.find("userhash"); it != params.end()) {
        challenge.userhash = to_lower(it->second) == "true";
    }
    return challenge;
}

bool is_supported_digest_algorithm(std::string_view algorithm) {
    return hash_function(algorithm) != nullptr;
}

std::string digest_hash_hex(std::string_view algorithm, std::string_view data) {
    const EVP_MD* md = hash_function(algorithm);
    if (md == nullptr) {
        throw ProtocolError("Unsupported Digest algorithm \"" + std::string(algorithm) + "\"");
    }
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int size = 0;
    if (EVP_Digest(data.data(), data.size(), digest.data(), &size, md, nullptr) != 1) {
        // Only when the hash is disabled (MD5 under a FIPS-only OpenSSL configuration).
        throw ProtocolError("Digest algorithm \"" + std::string(algorithm) +
                            "\" is not available in this OpenSSL configuration");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    hex.reserve(2 * size);
    for (unsigned int i = 0; i < size; ++i) {
        hex += kHex[digest[i] >> 4];
        hex += kHex[digest[i] & 0x0f];
    }
    return hex;
}

std::optional<std::string> resolve_digest_qop(const std::optional<std::string>& qop) {
    if (!qop) return std::nullopt;
    std::vector<std::string_view> qops;
    std::string_view rest = *qop;
    while (true) {
        const std::size_t comma = rest.find(',');
        qops.push_back(trim(rest.substr(0, comma)));
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
    }
    if (std::find(qops.begin(), qops.end(), "auth") != qops.end()) return "auth";
    if (qops.size() == 1 && qops.front() == "auth-int") {
        // HTTPX's own choice: not a ProtocolError, the server did nothing wrong.
        throw NotImplementedError("Digest auth-int support is not yet implemented");
    }
    throw ProtocolError("Unexpected qop value \"" + *qop + "\" in digest auth");
}

std::string digest_nonce_count(std::uint64_t nc) {
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    do {
        out.insert(out.begin(), kHex[nc & 0x0f]);
        nc >>= 4;
    } while (nc != 0);
    if (out.size() < 8) out.insert(0, 8 - out.size(), '0');
    return out;
}

std::string digest_response(const DigestChallenge& challenge, std::string_view username,
                            std::string_view password, std::string_view method,
                            std::string_view uri, std::uint64_t nc, std::string_view cnonce) {
    const std::string_view algorithm = challenge.algorithm;
    const auto H = [&](const std::string& data) { return digest_hash_hex(algorithm, data); };

    std::string ha1 = H(join({username, challenge.realm, password}));
    if (ends_with_sess(algorithm)) ha1 = H(join({ha1, challenge.nonce, cnonce}));
    const std::string ha2 = H(join({method, uri}));

    const std::optional<std::string> qop = resolve_digest_qop(challenge.qop);
    if (!qop) return H(join({ha1, challenge.nonce, ha2}));  // RFC 2069
    return H(join({ha1, challenge.nonce, digest_nonce_count(nc), cnonce, *qop, ha2}));
}

std::string digest_username_hash(const DigestChallenge& challenge, std::string_view username) {
    return digest_hash_hex(challenge.algorithm, join({username, challenge.realm}));
}

std::string digest_authorization(const DigestChallenge& challenge, std::string_view username,
                                 std::string_view password, std::string_view method,
                                 std::string_view uri, std::uint64_t nc, std::string_view cnonce) {
    const std::string response =
        digest_response(challenge, username, password, method, uri, nc, cnonce);
    const std::optional<std::string> qop = resolve_digest_qop(challenge.qop);

    std::string header = "Digest username=";
    header += quoted_string(challenge.userhash ? digest_username_hash(challenge, username)
                                               : std::string(username));
    header += ", realm=" + quoted_string(challenge.realm);
    header += ", nonce=" + quoted_string(challenge.nonce);
    header += ", uri=" + quoted_string(uri);
    header += ", response=" + quoted_string(response);
    header += ", algorithm=" + challenge.algorithm;
    if (challenge.opaque && !challenge.opaque->empty()) {
        header += ", opaque=" + quoted_string(*challenge.opaque);
    }
    if (qop) {
        header += ", qop=" + *qop;
        header += ", nc=" + digest_nonce_count(nc);
        header += ", cnonce=" + quoted_string(cnonce);
    }
    if (challenge.userhash) header += ", userhash=true";
    return header;
}

std::string make_digest_cnonce() {
    std::array<unsigned char, 8> bytes{};
    if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1) {
        throw std::runtime_error("Digest auth: no random bytes available for the client nonce");
    }
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned char b : bytes) {
        hex += kHex[b >> 4];
        hex += kHex[b & 0x0f];
    }
    return hex;
}

}  // namespace detail

// Shared by copies of the flow and guarded by a mutex: one DigestAuth may serve concurrent
// requests of a client running on several threads.
struct DigestAuth::State {
    std::string username;
    std::string password;
    std::mutex mutex;
    std::optional<detail::DigestChallenge> last_challenge;
    std::uint64_t nonce_count = 1;

    // The header for `challenge` with nonce count `nc`; errors carry the request, as in HTTPX.
    std::string authorization(const Request& request, const detail::DigestChallenge& challenge,
                              std::uint64_t nc) const {
        try {
            return detail::digest_authorization(challenge, username, password, request.method(),
                                                request.url().raw_path(), nc,
                                                detail::make_digest_cnonce());
        } catch (ProtocolError& error) {
            if (!error.has_request()) error.set_request(std::make_shared<const Request>(request));
            throw;
        }
    }

    // Authorization from the remembered challenge, so that no 401 round trip is needed.
    std::optional<std::string> reuse(const Request& request) {
        std::optional<detail::DigestChallenge> challenge;
        std::uint64_t nc = 0;
        {
            std::lock_guard lock(mutex);
            if (!last_challenge) return std::nullopt;
            challenge = last_challenge;
            nc = nonce_count++;
        }
        return authorization(request, *challenge, nc);
    }

    // Answers a fresh challenge (nonce count 1) and remembers it. A challenge we cannot answer
    // is not remembered (HTTPX would keep failing on every later request).
    std::string answer(const Request& request, const detail::DigestChallenge& challenge) {
        std::string header = authorization(request, challenge, 1);
        std::lock_guard lock(mutex);
        last_challenge = challenge;
        nonce_count = 2;
        return header;
    }
};

namespace {

bool starts_with_digest(std::string_view value) {
    return detail::to_lower(value.substr(0, 7)) == "digest ";
}

// The Digest challenge to answer, or nullopt when the response has none. Like HTTPX this takes
// the first Digest challenge, except that one with an algorithm we support is preferred (RFC
// 7616 servers may offer SHA-256 and MD5 in any order).
std::optional<detail::DigestChallenge> choose_challenge(const Request& request,
                                                        const Response& response) {
    std::exception_ptr first_error;
    for (const std::string& value : response.headers().get_list("www-authenticate")) {
        if (!starts_with_digest(value)) continue;
        try {
            detail::DigestChallenge challenge = detail::parse_digest_challenge(value);
            if (detail::is_supported_digest_algorithm(challenge.algorithm)) return challenge;
            throw ProtocolError("Unsupported Digest algorithm \"" + challenge.algorithm + "\"");
        } catch (ProtocolError& error) {
            if (!first_error) {
                error.set_request(std::make_shared<const Request>(request));
                first_error = std::current_exception();
            }
        }
    }
    if (first_error) std::rethrow_exception(first_error);
    return std::nullopt;
}

}  // namespace

DigestAuth::DigestAuth(std::string username, std::string password)
    : state_(std::make_shared<State>()) {
    state_->username = std::move(username);
    state_->password = std::move(password);
}

DigestAuth::~DigestAuth() = default;

awaitable<Response> DigestAuth::auth_flow(Request& request, AuthSend send) {
    // A copy: the state stays alive even if the flow outlives this object.
    const std::shared_ptr<State> state = state_;
    if (std::optional<std::string> header = state->reuse(request)) {
        request.headers().set("Authorization", std::move(*header));
    }

    Response response = co_await send(request);

    if (response.status_code() != 401 || !response.headers().contains("www-authenticate")) {
        co_return response;
    }
    const std::optional<detail::DigestChallenge> challenge = choose_challenge(request, response);
    if (!challenge) co_return response;  // another scheme (Basic, Bearer...): not ours

    request.headers().set("Authorization", state->answer(request, *challenge));
    // Cookies set by the 401 (a session) go with the retry, unless the request has its own.
    Cookies cookies;
    cookies.extract_cookies(request.url(), response.headers());
    if (!cookies.empty() && !request.headers().contains("cookie")) {
        std::string cookie_header = cookies.cookie_header_for(request.url());
        if (!cookie_header.empty()) request.headers().set("Cookie", std::move(cookie_header));
    }
    co_return co_await send(request);
}

}  // namespace httpx
