#!/usr/bin/env bash
# `mxscan --version` names the commit it was built from:
#  1. the built binary's commit is the source tree's HEAD (a stale value, e.g.
#     one captured at configure time and never refreshed, fails here);
#  2. the build-time generator (cmake/MxscanGitRevisionWrite.cmake) says
#     "HASH, clean" for a clean checkout, "HASH, dirty" once a tracked file
#     changes (untracked files do not count), "unknown" outside a git work tree
#     or in a folder below another repository's top (a tarball unpacked inside
#     a checkout), and leaves the file untouched when nothing changed, so
#     rebuilds recompile nothing.
#   tests/app/cli/git_revision.sh CMAKE SOURCE_DIR MXSCAN WRITE_SCRIPT
set -euo pipefail
cmake=$1 src=$2 mxscan=$3 script=$4
tmp=$(mktemp -d /tmp/mxscan-git-revision-test.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
git() { command git -c user.name=mxscan-test -c user.email=test@example.invalid "$@"; }
generate() {  # SOURCE_DIR OUTPUT -> prints the revision written
  "$cmake" -DSOURCE_DIR="$1" -DOUTPUT="$2" -DGIT_EXECUTABLE="$(command -v git)" -P "$script" \
    || fail "the generator failed for $1"
  sed -n 's/.*return "\(.*\)";.*/\1/p' "$2"
}

# 1. The binary under test.
line=$("$mxscan" --version | head -1)
if [ "$(cd "$src" && git rev-parse --show-toplevel 2>/dev/null)" = "$(cd "$src" && pwd -P)" ]; then
  head=$(git -C "$src" rev-parse --short HEAD)
  grep -Eq "^mxscan +[0-9.]+ \(git $head, (clean|dirty)\)\$" <<<"$line" \
    || fail "mxscan --version says '$line' but the source tree is at $head (rebuild?)"
else
  grep -Eq '^mxscan +[0-9.]+ \(git unknown\)$' <<<"$line" || fail "not a checkout, yet: $line"
fi

# 2. The generator on throwaway trees.
mkdir "$tmp/plain"
[ "$(generate "$tmp/plain" "$tmp/plain.cpp")" = unknown ] || fail "plain folder: $(cat "$tmp/plain.cpp")"

repo=$tmp/repo
mkdir -p "$repo/sub" && git -C "$repo" init -q && echo one >"$repo/file" && echo x >"$repo/sub/f"
git -C "$repo" add file sub/f && git -C "$repo" commit -qm one
commit=$(git -C "$repo" rev-parse --short HEAD)
out=$tmp/revision.cpp
[ "$(generate "$repo" "$out")" = "$commit, clean" ] || fail "clean repo: $(cat "$out")"
before=$(stat -c '%i %y' "$out")
generate "$repo" "$out" >/dev/null
[ "$(stat -c '%i %y' "$out")" = "$before" ] || fail "an unchanged revision rewrote the file"
echo scratch >"$repo/untracked"
[ "$(generate "$repo" "$out")" = "$commit, clean" ] || fail "an untracked file made it dirty"
echo two >"$repo/file"
[ "$(generate "$repo" "$out")" = "$commit, dirty" ] || fail "modified tracked file: $(cat "$out")"
git -C "$repo" commit -qam two
[ "$(generate "$repo" "$out")" = "$(git -C "$repo" rev-parse --short HEAD), clean" ] \
  || fail "after a commit: $(cat "$out")"
[ "$(generate "$repo/sub" "$tmp/sub.cpp")" = unknown ] || fail "folder below a repository's top: $(cat "$tmp/sub.cpp")"
echo "git_revision: PASS ($line)"
