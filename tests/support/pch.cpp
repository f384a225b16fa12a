// The translation unit that carries secgroup_tests_pch, the precompiled header the core test
// suites reuse (tests/CMakeLists.txt); it defines nothing.
