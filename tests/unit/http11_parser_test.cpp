#include "protocol/http11_parser.hpp"

#include <httpx/exceptions.hpp>

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace {

using httpx::Headers;
using httpx::LocalProtocolError;
using httpx::RemoteProtocolError;
using httpx::protocol::ParserLimits;
using httpx::protocol::ResponseParser;

// What a connection would make of a byte stream: the final response and the bytes left over.
struct Parsed {
    int status = 0;
    std::string reason;
    std::string version;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    std::vector<std::pair<std::string, std::string>> trailers;
    bool done = false;
    bool keep_alive = false;
    bool upgraded = false;
    std::string leftover;

    bool operator==(const Parsed&) const = default;
};

std::ostream& operator<<(std::ostream& os, const Parsed& p) {
    return os << p.version << ' ' << p.status << ' ' << p.reason << " body=" << p.body
              << " done=" << p.done << " keep_alive=" << p.keep_alive << " leftover=" << p.leftover;
}

// Feeds `pieces` one after the other, carrying unconsumed bytes over as a connection does,
// then signals EOF when `eof`.
Parsed parse_pieces(const std::vector<std::string>& pieces, std::string_view method = "GET",
                    bool eof = false, ParserLimits limits = {}) {
    ResponseParser parser(method, limits);
    Parsed out;
    std::string buffer;
    for (const auto& piece : pieces) {
        buffer += piece;
        const auto n = parser.feed(buffer);
        EXPECT_LE(n, buffer.size());
        buffer.erase(0, n);
        out.body += parser.take_body();
    }
    if (eof) parser.feed_eof();
    out.body += parser.take_body();
    out.status = parser.status_code();
    out.reason = parser.reason();
    out.version = parser.http_version();
    out.headers = parser.headers().multi_items();
    out.trailers = parser.trailers().multi_items();
    out.done = parser.message_done();
    out.keep_alive = parser.keep_alive();
    out.upgraded = parser.upgraded();
    out.leftover = buffer;
    return out;
}

Parsed parse(const std::string& bytes, std::string_view method = "GET", bool eof = false) {
    return parse_pieces({bytes}, method, eof);
}

// The message of the exception thrown by parsing, or "" when none.
template <class Exception = RemoteProtocolError>
std::string error_of(const std::vector<std::string>& pieces, bool eof = false,
                     ParserLimits limits = {}, std::string_view method = "GET") {
    try {
        parse_pieces(pieces, method, eof, limits);
    } catch (const Exception& e) {
        return e.what();
    }
    return "";
}

bool contains(const std::string& text, std::string_view part) {
    return text.find(part) != std::string::npos;
}

TEST(Http11Parser, ContentLengthBody) {
    const auto p = parse(
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n"
        "X-Original-CASE: Value \r\n\r\nhello world");
    EXPECT_TRUE(p.done);
    EXPECT_EQ(p.status, 200);
    EXPECT_EQ(p.reason, "OK");
    EXPECT_EQ(p.version, "HTTP/1.1");
    EXPECT_EQ(p.body, "hello world");
    EXPECT_TRUE(p.keep_alive);
    const decltype(p.headers) expected{
        {"Content-Type", "text/plain"}, {"Content-Length", "11"}, {"X-Original-CASE", "Value"}};
    EXPECT_EQ(p.headers, expected);

    ResponseParser parser("GET");
    parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nhello");
    EXPECT_TRUE(parser.headers_done());
    EXPECT_FALSE(parser.message_done());
    EXPECT_FALSE(parser.keep_alive());  // not before the end of the message
    EXPECT_EQ(parser.content_length(), 11u);
    EXPECT_FALSE(parser.chunked());
    EXPECT_EQ(parser.take_body(), "hello");
    EXPECT_EQ(parser.take_body(), "");
}

TEST(Http11Parser, ChunkedBodyWithExtensionsAndTrailers) {
    const std::string bytes =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5;name=value;flag\r\nhello\r\n"
        "6;q=\"quoted ; string\"\r\n world\r\n"
        "0\r\nX-Checksum: abc\r\nServer-Timing: db;dur=53\r\n\r\n";
    const auto p = parse(bytes);
    EXPECT_TRUE(p.done);
    EXPECT_EQ(p.body, "hello world");
    EXPECT_TRUE(p.keep_alive);
    const decltype(p.trailers) trailers{{"X-Checksum", "abc"}, {"Server-Timing", "db;dur=53"}};
    EXPECT_EQ(p.trailers, trailers);
    EXPECT_EQ(p.headers.size(), 1u);  // trailers are not mixed into the headers

    ResponseParser parser("GET");
    EXPECT_EQ(parser.feed(bytes), bytes.size());
    EXPECT_TRUE(parser.chunked());
    EXPECT_FALSE(parser.content_length());
}

TEST(Http11Parser, CloseDelimitedBodyEndsAtEof) {
    ResponseParser parser("GET");
    const std::string head = "HTTP/1.0 200 OK\r\nServer: old\r\n\r\n";
    EXPECT_EQ(parser.feed(head + "part one,"), head.size() + 9);
    EXPECT_EQ(parser.feed(" part two"), 9u);
    EXPECT_FALSE(parser.message_done());
    parser.feed_eof();
    EXPECT_TRUE(parser.message_done());
    EXPECT_EQ(parser.take_body(), "part one, part two");
    EXPECT_EQ(parser.http_version(), "HTTP/1.0");
    EXPECT_FALSE(parser.keep_alive());
    parser.feed_eof();  // harmless once done

    // HTTP/1.1 without framing is close-delimited too, whatever Connection says.
    const auto p =
        parse_pieces({"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\nabc"}, "GET", true);
    EXPECT_TRUE(p.done);
    EXPECT_EQ(p.body, "abc");
    EXPECT_FALSE(p.keep_alive);
}

TEST(Http11Parser, InterimResponsesAreSkipped) {
    const auto p = parse(
        "HTTP/1.1 100 Continue\r\n\r\n"
        "HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n"
        "HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok");
    EXPECT_TRUE(p.done);
    EXPECT_EQ(p.status, 201);
    EXPECT_EQ(p.reason, "Created");
    const decltype(p.headers) expected{{"Content-Length", "2"}};
    EXPECT_EQ(p.headers, expected);  // the 103's Link is not the final response's
    EXPECT_EQ(p.body, "ok");
    EXPECT_TRUE(p.keep_alive);

    ResponseParser parser("POST");
    parser.feed("HTTP/1.1 100 Continue\r\n\r\n");
    EXPECT_FALSE(parser.headers_done());
    EXPECT_EQ(parser.status_code(), 0);
    EXPECT_THROW(parser.feed_eof(), RemoteProtocolError);
}

TEST(Http11Parser, SwitchingProtocolsIsFinal) {
    const auto p = parse(
        "HTTP/1.1 101 Switching Protocols\r\nConnection: upgrade\r\nUpgrade: websocket\r\n\r\n"
        "\x81\x05hello");
    EXPECT_TRUE(p.done);
    EXPECT_EQ(p.status, 101);
    EXPECT_TRUE(p.upgraded);
    EXPECT_FALSE(p.keep_alive);
    EXPECT_EQ(p.body, "");
    EXPECT_EQ(p.leftover, "\x81\x05hello");  // the new protocol's first bytes
}

TEST(Http11Parser, ConnectSuccessOpensTunnel) {
    const auto p = parse("HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01", "CONNECT");
    EXPECT_TRUE(p.done);
    EXPECT_TRUE(p.upgraded);
    EXPECT_FALSE(p.keep_alive);
    EXPECT_EQ(p.leftover, "\x16\x03\x01");

    // A refused CONNECT is an ordinary response with a body.
    const auto refused =
        parse("HTTP/1.1 407 Proxy Auth Required\r\nContent-Length: 2\r\n\r\nno", "CONNECT");
    EXPECT_TRUE(refused.done);
    EXPECT_FALSE(refused.upgraded);
    EXPECT_EQ(refused.body, "no");
}

TEST(Http11Parser, NoBodyForHead204And304) {
    const std::string next = "HTTP/1.1 200 OK\r\n";
    const auto head = parse("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n" + next, "HEAD");
    EXPECT_TRUE(head.done);
    EXPECT_TRUE(head.keep_alive);
    EXPECT_EQ(head.body, "");
    EXPECT_EQ(head.leftover, next);
    ResponseParser parser("HEAD");
    parser.feed("HTTP/1.1 200 OK\r\nContent-Length: 1234\r\n\r\n");
    EXPECT_EQ(parser.content_length(), 1234u);  // what a GET would have returned

    const auto head_chunked =
        parse("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "HEAD");
    EXPECT_TRUE(head_chunked.done);
    EXPECT_TRUE(head_chunked.keep_alive);

    for (const std::string status : {"204 No Content", "304 Not Modified"}) {
        const auto p = parse("HTTP/1.1 " + status + "\r\nContent-Length: 10\r\n\r\n" + next);
        EXPECT_TRUE(p.done) << status;
        EXPECT_TRUE(p.keep_alive) << status;
        EXPECT_EQ(p.body, "") << status;
        EXPECT_EQ(p.leftover, next) << status;
    }
}

TEST(Http11Parser, KeepAliveDependsOnVersionConnectionAndFraming) {
    struct Case {
        std::string version;
        std::string connection;  // "" = no Connection header
        bool framed;
        bool keep_alive;
    };
    const Case cases[] = {
        {"1.1", "", true, true},
        {"1.1", "keep-alive", true, true},
        {"1.1", "close", true, false},
        {"1.1", "Close", true, false},
        {"1.1", "keep-alive, close", true, false},
        {"1.1", "upgrade", true, true},
        {"1.1", "", false, false},
        {"1.0", "", true, false},
        {"1.0", "keep-alive", true, true},
        {"1.0", "Keep-Alive", true, true},
        {"1.0", "keep-alive", false, false},
        {"1.0", "close", true, false},
    };
    for (const auto& c : cases) {
        std::string bytes = "HTTP/" + c.version + " 200 OK\r\n";
        if (!c.connection.empty()) bytes += "Connection: " + c.connection + "\r\n";
        if (c.framed) bytes += "Content-Length: 3\r\n";
        bytes += "\r\nabc";
        const auto p = parse_pieces({bytes}, "GET", !c.framed);
        EXPECT_TRUE(p.done) << bytes;
        EXPECT_EQ(p.body, "abc") << bytes;
        EXPECT_EQ(p.keep_alive, c.keep_alive) << bytes;
    }
}

TEST(Http11Parser, EofBeforeResponse) {
    EXPECT_EQ(error_of({}, true), "Server disconnected without sending a response.");
    EXPECT_EQ(error_of({"HTTP/1.1 200 OK\r\nContent-Le"}, true),
              "Server disconnected without sending a response.");
}

TEST(Http11Parser, TruncatedBodies) {
    EXPECT_EQ(error_of({"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc"}, true),
              "peer closed connection without sending complete message body: "
              "received 3 bytes, expected 10");
    EXPECT_EQ(error_of({"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"}, true),
              "peer closed connection without sending complete message body: "
              "incomplete chunked read");
    // The last chunk without the final CRLF of the trailer section is not complete either.
    EXPECT_NE(error_of({"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n"}, true), "");
}

TEST(Http11Parser, BrokenChunks) {
    const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (const std::string body :
         {"zz\r\nhello\r\n", "5\r\nhelloXX\r\n", "-5\r\nhello\r\n", "5 \r\nhello\r\n",
          "10000000000000000\r\n", "ffffffffffffffffff\r\n"}) {
        const auto message = error_of({head + body});
        EXPECT_TRUE(contains(message, "chunk")) << body << ": " << message;
    }
}

TEST(Http11Parser, GarbageStatusLine) {
    for (const std::string line :
         {"SSH-2.0-OpenSSH_9.2\r\n\r\n", "HTTP/1.1 2OO OK\r\n\r\n", "HTTP/2.0 200 OK\r\n\r\n",
          "HTTP/1.1 99 Too Small\r\n\r\n", "HTTP/1.1 020 OK\r\n\r\n", "HTTP/1.1 000 x\r\n\r\n",
          "http/1.1 200 OK\r\n\r\n", "HTTP/1.1\t200 OK\r\n\r\n", "<html>\r\n\r\n"}) {
        const auto message = error_of({line});
        EXPECT_TRUE(contains(message, "status line")) << line << ": " << message;
    }
}

TEST(Http11Parser, NonHttpBytesFailWithoutWaitingForTheHead) {
    // A TLS server, an SSH banner: no blank line will ever come.
    for (const std::string bytes :
         {"\x15\x03\x01\x00\x02\x02\x46", "SSH-2.0-OpenSSH_9.2\r\n", "H", "HTTP/"}) {
        ResponseParser parser("GET");
        if (bytes == "H" || bytes == "HTTP/") {
            EXPECT_EQ(parser.feed(bytes), 0u);  // still a possible status line
            continue;
        }
        EXPECT_THROW(parser.feed(bytes), RemoteProtocolError) << bytes;
    }
}

TEST(Http11Parser, HeadIsConsumedOnlyWhenComplete) {
    ResponseParser parser("GET");
    const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n";
    EXPECT_EQ(parser.feed(head.substr(0, head.size() - 1)), 0u);
    EXPECT_FALSE(parser.headers_done());
    EXPECT_EQ(parser.feed(head + "o"), head.size() + 1);
    EXPECT_TRUE(parser.headers_done());
    EXPECT_EQ(parser.feed("k"), 1u);
    EXPECT_TRUE(parser.message_done());
    EXPECT_EQ(parser.take_body(), "ok");
}

TEST(Http11Parser, BlankLinesBeforeTheStatusLineAreSkipped) {
    // Some servers send a stray CRLF after a body or after 100 Continue.
    const auto p =
        parse("\r\n\r\nHTTP/1.1 100 Continue\r\n\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n");
    EXPECT_TRUE(p.done);
    EXPECT_EQ(p.status, 204);
    ResponseParser parser("GET");
    EXPECT_EQ(parser.feed("\r\n\r"), 2u);
    EXPECT_EQ(parser.feed("\r"), 0u);
    EXPECT_EQ(error_of({"\r\n"}, true), "Server disconnected without sending a response.");
}

TEST(Http11Parser, BareLineFeedsAreRefused) {
    EXPECT_TRUE(contains(error_of({"HTTP/1.1 200 OK\nContent-Length: 0\n\n"}), "LF without CR"));
    EXPECT_TRUE(contains(error_of({"HTTP/1.1 200 OK\r\nX: y\nContent-Length: 0\r\n\r\n"}),
                         "LF without CR"));
}

TEST(Http11Parser, BadHeaderLines) {
    for (const std::string field :
         {"Bad Name: x\r\n", "NoColon\r\n", "X: a\rb\r\n", "X: a\x01\r\n", ": empty-name\r\n"}) {
        const auto message = error_of({"HTTP/1.1 200 OK\r\n" + field + "\r\n"});
        EXPECT_NE(message, "") << field;
    }
}

TEST(Http11Parser, HeaderBlockOverLimit) {
    ParserLimits limits;
    limits.max_header_bytes = 1024;
    const std::string big = "HTTP/1.1 200 OK\r\nX-Big: " + std::string(2000, 'a') + "\r\n\r\n";
    EXPECT_TRUE(contains(error_of({big}, false, limits), "larger than 1024 bytes"));
    // Fed in small pieces, without the end of the head ever arriving.
    std::vector<std::string> pieces{"HTTP/1.1 200 OK\r\n"};
    for (int i = 0; i < 100; ++i) pieces.push_back("X-Field-" + std::to_string(i) + ": value\r\n");
    EXPECT_TRUE(contains(error_of(pieces, false, limits), "larger than 1024 bytes"));
    // A head just under the limit is fine.
    const std::string fits = "HTTP/1.1 200 OK\r\nX: " + std::string(990, 'a') + "\r\n\r\n";
    ASSERT_LE(fits.size(), 1024u);
    EXPECT_TRUE(parse_pieces({fits}, "GET", true, limits).done);
}

TEST(Http11Parser, TooManyHeaderFields) {
    ParserLimits limits;
    limits.max_header_count = 10;
    std::string head = "HTTP/1.1 200 OK\r\n";
    for (int i = 0; i < 11; ++i) head += "X-" + std::to_string(i) + ": v\r\n";
    EXPECT_TRUE(contains(error_of({head + "\r\n"}, false, limits), "more than 10 fields"));
}

TEST(Http11Parser, ChunkLineOverLimit) {
    ParserLimits limits;
    limits.max_header_bytes = 1024;
    const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    const auto message = error_of({head + "5;" + std::string(2000, 'x')}, false, limits);
    EXPECT_TRUE(contains(message, "larger than 1024 bytes")) << message;
}

TEST(Http11Parser, ContentLengthAndTransferEncodingAreRefused) {
    for (const std::string fields : {"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
                                     "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
                                     "Transfer-Encoding: gzip\r\nContent-Length: 5\r\n",
                                     "Content-Length: 5\r\nTransfer-Encoding: identity\r\n"}) {
        const auto message = error_of({"HTTP/1.1 200 OK\r\n" + fields + "\r\n0\r\n\r\n"});
        EXPECT_TRUE(contains(message, "both Content-Length and Transfer-Encoding"))
            << fields << ": " << message;
    }
}

TEST(Http11Parser, InvalidContentLength) {
    EXPECT_TRUE(
        contains(error_of({"HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999999\r\n\r\n"}),
                 "Content-Length"));
    EXPECT_TRUE(
        contains(error_of({"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n"}), "Content-Length"));
    EXPECT_TRUE(
        contains(error_of({"HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n"}), "Content-Length"));
    EXPECT_TRUE(
        contains(error_of({"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n"}),
                 "conflicting Content-Length"));
    EXPECT_TRUE(contains(error_of({"HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n"}),
                         "conflicting Content-Length"));
    // The same length repeated is one length (RFC 9110 §8.6).
    const auto p = parse("HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc");
    EXPECT_TRUE(p.done);
    EXPECT_EQ(p.body, "abc");
}

TEST(Http11Parser, BodyLimit) {
    ParserLimits limits;
    limits.max_body_bytes = 4;
    EXPECT_TRUE(
        contains(error_of({"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello"}, false, limits),
                 "larger than 4 bytes"));
    EXPECT_NE(error_of({"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n"
                        "3\r\ndef\r\n0\r\n\r\n"},
                       false, limits),
              "");
    EXPECT_NE(error_of({"HTTP/1.0 200 OK\r\n\r\nhello"}, true, limits), "");
    EXPECT_TRUE(
        parse_pieces({"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd"}, "GET", false, limits)
            .done);
    // Without a limit, bodies beyond Beast's default of 8 MiB are fine.
    const std::string big(9 * 1024 * 1024, 'z');
    const auto p = parse("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(big.size()) +
                         "\r\n\r\n" + big);
    EXPECT_TRUE(p.done);
    EXPECT_EQ(p.body.size(), big.size());
}

TEST(Http11Parser, FailedParserRefusesMoreInput) {
    ResponseParser parser("GET");
    EXPECT_THROW(parser.feed("garbage\r\n\r\n"), RemoteProtocolError);
    EXPECT_THROW(parser.feed("HTTP/1.1 200 OK\r\n\r\n"), LocalProtocolError);
    EXPECT_THROW(parser.feed_eof(), LocalProtocolError);
}

TEST(Http11Parser, PipelinedBytesAreLeftForTheNextResponse) {
    const std::string first = "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\na";
    const std::string second =
        "HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n";
    ResponseParser parser("GET");
    EXPECT_EQ(parser.feed(first + second), first.size());
    EXPECT_TRUE(parser.message_done());
    EXPECT_EQ(parser.feed(second), 0u);
    ResponseParser next("GET");
    EXPECT_EQ(next.feed(second), second.size());
    EXPECT_EQ(next.status_code(), 404);
    EXPECT_TRUE(next.message_done());
}

TEST(Http11Parser, BodySinkGetsBytesWithoutBuffering) {
    ResponseParser parser("GET");
    std::string seen;
    std::size_t calls = 0;
    parser.set_body_sink([&](std::string_view data) {
        seen += data;
        ++calls;
    });
    std::string buffer = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n";
    buffer.erase(0, parser.feed(buffer));
    buffer += "2\r\nde\r\n0\r\n\r\n";
    EXPECT_EQ(parser.feed(buffer), buffer.size());
    EXPECT_TRUE(parser.message_done());
    EXPECT_EQ(seen, "abcde");
    EXPECT_EQ(calls, 2u);
    EXPECT_EQ(parser.take_body(), "");
    EXPECT_EQ(parser.body_bytes_received(), 5u);

    ResponseParser failing("GET");
    failing.set_body_sink([](std::string_view) { throw std::runtime_error("disk full"); });
    EXPECT_THROW(failing.feed("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\nx"), std::runtime_error);
    EXPECT_THROW(failing.feed("x"), LocalProtocolError);
}

// Every way of cutting the stream in two, and byte by byte, gives the whole stream's result.
TEST(Http11Parser, SplitAtEveryPositionGivesTheSameResult) {
    const std::vector<std::pair<std::string, bool>> streams{
        {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: b\r\n\r\nhelloHTTP/1.1", false},
        {"HTTP/1.1 100 Continue\r\nX-I: 1\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked"
         "\r\n\r\n5;ext=1\r\nhello\r\n1\r\n!\r\n0\r\nX-T: done\r\n\r\nnext",
         false},
        {"HTTP/1.0 200 OK\r\nServer: x\r\n\r\nclose delimited body", true},
        {"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", false},
        {"HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\nPRI * HTTP/2.0", false},
    };
    for (const auto& [bytes, eof] : streams) {
        const auto whole = parse_pieces({bytes}, "GET", eof);
        EXPECT_TRUE(whole.done) << bytes;
        for (std::size_t i = 0; i <= bytes.size(); ++i) {
            EXPECT_EQ(parse_pieces({bytes.substr(0, i), bytes.substr(i)}, "GET", eof), whole)
                << bytes << " cut at " << i;
        }
        std::vector<std::string> bytewise;
        for (char c : bytes) bytewise.emplace_back(1, c);
        EXPECT_EQ(parse_pieces(bytewise, "GET", eof), whole) << bytes;
    }
    // Errors too: a broken stream fails however it is cut.
    const std::string broken =
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX\r\n";
    for (std::size_t i = 0; i <= broken.size(); ++i) {
        EXPECT_NE(error_of({broken.substr(0, i), broken.substr(i)}), "") << "cut at " << i;
    }
}

}  // namespace

namespace {

TEST(Http11Parser, AcceptsAStatusLineWithoutReasonPhrase) {
    httpx::protocol::ResponseParser parser("GET");
    const std::string bytes = "HTTP/1.1 301\r\nLocation: /x\r\nContent-Length: 0\r\n\r\n";
    EXPECT_EQ(parser.feed(bytes), bytes.size());
    ASSERT_TRUE(parser.message_done());
    EXPECT_EQ(parser.status_code(), 301);
    EXPECT_EQ(parser.reason(), "");
    EXPECT_EQ(parser.headers().get("Location"), "/x");
}

}  // namespace

namespace {

// The limits at their edges: one byte or one unit past a bound fails, the bound itself does not.
TEST(Http11Parser, LimitsHoldAtTheirEdges) {
    // 2^64 - 1 fits in the parser's 64-bit length; 2^64 does not.
    const auto max = parse("HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551615\r\n\r\n");
    EXPECT_FALSE(max.done);
    EXPECT_EQ(max.status, 200);
    EXPECT_EQ(error_of({"HTTP/1.1 200 OK\r\nContent-Length: 18446744073709551616\r\n\r\n"}),
              "invalid Content-Length header (not a number, or too large)");
    // A status line that never ends fails as soon as it passes the header limit, however it
    // arrives, instead of buffering forever.
    ParserLimits limits;
    limits.max_header_bytes = 1000;
    ResponseParser parser("GET", limits);
    std::string stream = "HTTP/1.1 200 ";
    EXPECT_EQ(parser.feed(stream), 0u);
    bool failed = false;
    while (!failed && stream.size() <= 2000) {
        stream += std::string(100, 'x');
        try {
            EXPECT_EQ(parser.feed(stream), 0u);
        } catch (const RemoteProtocolError& e) {
            failed = true;
            EXPECT_STREQ(e.what(), "response header section is larger than 1000 bytes");
            EXPECT_GT(stream.size(), 1000u);
            EXPECT_LE(stream.size(), 1100u);
        }
    }
    EXPECT_TRUE(failed);
}

}  // namespace

namespace {

// A quoted string in a chunk extension ends on its own line and holds no control byte (RFC 9112
// §7.1.1): a CR, LF or NUL inside one is what a line-ending confusion between two parsers is
// made of. Refused as soon as the line is complete, without waiting for more bytes.
TEST(Http11Parser, ChunkExtensionQuotedStringsAreStrict) {
    const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    const std::vector<std::string> lines{"5;a=\"unclosed\r\n", "5;a=\"x\ny\"\r\n",
                                         "5;a=\"x\r\n\"\r\n", std::string("5;a=\"x\0y\"\r\n", 11),
                                         "0;a=\"open\r\n\r\n"};
    for (const auto& line : lines) {
        const auto message = error_of({head + line});
        EXPECT_TRUE(contains(message, "chunk extension"))
            << testing::PrintToString(line) << ": " << message;
    }
    // Well-formed ones pass, escapes and obs-text included.
    const auto p = parse(head + "5;a=\"q \\\" \xe9\";b=t\r\nhello\r\n0\r\n\r\n");
    EXPECT_TRUE(p.done);
    EXPECT_EQ(p.body, "hello");
}

// A chunk-size line or trailer section over max_header_bytes fails however it arrives, in one
// read or in many.
TEST(Http11Parser, ChunkLineAndTrailerLimitsHoldInOneRead) {
    ParserLimits limits;
    limits.max_header_bytes = 1024;
    const std::string head = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n";
    const std::string long_line = "5;" + std::string(2000, 'x') + "\r\nhello\r\n0\r\n\r\n";
    EXPECT_TRUE(contains(error_of({head + long_line}, false, limits), "larger than 1024 bytes"));
    const std::string trailers = "0\r\nX-T: " + std::string(2000, 't') + "\r\n\r\n";
    EXPECT_TRUE(contains(error_of({head + trailers}, false, limits), "larger than 1024 bytes"));
    EXPECT_TRUE(parse_pieces({head + "0\r\nX-T: short\r\n\r\n"}, "GET", false, limits).done);
}

}  // namespace
