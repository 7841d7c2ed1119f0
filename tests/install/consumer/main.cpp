#include <httpx/exceptions.hpp>
#include <iostream>
int main() {
    try {
        throw httpx::ConnectError("consumer");
    } catch (const httpx::HTTPError& e) {
        std::cout << "consumer caught " << e.what() << "\n";
    }
}
