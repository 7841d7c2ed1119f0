// The one translation unit that compiles Boost.Beast (BOOST_BEAST_SEPARATE_COMPILATION) for the
// test server and the fuzz oracle; the library itself has its own HTTP/1.1 parser and no Beast.
#include <boost/beast/src.hpp>
