// .netrc parsing (Python's netrc module) and NetRCAuth (HTTPX's httpx/_auth.py).
#include "client/netrc.hpp"

#include "httpx/auth.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace httpx {

namespace detail {

namespace {

bool is_netrc_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

// Python's _netrclex: tokens are separated by whitespace; a token may be "quoted"; a backslash
// takes the next character literally, in and out of quotes.
class Lexer {
public:
    explicit Lexer(std::string_view text) : text_(text) {}

    // The next token, "" at the end of the input.
    std::string next() {
        if (!pushback_.empty()) {
            std::string token = std::move(pushback_.back());
            pushback_.pop_back();
            return token;
        }
        std::string token;
        ended_line_ = false;
        while (pos_ < text_.size() && is_netrc_space(text_[pos_])) read();
        if (pos_ == text_.size()) return token;
        if (text_[pos_] == '"') {
            read();
            while (pos_ < text_.size()) {
                char c = read();
                if (c == '"') return token;
                if (c == '\\' && pos_ < text_.size()) c = read();
                token += c;
            }
            return token;
        }
        while (pos_ < text_.size()) {
            char c = read();
            if (is_netrc_space(c)) {
                ended_line_ = c == '\n';
                return token;
            }
            if (c == '\\' && pos_ < text_.size()) c = read();
            token += c;
        }
        ended_line_ = true;  // the end of the input ends the line too
        return token;
    }

    void push_back(std::string token) { pushback_.push_back(std::move(token)); }

    // The rest of the current line with its '\n' ("" at the end of the input).
    std::string read_line() {
        std::string line;
        while (pos_ < text_.size()) {
            const char c = read();
            line += c;
            if (c == '\n') break;
        }
        return line;
    }

    // After a '#' token: skips the rest of its line unless the token already ended it.
    void skip_comment() {
        if (!ended_line_) read_line();
    }

    int line() const noexcept { return line_; }

private:
    char read() {
        const char c = text_[pos_++];
        if (c == '\n') ++line_;
        return c;
    }

    std::string_view text_;
    std::size_t pos_ = 0;
    int line_ = 1;
    bool ended_line_ = false;
    std::vector<std::string> pushback_;
};

[[noreturn]] void parse_error(const std::string& message, std::string_view filename, int line) {
    std::ostringstream out;
    out << message << " (" << filename << ", line " << line << ")";
    throw std::runtime_error(out.str());
}

std::string python_repr(std::string_view token) {
    return "'" + std::string(token) + "'";
}

}  // namespace

std::optional<NetrcEntry> NetrcFile::authenticators(std::string_view host) const {
    if (auto it = hosts.find(host); it != hosts.end()) return it->second;
    return default_entry;
}

NetrcFile parse_netrc(std::string_view text, std::string_view filename) {
    NetrcFile netrc;
    Lexer lexer(text);
    while (true) {
        const std::string toplevel = lexer.next();
        if (toplevel.empty()) break;
        if (toplevel.front() == '#') {
            // Python only skips the line after a lone "#" here; a user's "#comment text" line
            // would then fail with "bad toplevel token". Comments are comments.
            lexer.skip_comment();
            continue;
        }
        std::string name;
        bool is_default = false;
        if (toplevel == "machine") {
            name = lexer.next();
        } else if (toplevel == "default") {
            is_default = true;
        } else if (toplevel == "macdef") {
            name = lexer.next();
            std::vector<std::string>& body = netrc.macros[name];
            body.clear();
            while (true) {
                std::string line = lexer.read_line();
                if (line.empty()) {
                    parse_error("Macro definition missing null line terminator.", filename,
                                lexer.line());
                }
                if (line == "\n") break;  // an empty line ends the macro
                body.push_back(std::move(line));
            }
            continue;
        } else {
            parse_error("bad toplevel token " + python_repr(toplevel), filename, lexer.line());
        }
        if (!is_default && name.empty()) {
            parse_error("missing " + python_repr(toplevel) + " name", filename, lexer.line());
        }

        NetrcEntry entry;
        while (true) {
            std::string token = lexer.next();
            if (!token.empty() && token.front() == '#') {
                lexer.skip_comment();
                continue;
            }
            if (token.empty() || token == "machine" || token == "default" || token == "macdef") {
                lexer.push_back(std::move(token));
                break;
            }
            if (token == "login" || token == "user") {
                entry.login = lexer.next();
            } else if (token == "account") {
                entry.account = lexer.next();
            } else if (token == "password") {
                entry.password = lexer.next();
            } else {
                parse_error("bad follower token " + python_repr(token), filename, lexer.line());
            }
        }
        if (is_default) {
            netrc.default_entry = std::move(entry);
        } else {
            netrc.hosts[name] = std::move(entry);
        }
    }
    return netrc;
}

std::filesystem::path default_netrc_path() {
    if (const char* netrc = std::getenv("NETRC"); netrc != nullptr && *netrc != '\0') {
        return netrc;
    }
    if (const char* home = std::getenv("HOME"); home != nullptr && *home != '\0') {
        return std::filesystem::path(home) / ".netrc";
    }
    // As Python's expanduser: the password database when $HOME is unset.
    if (const passwd* pw = ::getpwuid(::getuid()); pw != nullptr && pw->pw_dir != nullptr) {
        return std::filesystem::path(pw->pw_dir) / ".netrc";
    }
    return ".netrc";
}

NetrcFile load_netrc(const std::filesystem::path& path, bool check_permissions) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw std::filesystem::filesystem_error("Cannot read netrc file", path,
                                                std::error_code(errno, std::generic_category()));
    }
    const std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    NetrcFile netrc = parse_netrc(text, path.string());

    if (check_permissions) {
        // Python refuses a ~/.netrc others could have written or read, since it holds passwords.
        bool only_anonymous = !netrc.default_entry || netrc.default_entry->login == "anonymous";
        for (const auto& [host, entry] : netrc.hosts) {
            only_anonymous = only_anonymous && entry.login == "anonymous";
        }
        struct stat info {};
        if (!only_anonymous && ::stat(path.c_str(), &info) == 0) {
            if (info.st_uid != ::getuid()) {
                throw std::runtime_error("~/.netrc file owner does not match current user");
            }
            if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
                throw std::runtime_error(
                    "~/.netrc access too permissive: access permissions must restrict access "
                    "to only the owner");
            }
        }
    }
    return netrc;
}

}  // namespace detail

struct NetRCAuth::Netrc {
    detail::NetrcFile file;
};

NetRCAuth::NetRCAuth(std::optional<std::filesystem::path> file) : file_(std::move(file)) {
    auto netrc = std::make_shared<Netrc>();
    if (file_) {
        netrc->file = detail::load_netrc(*file_);
    } else {
        const bool from_env = std::getenv("NETRC") != nullptr && *std::getenv("NETRC") != '\0';
        netrc->file = detail::load_netrc(detail::default_netrc_path(), !from_env);
    }
    netrc_ = std::move(netrc);
}

awaitable<Response> NetRCAuth::auth_flow(Request& request, AuthSend send) {
    const std::optional<detail::NetrcEntry> entry =
        netrc_->file.authenticators(request.url().host());
    // As HTTPX: an entry without a password is no credentials at all.
    if (entry && !entry->password.empty()) {
        request.headers().set("Authorization",
                              BasicAuth(entry->login, entry->password).authorization());
    }
    co_return co_await send(request);
}

}  // namespace httpx
