# shellcheck shell=bash
# demo step: push a file to two receivers at once with SLAM, one of them
# losing 10% of what arrives, and check both copies
demo_step "slam-serve / slam-get: push one file to many receivers"
head -c 4000000 /dev/urandom >"$DEMO_TMP/image.bin"
demo_bg slamsrv h1 slam-serve --once --idle 1 "$DEMO_TMP/image.bin"
demo_wait 30 grep -q "listening on" "$DEMO_TMP/slamsrv.err"
cat "$DEMO_TMP/slamsrv.err"
echo "(h3 drops 10% of the UDP datagrams it receives, with nftables)"
net_loss h3 10
demo_bg slamh3 h3 slam-get -w 30 -o "$DEMO_TMP/copy3.bin" x-slam://198.18.0.1/
demo_on h2 slam-get -w 30 -o "$DEMO_TMP/copy2.bin" 198.18.0.1
bg_wait slamh3 40
cat "$DEMO_TMP/slamh3.out"
bg_wait slamsrv 20
cat "$DEMO_TMP/slamsrv.out"
demo_run cmp "$DEMO_TMP/image.bin" "$DEMO_TMP/copy2.bin"
demo_run cmp "$DEMO_TMP/image.bin" "$DEMO_TMP/copy3.bin"
net_loss h3 0
