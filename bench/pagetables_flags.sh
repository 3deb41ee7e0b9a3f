#!/bin/bash
# Compiler flags for parsing a few osfmk files of an XNU tree by hand (the page-table accuracy measurement,
# docs/accuracy-page-tables.md), until the XNU profile does it properly.
# Fills STUBDIR (outside the tree) with empty stand-ins for every header the files cannot find (config
# option headers such as mach_assert.h, MIG-generated headers), then prints the flags on one line.
#
# usage: pagetables_flags.sh TREE ARCH STUBDIR "EXTRA FLAGS" FILE...
set -e
TREE=$1; ARCH=$2; STUBS=$3; EXTRA=$4; shift 4
mkdir -p "$STUBS"
RES=$(clang-14 -print-resource-dir)
case $ARCH in
  i386) TRIPLE=i386-apple-darwin;; x86_64) TRIPLE=x86_64-apple-macos;; arm64) TRIPLE=arm64-apple-macos;;
esac
# osfmk/libsa comes last: its types.h must not shadow bsd's, only supply <string.h> and friends.
FLAGS="--target=$TRIPLE -xc -std=gnu11 -nostdinc -ffreestanding -fno-builtin -Wno-everything -ferror-limit=0 \
-resource-dir $RES -isystem $RES/include -DKERNEL -DKERNEL_PRIVATE -DMACH_KERNEL_PRIVATE -DXNU_KERNEL_PRIVATE \
-DMACH_KERNEL -DPRIVATE -DAPPLE -DNeXT -D__MACHO__=1 $EXTRA -I$STUBS -I$TREE/osfmk -I$TREE/EXTERNAL_HEADERS \
-I$TREE/bsd -I$TREE/libkern -I$TREE/libsa -I$TREE/iokit -I$TREE/pexpert -I$TREE/san -I$TREE/security \
-I$TREE/osfmk/$ARCH -idirafter $TREE/osfmk/libsa"
for f in "$@"; do
  for round in $(seq 1 80); do
    missing=$(clang-14 $FLAGS -fsyntax-only "$TREE/$f" 2>&1 | grep -m1 "fatal error: '.*' file not found" || true)
    [ -z "$missing" ] && break
    header=$(echo "$missing" | sed "s/.*fatal error: '\(.*\)' file not found.*/\1/")
    mkdir -p "$STUBS/$(dirname "$header")"; touch "$STUBS/$header"
  done
done
echo "$FLAGS"
