// Asio and Beast compiled once for the whole program (BOOST_ASIO_SEPARATE_COMPILATION,
// BOOST_BEAST_SEPARATE_COMPILATION): every other file includes only their headers.
#include <boost/asio/impl/src.hpp>
#include <boost/beast/src.hpp>
