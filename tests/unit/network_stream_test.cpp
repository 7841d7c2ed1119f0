#include "httpx/network_stream.hpp"

#include <gtest/gtest.h>

#include "httpx/exceptions.hpp"
#include "models/string_extension.hpp"
#include "run_async.hpp"
#include "scripted_stream.hpp"
#include "transport/upgraded_stream.hpp"

#include <boost/asio/error.hpp>

#include <memory>
#include <string>

namespace {

using httpx::test::run_async;
using httpx::test::Script;

httpx::NetworkStream over(std::shared_ptr<Script> script, std::string buffered) {
    return httpx::NetworkStream(std::make_shared<httpx::NetworkStream::Impl>(
        std::make_unique<httpx::test::ScriptedStream>(std::move(script)), std::move(buffered),
        httpx::transport::Lease()));
}

TEST(NetworkStream, HandsOutTheBytesReadPastTheHeadFirst) {
    auto script = std::make_shared<Script>();
    script->then("from the socket");
    httpx::NetworkStream stream = over(script, "early bytes");
    EXPECT_TRUE(stream.is_readable());  // the early bytes are there
    EXPECT_EQ(run_async(stream.read(5)), "early");
    EXPECT_EQ(run_async(stream.read()), " bytes");
    EXPECT_EQ(script->read_calls, 0u);
    EXPECT_EQ(run_async(stream.read()), "from the socket");
    EXPECT_EQ(run_async(stream.read()), "");  // the end of the stream
    EXPECT_EQ(run_async(stream.read(0)), "");
}

TEST(NetworkStream, WritesGoToTheConnection) {
    auto script = std::make_shared<Script>();
    httpx::NetworkStream stream = over(script, "");
    run_async(stream.write("hello "));
    run_async(stream.write("world"));
    EXPECT_EQ(script->written, "hello world");
    EXPECT_EQ(stream.tls(), nullptr);
}

TEST(NetworkStream, FailuresAreHttpxErrors) {
    auto script = std::make_shared<Script>();
    script->then_error(boost::asio::error::connection_reset);
    script->write_error = boost::asio::error::broken_pipe;
    httpx::NetworkStream stream = over(script, "");
    EXPECT_THROW(run_async(stream.read()), httpx::ReadError);
    EXPECT_THROW(run_async(stream.write("x")), httpx::WriteError);
}

TEST(NetworkStream, CloseIsIdempotentAndSharedByCopies) {
    auto script = std::make_shared<Script>();
    script->then("unread");
    httpx::NetworkStream stream = over(script, "");
    httpx::NetworkStream copy = stream;
    copy.close();
    EXPECT_TRUE(script->closed);
    EXPECT_TRUE(stream.is_closed());
    EXPECT_FALSE(stream.is_readable());
    stream.close();
    run_async(stream.aclose());
    EXPECT_THROW(run_async(stream.read()), httpx::ReadError);
    EXPECT_THROW(run_async(stream.write("x")), httpx::WriteError);
}

TEST(NetworkStream, TheLastHandleGoneClosesTheConnection) {
    auto script = std::make_shared<Script>();
    { httpx::NetworkStream stream = over(script, "x"); }
    EXPECT_TRUE(script->closed);
}

TEST(StringExtension, AcceptsEveryStringTypeAndRefusesOthers) {
    httpx::Extensions extensions;
    EXPECT_EQ(httpx::detail::string_extension(extensions, "target"), std::nullopt);
    extensions["target"] = std::string("*");
    EXPECT_EQ(httpx::detail::string_extension(extensions, "target"), "*");
    extensions["target"] = "literal";
    EXPECT_EQ(httpx::detail::string_extension(extensions, "target"), "literal");
    extensions["target"] = std::string_view("view");
    EXPECT_EQ(httpx::detail::string_extension(extensions, "target"), "view");
    extensions["target"] = 42;
    EXPECT_THROW(httpx::detail::string_extension(extensions, "target"), std::invalid_argument);
}

}  // namespace
