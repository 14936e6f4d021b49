#!/usr/bin/env bash
# Install a Debian package when a file it provides is missing.
#
#   scripts/apt-ensure.sh FILE PACKAGE
#
# Does nothing when FILE exists. Otherwise, as root, runs `apt-get update` and
# `apt-get install -y PACKAGE` from the Debian archive; as anyone else, says what to
# run and fails. Never downloads anything outside the package manager.
set -euo pipefail

if [[ $# -ne 2 ]]; then
  echo "usage: $0 FILE PACKAGE" >&2
  exit 2
fi
file=$1
package=$2

if [[ -e "$file" ]]; then
  exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "$file is missing. Install it with: sudo apt-get install -y $package" >&2
  exit 1
fi

echo "$file is missing: installing the Debian package $package." >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "$package"

if [[ ! -e "$file" ]]; then
  echo "Installed $package, but $file is still missing." >&2
  exit 1
fi
