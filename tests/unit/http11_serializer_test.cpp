#include "protocol/http11_serializer.hpp"

#include <httpx/exceptions.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

using httpx::Headers;
using httpx::LocalProtocolError;
using httpx::protocol::append_chunk;
using httpx::protocol::last_chunk;
using httpx::protocol::serialize_request_head;

TEST(Http11Serializer, RequestHeadBytesAreExact) {
    const Headers headers{
        {"Host", "example.org"}, {"accept", "*/*"}, {"X-Mixed-CASE", "a, b"}, {"X-Empty", ""}};
    std::string out;
    serialize_request_head("GET", "/path?q=1&r=%20", headers, out);
    EXPECT_EQ(out,
              "GET /path?q=1&r=%20 HTTP/1.1\r\n"
              "Host: example.org\r\n"
              "accept: */*\r\n"
              "X-Mixed-CASE: a, b\r\n"
              "X-Empty: \r\n"
              "\r\n");
}

TEST(Http11Serializer, AppendsAfterExistingBytes) {
    std::string out = "previous";
    serialize_request_head("OPTIONS", "*", Headers{}, out);
    EXPECT_EQ(out, "previousOPTIONS * HTTP/1.1\r\n\r\n");
}

TEST(Http11Serializer, KeepsRepeatedHeadersInOrder) {
    const Headers headers{{"Cookie", "a=1"}, {"Host", "h"}, {"Cookie", "b=2"}};
    std::string out;
    serialize_request_head("POST", "/", headers, out);
    EXPECT_EQ(out, "POST / HTTP/1.1\r\nCookie: a=1\r\nHost: h\r\nCookie: b=2\r\n\r\n");
}

TEST(Http11Serializer, AllowsTabAndObsTextInValues) {
    std::string out;
    serialize_request_head("GET", "/", Headers{{"X-A", "a\tb \xc3\xa9"}}, out);
    EXPECT_EQ(out, "GET / HTTP/1.1\r\nX-A: a\tb \xc3\xa9\r\n\r\n");
}

TEST(Http11Serializer, RejectsControlCharactersInValues) {
    using namespace std::string_literals;
    for (const auto& bad :
         {"a\rb"s, "a\nb"s, "a\r\nInjected: yes"s, "a\0b"s, "\x01"s, "a\x7f"s, "\x1b[31m"s}) {
        std::string out = "kept";
        try {
            serialize_request_head("GET", "/", Headers{{"Host", "h"}, {"X-Bad", bad}}, out);
            ADD_FAILURE() << "accepted a value with a control character";
        } catch (const LocalProtocolError& e) {
            EXPECT_NE(std::string(e.what()).find("X-Bad"), std::string::npos) << e.what();
        }
        EXPECT_EQ(out, "kept");
    }
}

TEST(Http11Serializer, RejectsNamesThatAreNotTokens) {
    using namespace std::string_literals;
    for (const auto& bad :
         {""s, "X Bad"s, "X-Bad:"s, "X\rBad"s, "X\nBad"s, "X\0Bad"s, "X-B\xc3\xa9"s, "(x)"s}) {
        std::string out;
        EXPECT_THROW(serialize_request_head("GET", "/", Headers{{bad, "v"}}, out),
                     LocalProtocolError)
            << bad;
        EXPECT_TRUE(out.empty());
    }
}

TEST(Http11Serializer, RejectsBadMethodAndTarget) {
    std::string out;
    EXPECT_THROW(serialize_request_head("", "/", Headers{}, out), LocalProtocolError);
    EXPECT_THROW(serialize_request_head("G T", "/", Headers{}, out), LocalProtocolError);
    EXPECT_THROW(serialize_request_head("GET\r\n", "/", Headers{}, out), LocalProtocolError);
    EXPECT_THROW(serialize_request_head("GET", "", Headers{}, out), LocalProtocolError);
    EXPECT_THROW(serialize_request_head("GET", "/a b", Headers{}, out), LocalProtocolError);
    EXPECT_THROW(serialize_request_head("GET", "/a\r\nX: y", Headers{}, out), LocalProtocolError);
    EXPECT_THROW(serialize_request_head("GET", "/\xc3\xa9", Headers{}, out), LocalProtocolError);
    EXPECT_TRUE(out.empty());
    serialize_request_head("M-SEARCH", "http://proxy.example/x", Headers{}, out);
    EXPECT_EQ(out, "M-SEARCH http://proxy.example/x HTTP/1.1\r\n\r\n");
}

TEST(Http11Serializer, ChunkFraming) {
    std::string out;
    append_chunk("", out);
    EXPECT_EQ(out, "");  // an empty chunk would end the body
    append_chunk("hello", out);
    EXPECT_EQ(out, "5\r\nhello\r\n");
    out.clear();
    append_chunk(std::string(4096, 'x'), out);
    EXPECT_EQ(out, "1000\r\n" + std::string(4096, 'x') + "\r\n");
    out.clear();
    append_chunk(std::string(255, 'y'), out);
    EXPECT_EQ(out.substr(0, 4), "ff\r\n");
    EXPECT_EQ(last_chunk(), "0\r\n\r\n");
}

}  // namespace
