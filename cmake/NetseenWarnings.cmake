# Warnings are on and fatal for project code.
add_library(netseen_warnings INTERFACE)
target_compile_options(netseen_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Werror
  -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wconversion -Wdouble-promotion -Wformat=2
  -Wimplicit-fallthrough -Wmissing-declarations
  # g++ 12 reports std::variant and std::optional members as maybe-uninitialized at -O2/-O3
  # (false positives); the sanitizer build and valgrind cover real uninitialised reads.
  # Likewise -Wrestrict on std::string concatenation (GCC bug 105329).
  $<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized -Wno-restrict>
  $<$<CXX_COMPILER_ID:GNU>:-Wduplicated-cond -Wduplicated-branches -Wlogical-op>
)
