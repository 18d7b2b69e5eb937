#include "stages/ingest/genome_regions.hpp"

#include <htslib/hts.h>
#include <htslib/vcf.h>

#include <algorithm>
#include <filesystem>
#include <climits>
#include <memory>
#include <utility>

namespace sc {
namespace {

namespace fs = std::filesystem;

constexpr int64_t kRegionsPerRank = 4;
constexpr int64_t kMaxRegionBytes = int64_t{32} << 20;
constexpr int64_t kPositionLimit = int64_t{1} << 40;  // above any contig an index can hold

struct IndexCloser {
  void operator()(hts_idx_t* index) const { hts_idx_destroy(index); }
};

bool is_bgzf_bcf(const std::string& path) {
  htsFile* fp = hts_open(path.c_str(), "r");
  if (!fp) return false;
  const htsFormat* format = hts_get_format(fp);
  const bool yes = format->format == bcf && format->compression == bgzf;
  hts_close(fp);
  return yes;
}

// The compressed offsets of one contig's records by position, as the planner asks for them.
// at(p) is the offset of the first block that holds records at or after position p (`none` when
// there are none); it never decreases with p, the panel being sorted.
//
// A query over a short range is cheap (microseconds), but one to the end of the contig lists
// every bin up to the index's largest position: about 6 ms on a 50 Mb contig (docs/benchmarks.md,
// "BCF ingest"). So at() asks about the next 1 Mb first and widens only in a gap without records,
// and remembers the lowest position found to have no records after it: past the contig's last
// record every answer is `none`, with no query.
class ContigOffsets {
 public:
  ContigOffsets(const hts_idx_t* index, int32_t rid, int64_t none) : index_(index), rid_(rid), none_(none) {}

  int64_t at(int64_t position) {
    if (position >= none_from_) return none_;
    for (const int64_t end : {position + (int64_t{1} << 20), int64_t{HTS_POS_MAX}}) {
      hts_itr_t* itr = bcf_itr_queryi(index_, rid_, position, end);
      if (!itr) return none_;
      const int64_t offset = itr->n_off > 0 ? static_cast<int64_t>(itr->off[0].u >> 16) : -1;
      hts_itr_destroy(itr);
      if (offset >= 0) return offset;
    }
    none_from_ = position;
    return none_;
  }

  // The first position p >= from with at(p) >= wanted (kPositionLimit when there is none), given
  // at(from - 1) < wanted. The range is found by doubling steps from `from`, not by halving
  // [from, kPositionLimit): the halving would start with positions far past the contig's end.
  int64_t first_reaching(int64_t wanted, int64_t from) {
    int64_t low = from, step = int64_t{1} << 20, high = from;
    for (;;) {
      high = std::min(kPositionLimit, low + step);
      if (high >= kPositionLimit || at(high) >= wanted) break;
      low = high + 1;
      step *= 2;
    }
    while (low < high) {  // at(low - 1) < wanted <= at(high), or high is the limit
      const int64_t mid = low + (high - low) / 2;
      if (at(mid) >= wanted) high = mid;
      else low = mid + 1;
    }
    return high;
  }

 private:
  const hts_idx_t* index_;
  int32_t rid_;
  int64_t none_;
  int64_t none_from_ = kPositionLimit;
};

// The compressed offsets of the first and past the last block of contig `rid` (one query over the
// whole contig: the first record may lie anywhere, not only in the first 1 Mb).
std::pair<int64_t, int64_t> contig_offsets(const hts_idx_t* index, int32_t rid) {
  hts_itr_t* itr = bcf_itr_queryi(index, rid, 0, HTS_POS_MAX);
  if (!itr) return {0, 0};
  int64_t first = INT64_MAX, end = 0;
  for (int i = 0; i < itr->n_off; ++i) {
    first = std::min<int64_t>(first, static_cast<int64_t>(itr->off[i].u >> 16));
    end = std::max<int64_t>(end, static_cast<int64_t>(itr->off[i].v >> 16));
  }
  hts_itr_destroy(itr);
  return {std::min(first, end), end};
}

}  // namespace

std::optional<PanelRegionPlan> plan_panel_regions(const std::string& path, int ranks, int64_t variants_per_window) {
  const std::string index_path = path + ".csi";
  std::error_code ec;
  if (ranks < 2 || !fs::is_regular_file(path, ec) || !fs::is_regular_file(index_path, ec)) return std::nullopt;
  if (fs::last_write_time(index_path, ec) < fs::last_write_time(path, ec) || ec) return std::nullopt;  // stale
  if (!is_bgzf_bcf(path)) return std::nullopt;
  std::unique_ptr<hts_idx_t, IndexCloser> index(bcf_index_load2(path.c_str(), index_path.c_str()));
  if (!index) return std::nullopt;

  struct Span {
    int32_t rid;
    int64_t first, last;  // compressed offsets
  };
  std::vector<Span> spans;
  PanelRegionPlan plan;
  plan.index = index_path;
  int64_t total_bytes = 0;
  for (int32_t rid = 0; rid < hts_idx_nseq(index.get()); ++rid) {
    uint64_t mapped = 0, unmapped = 0;
    if (hts_idx_get_stat(index.get(), rid, &mapped, &unmapped) < 0 || mapped + unmapped == 0) continue;
    plan.records += static_cast<int64_t>(mapped + unmapped);
    const auto [first, last] = contig_offsets(index.get(), rid);
    spans.push_back({rid, first, last});
    total_bytes += std::max<int64_t>(0, last - first);
  }
  if (spans.empty()) return std::nullopt;
  // In the file's order of contigs, which is the order the stream reader meets them in (and that
  // numbers the windows and the contigs), not necessarily the header's.
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.first < b.first; });
  const int64_t windows = plan.records / std::max<int64_t>(1, variants_per_window);
  const int64_t regions = std::clamp<int64_t>(windows, ranks, kRegionsPerRank * ranks);
  const int64_t target = std::clamp<int64_t>(total_bytes / regions, 1, kMaxRegionBytes);

  for (const Span& span : spans) {
    const int64_t bytes = std::max<int64_t>(0, span.last - span.first);
    const int64_t pieces = std::max<int64_t>(1, (bytes + target / 2) / target);
    std::vector<int64_t> cuts;
    ContigOffsets offsets(index.get(), span.rid, span.last);
    int64_t from = 0;  // the shares grow with j, and so do their first positions
    for (int64_t j = 1; j < pieces; ++j) {
      // The first position whose records start at or after the j-th share of the contig's bytes.
      const int64_t wanted = span.first + bytes * j / pieces;
      const int64_t cut = offsets.first_reaching(wanted, from);
      if (cut > 0 && cut < kPositionLimit) cuts.push_back(cut);
      from = cut;
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    int64_t begin = 0;
    for (int64_t cut : cuts) {
      plan.regions.push_back({span.rid, begin, cut});
      begin = cut;
    }
    plan.regions.push_back({span.rid, begin, HTS_POS_MAX});
  }
  return plan;
}

}  // namespace sc
