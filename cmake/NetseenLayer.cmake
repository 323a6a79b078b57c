# netseen_layer(NAME DEPENDS <layers...> [LIBS <extra libs...>])
# One folder under src/ is one static library `netseen_<NAME>`. Every .cpp in the folder
# belongs to it; a layer links only the layers before it (ARCHITECTURE.md). The include
# root is src/, so code writes #include "core/bytes.hpp".
function(netseen_layer NAME)
  cmake_parse_arguments(L "" "" "DEPENDS;LIBS" ${ARGN})
  file(GLOB srcs CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/*.cpp")
  if(srcs)
    add_library(netseen_${NAME} STATIC ${srcs})
    set(vis PUBLIC)
    target_link_libraries(netseen_${NAME} PRIVATE netseen_warnings)
  else()
    add_library(netseen_${NAME} INTERFACE)  # a layer with headers only, so far
    set(vis INTERFACE)
  endif()
  target_include_directories(netseen_${NAME} ${vis} "${PROJECT_SOURCE_DIR}/src")
  foreach(dep IN LISTS L_DEPENDS)
    target_link_libraries(netseen_${NAME} ${vis} netseen_${dep})
  endforeach()
  if(L_LIBS)
    target_link_libraries(netseen_${NAME} ${vis} ${L_LIBS})
  endif()
endfunction()

# netseen_layer_tests(NAME) — tests/<NAME>/*_test.cpp become one GoogleTest binary.
function(netseen_layer_tests NAME)
  file(GLOB srcs CONFIGURE_DEPENDS "${CMAKE_CURRENT_SOURCE_DIR}/${NAME}/*_test.cpp")
  if(NOT srcs)
    return()
  endif()
  add_executable(${NAME}_tests ${srcs})
  target_link_libraries(${NAME}_tests PRIVATE netseen_${NAME} netseen_warnings GTest::gtest_main GTest::gmock)
  target_compile_definitions(${NAME}_tests PRIVATE
    NETSEEN_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    NETSEEN_BINARY_DIR="${PROJECT_BINARY_DIR}")
  gtest_discover_tests(${NAME}_tests DISCOVERY_TIMEOUT 60 PROPERTIES LABELS "unit;${NAME}")
endfunction()
