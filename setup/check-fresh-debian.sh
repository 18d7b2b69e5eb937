#!/usr/bin/env bash
# Proves the README's set-up on a fresh machine: builds a minimal Debian 12 root with debootstrap,
# copies the committed tree (git archive HEAD) into it, and runs the README's two commands there
# as root. Prints one verdict line per command and exits non-zero if either fails.
# Usage: setup/check-fresh-debian.sh [ROOT_DIR]   (default /var/tmp/synthcohort-fresh; removed first)
set -euo pipefail
cd "$(dirname "$0")/.."
root=${1:-/var/tmp/synthcohort-fresh}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

cleanup() {
  for m in dev/shm dev/pts dev sys proc; do mountpoint -q "$root/$m" && umount -l "$root/$m" || true; done
}
trap cleanup EXIT

command -v debootstrap >/dev/null || { apt-get update -qq && apt-get install -y -qq debootstrap; }
cleanup
rm -rf "$root"
echo "== debootstrap bookworm into $root"
debootstrap --variant=minbase bookworm "$root" "$mirror" > "$root.debootstrap.log" 2>&1 \
  || { echo "debootstrap failed: see $root.debootstrap.log"; exit 1; }
mount -t proc proc "$root/proc"
mount --rbind /sys "$root/sys"
mount --rbind /dev "$root/dev"
cp /etc/resolv.conf "$root/etc/resolv.conf"
# What Debian's installer writes and debootstrap does not: the machine's own name resolves
# (munge and Slurm look it up).
printf '127.0.0.1\tlocalhost\n127.0.1.1\t%s\n' "$(hostname)" > "$root/etc/hosts"
# The network this machine reaches the mirrors and PyPI through may re-sign TLS with a local CA
# (this workplace's egress does): the fresh root trusts what the host trusts locally, and nothing
# else of the host comes with it. ca-certificates, installed by the set-up, picks these up.
if compgen -G "/usr/local/share/ca-certificates/*.crt" > /dev/null; then
  mkdir -p "$root/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$root/usr/local/share/ca-certificates/"
fi
mkdir -p "$root/root/synthcohort"
git archive HEAD | tar -x -C "$root/root/synthcohort"
echo "== tree: $(git rev-parse --short HEAD)"

status=0
for command in ./setup/demo.sh ./setup/test.sh; do
  log="$root.$(basename "$command" .sh).log"
  start=$(date +%s)
  if chroot "$root" /usr/bin/env -i HOME=/root PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
       bash -c "cd /root/synthcohort && $command" > "$log" 2>&1; then
    echo "PASS $command ($(( $(date +%s) - start )) s; log $log)"
  else
    echo "FAIL $command ($(( $(date +%s) - start )) s; last lines of $log:)"
    tail -20 "$log"
    status=1
  fi
done
exit $status
