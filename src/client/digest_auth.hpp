// The pure part of HTTP Digest authentication (RFC 2069, 2617, 7616): challenge parsing and the
// response computation, free of I/O and randomness so that published vectors can check it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace httpx::detail {

/// A parsed `WWW-Authenticate: Digest ...` challenge (values unquoted and unescaped).
struct DigestChallenge {
    std::string realm{};
    std::string nonce{};
    /// As the server spelled it ("MD5" when absent); echoed back in the Authorization header.
    std::string algorithm{"MD5"};
    std::optional<std::string> opaque{};
    std::optional<std::string> qop{};
    /// RFC 7616 `userhash=true`: the username is sent hashed.
    bool userhash = false;
};

/// Parses a challenge starting with "Digest " (any case), as HTTPX does: comma-separated
/// `key=value` fields, values optionally quoted (backslash escapes inside quotes), the last of
/// repeated keys wins. Keys are matched case-insensitively. Throws `ProtocolError`
/// ("Malformed Digest WWW-Authenticate header") when realm or nonce is missing or a field has
/// no '='.
DigestChallenge parse_digest_challenge(std::string_view header);

/// Whether `algorithm` (any case) is one we can compute: MD5, SHA, SHA-256, SHA-512,
/// SHA-512-256, each also with "-SESS".
bool is_supported_digest_algorithm(std::string_view algorithm);

/// The lower-case hex hash of `data` with the hash function of `algorithm` (the "-SESS" suffix
/// is ignored). Throws `ProtocolError` for an unsupported algorithm.
std::string digest_hash_hex(std::string_view algorithm, std::string_view data);

/// The qop the client answers with: nullopt when the server offered none (RFC 2069), else
/// "auth". Throws `NotImplementedError` when only "auth-int" is offered ("Digest auth-int
/// support is not yet implemented", as HTTPX) and `ProtocolError` for any other qop list
/// without "auth".
std::optional<std::string> resolve_digest_qop(const std::optional<std::string>& qop);

/// The nonce count as sent: at least 8 lower-case hex digits ("00000001").
std::string digest_nonce_count(std::uint64_t nc);

/// The `response` value: KD(H(A1), nonce[:nc:cnonce:qop]:H(A2)), with A1 = user:realm:password
/// (hashed again with nonce and cnonce for "-SESS") and A2 = method:uri. `nc` and `cnonce` are
/// unused when no qop applies.
std::string digest_response(const DigestChallenge& challenge, std::string_view username,
                            std::string_view password, std::string_view method,
                            std::string_view uri, std::uint64_t nc, std::string_view cnonce);

/// The `username` field for `userhash=true`: H(username:realm).
std::string digest_username_hash(const DigestChallenge& challenge, std::string_view username);

/// The whole Authorization header value, fields in HTTPX's order: username, realm, nonce, uri,
/// response, algorithm, opaque, qop, nc, cnonce (then userhash=true when hashed). Quoted
/// values are escaped ('\' and '"'), as RFC 7230 quoted-strings require.
std::string digest_authorization(const DigestChallenge& challenge, std::string_view username,
                                 std::string_view password, std::string_view method,
                                 std::string_view uri, std::uint64_t nc, std::string_view cnonce);

/// A fresh client nonce: 16 hex digits from a cryptographic random source (HTTPX's length).
std::string make_digest_cnonce();

}  // namespace httpx::detail
