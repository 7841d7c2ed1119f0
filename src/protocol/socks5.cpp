#include "protocol/socks5.hpp"

#include <httpx/exceptions.hpp>

#include <boost/asio/ip/address.hpp>

#include <cstdio>

namespace httpx::protocol::socks5 {

namespace {

constexpr std::uint8_t version = 0x05;
constexpr std::uint8_t login_version = 0x01;  // RFC 1929's sub-negotiation version
constexpr std::uint8_t command_connect = 0x01;

std::uint8_t byte_at(std::string_view data, std::size_t i) {
    return static_cast<std::uint8_t>(data[i]);
}

std::string hex(std::uint8_t value) {
    char text[8];
    std::snprintf(text, sizeof text, "0x%02x", value);
    return text;
}

void check_version(std::string_view data, const char* answer) {
    if (!data.empty() && byte_at(data, 0) != version)
        throw ProxyError(std::string("Malformed SOCKS5 ") + answer + ": version " +
                         hex(byte_at(data, 0)) + " instead of 0x05");
}

void append_port(std::string& out, std::uint16_t port) {
    out.push_back(static_cast<char>(port >> 8));
    out.push_back(static_cast<char>(port & 0xff));
}

}  // namespace

std::string_view method_name(std::uint8_t method) {
    switch (static_cast<AuthMethod>(method)) {
        case AuthMethod::no_authentication:
            return "NO AUTHENTICATION REQUIRED";
        case AuthMethod::gssapi:
            return "GSSAPI";
        case AuthMethod::username_password:
            return "USERNAME/PASSWORD";
        case AuthMethod::no_acceptable_methods:
            return "NO ACCEPTABLE METHODS";
    }
    return "UNKNOWN";
}

std::string_view reply_name(std::uint8_t code) {
    switch (static_cast<ReplyCode>(code)) {
        case ReplyCode::succeeded:
            return "Succeeded";
        case ReplyCode::general_failure:
            return "General SOCKS server failure";
        case ReplyCode::not_allowed_by_ruleset:
            return "Connection not allowed by ruleset";
        case ReplyCode::network_unreachable:
            return "Network unreachable";
        case ReplyCode::host_unreachable:
            return "Host unreachable";
        case ReplyCode::connection_refused:
            return "Connection refused";
        case ReplyCode::ttl_expired:
            return "TTL expired";
        case ReplyCode::command_not_supported:
            return "Command not supported";
        case ReplyCode::address_type_not_supported:
            return "Address type not supported";
    }
    return "UNKOWN";  // sic: httpcore's spelling, kept so that messages match
}

std::string greeting(AuthMethod method) {
    return {static_cast<char>(version), 0x01, static_cast<char>(method)};
}

std::string login_request(std::string_view username, std::string_view password) {
    if (username.size() > 255 || password.size() > 255)
        throw ProxyError("SOCKS5 username and password are limited to 255 bytes each");
    std::string out;
    out.reserve(3 + username.size() + password.size());
    out.push_back(static_cast<char>(login_version));
    out.push_back(static_cast<char>(username.size()));
    out.append(username);
    out.push_back(static_cast<char>(password.size()));
    out.append(password);
    return out;
}

std::string connect_request(std::string_view host, std::uint16_t port) {
    std::string out{static_cast<char>(version), static_cast<char>(command_connect), 0x00};
    std::string_view literal = host;
    if (literal.size() >= 2 && literal.front() == '[' && literal.back() == ']')
        literal = literal.substr(1, literal.size() - 2);
    boost::system::error_code error;
    const auto address = boost::asio::ip::make_address(std::string(literal), error);
    if (!error && address.is_v4()) {
        out.push_back(static_cast<char>(AddressType::ipv4));
        for (auto b : address.to_v4().to_bytes()) out.push_back(static_cast<char>(b));
    } else if (!error && address.is_v6()) {
        out.push_back(static_cast<char>(AddressType::ipv6));
        for (auto b : address.to_v6().to_bytes()) out.push_back(static_cast<char>(b));
    } else {
        if (host.empty() || host.size() > 255)
            throw ProxyError("A SOCKS5 proxy takes host names of 1 to 255 bytes, not " +
                             std::to_string(host.size()));
        out.push_back(static_cast<char>(AddressType::domain));
        out.push_back(static_cast<char>(host.size()));
        out.append(host);
    }
    append_port(out, port);
    return out;
}

Parsed<MethodReply> parse_method_reply(std::string_view data) {
    check_version(data, "method reply");
    if (data.size() < 2) return {std::nullopt, 2};
    return {MethodReply{byte_at(data, 1)}, 2};
}

Parsed<LoginReply> parse_login_reply(std::string_view data) {
    // RFC 1929 says 0x01; some servers answer with the SOCKS version, as curl accepts too.
    if (!data.empty() && byte_at(data, 0) != login_version && byte_at(data, 0) != version)
        throw ProxyError("Malformed SOCKS5 login reply: version " + hex(byte_at(data, 0)) +
                         " instead of 0x01");
    if (data.size() < 2) return {std::nullopt, 2};
    return {LoginReply{byte_at(data, 1) == 0x00}, 2};
}

Parsed<Reply> parse_reply(std::string_view data) {
    // VER REP RSV ATYP BND.ADDR BND.PORT; RSV is not checked (curl does not either).
    check_version(data, "reply");
    constexpr std::size_t head = 4;
    if (data.size() < head) return {std::nullopt, head};
    Reply reply;
    reply.code = byte_at(data, 1);
    std::size_t address_size = 0;
    std::size_t address_at = head;
    switch (byte_at(data, 3)) {
        case static_cast<std::uint8_t>(AddressType::ipv4):
            address_size = 4;
            break;
        case static_cast<std::uint8_t>(AddressType::ipv6):
            address_size = 16;
            break;
        case static_cast<std::uint8_t>(AddressType::domain):
            if (data.size() < head + 1) return {std::nullopt, head + 1};
            address_size = byte_at(data, head);
            address_at = head + 1;
            break;
        default:
            // A refusal says all that matters in its code; the address of a failed CONNECT is
            // ignored, so do not mask the code with a complaint about it.
            if (reply.code != static_cast<std::uint8_t>(ReplyCode::succeeded)) return {reply, head};
            throw ProxyError("Malformed SOCKS5 reply: unknown address type " +
                             hex(byte_at(data, 3)));
    }
    reply.address_type = static_cast<AddressType>(byte_at(data, 3));
    const std::size_t size = address_at + address_size + 2;
    if (data.size() < size) return {std::nullopt, size};
    const std::string_view address = data.substr(address_at, address_size);
    if (reply.address_type == AddressType::ipv4) {
        boost::asio::ip::address_v4::bytes_type bytes;
        for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = byte_at(address, i);
        reply.host = boost::asio::ip::address_v4(bytes).to_string();
    } else if (reply.address_type == AddressType::ipv6) {
        boost::asio::ip::address_v6::bytes_type bytes;
        for (std::size_t i = 0; i < bytes.size(); ++i) bytes[i] = byte_at(address, i);
        reply.host = boost::asio::ip::address_v6(bytes).to_string();
    } else {
        reply.host = std::string(address);
    }
    reply.port = static_cast<std::uint16_t>(byte_at(data, size - 2) << 8 | byte_at(data, size - 1));
    return {std::move(reply), size};
}

void check_method(const MethodReply& reply, AuthMethod requested) {
    if (reply.method != static_cast<std::uint8_t>(requested))
        throw ProxyError(
            "Requested " + std::string(method_name(static_cast<std::uint8_t>(requested))) +
            " from proxy server, but got " + std::string(method_name(reply.method)) + ".");
}

void check_login(const LoginReply& reply) {
    if (!reply.success) throw ProxyError("Invalid username/password");
}

void check_reply(const Reply& reply) {
    if (reply.code != static_cast<std::uint8_t>(ReplyCode::succeeded))
        throw ProxyError("Proxy Server could not connect: " + std::string(reply_name(reply.code)) +
                         ".");
}

}  // namespace httpx::protocol::socks5
