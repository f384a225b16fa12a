#include <catch2/catch.hpp>
#include <secgroup/secgroup.hpp>

TEST_CASE("umbrella header compiles") { SUCCEED(); }
