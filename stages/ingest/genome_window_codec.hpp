// Genome windows as bytes, for the trip from rank 0 (which decodes the VCF) to the window's owner
// rank (Communicator::send_bytes). A flat little-endian record of the window's fields; both ends
// are the same binary, so the encoding only has to round-trip, not to last.
#pragma once

#include <cstdint>
#include <vector>

#include "stages/ingest/genome_store.hpp"

namespace sc {

std::vector<uint8_t> encode_window(const GenomeWindow& window);
// An IoError when the bytes are not a whole window (a message cut short in transit).
GenomeWindow decode_window(const std::vector<uint8_t>& bytes);

}  // namespace sc
