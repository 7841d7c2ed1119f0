// Test that header file is self-contained.
#include "httpx/exceptions.hpp"

#include <gtest/gtest.h>

#include <type_traits>

namespace {

template <class Derived, class Base>
constexpr bool derives = std::is_base_of_v<Base, Derived>;

TEST(Exceptions, HierarchyMatchesHttpx) {
    using namespace httpx;
    static_assert(derives<RequestError, HTTPError>);
    static_assert(derives<TransportError, RequestError>);
    static_assert(derives<ConnectTimeout, TimeoutException>);
    static_assert(derives<ReadTimeout, TimeoutException>);
    static_assert(derives<WriteTimeout, TimeoutException>);
    static_assert(derives<PoolTimeout, TimeoutException>);
    static_assert(derives<TimeoutException, TransportError>);
    static_assert(derives<ConnectError, NetworkError>);
    static_assert(derives<ReadError, NetworkError>);
    static_assert(derives<WriteError, NetworkError>);
    static_assert(derives<CloseError, NetworkError>);
    static_assert(derives<NetworkError, TransportError>);
    static_assert(derives<LocalProtocolError, ProtocolError>);
    static_assert(derives<RemoteProtocolError, ProtocolError>);
    static_assert(derives<ProtocolError, TransportError>);
    static_assert(derives<ProxyError, TransportError>);
    static_assert(derives<UnsupportedProtocol, TransportError>);
    static_assert(derives<DecodingError, RequestError>);
    static_assert(derives<TooManyRedirects, RequestError>);
    static_assert(derives<HTTPStatusError, HTTPError>);
    static_assert(!derives<InvalidURL, HTTPError>);
    static_assert(derives<StreamConsumed, StreamError>);
    static_assert(derives<StreamClosed, StreamError>);
    static_assert(derives<ResponseNotRead, StreamError>);
    static_assert(derives<RequestNotRead, StreamError>);
    static_assert(derives<StreamError, std::runtime_error>);
    SUCCEED();
}

TEST(Exceptions, CatchableThroughParents) {
    try {
        throw httpx::ReadTimeout("timed out reading");
    } catch (const httpx::TransportError& e) {
        EXPECT_STREQ(e.what(), "timed out reading");
        EXPECT_FALSE(e.has_request());
        EXPECT_THROW((void)e.request(), std::logic_error);
    }
}

TEST(Exceptions, StreamErrorsExplainThemselves) {
    EXPECT_NE(std::string(httpx::ResponseNotRead().what()).find("aread()"), std::string::npos);
    EXPECT_NE(std::string(httpx::StreamConsumed().what()).find("already been streamed"),
              std::string::npos);
}

}  // namespace
