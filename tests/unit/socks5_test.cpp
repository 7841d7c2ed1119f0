// The SOCKS5 codec (protocol/socks5.hpp) and the handshake over a scripted stream
// (net/socks5_connect.hpp): the bytes httpcore's socksio sends, its error messages, and
// answers split anywhere.
#include "protocol/socks5.hpp"
#include "net/socks5_connect.hpp"

#include "run_async.hpp"
#include "scripted_stream.hpp"

#include <httpx/exceptions.hpp>

#include <gtest/gtest.h>

#include <boost/asio/error.hpp>
#include <boost/system/system_error.hpp>

#include <memory>
#include <optional>
#include <string>

using namespace std::string_literals;
namespace socks5 = httpx::protocol::socks5;

namespace {

std::string proxy_error_of(auto&& f) {
    try {
        f();
    } catch (const httpx::ProxyError& e) {
        return e.what();
    }
    return "(no ProxyError)";
}

}  // namespace

TEST(Socks5Codec, GreetingOffersOneMethod) {
    EXPECT_EQ(socks5::greeting(socks5::AuthMethod::no_authentication), "\x05\x01\x00"s);
    EXPECT_EQ(socks5::greeting(socks5::AuthMethod::username_password), "\x05\x01\x02"s);
}

TEST(Socks5Codec, LoginRequestIsRfc1929) {
    EXPECT_EQ(socks5::login_request("user", "pw"), "\x01\x04user\x02pw"s);
    EXPECT_EQ(socks5::login_request("", ""), "\x01\x00\x00"s);
    EXPECT_EQ(socks5::login_request(std::string(255, 'u'), "p").size(), 3u + 255 + 1);
}

TEST(Socks5Codec, LoginRequestRefusesLongCredentialsWithoutShowingThePassword) {
    const auto message =
        proxy_error_of([] { socks5::login_request("user", std::string(256, 'S')); });
    EXPECT_NE(message.find("255 bytes"), std::string::npos) << message;
    EXPECT_EQ(message.find("SSS"), std::string::npos) << message;
    EXPECT_THROW(socks5::login_request(std::string(256, 'u'), "p"), httpx::ProxyError);
}

TEST(Socks5Codec, ConnectRequestWithIpv4) {
    EXPECT_EQ(socks5::connect_request("127.0.0.1", 8080),
              "\x05\x01\x00\x01\x7f\x00\x00\x01\x1f\x90"s);
}

TEST(Socks5Codec, ConnectRequestWithIpv6WithOrWithoutBrackets) {
    const auto expected = "\x05\x01\x00\x04"s + std::string(15, '\0') + "\x01" + "\x01\xbb"s;
    EXPECT_EQ(socks5::connect_request("::1", 443), expected);
    EXPECT_EQ(socks5::connect_request("[::1]", 443), expected);
}

TEST(Socks5Codec, ConnectRequestWithDomainName) {
    EXPECT_EQ(socks5::connect_request("example.com", 80),
              "\x05\x01\x00\x03\x0b"
              "example.com\x00\x50"s);
    // Something that only looks like an address goes as a name.
    EXPECT_EQ(socks5::connect_request("1.2.3", 80).substr(3, 2), "\x03\x05"s);
}

TEST(Socks5Codec, ConnectRequestRefusesEmptyOrLongNames) {
    EXPECT_THROW(socks5::connect_request("", 80), httpx::ProxyError);
    EXPECT_THROW(socks5::connect_request(std::string(256, 'a'), 80), httpx::ProxyError);
    EXPECT_EQ(socks5::connect_request(std::string(255, 'a'), 80).size(), 5u + 255 + 2);
}

TEST(Socks5Codec, MethodReplyNeedsTwoBytes) {
    EXPECT_FALSE(socks5::parse_method_reply("").message);
    EXPECT_EQ(socks5::parse_method_reply("").size, 2u);
    EXPECT_FALSE(socks5::parse_method_reply("\x05"s).message);
    const auto parsed = socks5::parse_method_reply("\x05\x02"s);
    ASSERT_TRUE(parsed.message);
    EXPECT_EQ(parsed.message->method, 0x02);
    EXPECT_EQ(parsed.size, 2u);
}

TEST(Socks5Codec, MethodReplyOfAnotherVersionIsAProxyError) {
    // An HTTP proxy answering a SOCKS greeting, say.
    const auto message = proxy_error_of([] { socks5::parse_method_reply("HTTP/1.1 400"); });
    EXPECT_EQ(message, "Malformed SOCKS5 method reply: version 0x48 instead of 0x05");
    EXPECT_THROW(socks5::parse_method_reply("\x04"s), httpx::ProxyError);
}

TEST(Socks5Codec, MethodMismatchHasHttpcoresMessage) {
    EXPECT_EQ(
        proxy_error_of([] { socks5::check_method({0xff}, socks5::AuthMethod::no_authentication); }),
        "Requested NO AUTHENTICATION REQUIRED from proxy server, but got NO ACCEPTABLE "
        "METHODS.");
    EXPECT_EQ(
        proxy_error_of([] { socks5::check_method({0x00}, socks5::AuthMethod::username_password); }),
        "Requested USERNAME/PASSWORD from proxy server, but got NO AUTHENTICATION "
        "REQUIRED.");
    EXPECT_EQ(
        proxy_error_of([] { socks5::check_method({0x07}, socks5::AuthMethod::no_authentication); }),
        "Requested NO AUTHENTICATION REQUIRED from proxy server, but got UNKNOWN.");
    EXPECT_NO_THROW(socks5::check_method({0x02}, socks5::AuthMethod::username_password));
}

TEST(Socks5Codec, LoginReply) {
    EXPECT_FALSE(socks5::parse_login_reply("\x01"s).message);
    EXPECT_TRUE(socks5::parse_login_reply("\x01\x00"s).message->success);
    EXPECT_FALSE(socks5::parse_login_reply("\x01\x01"s).message->success);
    EXPECT_FALSE(socks5::parse_login_reply("\x01\xff"s).message->success);
    // Some servers answer with the SOCKS version (curl accepts it too).
    EXPECT_TRUE(socks5::parse_login_reply("\x05\x00"s).message->success);
    EXPECT_THROW(socks5::parse_login_reply("\x02\x00"s), httpx::ProxyError);
    EXPECT_EQ(proxy_error_of([] { socks5::check_login({false}); }), "Invalid username/password");
    EXPECT_NO_THROW(socks5::check_login({true}));
}

TEST(Socks5Codec, ReplyWithIpv4BoundAddress) {
    const auto bytes = "\x05\x00\x00\x01\x0a\x00\x00\x02\x04\x38"s;
    for (std::size_t n = 0; n < bytes.size(); ++n) {
        const auto partial = socks5::parse_reply(bytes.substr(0, n));
        EXPECT_FALSE(partial.message) << n;
        EXPECT_GT(partial.size, n);
        EXPECT_LE(partial.size, bytes.size());
    }
    const auto parsed = socks5::parse_reply(bytes + "origin bytes");
    ASSERT_TRUE(parsed.message);
    EXPECT_EQ(parsed.size, bytes.size());
    EXPECT_EQ(parsed.message->code, 0);
    EXPECT_EQ(parsed.message->address_type, socks5::AddressType::ipv4);
    EXPECT_EQ(parsed.message->host, "10.0.0.2");
    EXPECT_EQ(parsed.message->port, 1080);
}

TEST(Socks5Codec, ReplyWithIpv6BoundAddress) {
    const auto bytes =
        "\x05\x00\x00\x04\x20\x01\x0d\xb8"s + std::string(11, '\0') + "\x07" + "\x00\x50"s;
    EXPECT_FALSE(socks5::parse_reply(bytes.substr(0, bytes.size() - 1)).message);
    EXPECT_EQ(socks5::parse_reply(bytes.substr(0, 4)).size, bytes.size());
    const auto parsed = socks5::parse_reply(bytes);
    ASSERT_TRUE(parsed.message);
    EXPECT_EQ(parsed.message->address_type, socks5::AddressType::ipv6);
    EXPECT_EQ(parsed.message->host, "2001:db8::7");
    EXPECT_EQ(parsed.message->port, 80);
}

TEST(Socks5Codec, ReplyWithDomainBoundAddress) {
    const auto bytes = "\x05\x00\x00\x03\x05proxy\x01\x00"s;
    EXPECT_EQ(socks5::parse_reply(bytes.substr(0, 4)).size, 5u);
    EXPECT_EQ(socks5::parse_reply(bytes.substr(0, 5)).size, bytes.size());
    const auto parsed = socks5::parse_reply(bytes);
    ASSERT_TRUE(parsed.message);
    EXPECT_EQ(parsed.message->address_type, socks5::AddressType::domain);
    EXPECT_EQ(parsed.message->host, "proxy");
    EXPECT_EQ(parsed.message->port, 256);
    const auto empty = socks5::parse_reply("\x05\x00\x00\x03\x00\x00\x00"s);
    ASSERT_TRUE(empty.message);
    EXPECT_EQ(empty.message->host, "");
}

TEST(Socks5Codec, MalformedRepliesAreProxyErrors) {
    EXPECT_EQ(proxy_error_of([] { socks5::parse_reply("\x04\x5a"s); }),
              "Malformed SOCKS5 reply: version 0x04 instead of 0x05");
    EXPECT_EQ(proxy_error_of([] { socks5::parse_reply("\x05\x00\x00\x09"s); }),
              "Malformed SOCKS5 reply: unknown address type 0x09");
}

TEST(Socks5Codec, RefusalWithUnknownAddressTypeStillNamesTheCode) {
    const auto parsed = socks5::parse_reply("\x05\x05\x00\x00"s);
    ASSERT_TRUE(parsed.message);
    EXPECT_EQ(parsed.size, 4u);
    EXPECT_EQ(proxy_error_of([&] { socks5::check_reply(*parsed.message); }),
              "Proxy Server could not connect: Connection refused.");
}

TEST(Socks5Codec, EveryReplyCodeHasHttpcoresMessage) {
    const char* names[] = {"General SOCKS server failure", "Connection not allowed by ruleset",
                           "Network unreachable",          "Host unreachable",
                           "Connection refused",           "TTL expired",
                           "Command not supported",        "Address type not supported"};
    for (std::uint8_t code = 1; code <= 8; ++code) {
        socks5::Reply reply;
        reply.code = code;
        EXPECT_EQ(proxy_error_of([&] { socks5::check_reply(reply); }),
                  "Proxy Server could not connect: "s + names[code - 1] + ".");
    }
    socks5::Reply unknown;
    unknown.code = 0x42;
    EXPECT_EQ(proxy_error_of([&] { socks5::check_reply(unknown); }),
              "Proxy Server could not connect: UNKOWN.");  // httpcore's spelling
    EXPECT_NO_THROW(socks5::check_reply(socks5::Reply{}));
}

namespace {

const std::string ok_reply = "\x05\x00\x00\x01\x7f\x00\x00\x01\x04\x38"s;

void handshake(std::shared_ptr<httpx::test::Script> script, std::string host, std::uint16_t port,
               std::optional<httpx::net::Socks5Credentials> credentials = std::nullopt) {
    httpx::test::ScriptedStream stream(script);
    httpx::test::run_async([&]() -> httpx::awaitable<void> {
        co_await httpx::net::socks5_handshake(stream, host, port, credentials);
    }());
}

std::string read_rest(std::shared_ptr<httpx::test::Script> script) {
    std::string rest;
    for (const auto& r : script->reads) rest += r.bytes;
    return rest;
}

}  // namespace

TEST(Socks5Handshake, WithoutAuthSendsGreetingThenConnectAndLeavesOriginBytes) {
    auto script = std::make_shared<httpx::test::Script>();
    script->then("\x05\x00"s).then(ok_reply + "HTTP/1.1 200 OK\r\n");
    handshake(script, "example.com", 443);
    EXPECT_EQ(script->written,
              "\x05\x01\x00"
              "\x05\x01\x00\x03\x0b"
              "example.com\x01\xbb"s);
    EXPECT_EQ(read_rest(script), "HTTP/1.1 200 OK\r\n");
}

TEST(Socks5Handshake, AnswersSplitIntoSingleBytes) {
    auto script = std::make_shared<httpx::test::Script>();
    script->then("\x05\x02\x01\x00"s + "\x05\x00\x00\x03\x04host\x00\x50"s + "rest", 1);
    handshake(script, "10.1.2.3", 80, httpx::net::Socks5Credentials{"u", "p"});
    EXPECT_EQ(script->written,
              "\x05\x01\x02"
              "\x01\x01u\x01p"
              "\x05\x01\x00\x01\x0a\x01\x02\x03\x00\x50"s);
    EXPECT_EQ(read_rest(script), "rest");
}

TEST(Socks5Handshake, WrongPasswordIsInvalidUsernamePassword) {
    auto script = std::make_shared<httpx::test::Script>();
    script->then("\x05\x02"s).then("\x01\x01"s);
    EXPECT_EQ(proxy_error_of([&] {
                  handshake(script, "h", 1, httpx::net::Socks5Credentials{"u", "bad"});
              }),
              "Invalid username/password");
    EXPECT_EQ(script->written.find("\x05\x01\x00\x03"s), std::string::npos);  // no CONNECT
}

TEST(Socks5Handshake, ProxyThatWantsAuthWhenNoneOffered) {
    auto script = std::make_shared<httpx::test::Script>();
    script->then("\x05\xff"s);
    EXPECT_EQ(proxy_error_of([&] { handshake(script, "h", 1); }),
              "Requested NO AUTHENTICATION REQUIRED from proxy server, but got NO ACCEPTABLE "
              "METHODS.");
}

TEST(Socks5Handshake, RefusedConnect) {
    auto script = std::make_shared<httpx::test::Script>();
    script->then("\x05\x00"s).then("\x05\x04\x00\x01\x00\x00\x00\x00\x00\x00"s);
    EXPECT_EQ(proxy_error_of([&] { handshake(script, "h", 1); }),
              "Proxy Server could not connect: Host unreachable.");
}

TEST(Socks5Handshake, CloseMidHandshakeIsAProxyError) {
    for (const auto& answered : {""s, "\x05"s, "\x05\x00"s, "\x05\x00\x05\x00\x00\x01\x7f"s}) {
        auto script = std::make_shared<httpx::test::Script>();
        script->then(answered);
        EXPECT_EQ(proxy_error_of([&] { handshake(script, "h", 1); }),
                  "The SOCKS5 proxy closed the connection during the handshake")
            << answered.size();
    }
}

TEST(Socks5Handshake, SocketErrorsPassThrough) {
    auto script = std::make_shared<httpx::test::Script>();
    script->then("\x05\x00"s).then_error(boost::asio::error::connection_reset);
    EXPECT_THROW(handshake(script, "h", 1), boost::system::system_error);
}

TEST(Socks5Handshake, BadHostFailsBeforeSendingAnything) {
    auto script = std::make_shared<httpx::test::Script>();
    EXPECT_THROW(handshake(script, std::string(300, 'a'), 1), httpx::ProxyError);
    EXPECT_EQ(script->written, "");
}
