// The one translation unit with Catch2's main (kept alone: it is slow to compile).
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
