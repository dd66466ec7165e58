# shellcheck shell=bash
# demo step: is a group reachable? one-liners a script can trust (mcsend, mcrecv)
demo_step "mcsend | mcrecv: lines from h1 reach h2, with the TTL they arrived with"
demo_bg rx1 h2 mcrecv -j -c 3 -w 10 239.1.2.3:5000
demo_wait 30 bg_says rx1 "listening on"
demo_on h1 sh -c 'printf "hello\nfrom\nh1\n" | mcsend -t 4 239.1.2.3:5000'
bg_wait rx1 10 || true
cat "$DEMO_TMP/rx1.err" "$DEMO_TMP/rx1.out"

demo_step "mcsend --probe: 2000 probes at 1000/s, h2 and h3 count loss, reordering, jitter"
demo_bg rx2 h2 mcrecv -q -w 4 239.1.2.3:5000
demo_bg rx3 h3 mcrecv -q -j -w 4 --loss-max 0.1 239.1.2.3:5000
demo_wait 30 bg_says rx2 "listening on"
demo_wait 30 bg_says rx3 "listening on"
demo_on h1 mcsend --probe -r 1000 -c 2000 239.1.2.3:5000
bg_wait rx2 10 || true
bg_wait rx3 10 || true
cat "$DEMO_TMP/rx2.err" "$DEMO_TMP/rx3.out"

demo_step "mcrecv: nobody sends to 239.9.9.9, so exit 3 and a list of what was checked"
demo_on -x 3 h2 mcrecv -c 1 -w 1 239.9.9.9:5000
