#include "client/redirects.hpp"

#include "httpx/exceptions.hpp"
#include "models/default_port.hpp"

#include <memory>

namespace httpx::detail {

namespace {

bool same_origin(const URL& a, const URL& b) {
    return a.scheme() == b.scheme() && a.host() == b.host() &&
           port_or_default(a) == port_or_default(b);
}

bool is_https_redirect(const URL& from, const URL& to) {
    return from.host() == to.host() && from.scheme() == "http" && port_or_default(from) == 80 &&
           to.scheme() == "https" && port_or_default(to) == 443;
}

// A redirect that turned the method into GET leaves the body behind.
bool drops_body(const Request& request, std::string_view method) {
    return method != request.method() && method == "GET";
}

}  // namespace

std::string redirect_method(const Request& request, const Response& response) {
    std::string method = request.method();
    const int status = response.status_code();
    if ((status == 303 || status == 302) && method != "HEAD") method = "GET";
    if (status == 301 && method == "POST") method = "GET";
    return method;
}

URL redirect_url(const Request& request, const Response& response) {
    URL url;
    try {
        url = URL(response.headers()["Location"]);
    } catch (const InvalidURL& e) {
        throw RemoteProtocolError(std::string("Invalid URL in location header: ") + e.what() + ".",
                                  std::make_shared<Request>(request));
    }
    if (!url.scheme().empty() && url.raw_host().empty()) {
        URL::Components host;
        host.host = request.url().host();
        url = url.copy_with(host);
    }
    if (url.is_relative_url()) url = request.url().join(url);
    if (!request.url().fragment().empty() && url.fragment().empty()) {
        URL::Components fragment;
        fragment.fragment = request.url().fragment();
        url = url.copy_with(fragment);
    }
    return url;
}

Headers redirect_headers(const Request& request, const URL& url, std::string_view method) {
    Headers headers = request.headers();
    if (!same_origin(url, request.url())) {
        if (!is_https_redirect(request.url(), url)) headers.erase("Authorization");
        headers.set("Host", url.netloc());
    }
    if (drops_body(request, method)) {
        headers.erase("Content-Length");
        headers.erase("Transfer-Encoding");
    }
    headers.erase("Cookie");
    return headers;
}

AsyncByteStream redirect_stream(const Request& request, std::string_view method) {
    if (drops_body(request, method)) return AsyncByteStream();
    return request.stream();
}

Request redirect_request(const Request& request, const Response& response) {
    std::string method = redirect_method(request, response);
    URL url = redirect_url(request, response);
    Headers headers = redirect_headers(request, url, method);
    AsyncByteStream stream = redirect_stream(request, method);
    return Request::from_parts(method, std::move(url), std::move(headers), std::move(stream),
                               request.extensions());
}

}  // namespace httpx::detail
