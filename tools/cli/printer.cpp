#include "printer.hpp"

#include <cxxabi.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <typeinfo>

#include "certificate.hpp"
#include "json_output.hpp"

namespace httpxx_cli {

std::string python_repr(std::string_view text) {
    const char quote =
        text.find('\'') != std::string_view::npos && text.find('"') == std::string_view::npos
            ? '"'
            : '\'';
    std::string out(1, quote);
    for (char c : text) {
        if (c == quote || c == '\\') {
            out += '\\';
            out += c;
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\t') {
            out += "\\t";
        } else {
            out += c;
        }
    }
    out += quote;
    return out;
}

std::string exception_name(const std::exception& error) {
    int status = 0;
    std::unique_ptr<char, void (*)(void*)> name(
        abi::__cxa_demangle(typeid(error).name(), nullptr, nullptr, &status), std::free);
    std::string text = status == 0 && name ? name.get() : typeid(error).name();
    if (const auto colons = text.rfind("::"); colons != std::string::npos) {
        text.erase(0, colons + 2);
    }
    return text;
}

BodyKind body_kind(const httpx::Headers& headers) {
    const std::optional<std::string> content_type = headers.get("Content-Type");
    if (!content_type) return BodyKind::binary;
    std::string mime = content_type->substr(0, content_type->find(';'));
    mime.erase(
        std::remove_if(mime.begin(), mime.end(), [](unsigned char c) { return std::isspace(c); }),
        mime.end());
    std::transform(mime.begin(), mime.end(), mime.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    // HTTPX asks pygments for a lexer of the MIME type: "JSON" is printed indented, any other
    // lexer as text, no lexer as binary. These are the common types pygments knows; httpxx
    // also counts every text/* and +json/+xml type, where pygments knows only some.
    if (mime == "application/json" || mime == "application/json-seq" ||
        mime == "application/x-ndjson" || mime.ends_with("+json")) {
        return BodyKind::json;
    }
    static constexpr std::string_view kText[] = {"application/xml",
                                                 "application/javascript",
                                                 "application/x-javascript",
                                                 "application/ecmascript",
                                                 "application/x-www-form-urlencoded",
                                                 "application/x-sh",
                                                 "application/sql",
                                                 "application/graphql",
                                                 "application/toml",
                                                 "application/x-yaml",
                                                 "application/yaml",
                                                 "application/ld+json"};
    if (mime.starts_with("text/") || mime.ends_with("+xml") ||
        std::find(std::begin(kText), std::end(kText), mime) != std::end(kText)) {
        return BodyKind::text;
    }
    return BodyKind::binary;
}

void Printer::line(const std::string& text) {
    std::fwrite(text.data(), 1, text.size(), out_);
    std::fputc('\n', out_);
}

void Printer::blank_line() {
    std::fputc('\n', out_);
}

void Printer::flush() {
    std::fflush(out_);
}

void Printer::connecting(std::string_view host) {
    line("* Connecting to " + python_repr(host));
}

void Printer::connected(std::string_view address, unsigned port) {
    line("* Connected to " + python_repr(address) + " on port " + std::to_string(port));
}

void Printer::tls_established(std::string_view version, std::string_view cipher,
                              std::string_view alpn, std::string_view certificate_pem,
                              bool verified) {
    line("* SSL established using " + python_repr(version) + " / " + python_repr(cipher));
    line("* Selected ALPN protocol: " + (alpn.empty() ? std::string("None") : python_repr(alpn)));
    // Python's getpeercert() is an empty dict when the certificate was not verified.
    if (!verified) return;
    const std::vector<std::string> lines = certificate_lines(certificate_pem);
    if (lines.empty()) return;
    line("* Server certificate:");
    for (const std::string& text : lines) line(text);
}

void Printer::request_head(const httpx::Request& request, bool http2) {
    line(style_.paint(Role::method, request.method()) + " " +
         style_.paint(Role::target, request.url().raw_path()) + " " +
         style_.paint(Role::version, http2 ? "HTTP/2" : "HTTP/1.1"));
    for (const auto& [name, value] : request.headers()) {
        std::string shown = name;
        if (http2) {
            std::transform(shown.begin(), shown.end(), shown.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        }
        line(style_.paint(Role::header_name, shown) + ": " +
             style_.paint(Role::header_value, value));
    }
    blank_line();
}

void Printer::response_head(std::string_view http_version, int status, std::string_view reason,
                            const httpx::Headers& headers) {
    std::string status_line = style_.paint(Role::version, http_version) + " " +
                              style_.paint(Role::status, std::to_string(status));
    status_line += " " + style_.paint(Role::reason, reason);
    line(status_line);
    for (const auto& [name, value] : headers) {
        line(style_.paint(Role::header_name, name) + ": " +
             style_.paint(Role::header_value, value));
    }
    blank_line();
}

void Printer::body(const httpx::Response& response) {
    const httpx::Bytes& content = response.content();
    if (content.empty()) return;
    switch (body_kind(response.headers())) {
        case BodyKind::json:
            if (std::optional<std::string> json = indent_json(response.text())) {
                line(colour_json(*json, style_));
                return;
            }
            [[fallthrough]];  // not JSON after all: as text, as HTTPX does
        case BodyKind::text: {
            // As HTTPX's console.print: the text, its CRLF line ends as LF (rich's Syntax
            // splits lines), then a newline.
            std::string text = response.text();
            std::size_t out = 0;
            for (std::size_t in = 0; in < text.size(); ++in) {
                if (!(text[in] == '\r' && in + 1 < text.size() && text[in + 1] == '\n')) {
                    text[out++] = text[in];
                }
            }
            text.resize(out);
            line(text);
            return;
        }
        case BodyKind::binary:
            line("<" + std::to_string(content.size()) + " bytes of binary data>");
            return;
    }
}

void Printer::request_error(const std::exception& error) {
    line(style_.paint(Role::error_name, exception_name(error)) + ": " + error.what());
}

}  // namespace httpxx_cli
