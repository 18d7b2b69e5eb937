#include "stages/ingest/genome_vcf_reader.hpp"

#include <htslib/bgzf.h>
#include <htslib/hts.h>
#include <htslib/hfile.h>
#include <htslib/hts_log.h>
#include <htslib/kseq.h>
#include <htslib/kstring.h>
#include <htslib/vcf.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "pipeline/error.hpp"
#include "stages/ingest/bcf_record_layout.hpp"
#include "stages/ingest/bgzf_batch_reader.hpp"
#include "stages/ingest/bit_transpose.hpp"
#include "stages/ingest/phased_genotype_pack.hpp"

namespace sc {
namespace {

const char* policy_key(SiteProblem problem) {
  switch (problem) {
    case SiteProblem::unsorted: return "genome.on_unsorted";
    case SiteProblem::multiallelic: return "genome.on_multiallelic";
    case SiteProblem::missing: return "genome.on_missing";
    case SiteProblem::unphased: return "genome.on_unphased";
  }
  return "";
}

// The genotype as VCF writes it, for messages that may show values.
std::string genotype_text(int32_t first, int32_t second) {
  auto allele = [](int32_t g) { return bcf_gt_is_missing(g) ? std::string(".") : std::to_string(bcf_gt_allele(g)); };
  if (first == bcf_int32_vector_end) return ".";
  if (second == bcf_int32_vector_end) return allele(first);
  return allele(first) + (bcf_gt_is_phased(second) ? "|" : "/") + allele(second);
}

// Lines of the header (those starting with '#'), so that records can be named by their line in
// the text file. htslib does not say how many lines it read, and the header it rebuilds may
// differ from the file's (it adds a PASS filter line), so they are counted from the file itself.
int64_t count_header_lines(const std::string& path) {
  htsFile* fp = hts_open(path.c_str(), "r");
  if (!fp) return 0;
  kstring_t line = KS_INITIALIZE;
  int64_t lines = 0;
  while (hts_getline(fp, KS_SEP_LINE, &line) >= 0 && line.l > 0 && line.s[0] == '#') ++lines;
  ks_free(&line);
  hts_close(fp);
  return lines;
}

// Whether a record starts at `offset` of an inflated block and lies whole in it: its lengths fit
// and its layout reads (read_bcf_layout's checks against the header's numbers).
struct BlockRecordReader {
  int gt_key, dictionary_size, contigs;
  uint32_t samples;
  bool whole_record_at(const uint8_t* data, size_t bytes, size_t offset, BcfRecordLayout& layout, uint64_t& record_bytes) const {
    if (bytes - offset < 8) return false;
    uint32_t shared_bytes = 0, indiv_bytes = 0;
    std::memcpy(&shared_bytes, data + offset, 4);
    std::memcpy(&indiv_bytes, data + offset + 4, 4);
    record_bytes = 8 + uint64_t{shared_bytes} + indiv_bytes;
    return record_bytes <= bytes - offset &&
           read_bcf_layout(data + offset + 8, shared_bytes, indiv_bytes, gt_key, dictionary_size, contigs, layout);
  }
};

// The block hook of our BGZF batches (bgzf_batch_reader.hpp): on the inflating thread, while the
// block is in that core's cache, packs the genotypes of the common-case records (GT as one byte
// per allele, two per sample) that lie whole inside the block. Blocks cut records anywhere
// (bcftools fills each block to 65,280 bytes), so where the first record starts is not known:
// it is the first offset where a whole record reads, found with a cheap test of the sample count
// first (the 24 low bits of the eighth 32-bit word), and the records after it follow by their
// lengths. Each note is the record's offset in the block, then its words of haplotype bits. A
// note is used only for a record the decoder itself finds at the same offset (whose bytes, and
// so its bits, are then the same), so a start taken wrongly costs only the notes. A record whose
// genotypes fail the check gets no note: the decoder's own path names the problem.
void note_block_genotypes(const BlockRecordReader& reader, const uint8_t* data, size_t bytes, std::vector<uint64_t>& notes) {
  const int64_t haplotypes = 2 * static_cast<int64_t>(reader.samples), words = words_for_bits(haplotypes);
  BcfRecordLayout layout;
  uint64_t record_bytes = 0;
  size_t offset = 0;
  for (;; ++offset) {
    if (bytes - offset < 32) return;
    uint32_t fmt_and_samples = 0;
    std::memcpy(&fmt_and_samples, data + offset + 28, 4);
    if ((fmt_and_samples & 0xFFFFFF) == reader.samples && reader.whole_record_at(data, bytes, offset, layout, record_bytes))
      break;
  }
  do {
    if (layout.gt_is_two_bytes_per_sample(reader.samples)) {
      const size_t at = notes.size();
      notes.resize(at + 1 + static_cast<size_t>(words));
      notes[at] = offset;
      if (!pack_phased_gt_bytes(reinterpret_cast<const int8_t*>(layout.gt), haplotypes, &notes[at + 1], 1)) notes.resize(at);
    }
    offset += record_bytes;
  } while (reader.whole_record_at(data, bytes, offset, layout, record_bytes));
}

// The bits noted for the record at `offset` of a block (note_block_genotypes), or nullptr.
const uint64_t* noted_genotypes(const std::vector<uint64_t>& notes, size_t offset, int64_t words) {
  const size_t stride = 1 + static_cast<size_t>(words), count = notes.size() / stride;
  size_t low = 0, high = count;  // the notes go by offset: binary search
  while (low < high) {
    const size_t mid = (low + high) / 2;
    if (notes[mid * stride] < offset) low = mid + 1;
    else high = mid;
  }
  return low < count && notes[low * stride] == offset ? &notes[low * stride + 1] : nullptr;
}

}  // namespace

const char* to_string(SiteProblem problem) {
  switch (problem) {
    case SiteProblem::unsorted: return "unsorted";
    case SiteProblem::multiallelic: return "multiallelic";
    case SiteProblem::missing: return "missing";
    case SiteProblem::unphased: return "unphased";
  }
  return "";
}

bool SitePolicies::skips(SiteProblem problem) const {
  switch (problem) {
    case SiteProblem::unsorted: return skip_unsorted;
    case SiteProblem::multiallelic: return skip_multiallelic;
    case SiteProblem::missing: return skip_missing;
    case SiteProblem::unphased: return skip_unphased;
  }
  return false;
}

// htslib's objects, and its log level: htslib prints its own diagnostics (which can quote records)
// to stderr, so they are silenced unless the operator allows values in logs; our messages say
// where and why instead.
struct PhasedVcfReader::Htslib {
  htsFile* fp = nullptr;
  bcf_hdr_t* hdr = nullptr;
  bcf1_t* rec = nullptr;
  hts_idx_t* index = nullptr;   // region reading only
  hts_itr_t* region = nullptr;  // region reading through htslib (not a bgzipped BCF)
  int32_t region_rid = -1;      // region reading from our own batches: the region, and whether
  int64_t region_begin = 0, region_end = 0;  // its last record has been read
  bool region_done = false;
  int32_t* gt = nullptr;
  int gt_capacity = 0;
  htsLogLevel saved_level = hts_get_log_level();
  // Bgzipped BCF: our own inflated batches (made at open for the whole file, at the first region
  // otherwise), the header's numbers the records are checked against, and the current record's
  // per-sample bytes (copied into rec only when needed).
  bool own_inflate = false;
  std::unique_ptr<BgzfBatchReader> batches;
  int gt_key = -1, dictionary_size = 0, contig_count = 0;
  const uint8_t* indiv = nullptr;
  uint32_t indiv_bytes = 0;
  const uint64_t* noted = nullptr;  // the current record's genotype bits, packed by the block hook

  // Our batches from htslib's virtual offset `start`, with the genotype-packing block hook.
  void make_batches(const std::string& path, uint64_t start) {
    batches = std::make_unique<BgzfBatchReader>(path, start);
    const BlockRecordReader reader{gt_key, dictionary_size, contig_count, static_cast<uint32_t>(bcf_hdr_nsamples(hdr))};
    if (reader.samples == 0 || gt_key < 0) return;  // no genotypes to pack
    batches->set_block_hook([reader](const uint8_t* data, size_t bytes, std::vector<uint64_t>& notes) {
      note_block_genotypes(reader, data, bytes, notes);
    });
  }
};

PhasedVcfReader::PhasedVcfReader(const std::string& path, SitePolicies policies, int threads, Access access)
    : path_(path), policies_(policies), access_(access), hts_(std::make_unique<Htslib>()) {
  try {
    open(threads);
  } catch (const InputError&) {
    // Threaded BGZF decompression reads ahead: a damaged block far into the file can then fail
    // the header read, depending on timing. Reopen on one thread so that the error says what is
    // really wrong (and where), the same on every run.
    if (threads <= 1) throw;
    hts_ = std::make_unique<Htslib>();
    open(1);
  }
}

void PhasedVcfReader::open(int threads) {
  const std::string& path = path_;
  const std::string expected = "; expected a VCF, bgzipped VCF or BCF file with phased genotypes";
  hts_->fp = hts_open(path.c_str(), "r");
  if (!hts_->fp) throw InputError("cannot open " + path + ": " + std::strerror(errno));
  const htsFormat* format = hts_get_format(hts_->fp);
  if (format->format != vcf && format->format != bcf)
    throw InputError(path + ": not a VCF or BCF file (htslib sees " +
                     (format->format == empty_format ? std::string("an empty file") : "another format") + ")" + expected);
  bcf_ = format->format == bcf;
  const bool own_inflate = bcf_ && format->compression == bgzf;
  if (format->compression == bgzf) {
    // A BGZF file cut at a block boundary decompresses cleanly; only its missing end-of-file
    // block tells that the rest is gone.
    if (bgzf_check_EOF(hts_->fp->fp.bgzf) == 0)
      throw InputError(path + ": the file ends without the BGZF end-of-file block, so it is truncated" + expected);
    if (!own_inflate && threads > 1 && hts_set_threads(hts_->fp, threads) != 0)
      throw IoError(path + ": htslib could not start " + std::to_string(threads) + " decompression threads");
  }
  hts_->hdr = bcf_hdr_read(hts_->fp);
  if (!hts_->hdr) throw InputError(path + ": the header cannot be read (empty, truncated or malformed)" + expected);
  if (own_inflate) {
    hts_->own_inflate = true;
    hts_->gt_key = bcf_hdr_id2int(hts_->hdr, BCF_DT_ID, "GT");
    hts_->dictionary_size = hts_->hdr->n[BCF_DT_ID];
    hts_->contig_count = hts_->hdr->n[BCF_DT_CTG];
    if (access_ == Access::whole_file)  // the records start where htslib's header read ended
      hts_->make_batches(path, static_cast<uint64_t>(bgzf_tell(hts_->fp->fp.bgzf)));
  }
  hts_->rec = bcf_init();
  if (!bcf_) header_lines_ = count_header_lines(path);
  std::error_code ec;
  file_bytes_ = static_cast<int64_t>(std::filesystem::file_size(path, ec));
  const int n = bcf_hdr_nsamples(hts_->hdr);
  if (n == 0) throw InputError(path + ": the header names no samples" + expected);
  samples_.reserve(static_cast<size_t>(n));
  for (int s = 0; s < n; ++s) samples_.emplace_back(hts_->hdr->samples[s]);
}

PhasedVcfReader::~PhasedVcfReader() = default;

std::vector<std::string> PhasedVcfReader::header_contigs() const {
  int n = 0;
  const char** names = bcf_hdr_seqnames(hts_->hdr, &n);
  std::vector<std::string> out(names, names + n);
  std::free(names);
  return out;
}

std::map<std::string, int64_t> PhasedVcfReader::skipped() const {
  std::map<std::string, int64_t> out;
  for (SiteProblem p : {SiteProblem::unsorted, SiteProblem::multiallelic, SiteProblem::missing, SiteProblem::unphased})
    out[to_string(p)] = skipped_[static_cast<int>(p)];
  return out;
}

double PhasedVcfReader::fraction_read() const {
  if (file_bytes_ <= 0) return 0.0;
  htsFile* fp = hts_->fp;
  if (hts_->batches) return std::clamp(static_cast<double>(hts_->batches->compressed_offset()) / static_cast<double>(file_bytes_), 0.0, 1.0);
  const int64_t offset = fp->is_bgzf ? static_cast<int64_t>(bgzf_tell(fp->fp.bgzf) >> 16) : htell(fp->fp.hfile);
  return std::clamp(static_cast<double>(offset) / static_cast<double>(file_bytes_), 0.0, 1.0);
}

std::string PhasedVcfReader::location() const {
  if (bcf_) return path_ + ": record " + std::to_string(records_);
  return path_ + ":" + std::to_string(header_lines_ + records_);
}

void PhasedVcfReader::fail(const std::string& what) const { throw InputError(location() + ": " + what); }

bool PhasedVcfReader::judge(SiteProblem problem, const std::string& column, const std::string& what) {
  if (policies_.skips(problem)) {
    ++skipped_[static_cast<int>(problem)];
    return false;
  }
  fail(column + ": " + what + ", or set " + policy_key(problem) + " = skip");
}

void PhasedVcfReader::read_region(const std::string& index_path, int32_t rid, int64_t begin, int64_t end) {
  if (access_ != Access::regions) throw InternalError(path_ + ": region reading asked of a reader opened for the whole file");
  if (!hts_->index) {
    hts_->index = bcf_index_load2(path_.c_str(), index_path.c_str());
    if (!hts_->index) throw IoError("cannot read the index " + index_path + " of " + path_);
  }
  if (hts_->region) hts_itr_destroy(hts_->region);
  hts_->region = bcf_itr_queryi(hts_->index, rid, begin, end);
  if (!hts_->region)
    throw IoError(path_ + ": its index " + index_path + " cannot locate contig number " + std::to_string(rid));
  hts_->region_begin = begin;
  if (hts_->own_inflate) {
    // Our batches read from the region's first chunk on, and the records are filtered as the
    // iterator would (same contig, POS in range); the last chunk's end bounds the read-ahead.
    const hts_itr_t* itr = hts_->region;
    uint64_t first = UINT64_MAX, last = 0;
    for (int i = 0; i < itr->n_off; ++i) {
      first = std::min<uint64_t>(first, itr->off[i].u);
      last = std::max<uint64_t>(last, itr->off[i].v);
    }
    hts_->region_done = itr->n_off == 0 || itr->finished;
    hts_->region_rid = rid;
    hts_->region_end = end;
    hts_itr_destroy(hts_->region);
    hts_->region = nullptr;
    if (!hts_->region_done) {
      if (!hts_->batches) hts_->make_batches(path_, first);
      hts_->batches->restart(first, static_cast<int64_t>(last >> 16) + 1);
    }
  }
  records_ = 0;
  std::fill(std::begin(skipped_), std::end(skipped_), 0);
  std::fill(rid_seen_.begin(), rid_seen_.end(), 0);
  std::fill(contig_of_rid_.begin(), contig_of_rid_.end(), -1);
  contigs_.clear();
  current_rid_ = -1;
  last_position_ = 0;
}

// Reads the next record's lengths and bytes from the batches, checks its layout and fills the
// htslib record's fixed fields and shared bytes, as htslib's own reader would; `gt` points at the
// GT bytes when they are in the common form (int8, two per sample), else nullptr. False at the end.
bool PhasedVcfReader::read_batched_record(const int8_t*& gt) {
  const std::string expected = "; expected a complete BCF record";
  BgzfBatchReader& batches = *hts_->batches;
  bcf1_t* rec = hts_->rec;
  ++records_;
  try {
    const uint8_t* lengths = batches.take(8);
    if (!lengths) {
      if (batches.at_end()) {
        --records_;
        return false;
      }
      fail("truncated record" + expected);
    }
    uint32_t shared_bytes = 0, indiv_bytes = 0;
    std::memcpy(&shared_bytes, lengths, 4);
    std::memcpy(&indiv_bytes, lengths + 4, 4);
    // Looked up before the body is taken: a noted record lies whole in its block, so taking its
    // body does not move to the next batch, whose notes would replace these.
    size_t offset_in_block = 0;
    const std::vector<uint64_t>* notes = batches.notes_for(lengths, offset_in_block);
    hts_->noted = notes ? noted_genotypes(*notes, offset_in_block, words_for_bits(2 * static_cast<int64_t>(samples_.size())))
                        : nullptr;
    const uint8_t* body = batches.take(static_cast<size_t>(shared_bytes) + indiv_bytes);
    if (!body) fail("truncated record" + expected);
    BcfRecordLayout layout;
    if (!read_bcf_layout(body, shared_bytes, indiv_bytes, hts_->gt_key, hts_->dictionary_size, hts_->contig_count, layout))
      fail("malformed or truncated record (a typed value reaches past the record, or a key or contig the header does not declare)" +
           expected);
    bcf_clear(rec);
    rec->shared.l = 0;
    rec->indiv.l = 0;
    kputsn(reinterpret_cast<const char*>(body) + 24, shared_bytes - 24, &rec->shared);
    rec->rid = layout.rid;
    rec->pos = layout.pos;
    rec->rlen = layout.rlen;
    std::memcpy(&rec->qual, &layout.qual_bits, 4);
    rec->n_allele = layout.n_allele;
    rec->n_info = layout.n_info;
    rec->n_fmt = layout.n_fmt;
    rec->n_sample = layout.n_sample;
    hts_->indiv = body + shared_bytes;
    hts_->indiv_bytes = indiv_bytes;
    gt = layout.gt_is_two_bytes_per_sample(static_cast<uint32_t>(samples_.size())) ? reinterpret_cast<const int8_t*>(layout.gt)
                                                                                     : nullptr;
    return true;
  } catch (const BgzfDamage& damage) {
    fail(std::string("malformed or truncated record") + expected + " (" + damage.what() + ")");
  }
}

bool PhasedVcfReader::next(PhasedSite& site, uint64_t* row, int64_t stride) {
  bcf1_t* rec = hts_->rec;
  for (;;) {
    const int8_t* batched_gt = nullptr;
    int rc = 0;
    if (hts_->own_inflate) {
      if (hts_->region_done || !hts_->batches || !read_batched_record(batched_gt)) return false;
      if (hts_->region_rid >= 0) {  // the region's records: its contig's, with POS in [begin, end)
        if (rec->rid != hts_->region_rid || rec->pos >= hts_->region_end) {
          --records_;
          hts_->region_done = true;
          return false;
        }
        if (rec->pos < hts_->region_begin) {  // a record of the region before
          --records_;
          continue;
        }
      }
    } else {
      rc = hts_->region ? bcf_itr_next(hts_->fp, hts_->region, rec) : bcf_read(hts_->fp, hts_->hdr, rec);
      if (rc == -1) return false;
      // A record that starts before the region and reaches into it is the region before's.
      if (hts_->region && rc >= 0 && rec->pos < hts_->region_begin) continue;
      ++records_;
    }
    // htslib repairs an undeclared contig or tag (declaring it); anything else it flags is damage.
    const int tolerated = BCF_ERR_CTG_UNDEF | BCF_ERR_TAG_UNDEF;
    if (rc < -1 || (rec->errcode & ~tolerated) != 0)
      fail(std::string("malformed or truncated record; expected a complete ") +
           (bcf_ ? "BCF record" : "VCF data line (8 fixed columns, FORMAT and one column per sample)"));
    if (!check_order()) continue;
    if (rec->n_allele > 2 &&
        !judge(SiteProblem::multiallelic, "column 5 (ALT)",
               "site with " + std::to_string(rec->n_allele - 1) + " ALT alleles; expected biallelic sites"))
      continue;
    const bool noted = batched_gt && hts_->noted;
    const bool packed = batched_gt && (noted ? take_noted(hts_->noted, row, stride) : pack_common_case(batched_gt, row, stride));
    packed_at_inflate_ += noted && packed;
    if (!packed) {
      // Not the common case: a batched record's per-sample bytes go to htslib first, and the
      // general path names the problem.
      if (hts_->own_inflate) kputsn(reinterpret_cast<const char*>(hts_->indiv), hts_->indiv_bytes, &rec->indiv);
      if (!pack_genotypes(row, stride)) continue;
    }
    bcf_unpack(rec, BCF_UN_STR);
    int32_t& contig = contig_of_rid_[static_cast<size_t>(rec->rid)];
    if (contig < 0) {
      contig = static_cast<int32_t>(contigs_.size());
      contigs_.emplace_back(bcf_hdr_id2name(hts_->hdr, rec->rid));
    }
    site.contig = contig;
    site.position = rec->pos + 1;
    site.id = rec->d.id;
    site.ref = rec->d.allele[0];
    site.alt = rec->n_allele > 1 ? rec->d.allele[1] : ".";
    return true;
  }
}

bool PhasedVcfReader::check_order() {
  const bcf1_t* rec = hts_->rec;
  const size_t rid = static_cast<size_t>(rec->rid);
  if (rid >= rid_seen_.size()) {  // contigs htslib declared on the fly grow the header
    rid_seen_.resize(rid + 1, 0);
    contig_of_rid_.resize(rid + 1, -1);
  }
  if (rec->rid != current_rid_) {
    if (rid_seen_[rid])
      return judge(SiteProblem::unsorted, "column 1 (CHROM)",
                   std::string("contig ") + bcf_hdr_id2name(hts_->hdr, rec->rid) +
                       " comes back after another contig; expected each contig's sites together, sorted by position");
    rid_seen_[rid] = 1;
    current_rid_ = rec->rid;
    last_position_ = 0;
  }
  const int64_t position = rec->pos + 1;
  if (position < last_position_)
    return judge(SiteProblem::unsorted, "column 2 (POS)",
                 "position lower than the previous site's on this contig" +
                     (show_values() ? " (" + std::to_string(position) + " after " + std::to_string(last_position_) + ")"
                                    : std::string()) +
                     "; expected sites sorted by position");
  last_position_ = position;
  return true;
}

// The common case: every genotype a phased call of allele 0 or 1 (and no ALT call at a site
// without ALT allele), packed straight from the int8 GT bytes.
bool PhasedVcfReader::pack_common_case(const int8_t* gt, uint64_t* row, int64_t stride) const {
  const int64_t haplotypes = 2 * static_cast<int64_t>(samples_.size());
  return pack_phased_gt_bytes(gt, haplotypes, row, stride) && alleles_declared(row, stride);
}

bool PhasedVcfReader::take_noted(const uint64_t* bits, uint64_t* row, int64_t stride) const {
  const int64_t words = words_for_bits(2 * static_cast<int64_t>(samples_.size()));
  for (int64_t word = 0; word < words; ++word) row[word * stride] = bits[word];
  return alleles_declared(row, stride);
}

bool PhasedVcfReader::alleles_declared(const uint64_t* row, int64_t stride) const {
  const int64_t haplotypes = 2 * static_cast<int64_t>(samples_.size());
  if (hts_->rec->n_allele >= 2) return true;
  bool any_alt = false;
  for (int64_t word = 0; word < words_for_bits(haplotypes); ++word) any_alt |= row[word * stride] != 0;
  return !any_alt;
}

bool PhasedVcfReader::pack_genotypes(uint64_t* row, int64_t stride) {
  bcf1_t* rec = hts_->rec;
  const int64_t samples = static_cast<int64_t>(samples_.size());
  // The fast path: GT kept as one byte per allele (always so for biallelic sites) and every
  // genotype a phased call of allele 0 or 1, packed without htslib's int32 copy. Any other site
  // takes the general path below, which finds and names the problem.
  if (const bcf_fmt_t* fmt = bcf_get_fmt(hts_->hdr, rec, "GT");
      fmt && fmt->type == BCF_BT_INT8 && fmt->n == 2 && rec->n_sample == samples &&
      pack_common_case(reinterpret_cast<const int8_t*>(fmt->p), row, stride))
    return true;
  const int n = bcf_get_genotypes(hts_->hdr, rec, &hts_->gt, &hts_->gt_capacity);
  if (n <= 0)
    return judge(SiteProblem::missing, "column 9 (FORMAT)", "no GT field, so every genotype is missing; expected phased genotypes");
  const int ploidy = n / static_cast<int>(samples);
  if (ploidy != 2)
    fail("column 10 (sample index 0): genotypes of ploidy " + std::to_string(ploidy) +
         "; expected diploid genotypes (a|b) for every sample");
  const int32_t* gt = hts_->gt;

  // The common case in one branch-free pass: a genotype is good when both alleles are 0 or 1
  // (encoded (allele+1)<<1, so value>>1 is 1 or 2) and the second carries the phase bit. Packing
  // takes bit 2 of each value, which is the allele for exactly those values.
  uint32_t bad = 0;
  const int64_t haplotypes = 2 * samples;
  for (int64_t word = 0; word < words_for_bits(haplotypes); ++word) {
    const int64_t first = word * 64, last = std::min<int64_t>(first + 64, haplotypes);
    uint64_t bits = 0;
    for (int64_t h = first; h < last; ++h) {
      const int32_t g = gt[h];
      bad |= static_cast<uint32_t>((g >> 1) - 1) > 1u;
      bits |= static_cast<uint64_t>((g >> 2) & 1) << (h - first);
    }
    row[word * stride] = bits;
    bad |= rec->n_allele < 2 && bits != 0;  // an ALT call at a site without ALT allele
  }
  for (int64_t s = 0; s < samples; ++s) bad |= ~static_cast<uint32_t>(gt[2 * s + 1]) & 1u;
  if (!bad) return true;

  // Something is off: find the first sample with each kind of problem, then judge the site by
  // the first kind in the documented order.
  auto column_of = [](int64_t s) {
    return "column " + std::to_string(10 + s) + " (sample index " + std::to_string(s) + ")";
  };
  int64_t missing = -1, unphased = -1;
  for (int64_t s = 0; s < samples; ++s) {
    const int32_t a = gt[2 * s], b = gt[2 * s + 1];
    if (a == bcf_int32_vector_end || bcf_gt_is_missing(a) || (b != bcf_int32_vector_end && bcf_gt_is_missing(b))) {
      if (missing < 0) missing = s;
      continue;
    }
    if (b == bcf_int32_vector_end)
      fail(column_of(s) + ": haploid genotype " + input_value(genotype_text(a, b)) +
           "; expected diploid genotypes (a|b) for every sample");
    for (int32_t g : {a, b})
      if (bcf_gt_allele(g) >= rec->n_allele)
        fail(column_of(s) + ": genotype " + input_value(genotype_text(a, b)) + " names an allele the site does not have" +
             "; expected alleles 0 (REF) or 1 (ALT)");
    if (!bcf_gt_is_phased(b) && unphased < 0) unphased = s;
  }
  if (missing >= 0)
    return judge(SiteProblem::missing, column_of(missing),
                 "missing genotype " + input_value(genotype_text(gt[2 * missing], gt[2 * missing + 1])) +
                     "; expected called genotypes (no '.')");
  if (unphased >= 0)
    return judge(SiteProblem::unphased, column_of(unphased),
                 "unphased genotype " + input_value(genotype_text(gt[2 * unphased], gt[2 * unphased + 1])) +
                     "; expected phased genotypes (a|b)");
  throw InternalError(location() + ": genotype check found a problem it cannot name");
}

}  // namespace sc
