# What `cmake --install BUILD --prefix P` puts under P (README, "Install"):
#   bin/                      the drivers, parscale-summarize, parscale-py-*
#   include/parscale/         kernel.h, raw_schema.h
#   lib/parscale/             libparscale_py.so and python/ (python/CMakeLists.txt)
#   lib/parscale/plugins/     kernel libraries every installed driver loads
#   lib/cmake/parscale/       the CMake package: find_package(parscale)
#   share/parscale/           drivers.csv, report.html.in, plots/, scripts/,
#                             examples/ (the data files, plots/ and scripts/
#                             side by side, as scripts/lib/common.sh expects)
# and the build tree gets a package of its own (build/cmake/), so the
# examples and PARSCALE_PLUGINS folders build here as they would outside.
include(CMakePackageConfigHelpers)
set(PARSCALE_DATA_INSTALL_DIR ${CMAKE_INSTALL_DATADIR}/parscale)
set(PARSCALE_CMAKE_INSTALL_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/parscale)

install(TARGETS parscale-summarize RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES include/parscale/kernel.h include/parscale/raw_schema.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/parscale)
install(FILES share/drivers.csv share/report.html.in DESTINATION ${PARSCALE_DATA_INSTALL_DIR})
install(DIRECTORY plots/ DESTINATION ${PARSCALE_DATA_INSTALL_DIR}/plots
        FILES_MATCHING PATTERN "*.gp")
install(PROGRAMS scripts/sweep.sh scripts/submit.sh scripts/plot.sh scripts/report.sh
                 scripts/compare.sh scripts/report.py scripts/reportdata.py
        DESTINATION ${PARSCALE_DATA_INSTALL_DIR}/scripts)
install(DIRECTORY scripts/lib scripts/slurm DESTINATION ${PARSCALE_DATA_INSTALL_DIR}/scripts
        USE_SOURCE_PERMISSIONS)
install(DIRECTORY examples/ DESTINATION ${PARSCALE_DATA_INSTALL_DIR}/examples)

# scripts/lib/installed.sh marks an installed copy of the scripts and says
# where its programs are, relative to share/parscale (common.sh).
file(RELATIVE_PATH PARSCALE_BIN_FROM_DATA /prefix/${PARSCALE_DATA_INSTALL_DIR}
     /prefix/${CMAKE_INSTALL_BINDIR})
file(WRITE ${CMAKE_BINARY_DIR}/cmake/installed.sh
     "# shellcheck shell=bash\n"
     "# Written by CMake (cmake/parscaleInstall.cmake): these scripts are installed.\n"
     "# shellcheck disable=SC2034  # read by common.sh\n"
     "PARSCALE_INSTALLED_BIN=${PARSCALE_BIN_FROM_DATA}\n")
install(FILES ${CMAKE_BINARY_DIR}/cmake/installed.sh
        DESTINATION ${PARSCALE_DATA_INSTALL_DIR}/scripts/lib)

# The CMake package.
install(TARGETS parscale_kernel_api EXPORT parscaleTargets)
install(EXPORT parscaleTargets NAMESPACE parscale:: DESTINATION ${PARSCALE_CMAKE_INSTALL_DIR})
configure_package_config_file(cmake/parscaleConfig.cmake.in
  ${CMAKE_BINARY_DIR}/cmake/install/parscaleConfig.cmake
  INSTALL_DESTINATION ${PARSCALE_CMAKE_INSTALL_DIR}
  PATH_VARS CMAKE_INSTALL_BINDIR PARSCALE_PLUGIN_INSTALL_DIR PARSCALE_DATA_INSTALL_DIR)
write_basic_package_version_file(${CMAKE_BINARY_DIR}/cmake/parscaleConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/cmake/install/parscaleConfig.cmake
              ${CMAKE_BINARY_DIR}/cmake/parscaleConfigVersion.cmake
              cmake/parscaleKernel.cmake
        DESTINATION ${PARSCALE_CMAKE_INSTALL_DIR})

# The build tree's package: the targets as they are here.
file(WRITE ${CMAKE_BINARY_DIR}/cmake/parscaleConfig.cmake
     "# parscale's package in its own build tree (cmake/parscaleInstall.cmake)\n"
     "include(\"${CMAKE_SOURCE_DIR}/cmake/parscaleKernel.cmake\")\n"
     "set(PARSCALE_BIN_DIR \"${CMAKE_BINARY_DIR}\")\n"
     "set(PARSCALE_PLUGIN_DIR \"${CMAKE_BINARY_DIR}/plugins\")\n"
     "set(PARSCALE_SCRIPTS_DIR \"${CMAKE_SOURCE_DIR}/scripts\")\n")
