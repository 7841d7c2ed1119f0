#include "terminal.hpp"

#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <stdexcept>

namespace httpxx_cli {

bool is_terminal(std::FILE* stream) {
    return ::isatty(::fileno(stream)) == 1;
}

bool colours_allowed(std::FILE* stream) {
    const char* no_color = std::getenv("NO_COLOR");
    if (no_color != nullptr && *no_color != '\0') return false;
    return is_terminal(stream);
}

int terminal_width(std::FILE* stream) {
    winsize size{};
    if (::ioctl(::fileno(stream), TIOCGWINSZ, &size) == 0 && size.ws_col > 0) return size.ws_col;
    if (const char* columns = std::getenv("COLUMNS")) {
        const int value = std::atoi(columns);
        if (value > 0) return value;
    }
    return 80;
}

std::string prompt_password(const std::string& prompt) {
    std::FILE* tty = std::fopen("/dev/tty", "r+");
    if (tty == nullptr) {
        // No terminal (a pipe, a test): the password is the first line of stdin.
        std::string line;
        if (!std::getline(std::cin, line)) throw std::runtime_error("no password given on stdin");
        return line;
    }
    std::fputs(prompt.c_str(), tty);
    std::fflush(tty);
    termios saved{};
    const bool have_termios = ::tcgetattr(::fileno(tty), &saved) == 0;
    if (have_termios) {
        termios quiet = saved;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(::fileno(tty), TCSAFLUSH, &quiet);
    }
    std::string line;
    int c = 0;
    while ((c = std::fgetc(tty)) != EOF && c != '\n') line += static_cast<char>(c);
    if (have_termios) ::tcsetattr(::fileno(tty), TCSAFLUSH, &saved);
    std::fputc('\n', tty);  // the Enter the user typed was not echoed
    std::fclose(tty);
    if (c == EOF && line.empty()) throw std::runtime_error("no password given");
    return line;
}

}  // namespace httpxx_cli
