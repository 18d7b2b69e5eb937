#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "pipeline/error.hpp"
#include "pipeline/sha256.hpp"

TEST(Sha256, KnownVectors) {
  // FIPS 180-2 test vectors.
  EXPECT_EQ(sc::sha256_hex("", 0), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sc::sha256_hex("abc", 3), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(Sha256, FileMatchesBuffer) {
  std::string path = ::testing::TempDir() + "/sha_file.txt";
  std::ofstream(path) << "hello registry";
  EXPECT_EQ(sc::sha256_file(path), sc::sha256_hex("hello registry", 14));
  EXPECT_THROW(sc::sha256_file(path + ".missing"), sc::IoError);
}
