// The one translation unit that compiles Boost.Asio and its SSL support
// (BOOST_ASIO_SEPARATE_COMPILATION): every other file includes their declarations only, which
// keeps the build fast on two cores.
#include <boost/asio/impl/src.hpp>
#include <boost/asio/ssl/impl/src.hpp>
