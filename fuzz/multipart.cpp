// multipart/form-data encoding round trip: fields and files with any names, file names and
// contents are encoded, then split again at the boundary. Every part comes back with its exact
// content, in order; no name or file name can end a part header line early (header injection);
// the announced length is the real one. Also parses Content-Type values for their boundary.
//
// Input: records separated by '\0': field name, field value, field name, field value ... and a
// record starting with '\x01' turns the rest into files (name, file name, content ...). The
// first record is also parsed as a Content-Type value.
#include "content/multipart.hpp"
#include "fuzz_support.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>

#include <string>
#include <vector>

using namespace httpx::fuzz;

namespace {

std::string read_all(const httpx::AsyncByteStream& stream) {
    boost::asio::io_context io;
    std::string body;
    boost::asio::co_spawn(
        io,
        [](httpx::AsyncByteStream s, std::string& out) -> httpx::awaitable<void> {
            out = co_await s.aread();
        }(stream, body),
        boost::asio::detached);
    io.run();
    return body;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view input(reinterpret_cast<const char*>(data), size);
    std::vector<std::string> records;
    while (!input.empty() && records.size() < 64) {
        const auto end = input.find('\0');
        records.emplace_back(input.substr(0, end));
        input.remove_prefix(end == std::string_view::npos ? input.size() : end + 1);
    }
    if (records.empty()) return 0;
    (void)httpx::content::multipart_boundary_from_content_type(records[0]);

    std::vector<std::pair<std::string, httpx::PrimitiveValue>> fields;
    std::vector<std::pair<std::string, httpx::content::MultipartFile>> files;
    std::vector<std::string> contents;  // what each part must carry, in body order
    bool in_files = false;
    for (std::size_t i = 0; i < records.size(); ++i) {
        if (!in_files && records[i].starts_with('\x01')) {
            in_files = true;
            records[i].erase(0, 1);
        }
        if (!in_files) {
            if (i + 1 >= records.size()) break;
            fields.emplace_back(records[i], records[i + 1]);
            ++i;
        } else {
            if (i + 2 >= records.size()) break;
            httpx::content::MultipartFile file;
            file.filename = records[i + 1];
            file.content = records[i + 2];
            files.emplace_back(records[i], std::move(file));
            i += 2;
        }
    }
    for (const auto& field : fields) contents.push_back(field.second.str());
    for (const auto& file : files) contents.push_back(std::get<httpx::Bytes>(file.second.content));

    const auto encoded = httpx::content::encode_multipart(fields, files);
    const auto boundary =
        httpx::content::multipart_boundary_from_content_type(encoded.content_type);
    FUZZ_CHECK(boundary && boundary->size() == 32);
    const auto body = read_all(encoded.stream);
    FUZZ_CHECK(encoded.length && *encoded.length == body.size());

    // Split at the boundary as a server would.
    const std::string delimiter = "--" + *boundary;
    std::string_view rest = body;
    FUZZ_CHECK(rest.starts_with(delimiter + "\r\n") || contents.empty());
    std::size_t part = 0;
    while (rest.starts_with(delimiter + "\r\n")) {
        rest.remove_prefix(delimiter.size() + 2);
        const auto head_end = rest.find("\r\n\r\n");
        FUZZ_CHECK(head_end != std::string_view::npos);
        const auto head = rest.substr(0, head_end);
        // Header lines: only "Name: value" lines, the first one Content-Disposition.
        FUZZ_CHECK(head.starts_with("Content-Disposition: form-data; name=\""));
        std::size_t line_start = 0;
        while (line_start <= head.size()) {
            const auto line_end = std::min(head.find("\r\n", line_start), head.size());
            const auto line = head.substr(line_start, line_end - line_start);
            FUZZ_CHECK(line.find_first_of("\r\n") == std::string_view::npos);
            FUZZ_CHECK(line.starts_with("Content-Disposition: ") ||
                       line.starts_with("Content-Type: "));
            line_start = line_end + 2;
        }
        rest.remove_prefix(head_end + 4);
        const auto content_end = rest.find("\r\n" + delimiter);
        FUZZ_CHECK(content_end != std::string_view::npos);
        FUZZ_CHECK(part < contents.size());
        FUZZ_CHECK(rest.substr(0, content_end) == contents[part]);
        ++part;
        rest.remove_prefix(content_end + 2);
    }
    FUZZ_CHECK(part == contents.size());
    FUZZ_CHECK(rest == delimiter + "--\r\n");
    return 0;
}
