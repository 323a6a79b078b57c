#include "cli/commands.hpp"

int main(int argc, char** argv) { return netseen::cli::run(argc, argv); }
