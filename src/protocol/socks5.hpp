// SOCKS5 (RFC 1928) with username/password login (RFC 1929), the client's side, sans-I/O: the
// functions below build the bytes to send and parse the proxy's answers; net/socks5_connect.hpp
// runs them over a stream. Refusals and malformed answers throw httpx::ProxyError, with
// httpcore's messages where httpcore has one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace httpx::protocol::socks5 {

/// The authentication methods a client offers and the proxy picks (RFC 1928 section 3).
enum class AuthMethod : std::uint8_t {
    no_authentication = 0x00,
    gssapi = 0x01,
    username_password = 0x02,
    no_acceptable_methods = 0xff,
};

/// The reply codes of a CONNECT (RFC 1928 section 6).
enum class ReplyCode : std::uint8_t {
    succeeded = 0x00,
    general_failure = 0x01,
    not_allowed_by_ruleset = 0x02,
    network_unreachable = 0x03,
    host_unreachable = 0x04,
    connection_refused = 0x05,
    ttl_expired = 0x06,
    command_not_supported = 0x07,
    address_type_not_supported = 0x08,
};

/// How an address is written in a request or a reply.
enum class AddressType : std::uint8_t { ipv4 = 0x01, domain = 0x03, ipv6 = 0x04 };

/// httpcore's name of a method ("NO AUTHENTICATION REQUIRED", ...; "UNKNOWN" for others).
std::string_view method_name(std::uint8_t method);
/// httpcore's name of a reply code ("Connection refused", ...; "UNKOWN", httpcore's spelling,
/// for codes past 8).
std::string_view reply_name(std::uint8_t code);

/// The greeting offering exactly `method` (httpcore offers one).
std::string greeting(AuthMethod method);
/// The RFC 1929 login. Throws ProxyError when the username or the password is longer than
/// 255 bytes (the message does not show the password).
std::string login_request(std::string_view username, std::string_view password);
/// CONNECT to host:port: an IPv4 or IPv6 literal (brackets allowed) as an address, anything
/// else as a domain name for the proxy to resolve. Throws ProxyError for an empty name or one
/// longer than 255 bytes.
std::string connect_request(std::string_view host, std::uint16_t port);

/// The result of parsing an answer from the front of the bytes received so far: `message`
/// once it is complete, and `size`, the answer's length when complete, else the least length
/// it can have given the bytes so far (a reader that asks for `size - received` more bytes
/// never reads past the answer).
template <class Message>
struct Parsed {
    std::optional<Message> message;
    std::size_t size = 0;
};

/// The proxy's choice of method.
struct MethodReply {
    std::uint8_t method = 0;
};
/// Parses the answer to the greeting. Throws ProxyError when it is not SOCKS5.
Parsed<MethodReply> parse_method_reply(std::string_view data);

/// The answer to the login.
struct LoginReply {
    bool success = false;
};
/// Parses the answer to the login. Throws ProxyError when its version is not RFC 1929's.
Parsed<LoginReply> parse_login_reply(std::string_view data);

/// The answer to CONNECT: its code and the address the proxy bound for the connection.
struct Reply {
    std::uint8_t code = 0;
    AddressType address_type = AddressType::ipv4;
    /// The bound address as text: dotted IPv4, IPv6 without brackets, or the domain's bytes.
    std::string host;
    std::uint16_t port = 0;
};
/// Parses the answer to CONNECT. Throws ProxyError when it is not SOCKS5 or its address type
/// is unknown; a refusal is returned (its code), not thrown.
Parsed<Reply> parse_reply(std::string_view data);

/// Throws httpcore's ProxyError for a method other than `requested`.
void check_method(const MethodReply& reply, AuthMethod requested);
/// Throws httpcore's ProxyError("Invalid username/password") for a failed login.
void check_login(const LoginReply& reply);
/// Throws httpcore's ProxyError("Proxy Server could not connect: <name>.") for a refusal.
void check_reply(const Reply& reply);

}  // namespace httpx::protocol::socks5
