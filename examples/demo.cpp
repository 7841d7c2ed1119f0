// Placeholder until AsyncClient lands in this same issue.
#include <httpx/exceptions.hpp>
#include <iostream>
int main() {
    std::cout << "httpxx demo\n";
}
