// cli/main.cpp: the `secgroup` command-line tool (its code is in secgroup_cli_commands).
#include "app.hpp"

int main(int argc, char** argv) { return secgroup::cli::run(argc, argv); }
