# Genome ingest and export tests (included from tests/ingest/CMakeLists.txt).

# Until stages/ingest/CMakeLists.txt lists them, the genome ingest's own sources join the ingest
# library from here (only those it does not list yet, so this stays harmless once it does).
set(sc_genome_sources bit_transpose.cpp genome_options.cpp genome_panel_decoder.cpp genome_populations.cpp
    genome_store.cpp genome_vcf_reader.cpp genome_window_codec.cpp genome_window_queue.cpp
    phased_genotype_pack.cpp simd_path.cpp haplotype_window_bits.cpp)
get_target_property(sc_ingest_sources synthcohort_ingest SOURCES)
foreach(source IN LISTS sc_genome_sources)
  if(NOT source IN_LIST sc_ingest_sources)
    target_sources(synthcohort_ingest PRIVATE ${PROJECT_SOURCE_DIR}/stages/ingest/${source})
  endif()
endforeach()

sc_add_gtest(test_genome_unit
  SOURCES genome_bit_transpose_test.cpp genetic_map_test.cpp genome_populations_test.cpp
          genome_window_codec_test.cpp genome_window_queue_test.cpp genome_vcf_reader_test.cpp genome_test_files.cpp
          phased_genotype_pack_test.cpp bgzf_batch_reader_test.cpp genome_regions_test.cpp
  LIBS synthcohort_ingest PkgConfig::HTSLIB LABELS unit)
sc_add_mpi_gtest(test_genome_ingest_mpi SOURCES genome_ingest_test.cpp genome_test_files.cpp
  LIBS synthcohort_ingest PkgConfig::HTSLIB RANKS 1 2 4)
# The real binary: ingest and export at 1, 2 and 4 ranks against bcftools; bad panels; kill and resume.
sc_add_cli_test(cli_genome_ingest genome_ingest_cli.sh mpi)
sc_add_cli_test(cli_genome_bad_input genome_bad_input_cli.sh mpi)
