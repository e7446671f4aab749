#!/usr/bin/env bash
# The tool gates `make test` runs before the suites (alone: `make lint`): clang-tidy over
# every C file with the build's compile database and .clang-tidy, shellcheck over every shell
# script, clang-format --dry-run over every .c and .h with .clang-format.
# Usage: tests/lint.sh [format] [shellcheck] [tidy]  (default: all of them).
# Prints every finding and exits 1 if there was one.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
JOBS=${NIMBUS_LINT_JOBS:-$(nproc)}
DB_DIR=$REPO/build/lint

say() { printf 'lint: %s\n' "$*" >&2; }

# Tracked files and new ones not yet added (so a new file is checked before its commit);
# without git (a source tarball), every file under the tree but build/ and .run/.
files() {
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
        git ls-files -z --cached --others --exclude-standard
    else
        find . \( -path ./build -o -path ./.run -o -path ./.git \) -prune -o -type f -print0 |
            sed -z 's|^\./||'
    fi
}

c_files_and_headers() {
    files | grep -z '\.[ch]$' | while IFS= read -r -d "" f; do if [ -f "$f" ]; then printf "%s\0" "$f"; fi; done
}

c_files() { files | grep -z '\.c$' | while IFS= read -r -d "" f; do if [ -f "$f" ]; then printf "%s\0" "$f"; fi; done; }

# Scripts by name (*.sh) or by their first line (#!/bin/sh, #!/usr/bin/env bash, ...).
shell_scripts() {
    local f first
    files | while IFS= read -r -d '' f; do
        [ -f "$f" ] || continue
        case $f in
        *.sh) printf '%s\0' "$f"; continue ;;
        *.py | *.c | *.h | *.md | *.sql | *.lua | *.json | *.def | *.txt | *.conf*) continue ;;
        esac
        IFS= read -r first <"$f" 2>/dev/null || continue
        case $first in
        '#!'*/sh | '#!'*/sh' '* | '#!'*/bash | '#!'*/bash' '* | '#!'*'env sh'* | '#!'*'env bash'*)
            printf '%s\0' "$f" ;;
        esac
    done
}

need() {
    command -v "$1" >/dev/null || { say "$1 is not installed (make deps installs it)"; exit 1; }
}

run_shellcheck() {
    local n
    need shellcheck
    n=$(shell_scripts | tr -cd '\0' | wc -c)
    say "shellcheck: $n scripts"
    shell_scripts | xargs -0 shellcheck --external-sources
}

# Prints each place that differs from .clang-format; `clang-format -i` on the files fixes them.
run_format() {
    local n
    need clang-format
    n=$(c_files_and_headers | tr -cd '\0' | wc -c)
    say "clang-format: $n files"
    c_files_and_headers | xargs -0 -r clang-format --dry-run -Werror
}

# One file: its report is printed when it ends, so parallel runs do not interleave. Files the
# compile database lacks (tests/bench/hello.c, built by tests/bench/run) get the build's flags.
tidy_file() {
    local out
    if grep -qF "\"file\": \"$REPO/$1\"" "$DB_DIR/compile_commands.json"; then
        out=$(clang-tidy --quiet -p "$DB_DIR" "$1" 2>&1)
    else
        out=$(clang-tidy --quiet "$1" -- -std=c11 -D_GNU_SOURCE -I"$REPO" 2>&1)
    fi || { printf '%s\n' "$out"; return 1; }
}

run_tidy() {
    local n
    need clang-tidy
    need cmake
    mkdir -p "$DB_DIR"
    cmake -S "$REPO" -B "$DB_DIR" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_EXPORT_COMPILE_COMMANDS=ON \
        >"$DB_DIR/configure.log" 2>&1 || { cat "$DB_DIR/configure.log" >&2; say "cmake failed"; return 1; }
    n=$(c_files | tr -cd '\0' | wc -c)
    say "clang-tidy: $n files, $JOBS at a time"
    c_files | xargs -0 -r -n 1 -P "$JOBS" "$REPO/tests/lint.sh" --tidy-file
}

main() {
    local steps=("$@") step failed=()
    if [ "${1:-}" = --tidy-file ]; then
        tidy_file "$2"
        return
    fi
    [ ${#steps[@]} -gt 0 ] || steps=(format shellcheck tidy)
    for step in "${steps[@]}"; do
        case $step in
        format) run_format || failed+=(clang-format) ;;
        shellcheck) run_shellcheck || failed+=(shellcheck) ;;
        tidy) run_tidy || failed+=(clang-tidy) ;;
        *) say "unknown step '$step' (format, shellcheck, tidy)"; exit 2 ;;
        esac
    done
    if [ ${#failed[@]} -gt 0 ]; then
        say "FAILED: ${failed[*]}"
        exit 1
    fi
    say "passed: ${steps[*]}"
}

main "$@"
