#include "httpx/exceptions.hpp"

namespace httpx {

HTTPError::HTTPError(const std::string& message) : std::runtime_error(message) {}

RequestError::RequestError(const std::string& message, std::shared_ptr<const Request> request)
    : HTTPError(message), request_(std::move(request)) {}

const Request& RequestError::request() const {
    if (!request_) throw std::logic_error("The .request property has not been set.");
    return *request_;
}

HTTPStatusError::HTTPStatusError(const std::string& message,
                                 std::shared_ptr<const Request> request,
                                 std::shared_ptr<const Response> response)
    : HTTPError(message), request_(std::move(request)), response_(std::move(response)) {}

const Request& HTTPStatusError::request() const {
    if (!request_) throw std::logic_error("The .request property has not been set.");
    return *request_;
}

const Response& HTTPStatusError::response() const { return *response_; }

// The messages are HTTPX's own wording, so that users searching for them find the same answers.
StreamConsumed::StreamConsumed()
    : StreamError(
          "Attempted to read or stream some content, but the content has already been streamed. "
          "For requests, this could be due to passing a generator as request content, and then "
          "receiving a redirect response or a secondary request as part of an authentication "
          "flow. For responses, this could be due to attempting to stream the response content "
          "more than once.") {}

StreamClosed::StreamClosed()
    : StreamError(
          "Attempted to read or stream content, but the stream has been closed.") {}

ResponseNotRead::ResponseNotRead()
    : StreamError(
          "Attempted to access streaming response content, without having called `aread()`.") {}

RequestNotRead::RequestNotRead()
    : StreamError(
          "Attempted to access streaming request content, without having called `aread()`.") {}

}  // namespace httpx
