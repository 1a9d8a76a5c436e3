# `cmake --install build` and `cpack -G DEB` (run in build/).
#
#   PREFIX/bin/utap, utaprun, utap-guest
#   PREFIX/share/utap/tapsets/   the tapset library (.stp, .stpm)
#   PREFIX/share/utap/runtime/   the runtime's sources, compiled into each module
#   PREFIX/share/man/man{1,7,8}/ utap(1), utap-guest(1), utap-lang(7), utaprun(8)
#   PREFIX/share/doc/utap/       README.md, the examples
#
# utap finds share/utap from its own path (driver/data_dirs.h), so the tree
# works wherever it is unpacked.

install(TARGETS utap utaprun utap-guest RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${CMAKE_SOURCE_DIR}/tapsets/ DESTINATION ${UTAP_INSTALL_DATADIR}/tapsets
        FILES_MATCHING PATTERN "*.stp" PATTERN "*.stpm")
install(DIRECTORY ${CMAKE_SOURCE_DIR}/runtime/ DESTINATION ${UTAP_INSTALL_DATADIR}/runtime
        FILES_MATCHING PATTERN "*.c" PATTERN "*.h")
install(FILES ${CMAKE_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${CMAKE_SOURCE_DIR}/tapsets/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME tapsets.md)
install(DIRECTORY ${CMAKE_SOURCE_DIR}/examples/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples)

# Man pages, compressed as Debian installs them. utap-lang(7) is generated
# from the READMEs' lists of differences from stap (doc/lang_page.py).
find_program(GZIP_TOOL gzip REQUIRED)
find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(UTAP_MAN_DIR ${CMAKE_BINARY_DIR}/man)
file(MAKE_DIRECTORY ${UTAP_MAN_DIR})
add_custom_command(OUTPUT ${UTAP_MAN_DIR}/utap-lang.7
  COMMAND ${Python3_EXECUTABLE} ${CMAKE_SOURCE_DIR}/doc/lang_page.py ${CMAKE_SOURCE_DIR}
          ${UTAP_MAN_DIR}/utap-lang.7 ${PROJECT_VERSION}
  DEPENDS ${CMAKE_SOURCE_DIR}/doc/lang_page.py ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/tapsets/README.md
  COMMENT "Generating utap-lang(7) from the READMEs")
set(man_outputs)
foreach(page utap.1 utap-guest.1 utaprun.8 utap-lang.7)
  if(page STREQUAL utap-lang.7)
    set(in ${UTAP_MAN_DIR}/${page})
  else()
    set(in ${CMAKE_SOURCE_DIR}/doc/${page})
  endif()
  set(out ${UTAP_MAN_DIR}/${page}.gz)
  add_custom_command(OUTPUT ${out}
    COMMAND ${GZIP_TOOL} -9 -n -c ${in} > ${out}
    DEPENDS ${in}
    COMMENT "Compressing ${page}")
  list(APPEND man_outputs ${out})
  string(REGEX REPLACE ".*\\." "" section ${page})
  install(FILES ${out} DESTINATION ${CMAKE_INSTALL_MANDIR}/man${section})
endforeach()
add_custom_target(utap_man_pages ALL DEPENDS ${man_outputs})

# ---- the Debian package -------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME utap)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_PACKAGE_CONTACT "utap developers <utap@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "SystemTap-compatible tracer for user-space programs")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
    "utap compiles SystemTap scripts that probe user-space programs (function entries and\n\
returns, source lines, SDT markers, process and thread lifecycle) into a kernel module\n\
built against the running kernel's headers, loads it and prints what the script\n\
prints. With --vm it runs the module in a qemu guest, for kernels that cannot load\n\
modules.")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The shared libraries the programs link (libdw, libelf, libfmt, libssl,
# libstdc++, ...) come from dpkg-shlibdeps. Pass 4 runs kbuild: make and the
# compiler the kernel headers were built with (Debian's headers packages
# depend on it); sys/sdt.h markers and libc's debug information are what
# probing real programs usually wants; --vm needs qemu, busybox and cpio.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "make, gcc")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS
    "linux-headers-amd64, qemu-system-x86, busybox-static, cpio, libc6-dbg")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "systemtap-sdt-dev, systemtap-doc")
set(CPACK_STRIP_FILES ON)  # as Debian ships programs
include(CPack)
