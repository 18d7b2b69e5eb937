#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "pipeline/config.hpp"
#include "pipeline/error.hpp"
#include "pipeline/schema.hpp"

namespace {

sc::po::options_description options() {
  sc::po::options_description d;
  d.add_options()("ingest.rows_per_shard", sc::po::value<int64_t>()->default_value(100), "rows")
      ("run.dir", sc::po::value<std::string>()->default_value("run"), "dir")
      ("run.restart", sc::po::value<bool>()->default_value(false), "restart");
  return d;
}

std::string write_ini(const std::string& name, const std::string& text) {
  std::string path = ::testing::TempDir() + "/" + name;
  std::ofstream(path) << text;
  return path;
}

std::string error_of(const std::vector<std::string>& args) {
  try {
    sc::Config::load(args, options(), {sc::table_section_keys()});
  } catch (const sc::ConfigError& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST(Config, FileValuesAndCommandLineWins) {
  std::string ini = write_ini("a.ini", "[ingest]\nrows_per_shard = 7\n[run]\ndir = x\n");
  auto config = sc::Config::load({"--config", ini, "--run.dir", "y"}, options(), {});
  EXPECT_EQ(config.integer("ingest.rows_per_shard"), 7);
  EXPECT_EQ(config.text("run.dir"), "y");
  EXPECT_EQ(config.source("run.dir"), "command line");
  EXPECT_EQ(config.source("ingest.rows_per_shard"), ini);
  EXPECT_EQ(config.source("run.restart"), "default");
}

TEST(Config, UnknownKeyNamesFileAndKey) {
  std::string ini = write_ini("b.ini", "[ingest]\nrows_per_shrd = 7\n");
  std::string message = error_of({"--config", ini});
  EXPECT_NE(message.find(ini), std::string::npos) << message;
  EXPECT_NE(message.find("ingest.rows_per_shrd"), std::string::npos) << message;
  EXPECT_NE(message.find("rows_per_shard"), std::string::npos) << "should list the known keys: " << message;
}

TEST(Config, UnknownKeyOnCommandLine) {
  std::string message = error_of({"--ingest.bogus", "1"});
  EXPECT_NE(message.find("command line"), std::string::npos) << message;
  EXPECT_NE(message.find("ingest.bogus"), std::string::npos) << message;
}

TEST(Config, BadValueNamesFileAndKey) {
  std::string ini = write_ini("c.ini", "[ingest]\nrows_per_shard = many\n");
  std::string message = error_of({"--config", ini});
  EXPECT_NE(message.find(ini), std::string::npos) << message;
  EXPECT_NE(message.find("rows_per_shard"), std::string::npos) << message;
}

TEST(Config, MissingFile) {
  std::string message = error_of({"--config", "/nonexistent/x.ini"});
  EXPECT_NE(message.find("/nonexistent/x.ini"), std::string::npos) << message;
}

TEST(Config, TableSectionsAndUnknownTableKey) {
  std::string ini = write_ini("d.ini", "[table.persons]\nfile = p.csv\nprimary_key = id\n[table.labs]\nfile = l.csv\n"
                                       "parent = persons\nforeign_key = id\n");
  auto config = sc::Config::load({"--config", ini}, options(), {sc::table_section_keys()});
  auto schema = sc::schema_from_config(config);
  ASSERT_EQ(schema.tables.size(), 2u);
  EXPECT_EQ(schema.tables[0].name, "persons");  // parents first
  EXPECT_EQ(schema.tables[1].parent, "persons");
  EXPECT_EQ(schema.tables[0].file, (std::filesystem::path(::testing::TempDir()) / "p.csv").lexically_normal().string()) << "relative to the config file";
  std::string bad = write_ini("e.ini", "[table.persons]\nfile = p.csv\nprimary_kee = id\n");
  std::string message = error_of({"--config", bad});
  EXPECT_NE(message.find("table.persons.primary_kee"), std::string::npos) << message;
  EXPECT_NE(message.find(bad), std::string::npos) << message;
}

TEST(Config, SchemaRejectsBadTypesAndParents) {
  auto load = [](const std::string& text) {
    std::string ini = write_ini("f.ini", text);
    auto config = sc::Config::load({"--config", ini}, options(), {sc::table_section_keys()});
    return sc::schema_from_config(config);
  };
  EXPECT_THROW(load("[table.p]\nfile = p.csv\ncolumns = age:number\n"), sc::ConfigError);
  EXPECT_THROW(load("[table.c]\nfile = c.csv\nparent = nobody\nforeign_key = id\n"), sc::ConfigError);
  EXPECT_THROW(load("[table.c]\nfile = c.csv\nparent = p\n[table.p]\nfile = p.csv\nprimary_key = id\n"),
               sc::ConfigError);  // parent without foreign_key
  EXPECT_THROW(load("[table.p]\nfile = p.csv\non_orphan = ignore\n"), sc::ConfigError);
}
