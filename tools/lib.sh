# shellcheck shell=bash
# Shell functions sourced (not run) by the tools/*.sh that keep programs in a cache outside the
# repository (${NODE_PULUMI_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/node-pulumi}):
#
#   source "$tools/lib.sh"
#   cached_go_build MODULE_DIR OUT_DIR NAME INPUTS [GO BUILD ARGUMENTS…]
#   install_beside OUT_DIR STAMP_NAME FILE…
#
# Both hold OUT_DIR/.lock (flock) while they change OUT_DIR, look at their stamp again once they
# have the lock (whoever waited then finds the work done), copy or build into a temporary file in
# OUT_DIR and rename it into place (a half-written file is never run, a running one never
# rewritten), and write the stamp last. They print progress on stderr, nothing on stdout.

# Makes OUT_DIR/NAME with `CGO_ENABLED=0 go build -o … ARGUMENTS`, run in MODULE_DIR, unless
# OUT_DIR/.complete already holds INPUTS: a digest of everything the build reads from the repo
# (the pinned go.mod/go.sum or the sources, and the flags). One Go program per OUT_DIR. The stamp
# covers the inputs given, not the Go toolchain: after upgrading Go, delete OUT_DIR to rebuild.
# Returns non-zero when the build fails.
cached_go_build() {
  local module=$1 out=$2 name=$3 inputs=$4
  shift 4
  local stamp=$out/.complete lock tmp start status=0
  if [ -x "$out/$name" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$inputs" ]; then
    return 0
  fi
  mkdir -p "$out"
  exec {lock}>"$out/.lock"
  flock "$lock"
  if [ ! -x "$out/$name" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$inputs" ]; then
    rm -f "$stamp"
    echo "cached_go_build: building $name into $out (once)" >&2
    start=$SECONDS
    tmp=$(mktemp "$out/.$name.XXXXXX")
    if (cd "$module" && CGO_ENABLED=0 go build -o "$tmp" "$@") >&2; then
      chmod 755 "$tmp"
      mv -f "$tmp" "$out/$name"
      echo "$inputs" >"$stamp"
      echo "cached_go_build: built $name in $((SECONDS - start))s" >&2
    else
      status=$?
      rm -f "$tmp"
      echo "cached_go_build: building $name in $module failed" >&2
    fi
  fi
  exec {lock}>&-
  return "$status"
}

# Copies each FILE (an executable) into OUT_DIR under its own name, mode 755, unless
# OUT_DIR/.STAMP_NAME says these very files (path, size, modification time) are already there.
install_beside() {
  local out=$1 stamp=$2
  shift 2
  stamp=$out/.$stamp
  local manifest lock file tmp
  manifest=$(for file in "$@"; do stat -L -c '%n %s %Y' "$file"; done)
  if [ "$(cat "$stamp" 2>/dev/null)" = "$manifest" ]; then
    return 0
  fi
  mkdir -p "$out"
  exec {lock}>"$out/.lock"
  flock "$lock"
  if [ "$(cat "$stamp" 2>/dev/null)" != "$manifest" ]; then
    rm -f "$stamp"
    for file in "$@"; do
      tmp=$(mktemp "$out/.${file##*/}.XXXXXX")
      cp "$file" "$tmp"
      chmod 755 "$tmp"
      mv -f "$tmp" "$out/${file##*/}"
    done
    echo "$manifest" >"$stamp"
    echo "install_beside: copied ${*##*/} into $out" >&2
  fi
  exec {lock}>&-
}
