# `cmake --install` layout: headers, the library, a CMake package (httpxx::httpxx) and httpxx.pc.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The Asio backend, recorded in httpxxConfig.cmake and httpxx.pc. pkg-config users get the same
# usage requirements as httpxx::httpxx: the io_uring macros and liburing (Asio's inline code in
# the consumer calls it) when the library was built with them.
if(HTTPXX_IO_URING)
  set(HTTPXX_ASIO_BACKEND io_uring)
  set(HTTPXX_PC_REQUIRES liburing)
  set(HTTPXX_PC_CFLAGS " -DBOOST_ASIO_HAS_IO_URING -DBOOST_ASIO_DISABLE_EPOLL")
else()
  set(HTTPXX_ASIO_BACKEND epoll)
  set(HTTPXX_PC_REQUIRES "")
  set(HTTPXX_PC_CFLAGS "")
endif()

set(HTTPXX_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/httpxx")

install(TARGETS httpxx EXPORT httpxxTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/httpx DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT httpxxTargets NAMESPACE httpxx:: DESTINATION ${HTTPXX_CMAKE_DIR})

configure_package_config_file(cmake/httpxxConfig.cmake.in
  "${CMAKE_CURRENT_BINARY_DIR}/httpxxConfig.cmake" INSTALL_DESTINATION ${HTTPXX_CMAKE_DIR})
write_basic_package_version_file("${CMAKE_CURRENT_BINARY_DIR}/httpxxConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/httpxxConfig.cmake"
              "${CMAKE_CURRENT_BINARY_DIR}/httpxxConfigVersion.cmake"
              cmake/HttpxxDependencies.cmake
        DESTINATION ${HTTPXX_CMAKE_DIR})

file(RELATIVE_PATH HTTPXX_PC_TO_PREFIX "/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/")
configure_file(cmake/httpxx.pc.in "${CMAKE_CURRENT_BINARY_DIR}/httpxx.pc" @ONLY)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/httpxx.pc" DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
