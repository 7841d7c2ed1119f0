// The one translation unit that compiles Boost.Asio (BOOST_ASIO_SEPARATE_COMPILATION): every
// other file includes Asio's declarations only, which keeps the build fast on two cores.
#include <boost/asio/impl/src.hpp>
