#include "protocol/http11_exchange.hpp"

#include "protocol/http11_serializer.hpp"

#include <stdexcept>

namespace httpx::protocol {

BodyFraming body_framing(const Request& request) {
    // Request sets Content-Length for every body of known size (and Transfer-Encoding for the
    // others), but a caller's explicit Content-Length wins: its bytes go as they are.
    if (request.stream().buffer() || request.headers().contains("Content-Length"))
        return BodyFraming::as_is;
    return BodyFraming::chunked;
}

Http11Exchange::Http11Exchange() : parser_("GET") {}

void Http11Exchange::start(const Request& request, const Headers* proxy_headers) {
    if (state_ != State::idle) throw std::logic_error("HTTP/1.1 exchange started while busy");
    head_.clear();
    if (proxy_headers) {
        serialize_request_head(request.method(), forwarded_target(request),
                               merge_headers(*proxy_headers, request.headers()), head_);
    } else {
        serialize_request_head(request.method(), request_target(request), request.headers(), head_);
    }
    framing_ = body_framing(request);
    parser_.reset(request.method());
    nothing_received_ = true;
    state_ = State::sending_body;
}

std::string_view Http11Exchange::frame_body(std::string_view chunk, std::string& scratch) const {
    if (framing_ == BodyFraming::as_is) return chunk;
    scratch.clear();
    append_chunk(chunk, scratch);
    return scratch;
}

std::string_view Http11Exchange::end_of_body() const noexcept {
    return framing_ == BodyFraming::chunked ? last_chunk() : std::string_view();
}

void Http11Exchange::request_sent() noexcept {
    if (state_ == State::sending_body) state_ = State::awaiting_response;
}

void Http11Exchange::update_response_state() noexcept {
    if (parser_.message_done())
        state_ = State::done;
    else if (parser_.headers_done())
        state_ = State::receiving_body;
}

std::size_t Http11Exchange::feed(std::string_view data) {
    if (!data.empty()) nothing_received_ = false;
    const std::size_t used = parser_.feed(data);
    update_response_state();
    return used;
}

void Http11Exchange::feed_body(Bytes&& chunk) {
    if (!chunk.empty()) nothing_received_ = false;
    parser_.feed_body(std::move(chunk));
    update_response_state();
}

void Http11Exchange::feed_eof() {
    parser_.feed_eof();
    update_response_state();
}

bool Http11Exchange::finish(bool read_to_end, bool bytes_beyond) noexcept {
    const bool reusable =
        read_to_end && state_ == State::done && parser_.keep_alive() && !bytes_beyond;
    state_ = reusable ? State::idle : State::must_close;
    return reusable;
}

}  // namespace httpx::protocol
