// The "trace" extension against the project's test server: the exact event sequence httpcore
// reports for a plain HTTP/1.1 request, a TLS + HTTP/2 one, a failed connect, a reused
// connection, and what a throwing callback does; and the logging those events feed.
#include "httpx/trace.hpp"

#include <gtest/gtest.h>

#include "client_fixture.hpp"
#include "httpx/exceptions.hpp"
#include "httpx/headers.hpp"
#include "httpx/httpx.hpp"
#include "httpx/network_stream.hpp"
#include "test_certificates.hpp"
#include "test_server.hpp"

#include <boost/asio/ip/tcp.hpp>

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <regex>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

using httpx::testing::TestServer;
using Events = std::vector<std::string>;

namespace {

// What a callback saw: the event names in order, and the facts the CLI's -v prints.
struct Recorder {
    Events events;
    std::string connected_to;       // "127.0.0.1:PORT" from connect_tcp.complete
    std::string tls_version, alpn;  // from start_tls.complete
    std::string request_line;       // "GET / " from send_request_headers.started
    std::string host_header;
    int status = 0;  // from receive_response_headers.complete
    std::string reason, http_version, content_type;
    std::vector<std::int32_t> stream_ids;
    std::string failure;  // what() of the last .failed exception
    std::thread::id thread;

    httpx::TraceCallback callback() {
        return [this](std::string_view event, const httpx::TraceInfo& info) {
            events.emplace_back(event);
            thread = std::this_thread::get_id();
            if (info.stream_id) stream_ids.push_back(*info.stream_id);
            if (event == "connection.connect_tcp.complete")
                connected_to =
                    std::string(info.server_address) + ":" + std::to_string(info.server_port);
            if (event == "connection.start_tls.complete" && info.tls) {
                tls_version = info.tls->version;
                alpn = info.tls->alpn;
            }
            if (event.ends_with("send_request_headers.started") && info.request) {
                request_line = info.request->method() + " " + info.request->url().raw_path();
                host_header = info.request->headers().get("host").value_or("");
            }
            if (event.ends_with("receive_response_headers.complete")) {
                status = info.status_code;
                reason = std::string(info.reason_phrase);
                http_version = std::string(info.http_version);
                if (info.headers) content_type = info.headers->get("content-type").value_or("");
            }
            if (event.ends_with(".failed") && info.exception) {
                try {
                    std::rethrow_exception(info.exception);
                } catch (const std::exception& e) {
                    failure = e.what();
                }
            }
        };
    }
};

httpx::RequestOptions traced(httpx::TraceCallback callback) {
    httpx::RequestOptions options;
    options.extensions["trace"] = std::move(callback);
    return options;
}

const Events kHttp11Exchange = {
    "http11.send_request_headers.started",     "http11.send_request_headers.complete",
    "http11.send_request_body.started",        "http11.send_request_body.complete",
    "http11.receive_response_headers.started", "http11.receive_response_headers.complete",
    "http11.receive_response_body.started",    "http11.receive_response_body.complete",
    "http11.response_closed.started",          "http11.response_closed.complete",
};

Events concat(Events a, const Events& b) {
    a.insert(a.end(), b.begin(), b.end());
    return a;
}

struct TraceEvents : ::testing::Test, httpx::test::ClientFixture {
    TestServer server;
    void SetUp() override {
        server.start();
        make_client();
    }
    std::string url(const std::string& path = "/") const {
        return "http://127.0.0.1:" + std::to_string(server.port()) + path;
    }
};

TEST_F(TraceEvents, PlainHttp11RequestReportsHttpcoresSequence) {
    Recorder r;
    httpx::Response response = run(client->get(url(), traced(r.callback())));
    EXPECT_EQ(response.text(), "Hello, world!");
    EXPECT_EQ(r.events,
              concat({"connection.connect_tcp.started", "connection.connect_tcp.complete"},
                     kHttp11Exchange));
    EXPECT_EQ(r.connected_to, "127.0.0.1:" + std::to_string(server.port()));
    EXPECT_EQ(r.request_line, "GET /");
    EXPECT_EQ(r.host_header, "127.0.0.1:" + std::to_string(server.port()));
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.reason, "OK");
    EXPECT_EQ(r.http_version, "HTTP/1.1");
    EXPECT_FALSE(r.content_type.empty());
    EXPECT_EQ(r.thread, std::this_thread::get_id());  // the request's executor: io.run() here
}

TEST_F(TraceEvents, AReusedConnectionReportsNoConnectSteps) {
    Recorder first, second;
    run(client->get(url(), traced(first.callback())));
    run(client->get(url(), traced(second.callback())));
    EXPECT_EQ(first.events.front(), "connection.connect_tcp.started");
    EXPECT_EQ(second.events, kHttp11Exchange);
    EXPECT_EQ(server.connection_stats().size(), 1u);
}

TEST_F(TraceEvents, AStreamedUploadReportsItsHeadThenItsBody) {
    Recorder r;
    httpx::RequestOptions options = traced(r.callback());
    options.content =
        httpx::AsyncByteStream([n = 0]() mutable -> httpx::awaitable<std::optional<httpx::Bytes>> {
            if (n++ < 3) co_return httpx::Bytes("chunk");
            co_return std::nullopt;
        });
    httpx::Response response = run(client->post(url("/echo"), std::move(options)));
    EXPECT_EQ(response.text(), "chunkchunkchunk");
    EXPECT_EQ(r.events,
              concat({"connection.connect_tcp.started", "connection.connect_tcp.complete"},
                     kHttp11Exchange));
}

TEST_F(TraceEvents, AFailedConnectReportsConnectTcpFailed) {
    // A port nobody listens on: bound, then closed.
    boost::asio::io_context probe;
    boost::asio::ip::tcp::acceptor acceptor(
        probe, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    const int port = acceptor.local_endpoint().port();
    acceptor.close();

    Recorder r;
    EXPECT_THROW(
        run(client->get("http://127.0.0.1:" + std::to_string(port) + "/", traced(r.callback()))),
        httpx::ConnectError);
    EXPECT_EQ(r.events,
              (Events{"connection.connect_tcp.started", "connection.connect_tcp.failed"}));
    EXPECT_NE(r.failure.find("127.0.0.1"), std::string::npos) << r.failure;
}

TEST_F(TraceEvents, AReadTimeoutReportsTheHeadAsFailed) {
    make_client({}, httpx::Timeout(std::chrono::milliseconds(200)));
    Recorder r;
    EXPECT_THROW(run(client->get(url("/slow?ms=5000"), traced(r.callback()))), httpx::ReadTimeout);
    ASSERT_GE(r.events.size(), 2u);
    EXPECT_EQ(r.events[r.events.size() - 2], "http11.receive_response_headers.started");
    EXPECT_EQ(r.events.back(), "http11.receive_response_headers.failed");
}

struct CallbackError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// The callback throws at `event` (on a new client: the connect steps happen); the request
// fails with its exception, no event follows, the connection is not kept, the client carries on.
void throw_at(TraceEvents& t, const std::string& event) {
    t.make_client();
    Events seen;
    httpx::TraceCallback callback = [&](std::string_view name, const httpx::TraceInfo&) {
        seen.emplace_back(name);
        if (name == event) throw CallbackError("stop at " + event);
    };
    try {
        httpx::Response response = t.run(t.client->get(t.url(), traced(callback)));
        ADD_FAILURE() << "no exception at " << event;
    } catch (const CallbackError& e) {
        EXPECT_EQ(std::string(e.what()), "stop at " + event);
    }
    ASSERT_FALSE(seen.empty());
    EXPECT_EQ(seen.back(), event);
    EXPECT_EQ(t.transport->pool_stats().connections, 0u);
    httpx::Response again = t.run(t.client->get(t.url()));
    EXPECT_EQ(again.text(), "Hello, world!");
    EXPECT_EQ(t.transport->pool_stats().connections, 1u);
}

TEST_F(TraceEvents, ACallbackThrowingFailsTheRequestCleanly) {
    for (const std::string event :
         {"connection.connect_tcp.started", "connection.connect_tcp.complete",
          "http11.send_request_headers.started", "http11.send_request_body.complete",
          "http11.receive_response_headers.complete", "http11.receive_response_body.started",
          "http11.receive_response_body.complete"}) {
        SCOPED_TRACE(event);
        throw_at(*this, event);
    }
    // Every connection served one request: none that a callback failed was used again.
    for (const auto& stats : server.connection_stats()) EXPECT_LE(stats.requests, 1u);
}

TEST_F(TraceEvents, AnythingButATraceCallbackIsRejected) {
    httpx::RequestOptions options;
    options.extensions["trace"] = [](std::string_view, const httpx::TraceInfo&) {};  // a lambda
    EXPECT_THROW(run(client->get(url(), std::move(options))), std::invalid_argument);
    EXPECT_EQ(run(client->get(url())).text(), "Hello, world!");
}

// TLS + HTTP/2 (ALPN) against the test server.
struct TraceEventsTls : ::testing::Test, httpx::test::ClientFixture {
    static inline std::filesystem::path dir;
    static inline httpx::testing::TestCertificates certs;
    std::unique_ptr<TestServer> server;

    static void SetUpTestSuite() {
        dir = std::filesystem::temp_directory_path() /
              ("httpxx-trace-tls-" + std::to_string(::getpid()));
        certs = httpx::testing::make_test_certificates(dir);
    }
    static void TearDownTestSuite() { std::filesystem::remove_all(dir); }
    void SetUp() override {
        TestServer::Options options;
        options.tls = certs.server();
        options.http2 = true;
        server = std::make_unique<TestServer>(options);
        server->start();
        httpx::HTTPTransportOptions transport_options;
        transport_options.verify = certs.ca_cert;
        transport_options.http2 = true;
        make_client(transport_options);
    }
    std::string url() const { return "https://localhost:" + std::to_string(server->port()) + "/"; }
};

const Events kHttp2Exchange = {
    "http2.send_request_headers.started",     "http2.send_request_headers.complete",
    "http2.send_request_body.started",        "http2.send_request_body.complete",
    "http2.receive_response_headers.started", "http2.receive_response_headers.complete",
    "http2.receive_response_body.started",    "http2.receive_response_body.complete",
    "http2.response_closed.started",          "http2.response_closed.complete",
};

TEST_F(TraceEventsTls, TlsAndHttp2ReportHttpcoresSequence) {
    Recorder r;
    httpx::Response response = run(client->get(url(), traced(r.callback())));
    EXPECT_EQ(response.text(), "Hello, world!");
    EXPECT_EQ(r.events,
              concat({"connection.connect_tcp.started", "connection.connect_tcp.complete",
                      "connection.start_tls.started", "connection.start_tls.complete",
                      "http2.send_connection_init.started", "http2.send_connection_init.complete"},
                     kHttp2Exchange));
    EXPECT_EQ(r.alpn, "h2");
    EXPECT_FALSE(r.tls_version.empty());
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.reason, "");
    EXPECT_EQ(r.request_line, "GET /");
    // Every http2 event but send_connection_init names stream 1.
    EXPECT_EQ(r.stream_ids, std::vector<std::int32_t>(kHttp2Exchange.size(), 1));

    // The second request on the connection: no connect, no connection init, stream 3.
    Recorder again;
    run(client->get(url(), traced(again.callback())));
    EXPECT_EQ(again.events, kHttp2Exchange);
    EXPECT_EQ(again.stream_ids, std::vector<std::int32_t>(kHttp2Exchange.size(), 3));
}

TEST_F(TraceEventsTls, ACallbackThrowingResetsTheStreamAndTheConnectionServesOn) {
    run(client->get(url()));  // the connection is open
    httpx::TraceCallback callback = [](std::string_view name, const httpx::TraceInfo&) {
        if (name == "http2.receive_response_headers.complete") throw CallbackError("stop");
    };
    EXPECT_THROW(run(client->get(url(), traced(callback))), CallbackError);
    EXPECT_EQ(run(client->get(url())).text(), "Hello, world!");
    EXPECT_EQ(server->connection_stats().size(), 1u);
}

TEST_F(TraceEventsTls, AFailedHandshakeReportsStartTlsFailed) {
    make_client();  // the system's CAs: the test certificate is not trusted
    Recorder r;
    EXPECT_THROW(run(client->get(url(), traced(r.callback()))), httpx::ConnectError);
    EXPECT_EQ(r.events, (Events{"connection.connect_tcp.started", "connection.connect_tcp.complete",
                                "connection.start_tls.started", "connection.start_tls.failed"}));
    EXPECT_NE(r.failure.find("certificate verify failed"), std::string::npos) << r.failure;
}

// Logging: the "httpx" INFO line and the "httpcore.*" DEBUG lines, to a handler.
struct LogRecorder {
    std::mutex mutex;
    std::vector<std::tuple<httpx::LogLevel, std::string, std::string>> lines;
    httpx::LogHandler handler() {
        return [this](httpx::LogLevel level, std::string_view logger, std::string_view message) {
            std::lock_guard lock(mutex);
            lines.emplace_back(level, logger, message);
        };
    }
};

struct Logging : TraceEvents {
    void TearDown() override { httpx::set_log_handler(nullptr); }
};

TEST_F(Logging, InfoLogsOneLinePerResponseInHttpxsWords) {
    LogRecorder log;
    httpx::set_log_handler(log.handler(), httpx::LogLevel::info);
    run(client->get(url()));
    run(client->get(url("/status/404")));
    ASSERT_EQ(log.lines.size(), 2u);
    EXPECT_EQ(log.lines[0], std::make_tuple(httpx::LogLevel::info, std::string("httpx"),
                                            "HTTP Request: GET " + url() + " \"HTTP/1.1 200 OK\""));
    EXPECT_EQ(std::get<2>(log.lines[1]),
              "HTTP Request: GET " + url("/status/404") + " \"HTTP/1.1 404 Not Found\"");
}

TEST_F(Logging, DebugLogsEachStepAsHttpcoreDoes) {
    LogRecorder log;
    httpx::set_log_handler(log.handler());
    run(client->get(url()));
    std::vector<std::string> loggers, messages;
    for (const auto& [level, logger, message] : log.lines) {
        loggers.push_back(logger);
        messages.push_back(message);
    }
    const std::string port = std::to_string(server.port());
    ASSERT_EQ(messages.size(), 13u);
    EXPECT_EQ(messages[0], "connect_tcp.started host='127.0.0.1' port=" + port +
                               " local_address=None timeout=10.0");
    EXPECT_EQ(loggers[0], "httpcore.connection");
    EXPECT_TRUE(
        messages[1].starts_with("connect_tcp.complete return_value=<NetworkStream "
                                "server_addr=('127.0.0.1', " +
                                port + ")"))
        << messages[1];
    EXPECT_EQ(messages[2], "send_request_headers.started request=<Request [b'GET']>");
    EXPECT_EQ(loggers[2], "httpcore.http11");
    EXPECT_EQ(messages[3], "send_request_headers.complete");
    EXPECT_EQ(messages[4], "send_request_body.started request=<Request [b'GET']>");
    EXPECT_EQ(messages[5], "send_request_body.complete");
    EXPECT_EQ(messages[6], "receive_response_headers.started request=<Request [b'GET']>");
    EXPECT_TRUE(messages[7].starts_with(
        "receive_response_headers.complete return_value=(b'HTTP/1.1', 200, b'OK', [(b'"))
        << messages[7];
    // HTTPX logs its line once the head is in, before the body is read.
    EXPECT_EQ(loggers[8], "httpx");
    EXPECT_EQ(messages[8], "HTTP Request: GET " + url() + " \"HTTP/1.1 200 OK\"");
    EXPECT_EQ(messages[9], "receive_response_body.started request=<Request [b'GET']>");
    EXPECT_EQ(messages[10], "receive_response_body.complete");
    EXPECT_EQ(messages[11], "response_closed.started");
    EXPECT_EQ(messages[12], "response_closed.complete");
    EXPECT_EQ(loggers[12], "httpcore.http11");
}

TEST_F(Logging, NothingIsLoggedWithoutAHandlerAndAfterItIsRemoved) {
    LogRecorder log;
    httpx::set_log_handler(log.handler());
    httpx::set_log_handler(nullptr);
    run(client->get(url()));
    EXPECT_TRUE(log.lines.empty());
}

TEST_F(Logging, AFailedStepLogsItsExceptionAsPythonPrintsIt) {
    LogRecorder log;
    httpx::set_log_handler(log.handler());
    boost::asio::io_context probe;
    boost::asio::ip::tcp::acceptor acceptor(
        probe, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0));
    const int port = acceptor.local_endpoint().port();
    acceptor.close();
    EXPECT_THROW(run(client->get("http://127.0.0.1:" + std::to_string(port) + "/")),
                 httpx::ConnectError);
    ASSERT_EQ(log.lines.size(), 2u);
    EXPECT_TRUE(
        std::get<2>(log.lines[1]).starts_with("connect_tcp.failed exception=ConnectError('"))
        << std::get<2>(log.lines[1]);
}

// HTTPXX_LOG: this test binary run again with the variable set, its stderr read.
// The child: one request against its own server (skipped when run without HTTPXX_LOG).
TEST(HttpxxLogChild, OneRequest) {
    if (std::getenv("HTTPXX_LOG") == nullptr) GTEST_SKIP() << "run by HttpxxLog's tests";
    TestServer server;
    server.start();
    boost::asio::io_context io;
    httpx::AsyncClient client;
    httpx::test::run_on(io, client.get("http://127.0.0.1:" + std::to_string(server.port()) + "/"));
}

std::string child_stderr(const std::string& level) {
    const std::string command = "HTTPXX_LOG=" + level + " /proc/" + std::to_string(::getpid()) +
                                "/exe --gtest_filter=HttpxxLogChild.OneRequest 2>&1 >/dev/null";
    std::string out;
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) return "popen failed";
    char buffer[4096];
    while (std::size_t n = std::fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, n);
    ::pclose(pipe);
    return out;
}

TEST(HttpxxLog, InfoPrintsTheHttpxLineToStderrAsBasicConfigDoes) {
    const std::string err = child_stderr("info");
    EXPECT_TRUE(std::regex_match(
        err, std::regex("INFO:httpx:HTTP Request: GET http://127\\.0\\.0\\.1:[0-9]+/ "
                        "\"HTTP/1\\.1 200 OK\"\n")))
        << err;
}

TEST(HttpxxLog, DebugAddsHttpcoresLines) {
    const std::string err = child_stderr("debug");
    EXPECT_TRUE(err.starts_with("DEBUG:httpcore.connection:connect_tcp.started host='127.0.0.1'"))
        << err;
    EXPECT_NE(err.find("\nDEBUG:httpcore.http11:response_closed.complete\n"), std::string::npos)
        << err;
    EXPECT_NE(err.find("\nINFO:httpx:HTTP Request: GET "), std::string::npos) << err;
    // "trace" logs what "debug" logs.
    const std::string trace = child_stderr("trace");
    EXPECT_TRUE(trace.starts_with("DEBUG:httpcore.connection:connect_tcp.started ")) << trace;
    EXPECT_EQ(std::count(trace.begin(), trace.end(), '\n'),
              std::count(err.begin(), err.end(), '\n'));
}

TEST(HttpxxLog, OtherValuesLogNothing) {
    EXPECT_EQ(child_stderr("warning"), "");
    EXPECT_EQ(child_stderr("yes"), "");
}

}  // namespace
